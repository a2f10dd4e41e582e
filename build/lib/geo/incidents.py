r"""Incidents: one real-world happening, many reports of it from different articles.

An *event* is what one article reports; an *incident* is what several articles report. The
events of an article are already merged by :mod:`geo.events`; here events from **different**
articles that report the same incident are grouped, and the incident table is built from them
(a GeoDataFrame with the columns of :data:`geo.store.EVENT_COLUMNS`, so that the map, the table
and the exports take it unchanged, plus the columns of :data:`INCIDENT_COLUMNS`).

The rule
--------
Two reports are of one incident when all of these hold:

* **kind**: the same type group: all violence (Battles, Explosions/Remote violence, Violence
  against civilians) is one group, as within an article; each Strategic development sub-type,
  Protests and Riots are groups of their own;
* **place**: the same place (same name and country, or points within 1 km) when both are
  placed at a place or near it (precision 1 or 2), or within :data:`NEARBY_KM` (5 km at
  precision 1, 10 km at precision 2) at the **same** precision; a region-level report
  (precision 3) matches only the same region at precision 3. Unplaced reports stay alone;
* **date**: the dates agree within the precision each states: a day is that day, an
  ``approximate`` date the day before to the day after, a ``range`` from its date to the end
  of the week (a Monday), the month (a 1st) or the year (1 January); no date is any day up to
  publication. The intervals must overlap, and an incident keeps the overlap of its reports',
  so two reports of different days never end up together through a third, vaguer one;
* **articles**: never two reports of the same article (the extractor merged those already).

A report whose date is vague (an interval of more than three days, or none) joins an incident
only when exactly one fits; otherwise it stays an incident of its own. A precise report that
fits several incidents joins the nearest, then the closest in date.

The incident's figures: the **anchor** report (one an analyst reviewed, else the most precise
place, then the most precise date) gives the type, place and evidence offsets; the date is
that of the report with the narrowest date interval; **fatalities and injuries are the most
conservative figure a source states** (the smallest stated number, as ACLED codes them), with
``fatalities_min``/``fatalities_max`` keeping the range; actors are the union, ``source`` the
sources joined by ``"; "``, ``verified`` false when any report says its claims could not be
verified. ``evidence`` lists the reports, each as ``source (date; N killed): sentences``, after
a line naming where they disagree (``disagreements``: type, date, place, fatalities, injuries).

Analysts' decisions are pairs of events: ``apart`` (a wrong merge split) and ``together`` (two
incidents merged). The latest decision about a pair wins; ``together`` pairs are grouped first
(a merge is kept even when the automatic rule would not merge them), and no report joins an
incident holding a report it was split from. Decisions name event ids, which stay the same
when an article is extracted again, so they survive re-ingestion.

Cost
----
Reports are sorted once (``O(n log n)``) and looked up in a hash index keyed by type group and
a 0.2° grid cell, then by day: each report examines the incidents of the few neighbouring cells
on the days its date allows, not all pairs, so the work grows linearly with the store (about
n × 9 cells × 1–3 days of dictionary look-ups). Vague dates scan the days an incident index
holds for those cells. ``python -m geo bench --only incidents`` prints the time for 10,000 and
100,000 events.

Examples
--------
>>> import geo
>>> from geo.store import events_to_gdf
>>> texts = ["Shelling hit the town of Shebekino in the Belgorod region on Monday, the governor said.",
...          "Ukrainian artillery shelled Shebekino in Russia's Belgorod region on Monday."]
>>> events = [e for i, t in enumerate(texts)
...           for e in geo.extract(geo.article_from_text(f"Report {i}\n\n{t}", published="2024-01-23"))]
>>> incidents = build_incidents(events_to_gdf(events))
>>> len(events), len(incidents), int(incidents["reports"].iloc[0])
(2, 1, 2)
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from .store import CRS, EVENT_COLUMNS, conform, json_list

__all__ = [
    "INCIDENT_COLUMNS",
    "NEARBY_KM",
    "build_incidents",
    "date_interval",
    "incident_report_ids",
    "merge_candidates",
    "outlet",
    "type_group",
]

NEARBY_KM = {1: 5.0, 2: 10.0}  # nearby at the same precision
SAME_PLACE_KM = 1.0
VAGUE_DAYS = 3  # a date interval longer than this is vague
_CELL_DEG = 0.2  # grid cell, degrees of latitude and longitude
_KM_PER_DEG = 111.32
_REACH_KM = max(NEARBY_KM.values())  # no rule matches farther
_EARTH_KM = 6371.009  # geopy's mean Earth radius
_VIOLENCE = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_NO_DAY = -(10**9)  # "any day up to publication" starts here (a day ordinal)

# Columns an incident table has after the event columns.
INCIDENT_COLUMNS: dict[str, str] = {
    "reports": "Int64",
    "report_ids": "string",  # JSON list of event ids
    "sources": "string",  # JSON list of the reports' sources
    "fatalities_min": "Int64",
    "fatalities_max": "Int64",
    "injuries_min": "Int64",
    "injuries_max": "Int64",
    "disagreements": "string",  # JSON list of sentences
}


def type_group(event_type: Any, sub_event_type: Any) -> str:
    """The group reports of one incident share: ``"violence"``, or the type (and sub-type)."""
    if event_type in _VIOLENCE:
        return "violence"
    if event_type == "Strategic developments":
        return f"{event_type}|{sub_event_type}"
    return str(event_type)


def date_interval(date: str | None, precision: str | None, published: str | None) -> tuple[int, int]:
    """The first and last day (ordinals) a report's date allows, by the precision it states.

    Examples
    --------
    >>> lo, hi = date_interval("2023-05-01", "range", None)
    >>> dt.date.fromordinal(lo), dt.date.fromordinal(hi)
    (datetime.date(2023, 5, 1), datetime.date(2023, 5, 31))
    >>> [dt.date.fromordinal(d) for d in date_interval("2023-05-22", "approximate", None)]
    [datetime.date(2023, 5, 21), datetime.date(2023, 5, 23)]
    """
    day = _day(date)
    if day is None:
        until = _day(published)
        return _NO_DAY, until.toordinal() if until is not None else -_NO_DAY
    first = day.toordinal()
    if precision == "approximate":
        return first - 1, first + 1
    if precision == "range":
        if (day.month, day.day) == (1, 1):
            return first, dt.date(day.year, 12, 31).toordinal()
        if day.day == 1:
            following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return first, following.toordinal() - 1
        return first, first + 6
    return first, first


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _outlet(text: str) -> str:
    if "://" in text:
        host = urlsplit(text).hostname or text
        return host.removeprefix("www.")
    return text


def outlet(source: Any) -> str:
    """A readable name of a report's source: a URL's host (without ``www.``), else the source."""
    return _outlet("" if source is None or (isinstance(source, float) and math.isnan(source)) else str(source))


def incident_report_ids(incident: pd.Series) -> list[str]:
    """The event ids of an incident's reports (an event row stands for itself)."""
    ids = json_list(incident.get("report_ids"))
    return [str(i) for i in ids] if ids else [str(incident["event_id"])]


