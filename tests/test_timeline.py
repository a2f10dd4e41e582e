"""Events in time: counts per day and type, playback windows, spans selected on the chart."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.timeline import day_counts, span_dates, windows


def test_day_counts_count_dated_events_per_day_and_type() -> None:
    table = pd.DataFrame(
        {
            "date": ["2024-05-02", "2024-05-01", "2024-05-02", None, "not a date", "2024-05-02"],
            "event_type": ["Battles", "Battles", "Explosions/Remote violence", "Battles", "Riots", "Battles"],
        }
    )
    counts = day_counts(table)
    assert counts.to_dict("records") == [
        {"date": "2024-05-01", "event_type": "Battles", "events": 1},
        {"date": "2024-05-02", "event_type": "Battles", "events": 2},
        {"date": "2024-05-02", "event_type": "Explosions/Remote violence", "events": 1},
    ]
    assert counts["events"].sum() == 4  # the undated and the unreadable date have no day


def test_day_counts_of_no_dated_events_is_an_empty_table() -> None:
    counts = day_counts(pd.DataFrame({"date": [None], "event_type": ["Battles"]}))
    assert counts.empty and list(counts.columns) == ["date", "event_type", "events"]


@pytest.mark.parametrize(
    ("first", "last", "step", "expected"),
    [
        ("2024-05-01", "2024-05-03", "day", [("2024-05-01", "2024-05-01"), ("2024-05-02", "2024-05-02"),
                                             ("2024-05-03", "2024-05-03")]),
        ("2024-05-01", "2024-05-13", "week", [("2024-04-29", "2024-05-05"), ("2024-05-06", "2024-05-12"),
                                              ("2024-05-13", "2024-05-19")]),
        ("2024-05-06", "2024-05-06", "week", [("2024-05-06", "2024-05-12")]),
        ("2024-05-06", "2024-05-01", "day", []),
    ],
)  # fmt: skip
def test_playback_windows_are_days_or_weeks_from_monday(
    first: str, last: str, step: str, expected: list[tuple[str, str]]
) -> None:
    got = windows(dt.date.fromisoformat(first), dt.date.fromisoformat(last), step)
    assert [(a.isoformat(), b.isoformat()) for a, b in got] == expected


def test_an_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="day, week"):
        windows(dt.date(2024, 1, 1), dt.date(2024, 1, 2), "month")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"utcyearmonthdate_date": [1714521600000, 1714694400000]}, ("2024-05-01", "2024-05-03")),
        ({"date": [1714694400000.0, 1714521600000]}, ("2024-05-01", "2024-05-03")),  # dragged right to left
        ({"date": ["2024-05-01T13:00:00.000Z", "2024-05-02T01:00:00Z"]}, ("2024-05-01", "2024-05-02")),
        ({}, None),
        (None, None),
        ({"date": ["yesterday", "today"]}, None),
        ({"date": [1714521600000]}, None),
    ],
)
def test_a_span_selected_on_the_chart_gives_its_days(selection: object, expected: tuple[str, str] | None) -> None:
    got = span_dates(selection)
    assert (None if got is None else (got[0].isoformat(), got[1].isoformat())) == expected
