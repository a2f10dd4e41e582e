"""Look-aheads that speed up word-list regexes must never change what they match."""

from __future__ import annotations

import re

import pytest

from geo import dates, events, facts, toponyms, triggers
from geo.articles import sentences
from geo.bench import sample_articles
from geo.patterns import alternatives, first_letters


def test_alternatives_split_only_at_the_top_level() -> None:
    assert alternatives(r"a|b(?:c|d)|[|]e|f\|g") == ["a", "b(?:c|d)", "[|]e", r"f\|g"]


def test_first_letters_of_words_classes_and_groups() -> None:
    assert first_letters("[Nn]ot|never|(?:urged?|call)|9 km") == "(?=[9Ncnu])"
    assert first_letters(r"\d+ km|one") == r"(?=[\do])"


@pytest.mark.parametrize("pattern", [r"\w+ km", "(?:a|b)?c", "[A-Z]x", ".*"])
def test_first_letters_refuses_what_it_cannot_read(pattern: str) -> None:
    with pytest.raises(ValueError, match="cannot tell"):
        first_letters(pattern)


@pytest.mark.parametrize(
    "gated",
    [
        triggers._IRREALIS_WORD,
        facts._CASUALTY_WORD,
        dates._MONTH_DAY,
        dates._WEEKDAY,
        dates._RELATIVE,
        dates._MONTH_ONLY,
        dates._YEAR_ONLY,
        toponyms._REGION_BEFORE,
        toponyms._DISTRICT_BEFORE,
        toponyms._SETTLEMENT_BEFORE,
        toponyms._NEAR_BEFORE,
        toponyms._DISTANCE_BEFORE,
        toponyms._AUTHORITY_BEFORE,
        toponyms._ORIGIN_VERB,
        toponyms._DESTINATION_BEFORE,
        toponyms._LOCATIVE_BEFORE,
        events._REGION_ANAPHOR,
        events._PLACE_ANAPHOR,
        events._THERE,
        events._RESPONSIBILITY,
    ],
)
def test_gated_patterns_match_like_the_plain_ones(gated: re.Pattern[str]) -> None:
    plain = re.compile(gated.pattern.split(")", 1)[1], gated.flags)
    texts = [s.text for a in sample_articles(20) for s in sentences(a)]
    texts += [
        "NOT May 5 in MAY 2023; Yesterday, SINCE 2019 KILLED 3 and Last Week",
        "İf not; ıf no",
        "Troops heading for the village of Kozinka and officials in the city of Sumy said there, in the region,"
        " drones fired from positions near the town of Shebekino, 30 km north of Belgorod, hit the border region"
        " and the district of the Kursk region",
    ]
    # The patterns of cues before a name end with "$": compare them on every prefix of the texts.
    ends = (lambda t: range(len(t) + 1)) if gated.pattern.endswith("$") else (lambda t: [len(t)])
    hits = 0
    for text in texts:
        for end in ends(text):
            ours = [m.span() for m in gated.finditer(text, 0, end)]
            assert ours == [m.span() for m in plain.finditer(text, 0, end)]
            hits += bool(ours)
    assert hits


def test_gated_casualty_counts_match_like_the_plain_ones() -> None:
    texts = [s.text for a in sample_articles(40) for s in sentences(a)]
    texts += ["No 5 soldiers were killed; 1,200 died, about two dozen were wounded and an officer hurt"]
    before = [pattern for _, pattern, where in facts._PATTERNS if where == "before"]
    found = 0
    for gated in before:
        plain = re.compile(gated.pattern.split(")", 1)[1], gated.flags)
        for text in texts:
            for word in facts._CASUALTY_WORD.finditer(text):
                window = (max(0, word.start() - facts._WINDOW), word.end())
                ours, theirs = gated.search(text, *window), plain.search(text, *window)
                assert (ours and ours.span()) == (theirs and theirs.span())
                found += ours is not None
    assert found >= 10


def test_gated_speaker_pattern_matches_like_the_plain_one() -> None:
    gated = facts._SPEAKER_BEFORE
    plain = re.compile(gated.pattern.replace("(?=[,;:–—tba])", "", 1), gated.flags)
    assert plain.pattern != gated.pattern
    texts = [s.text for a in sample_articles(40) for s in sentences(a)]
    texts += ["Officials said so, and the governor said that the mayor told reporters — as Kyiv claims"]
    assert sum(bool(gated.search(t)) for t in texts) >= 10
    for text in texts:
        assert [m.span() for m in gated.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_trie_matches_exactly_its_words() -> None:
    from geo.patterns import trie

    words = ["drone", "drones", "dam", "air", "air raid", "airstrike"]
    pattern = re.compile(trie(words))
    assert all(pattern.fullmatch(w) for w in words)
    assert not any(pattern.fullmatch(w) for w in ["dron", "da", "airs", "air rai", "d", "dams"])