# -- grouping ---------------------------------------------------------------------------------


@dataclass
class _Report:
    index: int
    event_id: str
    article_id: str
    group: str
    lat: float | None
    lon: float | None
    precision: int  # 1, 2, 3; 9 unknown
    location: str
    country: str
    lo: int
    hi: int
    reviewed: bool

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def vague(self) -> bool:
        return self.hi - self.lo + 1 > VAGUE_DAYS

    def sort_key(self) -> tuple[Any, ...]:
        return (not self.reviewed, self.precision, self.hi - self.lo, self.lo, self.event_id)


@dataclass
class _Incident:
    order: int
    anchor: _Report
    members: list[_Report]
    lo: int
    hi: int
    ids: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)

    def add(self, r: _Report) -> None:
        self.members.append(r)
        self.ids.add(r.event_id)
        self.articles.add(r.article_id)
        self.lo, self.hi = max(self.lo, r.lo), min(self.hi, r.hi)


def _distance_km(a: _Report, b: _Report) -> float:
    """Great-circle distance (haversine, mean Earth radius), as geopy's ``great_circle``."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _place_fits(anchor: _Report, r: _Report) -> float | None:
    """The distance (km) when ``r`` is at the anchor's place by the rule, else None."""
    if not anchor.placed or not r.placed:
        return None
    if (anchor.precision == 3) != (r.precision == 3):
        return None
    km = _distance_km(anchor, r)
    if anchor.precision == 3:
        same_region = (anchor.location, anchor.country) == (r.location, r.country)
        return km if same_region else None
    if (anchor.location, anchor.country) == (r.location, r.country) or km <= SAME_PLACE_KM:
        return km
    if anchor.precision == r.precision and km <= NEARBY_KM.get(r.precision, 0.0):
        return km
    return None


