"""Facts an event report states: casualties, actors, who makes the claim, whether it is verified.

Everything is read as reported: "Russia says 70 attackers were killed" gives 70 fatalities
claimed by "Russia"; vague counts ("several others were injured", "dozens") give no number;
"there were no victims" gives zero.

Examples
--------
>>> casualty_reports("Two people were killed in Velyka Pysarivka when a mortar round hit a house.")
[CasualtyReport(kind='fatalities', count=2, victims='people')]
>>> claimant("Russia's defence ministry said on Tuesday that the attackers had been driven back.")
"Russia's defence ministry"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .patterns import first_letters, words_then

__all__ = [
    "CasualtyReport",
    "actors_in",
    "casualty_reports",
    "claimant",
    "says_unverified",
    "total",
]

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12, "hundred": 100, "a hundred": 100,
}  # fmt: skip
_NUM_RE = r"\d{1,3}(?:,\d{3})*|\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_NUM = f"({_NUM_RE})(?![-‐]?\\s*year)"  # "a 45-year-old man" is one man, not 45
_QUALIFIERS = "more than|at least|over|about|around|some|nearly|almost|up to|another"
_QUALIFIER = rf"(?:(?:{_QUALIFIERS})\s+)?"
_VICTIMS = (
    r"(?:\s+(?:[\w-]+\s+){0,2}?(?P<victims>people|persons|civilians|residents|soldiers|servicemen|troops"
    r"|attackers|fighters|militants|insurgents|children|men|women|others|drivers?|workers?|officers?"
    r"|civilian|soldier|man|woman|child|person|resident|boy|girl|teenagers?|police(?:men)?|of them))?"
)
_KILLED_WORDS = r"killed|dead|died|lost their lives|were slain"
_INJURED_WORDS = r"wounded|injured|hurt|hospitali[sz]ed"
_COUNT_START = first_letters(f"{_QUALIFIERS}|{_NUM_RE}")
_BEFORE_VERB = (
    rf"{_COUNT_START}(?<!\b[Nn]o )\b{_QUALIFIER}{_NUM}{_VICTIMS}"
    r"\s+(?:(?:were|was|had|have|has|been|are|is|reportedly)\s+){0,3}"
)
# The words a count is read around; the count patterns then run only next to them.
_CASUALTY_WORDS = (
    r"kill(?:ed|ing|s)?|dead|died|lost their lives|were slain|wound(?:ed|ing|s)?|injur(?:ed|ing|es)|hurt"
    r"|hospitali[sz]ed|death toll"
)
_CASUALTY_WORD = words_then(_CASUALTY_WORDS, r"\b")
_WINDOW = 90  # characters before a casualty word where its count can stand
# (kind, pattern, where): "before" patterns end at the casualty word ("two people were killed"),
# "after" patterns start at it ("killing three people").
_PATTERNS = (
    ("fatalities", re.compile(rf"{_BEFORE_VERB}(?:{_KILLED_WORDS})$", re.I), "before"),
    ("fatalities", re.compile(rf"(?:killed|killing|kills|kill)\s+{_QUALIFIER}{_NUM}{_VICTIMS}\b", re.I), "after"),
    ("fatalities", re.compile(rf"death toll (?:\w+\s+){{0,3}}?(?:to|at|of)\s+{_NUM}\b()", re.I), "after"),
    ("injuries", re.compile(rf"{_BEFORE_VERB}(?:{_INJURED_WORDS})$", re.I), "before"),
    (
        "injuries",
        re.compile(rf"(?:wounding|injuring|wounded|injured|injures|wounds)\s+{_QUALIFIER}{_NUM}{_VICTIMS}\b", re.I),
        "after",
    ),
)
_NONE_HURT = re.compile(
    r"\bno (?:victims|casualties|deaths|fatalities|one was (?:killed|hurt|injured))|without casualties"
    r"|there were no (?:victims|casualties|injuries)|nobody was (?:killed|hurt|injured)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class CasualtyReport:
    """A casualty count in a sentence: ``kind`` is ``"fatalities"`` or ``"injuries"``."""

    kind: str
    count: int
    victims: str


def _as_int(word: str) -> int | None:
    word = word.lower()
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    digits = word.replace(",", "")
    return int(digits) if digits.isdigit() else None


# Stems without which a text reports no casualties (tested as substrings, before the patterns).
_CASUALTY_STEMS = ("kill", "dead", "died", "death", "lives", "slain", "wound", "injur", "hurt", "hospital",
                   "victim", "casualt", "nobody")  # fmt: skip


def casualty_reports(text: str) -> list[CasualtyReport]:
    """Numbers of killed and injured reported in ``text`` ("no victims" reports zero)."""
    low = text.lower()
    if not any(stem in low for stem in _CASUALTY_STEMS):
        return []
    reports: list[CasualtyReport] = []
    seen: set[tuple[str, int]] = set()
    for word in _CASUALTY_WORD.finditer(text):
        for kind, pattern, where in _PATTERNS:
            if where == "before":
                m = pattern.search(text, max(0, word.start() - _WINDOW), word.end())
            else:
                m = pattern.match(text, word.start())
            if m is None:
                continue
            count = _as_int(m.group(1))
            if count is None or (kind, m.start(1)) in seen:
                continue
            seen.add((kind, m.start(1)))
            victims = (m.groupdict().get("victims") or "people").lower()
            if count == 1 and m.group(1).lower() in ("a", "an") and victims == "people":
                continue  # "a ... killed" without a victim noun is not a count
            reports.append(CasualtyReport(kind, count, victims))
    if not reports and _NONE_HURT.search(text):
        reports.append(CasualtyReport("fatalities", 0, "people"))
    return reports


def total(reports: Iterable[CasualtyReport], kind: str) -> int | None:
    """Combine reports: the largest count for each group of victims, summed over groups."""
    largest: dict[str, int] = {}
    for r in reports:
        if r.kind == kind:
            group = r.victims.rstrip("s")
            largest[group] = max(largest.get(group, 0), r.count)
    return sum(largest.values()) if largest else None


_GROUP_WORDS = ("Legion", "Corps", "Brigade", "Battalion", "Regiment", "Division", "Guard", "Group", "Forces", "Army",
                "Fleet")  # fmt: skip
_NAMED_GROUP = re.compile(
    r"\b([A-Z][\w’'-]+\s+(?:[A-Z][\w’'-]+\s+){0,3}(?:of\s+(?:the\s+)?[A-Z][\w’'-]+\s+)?(?:[A-Z][\w’'-]+\s+){0,2}"
    rf"(?:{'|'.join(_GROUP_WORDS)}))\b"
)
_STATE_FORCES = re.compile(
    r"\b(Russian|Ukrainian|Belarusian)\s+(?:armed\s+)?(?:forces|troops|army|soldiers|servicemen|units?|drones?"
    r"|shelling|artillery|air\s+defen[cs]es?|air\s+force|strikes?|missiles?|warplanes?|paratroopers"
    r"|military(?!\s+(?:experts?|analysts?|bloggers?|intelligence|officials?|sources?|spokes\w+|said|says)))\b"
)
_STATE_NAMES = {
    "Russian": "Military Forces of Russia",
    "Ukrainian": "Military Forces of Ukraine",
    "Belarusian": "Military Forces of Belarus",
}
_GROUP_STOP = frozenset({"The", "A", "An", "But", "And", "In", "On", "Both", "Two"})


def actors_in(text: str) -> tuple[str, ...]:
    """Named armed groups and state forces in ``text``, in order of first mention."""
    found: dict[str, int] = {}
    # The patterns run only when their (case-sensitive) key words are in the text.
    named = any(word in text for word in _GROUP_WORDS)
    for m in _NAMED_GROUP.finditer(text) if named else ():
        words = m.group(1).split()
        while words and words[0] in _GROUP_STOP:
            words = words[1:]
        if len(words) >= 2:
            found.setdefault(" ".join(words), m.start())
    for m in _STATE_FORCES.finditer(text) if any(state in text for state in _STATE_NAMES) else ():
        found.setdefault(_STATE_NAMES[m.group(1)], m.start())
    return tuple(sorted(found, key=found.__getitem__))


_SPEECH = r"said|says|claimed|claims|reported|reports|announced|stated|added|confirmed|told|insisted|wrote"
# Who speaks starts a sentence, or follows a comma, a dash, "that", "but", "and" or "as" (the
# look-ahead lets the search pass over other positions at once).
_SPEAKER_BEFORE = re.compile(
    rf"(?:^|(?=[,;:–—tba])(?:[,;:–—]\s+|\bthat\s+|\b(?:but|and|as)\s+))(?P<who>[^,;:–—]{{2,80}}?),?\s+(?:also\s+|later\s+|earlier\s+)?"
    rf"(?:{_SPEECH})\b",
)
_ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,;.]{2,80})")
# "..., said Governor Vyacheslav Gladkov." / "..., wrote the regional governor": the speaker after the verb
_SPEAKER_AFTER = re.compile(
    r"[,;:–—]\s+(?:also\s+)?(?:said|says|wrote|writes|reported|reports|announced|stated|added|confirmed)\s+"
    r"(?P<who>(?!that\b|on\b|in\b)[^,;.:]{2,80}?)\s*(?:[,;.:]|$)"
)
_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "officials", "the officials"})
_SPEAKER_NOUNS = re.compile(
    r"\b(ministry|governor|officials?|authorities|administration|military|army|forces|police|mayor"
    r"|spokes(?:man|woman|person)|president|minister|command|staff|service|agency|council|head|chief"
    r"|Russia|Ukraine|Kyiv|Moscow|Kremlin|media|channel|group|groups|legion|corps)\b|^[A-Z]",
    re.I,
)


_SPEECH_STEMS = ("said", "says", "claim", "report", "announc", "stated", "added", "confirm", "told", "insist",
                 "wrote", "according to")  # fmt: skip


def claimant(text: str) -> str | None:
    """Who makes the claims of a sentence ("Russia's defence ministry said ..."), or None."""
    low = text.lower()
    if not any(stem in low for stem in _SPEECH_STEMS):
        return None
    m = _ACCORDING_TO.search(text) if "according to" in text else None
    if m:
        return _clean_speaker(m.group("who"))
    for m in _SPEAKER_AFTER.finditer(text):
        who = _clean_speaker(m.group("who"))
        if who and _SPEAKER_NOUNS.search(who):
            return who
    for m in _SPEAKER_BEFORE.finditer(text):
        who = _clean_speaker(m.group("who"))
        if who and _SPEAKER_NOUNS.search(who):
            return who
    return None


def _clean_speaker(raw: str) -> str | None:
    words = raw.strip().split()
    while words and words[0].lower() in ("the", "a", "an", "but", "and", "mr", "mrs", "ms", "also", "in"):
        words = words[1:]
    who = " ".join(words).strip(" “”\"'")
    if not who or who.lower() in _PRONOUNS or len(words) > 9:
        return None
    return who


_UNVERIFIED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't|could not be|have not been|has not been|were not|was not|are not|is not)"
    r"\s+(?:be\s+)?(?:independently\s+)?(?:verified|confirmed)|\bunverified\b|not independently verified"
    r"|no independent (?:verification|confirmation)",
    re.I,
)


def says_unverified(text: str) -> bool:
    """Whether the text says its claims could not be verified.

    The pattern runs only around the words "verif…" and "confirm…", not over the whole text.
    """
    low = text.lower()
    for stem in ("verif", "confirm"):
        at = low.find(stem)
        while at >= 0:
            if _UNVERIFIED.search(text, max(0, at - 60), at + 30):
                return True
            at = low.find(stem, at + 1)
    return False
