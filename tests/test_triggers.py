"""Event words and the ACLED types they give a clause."""

from __future__ import annotations

import pytest

from geo.triggers import classify, find_triggers


def kinds(text: str) -> list[tuple[str, str]]:
    return [(k.event_type, k.sub_event_type) for k in classify(find_triggers(text))]


BATTLE = ("Battles", "Armed clash")
SHELLING = ("Explosions/Remote violence", "Shelling/artillery/missile attack")
AIR = ("Explosions/Remote violence", "Air/drone strike")
OTHER = ("Strategic developments", "Other")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Parts of the region came under attack, in one of the largest cross-border raids.", [BATTLE]),
        ("Armed groups attacked the village and moved towards the town.", [BATTLE]),
        ("A checkpoint came under mortar fire before the fighters entered the village.", [BATTLE]),
        ("Russia says it has captured the town.", [BATTLE]),
        ("His troops had withdrawn from the town to avoid encirclement.", [BATTLE]),
        ("Ukrainian forces liberated the village.", [("Battles", "Government regains territory")]),
        ("Russian forces shelled border communities more than 30 times.", [SHELLING]),
        ("Two people were killed when a mortar round hit a house.", [SHELLING]),
        ("Russian forces attacked 11 settlements, firing 44 times.", [SHELLING]),
        ("The region had been subject to a large number of drone attacks.", [AIR]),
        ("Another drone was intercepted over the district.", [AIR]),
        ("Debris from a drone that was shot down damaged two roofs.", [AIR]),
        ("Villages near the border were evacuated after coming under fire.", [SHELLING, OTHER]),
        ("Residents were told to leave their homes.", [OTHER]),
        ("Authorities declared a counter-terrorism regime across the region.", [OTHER]),
        ("Police detained 30 people at a rally.", [("Protests", "Protest with intervention")]),
        ("Police arrested two men.", [("Strategic developments", "Arrests")]),
    ],
)
def test_clause_types(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The US insisted it did not encourage or enable strikes inside Russia.",
        "Officials urged residents to evacuate.",
        "They will not be able to shell Ukraine.",
        "Any assaults on Russian soil make leaders nervous.",
        "Kyiv is expected to attack in the south.",
        "Markets fell on Monday.",
        "Two people were killed.",  # a consequence alone names no kind
    ],
)
def test_no_event_kind(text: str) -> None:
    assert kinds(text) == []


def test_event_words_inside_hyphenated_words_and_capitals() -> None:
    found = find_triggers("An anti-drone gun and SHELLING; a Shahed hit the İzmail port.")
    assert [(t.kind, t.text) for t in found] == [
        ("air", "drone"),
        ("shelling", "SHELLING"),
        ("air", "Shahed"),
        ("generic", "hit"),
    ]


def test_a_negation_reaches_only_nearby_event_words() -> None:
    far = "No one expected it, but after a long and uneventful morning in the town, drones struck"
    assert [t.text for t in find_triggers(far)] == ["drones", "struck"]
    assert find_triggers("They did not strike the town.") == []


def test_negation_window_covers_the_longest_negation() -> None:
    import re._parser

    from geo import triggers

    assert re._parser.parse(triggers._IRREALIS_WORD.pattern).getwidth()[1] <= triggers._IRREALIS_LONGEST


@pytest.mark.parametrize(
    ("alternative", "beginning"),
    [
        ("drones?", "drone"),
        ("air ?strikes?", "air"),
        ("counter-?attacks?", "counter"),
        ("withdr(?:ew|awn|awal)", "withdr"),
        ("UAVs?", "uav"),
        ("under fire", "under fire"),
    ],
)
def test_event_word_beginnings(alternative: str, beginning: str) -> None:
    from geo.triggers import _literal_beginning

    assert _literal_beginning(alternative) == beginning
