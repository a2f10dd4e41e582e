"""When an event happened: time expressions resolved against the publication date.

News reports date events relative to publication: "on Monday", "overnight on Tuesday",
"Wednesday morning", "Sunday night", "yesterday", "last year". A weekday is the latest such day
on or before publication, so "on Wednesday" in an article published on a Wednesday is that day
(``dateparser`` gives the week before). Explicit dates ("22 May", "May 22, 2023",
"2023-05-22") are read as written; without a year they take the publication year (or the year
before, when that would put them after publication).

Examples
--------
>>> import datetime as dt
>>> resolve_date("drone attacks overnight on Tuesday", dt.date(2023, 5, 24))
(datetime.date(2023, 5, 23), 'day')
>>> resolve_date("a small fire on Wednesday morning", dt.date(2023, 5, 24))
(datetime.date(2023, 5, 24), 'day')
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .patterns import first_letters, words_then

__all__ = ["TimeExpression", "find_time_expressions", "history_spans", "resolve_date"]

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(_WEEKDAYS)

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b", re.I)
_MONTH_DAY = words_then(_MONTH_RE, r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_WEEKDAY = words_then(_WEEKDAY_RE, r"(?:['’]s)?\b")
# What may stand before a weekday: part of the expression ("overnight on Tuesday", "last Monday").
_WEEKDAY_PREFIX = re.compile(
    r"(?:(?:(?:on\s+)?the\s+night\s+of\s+|overnight\s+(?:on\s+|into\s+)?|late\s+(?:on\s+)?|early\s+(?:on\s+)?)"
    r"|(?P<last>last\s+))$",
    re.I,
)
_RELATIVE_RE = (
    r"today|tonight|this\s+(?:morning|afternoon|evening)|yesterday|the\s+day\s+(?:before|earlier)"
    r"|last\s+night|overnight|earlier\s+(?:this|in\s+the)\s+week|last\s+week|this\s+week"
    r"|last\s+month|this\s+month|last\s+year|this\s+year"
    r"|(?:over|in|during)\s+the\s+(?:past|last|previous)\s+(?:day|24\s+hours|twenty-four\s+hours)"
    r"|during\s+the\s+day|all\s+day(?:\s+long)?"
)
# Background: a time that is no day of the report ("in recent months", "since the start of the war",
# "last autumn"). A clause dated only by such words reports context, not an incident.
_BACKGROUND_RE = (
    r"in\s+(?:the\s+)?(?:past|recent|last|previous)\s+(?:few\s+|several\s+|two\s+|three\s+)?(?:weeks|months|years)"
    r"|in\s+recent\s+(?:days|weeks|months|years)|for\s+(?:weeks|months|years)"
    r"|since\s+the\s+(?:start|beginning|outbreak|onset)\s+of\s+the\s+(?:war|invasion|full-scale\s+invasion|conflict)"
    r"|since\s+(?:the\s+|its\s+|Russia's\s+|Russia’s\s+)?(?:full-scale\s+)?invasion"
    r"|last\s+(?:autumn|fall|spring|summer|winter)|earlier\s+in\s+the\s+war"
)
_BACKGROUND = words_then(_BACKGROUND_RE, r"\b")
_RELATIVE = words_then(_RELATIVE_RE, r"\b")
_SINCE = "in|since|during|until|by"
_MONTH_ONLY = re.compile(
    rf"{first_letters(_SINCE)}\b(?:{_SINCE})\s+(?:early\s+|mid-?|late\s+)?({_MONTH_RE})\b(?:\s+(\d{{4}}))?", re.I
)
_YEAR_ONLY = re.compile(
    rf"{first_letters('in|since|during')}(?<!born )\b(?:in|since|during)\s+((?:19|20)\d{{2}})\b", re.I
)
_FUTURE = re.compile(r"\b(next|coming|will|would|until)\s+$", re.I)
# A place's history told in a modifier: "Izium, liberated in September 2022", "regions Moscow
# claimed to have annexed in 2022", "which Russia occupied in March 2022". The date is the
# history's, not the reported incident's: it dates nothing (the clause takes the story's day).
_HISTORY_VERBS = (
    r"annexed|annex|liberated|liberate|occupied|occupy|founded|renamed|established|built|recaptured|retaken"
    r"|recapture|retake|captured|capture|seized|seize|taken|take|de-occupied|freed|free|lost|lose"
)
_HISTORY = re.compile(
    rf"(?:,|\b(?:which|that|whom?)\b(?:\s+[\w’'-]+){{0,5}}?|\bto\s+have)\s+(?:{_HISTORY_VERBS})"
    r"(?:\s+(?:by|from)(?:\s+[\w’'-]+){1,4}?)?\s+$",
    re.I,
)
_HISTORY_REACH = 90  # characters before a date that its modifier spans
_HISTORY_DAYS = 30  # a month or year over this long before publication is history, not news

_PRECISION_RANK = {"day": 0, "approximate": 1, "range": 2, "background": 3}


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression found in text, with the date it resolves to.

    ``date`` is the day (``precision == "day"``), the first day of a week, month or year
    (``"range"``), or a rough date (``"approximate"``); ``"background"`` marks a time that is no
    day of the report ("in recent months", "since the start of the war"), with no date.
    ``start``/``end`` index the text.
    """

    text: str
    start: int
    end: int
    date: dt.date | None
    precision: str