class _Index:
    """Incidents by (type group, grid cell) and day: the look-up that replaces all pairs.

    An incident of a few days is filed under each of its days; a vague one in its cell's list of
    vague incidents, which every look-up in that cell reads (there are few).
    """

    def __init__(self) -> None:
        self.days: dict[tuple[str, int, int], dict[int, list[_Incident]]] = defaultdict(dict)
        self.vague: dict[tuple[str, int, int], list[_Incident]] = defaultdict(list)
        self.lookups = 0  # day slots read
        self.compared = 0  # incidents returned to be tested against the rule

    @staticmethod
    def cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG)

    def add(self, inc: _Incident) -> None:
        a = inc.anchor
        if a.lat is None or a.lon is None:
            return
        key = (a.group, *self.cell(a.lat, a.lon))
        if inc.hi - inc.lo + 1 > VAGUE_DAYS:
            self.vague[key].append(inc)
            return
        days = self.days[key]
        for d in range(inc.lo, inc.hi + 1):
            days.setdefault(d, []).append(inc)

    def candidates(self, r: _Report) -> list[_Incident]:
        """Incidents filed in the cells within reach of ``r`` on the days its date allows."""
        assert r.lat is not None and r.lon is not None
        reach_lat = _REACH_KM / _KM_PER_DEG
        reach_lon = reach_lat / max(math.cos(math.radians(r.lat)), 0.05)
        rows = range(math.floor((r.lat - reach_lat) / _CELL_DEG), math.floor((r.lat + reach_lat) / _CELL_DEG) + 1)
        cols = range(math.floor((r.lon - reach_lon) / _CELL_DEG), math.floor((r.lon + reach_lon) / _CELL_DEG) + 1)
        found: dict[int, _Incident] = {}
        for cy in rows:
            for cx in cols:
                key = (r.group, cy, cx)
                for inc in self.vague.get(key, ()):
                    found[inc.order] = inc
                days = self.days.get(key)
                if not days:
                    continue
                if r.hi - r.lo + 1 <= len(days):
                    self.lookups += r.hi - r.lo + 1
                    for d in range(r.lo, r.hi + 1):
                        for inc in days.get(d, ()):
                            found[inc.order] = inc
                else:
                    self.lookups += len(days)
                    for d, incs in days.items():
                        if r.lo <= d <= r.hi:
                            for inc in incs:
                                found[inc.order] = inc
        self.compared += len(found)
        return [found[k] for k in sorted(found)]


def _decisions(decisions: pd.DataFrame | None) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """Effective ``together`` pairs and ``apart`` neighbours: the latest decision per pair wins."""
    latest: dict[frozenset[str], str] = {}
    if decisions is not None and not decisions.empty:
        ordered = decisions.sort_values("decided_at", kind="stable") if "decided_at" in decisions else decisions
        for a, b, relation in zip(ordered["event_a"], ordered["event_b"], ordered["relation"], strict=True):
            if a != b:
                latest[frozenset((str(a), str(b)))] = str(relation)
    together: list[tuple[str, str]] = []
    apart: dict[str, set[str]] = defaultdict(set)
    for pair, relation in latest.items():
        a, b = sorted(pair)
        if relation == "together":
            together.append((a, b))
        elif relation == "apart":
            apart[a].add(b)
            apart[b].add(a)
    return together, apart


