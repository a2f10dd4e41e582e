"""Place mentions: cues, roles, and what is not a place."""

from __future__ import annotations

import random
import time

import pytest

from geo.articles import article_from_text
from geo.gazetteer import Gazetteer
from geo.pipeline import extract
from geo.toponyms import Mention, find_mentions


def mentions(text: str, gazetteer: Gazetteer) -> list[Mention]:
    return find_mentions(article_from_text("Title\n\n" + text), gazetteer)


def one(text: str, name: str, gazetteer: Gazetteer) -> Mention:
    found = [m for m in mentions(text, gazetteer) if m.name == name]
    assert len(found) == 1, [m.name for m in mentions(text, gazetteer)]
    return found[0]


@pytest.mark.parametrize(
    ("text", "name", "kind", "cue"),
    [
        ("Shelling hit the Belgorod region on Monday.", "Belgorod", "region", "region"),
        ("Parts of the border region of Belgorod came under attack.", "Belgorod", "region", "region"),
        ("Drones hit the Kharkiv Oblast overnight.", "Kharkiv Oblast", "region", "region"),
        ("A pipeline was damaged in the Graivoron district.", "Graivoron", "district", "district"),
        ("Fighters attacked the Russian border village of Kozinka.", "Kozinka", "place", "village"),
        ("A checkpoint near Kozinka came under fire.", "Kozinka", "place", "near"),
        ("Shells fell 10 km north of Vovchansk.", "Vovchansk", "place", "distance"),
        ("In the city of Kursk, debris fell.", "Kursk", "place", "city"),
        ("Shelling hit Crimea.", "Crimea", "region", None),
        ("Residents of nearby villages, including Ryabinovka, left.", "Ryabinovka", "unknown", "settlement"),
    ],
)
def test_cues(gazetteer: Gazetteer, text: str, name: str, kind: str, cue: str | None) -> None:
    m = one(text, name, gazetteer)
    assert (m.kind, m.cue) == (kind, cue)


def test_distance_cue_keeps_distance_and_bearing(gazetteer: Gazetteer) -> None:
    m = one("Shells fell 30km south-east of Kupiansk.", "Kupiansk", gazetteer)
    assert (m.offset_km, m.bearing) == (30.0, "southeast")


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Officials in Sumy urged residents to leave.", "Sumy", "authority"),
        ("The governor of the Belgorod region said so.", "Belgorod", "authority"),
        ("Kharkiv's governor said two were hurt.", "Kharkiv", "authority"),
        ("The Sumy regional military administration said so.", "Sumy", "authority"),
        ("Prosecutors in Russian-occupied Donetsk opened a case.", "Donetsk", "authority"),
        ("Troops were heading for the village of Vovchansk.", "Vovchansk", "destination"),
        ("Troops fired from positions in the Kursk region.", "Kursk", "origin"),
        ("They moved towards the town of Grayvoron.", "Grayvoron", "destination"),
        ("Moscow says the raid was repelled.", "Moscow", "metonym"),
        ("It was a claim disputed by Kyiv.", "Kyiv", "metonym"),
        ("A missile struck Kyiv on Monday.", "Kyiv", "event"),
        ('A vehicle bore the words "for Bakhmut" on its side.', "Bakhmut", "quoted"),
        ("Russia says it has captured Bakhmut.", "Bakhmut", "event"),
        ("Troops withdrew from Avdiivka.", "Avdiivka", "event"),
        (
            "Officials said the attackers came from groups known as the Liberty of Russia Legion and others.",
            "Liberty",
            "organisation",
        ),
    ],
)
def test_roles(gazetteer: Gazetteer, text: str, name: str, role: str) -> None:
    assert one(text, name, gazetteer).role == role


@pytest.mark.parametrize(
    "text",
    [
        "Russian President Vladimir Putin spoke on Monday.",
        "In a briefing, Matthew Miller added a comment.",
        "Regional governor Vyacheslav Gladkov said one civilian died. Later Gladkov said more.",
        "Villages were evacuated. Parts of the city were hit.",
        "The FSB and NATO commented, the BBC reported.",
        "Analysts on Nevsky Prospekt talked in May and in Jan.",
    ],
)
def test_not_places(gazetteer: Gazetteer, text: str) -> None:
    assert [m.name for m in mentions(text, gazetteer) if m.kind in ("place", "unknown")] == []


def test_countries_and_demonyms_are_context_not_places(gazetteer: Gazetteer) -> None:
    found = {
        (m.name, m.kind, m.country) for m in mentions("Ukraine's army and the US said Russian troops left.", gazetteer)
    }
    assert found == {("Ukraine", "country", "UA"), ("US", "country", "US"), ("Russian", "demonym", "RU")}


def test_country_before_a_mention_is_its_hint(gazetteer: Gazetteer) -> None:
    assert one("Shelling hit Ukraine's Sumy region.", "Sumy", gazetteer).country_hint == "UA"
    assert one("They attacked the Russian border village of Kozinka.", "Kozinka", gazetteer).country_hint == "RU"
    assert one("In Russia’s occupied Donetsk, shells fell.", "Donetsk", gazetteer).country_hint == "RU"
    assert one("Russian forces shelled Sumy.", "Sumy", gazetteer).country_hint is None
    assert one("Ukraine said Sumy was hit.", "Sumy", gazetteer).country_hint is None


def test_region_lists_before_a_plural_cue(gazetteer: Gazetteer) -> None:
    found = mentions("Drones were downed over the Bryansk, Kursk and Oryol regions and the Moscow region.", gazetteer)
    assert [(m.name, m.kind) for m in found] == [
        ("Bryansk", "region"),
        ("Kursk", "region"),
        ("Oryol", "region"),
        ("Moscow", "region"),
    ]
    assert [m.regions[0].iso_code for m in found[:3]] == ["RU-BRY", "RU-KRS", "RU-ORL"]


def test_offsets_point_into_the_article(gazetteer: Gazetteer) -> None:
    art = article_from_text("Title\n\nFirst sentence here. Shelling hit the village of Kozinka today.")
    (m,) = find_mentions(art, gazetteer)
    assert art.text[m.start : m.end] == "Kozinka" and m.sentence == 1


def _one_long_sentence(words: int) -> str:
    """A sentence of ``words`` capitalised words, known places among them, quote marks, no full stop."""
    rnd = random.Random(7)
    pool = [
        "Kharkiv",
        "Belgorod",
        "Sumy",
        "Kursk",
        "Alpha",
        "Bravo",
        "Charlie",
        "Ivanov",
        '"Kupiansk',
        'Lyman"',
        "«Izium»",
    ]
    return "A long sentence\n\n" + " ".join(rnd.choice(pool) for _ in range(words))


def _cpu_seconds(text: str, gazetteer: Gazetteer) -> float:
    article = article_from_text(text, published="2024-05-01")
    runs = []
    for _ in range(3):
        start = time.process_time()
        extract(article, gazetteer=gazetteer)
        runs.append(time.process_time() - start)
    return min(runs)


def test_time_grows_linearly_with_a_sentence(gazetteer: Gazetteer) -> None:
    """Four times the words cost about four times the work, not sixteen (issue: cues and quote
    checks once scanned the whole sentence per name). A ratio of CPU times with a generous factor,
    no threshold in seconds."""
    small = _cpu_seconds(_one_long_sentence(2_000), gazetteer)
    large = _cpu_seconds(_one_long_sentence(8_000), gazetteer)
    assert large / max(small, 1e-3) < 9, (small, large)