def _weekday_on_or_before(weekday: int, published: dt.date) -> dt.date:
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _with_year(month: int, day: int, year: int | None, published: dt.date | None) -> dt.date | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        if candidate > published + dt.timedelta(days=2):
            year -= 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# Each pattern runs only when the text has a word it needs (the patterns are long alternations,
# slow to try at every position of every sentence).
_WORDS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d")
_RELATIVE_WORDS = frozenset(
    "today tonight morning afternoon evening yesterday day night overnight week month year hours".split()
)
_BACKGROUND_WORDS = frozenset("weeks months years days war invasion conflict autumn fall spring summer winter".split())


def find_time_expressions(text: str, published: dt.date | None) -> list[TimeExpression]:
    """Every time expression in ``text``, in text order (overlaps removed, longest first)."""
    words = set(_WORDS.findall(text.lower()))
    digits = _DIGIT.search(text) is not None
    years = digits and _YEAR_LIKE.search(text) is not None
    months = not words.isdisjoint(_MONTHS)
    background = not words.isdisjoint(_BACKGROUND_WORDS)
    if not (digits or months or background or not words.isdisjoint(_WEEKDAYS) or not words.isdisjoint(_RELATIVE_WORDS)):
        return []
    found: list[TimeExpression] = []

    def add(m: re.Match[str], date: dt.date | None, precision: str) -> None:
        if _FUTURE.search(text[: m.start()][-12:]):
            return
        found.append(TimeExpression(m.group(0), m.start(), m.end(), date, precision))

    for m in _ISO.finditer(text) if years else ():
        try:
            add(m, dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day")
        except ValueError:
            continue
    for m in _DAY_MONTH.finditer(text) if months and digits else ():
        if not m.group(2)[0].isupper():  # "may" the verb, not May
            continue
        year = int(m.group(3)) if m.group(3) else None
        add(m, _with_year(_MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)), year, published), "day")
    for m in _MONTH_DAY.finditer(text) if months and digits else ():
        if not m.group(1)[0].isupper():
            continue
        year = int(m.group(3)) if m.group(3) else None
        add(m, _with_year(_MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), year, published), "day")
    for m in _WEEKDAY.finditer(text) if not words.isdisjoint(_WEEKDAYS) else ():
        if m.group(1)[:1].islower():
            continue  # "monday" in lower case is not a date in edited news text
        prefix = _WEEKDAY_PREFIX.search(text, max(0, m.start() - 30), m.start())
        start = prefix.start() if prefix else m.start()
        date = None if published is None else _weekday_on_or_before(_WEEKDAYS[m.group(1).lower()], published)
        if date is not None and prefix is not None and prefix.group("last") and date == published:
            date -= dt.timedelta(days=7)
        if not _FUTURE.search(text[:start][-12:]):
            found.append(TimeExpression(text[start : m.end()], start, m.end(), date, "day"))
    for m in _RELATIVE.finditer(text) if not words.isdisjoint(_RELATIVE_WORDS) else ():
        add(m, *_relative(m.group(1).lower(), published))
    for m, first, told in _months_and_years(text, published, months=months, years=years):
        if told is None:
            add(m, first, "range")
    for m in _BACKGROUND.finditer(text) if background else ():
        found.append(TimeExpression(m.group(0), m.start(), m.end(), None, "background"))
    return _without_overlaps(found)


