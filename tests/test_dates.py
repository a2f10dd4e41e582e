"""Event dates against the publication date: weekday rules, relative words, explicit dates."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import find_time_expressions, resolve_date

WEDNESDAY = dt.date(2023, 5, 24)


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("came under attack on Monday", "2023-05-22", "day"),
        ("Monday’s raid led Moscow to declare", "2023-05-22", "day"),
        ("drone attacks overnight on Tuesday", "2023-05-23", "day"),
        ("a small fire on Wednesday morning", "2023-05-24", "day"),  # the publication day itself
        ("on Sunday night", "2023-05-21", "day"),
        ("last Wednesday", "2023-05-17", "day"),
        ("by Monday evening", "2023-05-22", "day"),
        ("yesterday", "2023-05-23", "day"),
        ("on 22 May", "2023-05-22", "day"),
        ("on May 22, 2023", "2023-05-22", "day"),
        ("on 2022-02-24", "2022-02-24", "day"),
        ("on December 30", "2022-12-30", "day"),  # without a year, not after publication
        ("earlier this week", "2023-05-22", "range"),
        ("in March", "2023-03-01", "range"),
        ("since Russia invaded its neighbour last year", "2022-01-01", "range"),
        ("overnight", "2023-05-23", "approximate"),
    ],
)
def test_resolve_date(text: str, date: str, precision: str) -> None:
    assert resolve_date(text, WEDNESDAY) == (dt.date.fromisoformat(date), precision)


def test_the_day_beats_the_year() -> None:
    text = "came under attack on Monday, in one of the largest raids since Russia invaded its neighbour last year."
    assert resolve_date(text, WEDNESDAY) == (dt.date(2023, 5, 22), "day")


@pytest.mark.parametrize("text", ["next Monday", "it may happen", "a day in mayhem", "monday in lower case"])
def test_no_date(text: str) -> None:
    assert resolve_date(text, WEDNESDAY) == (None, None)


def test_weekdays_need_a_publication_date() -> None:
    assert resolve_date("on Monday", None) == (None, None)
    assert resolve_date("on 22 May 2023", None) == (dt.date(2023, 5, 22), "day")


def test_expressions_are_found_in_order_without_overlaps() -> None:
    found = find_time_expressions("On Monday and on 22 May there was shelling.", WEDNESDAY)
    assert [e.text for e in found] == ["Monday", "22 May"]
