"""Events in time: counts per day and type, and the windows a playback steps through.

The app's day chart and its playback are drawn by Streamlit; what they show is computed here,
from an event (or incident) table, so that it can be tested without a browser.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"date": ["2024-01-02", "2024-01-02", None, "2024-01-04"],
...                       "event_type": ["Battles", "Battles", "Riots", "Protests"]})
>>> day_counts(table).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'date': '2024-01-02', 'event_type': 'Battles', 'events': 2},
 {'date': '2024-01-04', 'event_type': 'Protests', 'events': 1}]
>>> [(str(a), str(b)) for a, b in windows(dt.date(2024, 1, 2), dt.date(2024, 1, 9), "week")]
[('2024-01-01', '2024-01-07'), ('2024-01-08', '2024-01-14')]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

__all__ = ["STEPS", "day_counts", "span_dates", "windows"]

STEPS = ("day", "week")


def day_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Dated events counted per day and type: columns ``date`` (ISO), ``event_type``, ``events``.

    Undated events are left out (they have no day); rows are sorted by date, then type.
    """
    dates = pd.to_datetime(events["date"], errors="coerce")
    frame = pd.DataFrame(
        {"date": dates.dt.strftime("%Y-%m-%d"), "event_type": events["event_type"].fillna("Other").astype(str)}
    )
    frame = frame[dates.notna().to_numpy()]
    if frame.empty:
        return pd.DataFrame({"date": [], "event_type": [], "events": []}).astype({"events": "int64"})
    counts = frame.groupby(["date", "event_type"]).size().rename("events").reset_index()
    counts["events"] = counts["events"].astype("int64")
    return counts.sort_values(["date", "event_type"], ignore_index=True)


def windows(first: dt.date, last: dt.date, step: str) -> list[tuple[dt.date, dt.date]]:
    """The playback windows from ``first`` to ``last``: days, or weeks from Monday to Sunday."""
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}, not {step!r}")
    if last < first:
        return []
    length = dt.timedelta(days=1 if step == "day" else 7)
    start = first if step == "day" else first - dt.timedelta(days=first.weekday())
    out = []
    while start <= last:
        out.append((start, start + length - dt.timedelta(days=1)))
        start += length
    return out


def span_dates(selection: Any) -> tuple[dt.date, dt.date] | None:
    """The days of a span selected on the day chart (Vega-Lite's interval selection value).

    The selection maps a field name to two ends, as epoch milliseconds (UTC) or ISO strings;
    the span is the days from the first end to the last, or None when nothing is selected.
    """
    if not isinstance(selection, dict):
        return None
    for value in selection.values():
        if isinstance(value, list | tuple) and len(value) == 2:
            a, b = _day(value[0]), _day(value[1])
            if a is not None and b is not None:
                return min(a, b), max(a, b)
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None