def _months_and_years(
    text: str, published: dt.date | None, *, months: bool = True, years: bool = True
) -> Iterator[tuple[re.Match[str], dt.date | None, re.Match[str] | None]]:
    """Each bare month ("in September 2022") and year ("in 2014") with the first day it names.

    The third item is the modifier that makes it a place's history ("liberated in ..."), if any.
    """
    for m in _MONTH_ONLY.finditer(text) if months else ():
        if m.group(1)[0].isupper():
            first = _with_year(_MONTHS[m.group(1).lower()], 1, int(m.group(2)) if m.group(2) else None, published)
            yield m, first, _history(text, m, first, 31, published)
    for m in _YEAR_ONLY.finditer(text) if years else ():
        new_year = dt.date(int(m.group(1)), 1, 1)
        yield m, new_year, _history(text, m, new_year, 365, published)


def _history(
    text: str, m: re.Match[str], start: dt.date | None, days: int, published: dt.date | None
) -> re.Match[str] | None:
    """The modifier that tells a month or year long before publication as a place's history."""
    if start is None or published is None or (published - start).days - days <= _HISTORY_DAYS:
        return None
    return _HISTORY.search(text, max(0, m.start() - _HISTORY_REACH), m.start())


def history_spans(text: str, published: dt.date | None) -> list[tuple[int, int]]:
    """Where ``text`` tells a place's history: from the verb to the date.

    "Izium, liberated in September 2022": event words there report no incident of the story.
    """
    if published is None or not _DIGIT.search(text):
        return []
    return [(told.start(), m.end()) for m, _, told in _months_and_years(text, published) if told is not None]


def _relative(phrase: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    phrase = " ".join(phrase.split())
    if published is None:
        return None, "approximate"
    if phrase in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return published, "day"
    if phrase in ("yesterday", "the day before", "last night"):
        return published - dt.timedelta(days=1), "day"
    if phrase == "overnight":
        return published - dt.timedelta(days=1), "approximate"
    if phrase.startswith(("over the", "in the", "during the p", "during the l")):  # "over the past day"
        return published - dt.timedelta(days=1), "approximate"
    if phrase.startswith(("during the day", "all day")):
        return published, "approximate"
    if phrase == "the day earlier":
        return published - dt.timedelta(days=1), "day"
    if phrase in ("this week", "earlier this week", "earlier in the week"):
        return published - dt.timedelta(days=published.weekday()), "range"
    if phrase == "last week":
        return published - dt.timedelta(days=published.weekday() + 7), "range"
    if phrase == "this month":
        return published.replace(day=1), "range"
    if phrase == "last month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return first.replace(day=1), "range"
    if phrase == "this year":
        return published.replace(month=1, day=1), "range"
    return published.replace(year=published.year - 1, month=1, day=1), "range"  # last year


def _without_overlaps(found: list[TimeExpression]) -> list[TimeExpression]:
    kept: list[TimeExpression] = []
    for expr in sorted(found, key=lambda e: (e.start, -(e.end - e.start))):
        if kept and expr.start < kept[-1].end:
            continue
        kept.append(expr)
    return kept


def resolve_date(text: str, published: dt.date | None) -> tuple[dt.date | None, str | None]:
    """The date an event in ``text`` happened, and its precision, or ``(None, None)``.

    The most precise expression wins; among equals, the first. A text dated only by background
    words ("in recent months") gives ``(None, "background")``.
    """
    found = find_time_expressions(text, published)
    exprs = [e for e in found if e.date is not None]
    if not exprs:
        return (None, "background") if any(e.precision == "background" for e in found) else (None, None)
    best = min(exprs, key=lambda e: (_PRECISION_RANK[e.precision], e.start))
    return best.date, best.precision