def _together_groups(pairs: list[tuple[str, str]], known: set[str]) -> list[list[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if a in known and b in known:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def group_reports(reports: Sequence[_Report], decisions: pd.DataFrame | None = None) -> tuple[list[_Incident], _Index]:
    """Group reports into incidents by the rule of the module docstring."""
    ordered = sorted(reports, key=_Report.sort_key)
    by_id = {r.event_id: r for r in ordered}
    together, apart = _decisions(decisions)
    index = _Index()
    incidents: list[_Incident] = []
    seeded: set[str] = set()
    for ids in _together_groups(together, set(by_id)):
        members = sorted((by_id[i] for i in ids), key=_Report.sort_key)
        inc = _Incident(len(incidents), members[0], [], members[0].lo, members[0].hi)
        for m in members:
            inc.add(m)
        if inc.lo > inc.hi:  # an analyst merged reports of different days: keep their span
            inc.lo, inc.hi = min(m.lo for m in members), max(m.hi for m in members)
        incidents.append(inc)
        index.add(inc)
        seeded.update(ids)
    for r in ordered:
        if r.event_id in seeded:
            continue
        chosen = _best_fit(r, index, apart.get(r.event_id, set())) if r.placed else None
        if chosen is None:
            chosen = _Incident(len(incidents), r, [], r.lo, r.hi)
            chosen.add(r)
            incidents.append(chosen)
            index.add(chosen)
        else:
            chosen.add(r)
    return incidents, index


def _best_fit(r: _Report, index: _Index, apart: set[str]) -> _Incident | None:
    fits: list[tuple[float, int, int, _Incident]] = []
    for inc in index.candidates(r):
        if r.article_id in inc.articles or (apart and apart & inc.ids):
            continue
        if max(inc.lo, r.lo) > min(inc.hi, r.hi):
            continue
        km = _place_fits(inc.anchor, r)
        if km is None:
            continue
        gap = abs((inc.lo + inc.hi) - (r.lo + r.hi))
        fits.append((km, gap, inc.order, inc))
    if not fits or (r.vague and len(fits) > 1):
        return None
    return min(fits, key=lambda f: f[:3])[3]


# -- the incident table -----------------------------------------------------------------------


def _value(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _column(table: pd.DataFrame, name: str) -> list[Any]:
    """A column as Python values, missing ones None."""
    column = table[name]
    return [None if missing else v for v, missing in zip(column.astype(object).tolist(), column.isna(), strict=True)]


_REPORT_FIELDS = (
    "event_id article_id event_type sub_event_type lat lon geo_precision location country date date_precision "
    "published reviewed"
).split()


def _reports_of(columns: dict[str, list[Any]]) -> list[_Report]:
    out = []
    rows = zip(*(columns[c] for c in _REPORT_FIELDS), strict=True)
    for i, (eid, aid, kind, sub, lat, lon, prec, loc, country, date, dprec, published, reviewed) in enumerate(rows):
        lo, hi = date_interval(date, dprec, published)
        out.append(
            _Report(
                index=i,
                event_id=str(eid),
                article_id=str(aid),
                group=type_group(kind, sub),
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
                precision=int(prec) if prec is not None else 9,
                location=str(loc or ""),
                country=str(country or ""),
                lo=lo,
                hi=hi,
                reviewed=bool(reviewed),
            )
        )
    return out


def build_incidents(events: gpd.GeoDataFrame, decisions: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The incidents the events report: one row per incident, the event columns and :data:`INCIDENT_COLUMNS`.

    Parameters
    ----------
    events
        An events table (:func:`geo.store.events_to_gdf`, :meth:`geo.store.EventStore.events`).
    decisions
        Analysts' decisions (:meth:`geo.store.EventStore.incident_decisions`): columns
        ``event_a``, ``event_b``, ``relation`` (``"apart"`` or ``"together"``), ``decided_at``.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, sorted by date. An incident of one report is that report's row, its id
        too; an incident of several has the id ``inc-`` and its anchor report's id.
    """
    table = conform(events).reset_index(drop=True)
    columns = {name: _column(table, name) for name in EVENT_COLUMNS}
    incidents, _ = group_reports(_reports_of(columns), decisions)
    single = [inc.members[0].index for inc in incidents if len(inc.members) == 1]
    alone = pd.DataFrame(table.drop(columns="geometry").iloc[single]).reset_index(drop=True)
    ids = alone["event_id"].astype(str)
    alone["reports"] = 1
    alone["report_ids"] = [json.dumps([i]) for i in ids]
    alone["sources"] = [json.dumps([s or ""], ensure_ascii=False) for s in _column(alone, "source")]
    for name in ("fatalities", "injuries"):
        alone[f"{name}_min"] = alone[f"{name}_max"] = alone[name]
    alone["disagreements"] = "[]"
    anchors = single[:]
    rows = []
    for inc in incidents:
        if len(inc.members) > 1:
            members = sorted(inc.members, key=_Report.sort_key)
            rows.append(_incident_row([{c: columns[c][m.index] for c in EVENT_COLUMNS} for m in members]))
            anchors.append(members[0].index)
    dtypes = {**EVENT_COLUMNS, **INCIDENT_COLUMNS}
    merged = pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)
    frame = pd.concat([alone[list(dtypes)].astype(dtypes), merged], ignore_index=True)
    geometry = table.geometry.iloc[anchors].reset_index(drop=True)
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
    return out.sort_values(["date", "event_id"], na_position="last", kind="stable").reset_index(drop=True)


def _stated(reports: list[dict[str, Any]], name: str) -> list[tuple[int, str]]:
    return [(int(v), outlet(r["source"])) for r in reports if (v := r[name]) is not None]


def _disagreements(reports: list[dict[str, Any]]) -> list[str]:
    out = []
    for name, label in (
        ("event_type", "type"),
        ("date", "date"),
        ("location", "place"),
        ("fatalities", "fatalities"),
        ("injuries", "injuries"),
    ):
        said: dict[str, list[str]] = {}
        for r in reports:
            v = r[name]
            if v is not None:
                said.setdefault(str(v), []).append(outlet(r["source"]))
        if len(said) > 1:
            out.append(f"{label}: " + "; ".join(f"{v} ({', '.join(dict.fromkeys(s))})" for v, s in said.items()))
    return out


def _report_line(r: dict[str, Any]) -> str:
    facts = [str(r["date"] or "no date")]
    if (n := r["fatalities"]) is not None:
        facts.append(f"{n} killed")
    if (n := r["injuries"]) is not None:
        facts.append(f"{n} injured")
    if (who := r["claimed_by"]) is not None:
        facts.append(f"says {who}")
    return f"{outlet(r['source'])} ({'; '.join(facts)}): {r['evidence'] or ''}"


def _incident_row(reports: list[dict[str, Any]]) -> dict[str, Any]:
    anchor = reports[0]
    row = {name: anchor.get(name) for name in EVENT_COLUMNS}
    row["event_id"] = f"inc-{anchor['event_id']}"
    ids = [str(r["event_id"]) for r in reports]
    sources = list(dict.fromkeys(str(r["source"] or "") for r in reports))
    fatalities, injuries = _stated(reports, "fatalities"), _stated(reports, "injuries")
    disagreements = _disagreements(reports)
    if len(reports) > 1:
        dated = min(reports, key=lambda r: (not r["reviewed"], _interval_width(r)))
        row["date"], row["date_precision"] = dated["date"], dated["date_precision"]
        row["fatalities"] = min(n for n, _ in fatalities) if fatalities else None
        row["injuries"] = min(n for n, _ in injuries) if injuries else None
        actors = [a for r in reports for a in json_list(r["actors"])]
        row["actors"] = json.dumps(list(dict.fromkeys(actors)), ensure_ascii=False)
        claimants = [c for r in reports if (c := r["claimed_by"]) is not None]
        row["claimed_by"] = "; ".join(dict.fromkeys(claimants)) or None
        verified = [bool(v) for r in reports if (v := r["verified"]) is not None]
        row["verified"] = all(verified) if verified else None
        places: dict[tuple[Any, ...], Any] = {}
        for r in reports:
            for p in json_list(r["places"]):
                if isinstance(p, dict):
                    places.setdefault((p.get("name"), p.get("lat"), p.get("lon"), p.get("role")), p)
        row["places"] = json.dumps(list(places.values()), ensure_ascii=False)
        head = [f"Reports disagree on {'; '.join(disagreements)}."] if disagreements else []
        row["evidence"] = "\n\n".join([*head, *(_report_line(r) for r in reports)])
        row["source"] = "; ".join(sources)
        row["article_title"] = f"{len(reports)} reports: " + "; ".join(
            dict.fromkeys(str(r["article_title"] or "") for r in reports)
        )
        published = sorted(p for r in reports if (p := r["published"]) is not None)
        row["published"] = published[0] if published else None
        row["reviewed"] = any(bool(r["reviewed"]) for r in reports)
    row.update(
        reports=len(reports),
        report_ids=json.dumps(ids),
        sources=json.dumps(sources, ensure_ascii=False),
        fatalities_min=min(n for n, _ in fatalities) if fatalities else None,
        fatalities_max=max(n for n, _ in fatalities) if fatalities else None,
        injuries_min=min(n for n, _ in injuries) if injuries else None,
        injuries_max=max(n for n, _ in injuries) if injuries else None,
        disagreements=json.dumps(disagreements, ensure_ascii=False),
    )
    return row


def _interval_width(r: dict[str, Any]) -> int:
    lo, hi = date_interval(r["date"], r["date_precision"], r["published"])
    return hi - lo


def merge_candidates(
    incidents: gpd.GeoDataFrame, incident: pd.Series, *, km: float = 25.0, days: int = 7, limit: int = 8
) -> gpd.GeoDataFrame:
    """Other incidents an analyst might merge ``incident`` with: same type group, near in place and date.

    Within ``km`` and ``days`` (undated ones match any date), nearest first, at most ``limit``.
    """
    if incidents.empty or pd.isna(incident["lat"]) or pd.isna(incident["lon"]):
        return incidents.iloc[:0]
    group = type_group(incident["event_type"], incident["sub_event_type"])
    same = [
        type_group(t, s) == group for t, s in zip(incidents["event_type"], incidents["sub_event_type"], strict=True)
    ]
    others = incidents[pd.Series(same, index=incidents.index) & (incidents["event_id"] != incident["event_id"])]
    others = others[others["lat"].notna() & others["lon"].notna()]
    if others.empty:
        return others
    lat1, lon1 = math.radians(float(incident["lat"])), math.radians(float(incident["lon"]))
    lat2 = others["lat"].astype(float).map(math.radians)
    lon2 = others["lon"].astype(float).map(math.radians)
    h = ((lat2 - lat1) / 2).map(math.sin) ** 2 + math.cos(lat1) * lat2.map(math.cos) * ((lon2 - lon1) / 2).map(
        math.sin
    ) ** 2
    distance = 2 * _EARTH_KM * h.clip(upper=1.0).map(math.sqrt).map(math.asin)
    keep = distance <= km
    day = _day(incident["date"] if isinstance(incident["date"], str) else None)
    if day is not None:
        gaps = pd.to_datetime(others["date"], errors="coerce") - pd.Timestamp(day)
        keep &= gaps.isna() | (gaps.abs() <= pd.Timedelta(days=days))
    return others[keep].assign(distance_km=distance[keep]).sort_values("distance_km").head(limit)
