"""Incidents: reports of one happening from different articles grouped, analysts' splits and merges."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.articles import Article, article_from_text, read_articles
from geo.bench import synthetic_reports
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.incidents import (
    INCIDENT_COLUMNS,
    build_incidents,
    date_interval,
    group_reports,
    incident_report_ids,
    type_group,
)
from geo.incidents import _reports_of as reports_of
from geo.pipeline import extract
from geo.store import EVENT_COLUMNS, EventStore, events_to_gdf

DATA = Path(__file__).resolve().parent / "data" / "incidents"
MONDAY = ("governor", "tass", "bbc")  # three outlets on the shelling of Shebekino on Monday 5 June 2023


@pytest.fixture(scope="module")
def pairs(gazetteer: Gazetteer) -> dict[str, tuple[Article, list[Event]]]:
    out = {}
    for path in sorted(DATA.glob("*.json")):
        article = read_articles(path)[0]
        out[path.stem] = (article, extract(article, gazetteer=gazetteer))
    return out


def _events(pairs: dict[str, tuple[Article, list[Event]]], *names: str) -> gpd.GeoDataFrame:
    return events_to_gdf(e for name in names for e in pairs[name][1])


def test_three_articles_about_one_incident_make_one_incident_with_three_reports(pairs) -> None:  # type: ignore[no-untyped-def]
    events = _events(pairs, *MONDAY)
    assert len(events) == 3 and events["article_id"].nunique() == 3
    incidents = build_incidents(events)
    assert len(incidents) == 1
    shelling = incidents.iloc[0]
    assert shelling["reports"] == 3
    assert sorted(json.loads(shelling["report_ids"])) == sorted(events["event_id"])
    assert sorted(json.loads(shelling["sources"])) == sorted(a.source for a, _ in (pairs[n] for n in MONDAY))
    assert (shelling["location"], shelling["date"], shelling["date_precision"]) == ("Shebekino", "2023-06-05", "day")
    # the governor and TASS say two killed, the BBC three: the most conservative figure, the range kept
    assert (shelling["fatalities"], shelling["fatalities_min"], shelling["fatalities_max"]) == (2, 2, 3)
    assert json.loads(shelling["disagreements"]) == ["fatalities: 3 (bbc.com); 2 (tass.com, t.me)"]
    assert not pd.isna(shelling["verified"]) and not shelling["verified"]  # the BBC could not verify the claims
    for _, found in (pairs[n] for n in MONDAY):  # every report's evidence is kept, with its source
        assert found[0].evidence in shelling["evidence"]
    assert "Military Forces of Ukraine" in json.loads(shelling["actors"])
    assert incident_report_ids(shelling) == json.loads(shelling["report_ids"])


def test_the_incident_table_has_the_event_schema_and_the_incident_columns(pairs) -> None:  # type: ignore[no-untyped-def]
    incidents = build_incidents(_events(pairs, *MONDAY, "meduza_wednesday"))
    assert list(incidents.columns) == [*EVENT_COLUMNS, *INCIDENT_COLUMNS, "geometry"]
    assert incidents.crs == "EPSG:4326" and incidents["event_id"].is_unique
    for _, row in incidents.iterrows():
        assert (row.geometry.x, row.geometry.y) == (row["lon"], row["lat"])  # lon, lat


def test_two_incidents_at_one_place_on_different_days_stay_two(pairs) -> None:  # type: ignore[no-untyped-def]
    incidents = build_incidents(_events(pairs, *MONDAY, "meduza_wednesday"))
    assert sorted(incidents["date"]) == ["2023-06-05", "2023-06-07"]
    assert set(incidents["location"]) == {"Shebekino"}
    assert sorted(incidents["reports"]) == [1, 3]
    wednesday = incidents[incidents["date"] == "2023-06-07"].iloc[0]
    assert pd.isna(wednesday["fatalities"]) and wednesday["injuries"] == 1


def test_a_vague_report_that_fits_two_incidents_joins_neither(pairs, gazetteer: Gazetteer) -> None:  # type: ignore[no-untyped-def]
    this_week = article_from_text(
        "Week of shelling\n\nShebekino in the Belgorod region was shelled several times this week, officials said.",
        published="2023-06-09",
        source="https://example.org/week",
    )
    vague = events_to_gdf(extract(this_week, gazetteer=gazetteer))
    assert vague["date_precision"].tolist() == ["range"]
    events = pd.concat([_events(pairs, *MONDAY, "meduza_wednesday"), vague])
    incidents = build_incidents(gpd.GeoDataFrame(events, geometry="geometry", crs="EPSG:4326"))
    assert sorted(incidents["reports"]) == [1, 1, 3]
    alone = build_incidents(gpd.GeoDataFrame(pd.concat([_events(pairs, "meduza_wednesday"), vague])))
    assert alone["reports"].tolist() == [2]  # with one incident that fits, it joins it


def test_events_of_the_same_article_are_never_merged(pairs) -> None:  # type: ignore[no-untyped-def]
    events = _events(pairs, "governor")
    twin = events.copy()
    twin["event_id"] = "ffffffffffffffff"  # a second event of the same article, same place and day
    both = gpd.GeoDataFrame(pd.concat([events, twin]), geometry="geometry", crs="EPSG:4326")
    assert len(build_incidents(both)) == 2


def test_a_region_level_report_does_not_absorb_a_town(pairs) -> None:  # type: ignore[no-untyped-def]
    events = _events(pairs, "governor", "tass")
    region = events.iloc[[1]].copy()
    region[["location", "geo_precision", "lat", "lon"]] = ["Belgorod Oblast", 3, 50.60343, 36.58091]
    region["article_id"] = "another-article"
    region["event_id"] = "eeeeeeeeeeeeeeee"
    mixed = gpd.GeoDataFrame(pd.concat([events.iloc[[0]], region]), geometry="geometry", crs="EPSG:4326")
    assert len(build_incidents(mixed)) == 2


@pytest.mark.parametrize(
    ("date", "precision", "first", "last"),
    [
        ("2023-06-05", "day", "2023-06-05", "2023-06-05"),
        ("2023-06-05", "approximate", "2023-06-04", "2023-06-06"),
        ("2023-06-05", "range", "2023-06-05", "2023-06-11"),  # a week (from a Monday)
        ("2023-02-01", "range", "2023-02-01", "2023-02-28"),  # a month
        ("2023-01-01", "range", "2023-01-01", "2023-12-31"),  # a year
    ],
)
def test_date_intervals_follow_the_stated_precision(date: str, precision: str, first: str, last: str) -> None:
    lo, hi = date_interval(date, precision, None)
    assert (pd.Timestamp.fromordinal(lo).date().isoformat(), pd.Timestamp.fromordinal(hi).date().isoformat()) == (
        first,
        last,
    )


def test_no_date_means_any_day_up_to_publication() -> None:
    lo, hi = date_interval(None, None, "2023-06-06")
    assert hi == pd.Timestamp("2023-06-06").toordinal() and lo < pd.Timestamp("1900-01-01").toordinal()


def test_type_groups() -> None:
    assert type_group("Battles", "Armed clash") == type_group("Explosions/Remote violence", "Air/drone strike")
    assert type_group("Strategic developments", "Arrests") != type_group("Strategic developments", "Other")
    assert type_group("Protests", "Peaceful protest") != type_group("Riots", "Violent demonstration")


def test_a_wrong_merge_split_by_an_analyst_stays_split_after_reingestion(tmp_path: Path, pairs) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([pairs[n] for n in MONDAY])
    incidents = build_incidents(store.events(), store.incident_decisions())
    assert incidents["reports"].tolist() == [3]
    bbc = pairs["bbc"][1][0].event_id
    assert store.split_incident(incident_report_ids(incidents.iloc[0]), [bbc]) == 2
    split = build_incidents(store.events(), store.incident_decisions())
    assert sorted(split["reports"]) == [1, 2]
    assert json.loads(split[split["reports"] == 1].iloc[0]["report_ids"]) == [bbc]

    store.ingest([pairs[n] for n in MONDAY], replace=True)  # re-extracted: same event ids, decisions apply
    again = build_incidents(store.events(), store.incident_decisions())
    assert sorted(again["reports"]) == [1, 2]

    # merging them back is a later decision, and it wins
    two = sorted(again.itertuples(), key=lambda r: r.reports)
    store.merge_incidents(json.loads(two[0].report_ids), json.loads(two[1].report_ids))
    assert build_incidents(store.events(), store.incident_decisions())["reports"].tolist() == [3]


def test_an_analyst_merge_joins_incidents_the_rule_keeps_apart(tmp_path: Path, pairs) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([pairs[n] for n in (*MONDAY, "meduza_wednesday")])
    before = build_incidents(store.events(), store.incident_decisions())
    assert len(before) == 2
    first, second = (incident_report_ids(row) for _, row in before.iterrows())
    store.merge_incidents(first, second)
    after = build_incidents(store.events(), store.incident_decisions())
    assert after["reports"].tolist() == [4]
    assert "date: " in after.iloc[0]["disagreements"]


def test_bad_decisions_are_refused(tmp_path: Path, pairs) -> None:  # type: ignore[no-untyped-def]
    from geo.errors import StoreError

    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([pairs["governor"], pairs["tass"]])
    ids = store.events()["event_id"].tolist()
    with pytest.raises(StoreError, match="not all"):
        store.split_incident(ids, ids)
    with pytest.raises(StoreError, match="no event 'nope'"):
        store.merge_incidents([ids[0]], ["nope"])
    assert store.incident_decisions().empty


def test_grouping_looks_up_a_bounded_number_of_cells_per_report() -> None:
    """Indexed by place and day, not all pairs: look-ups per report stay flat as the store grows."""
    per_report, compared = [], []
    for n in (2_000, 20_000):  # the same places, reported over ten times as many days
        events = synthetic_reports(n, places=500, days=n // 20)
        table = pd.DataFrame(events)
        columns = {c: [None if pd.isna(v) else v for v in table[c].astype(object)] for c in EVENT_COLUMNS}
        incidents, index = group_reports(reports_of(columns))
        assert sum(len(i.members) for i in incidents) == n
        per_report.append(index.lookups / n)
        compared.append(index.compared / n)
    assert per_report[1] < 2 * per_report[0]  # ten times the events, not ten times the work per event
    assert compared[1] < 2 * compared[0] and compared[1] < 20  # not all pairs (that would be 20,000)


def test_the_app_shows_incidents_by_default_and_raw_reports_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pairs
) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from geo import settings

    store = EventStore(tmp_path / "events.gpkg")
    store.ingest(list(pairs.values()))
    monkeypatch.setattr(settings, "store_path", store.path)
    monkeypatch.setattr(settings, "online", False)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "streamlit_app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert (at.sidebar.metric[0].label, at.sidebar.metric[0].value) == ("Incidents shown", "2 of 2")
    table = next(d for d in at.dataframe if d.key and d.key.startswith("table-")).value
    assert sorted(table["location"]) == ["Shebekino", "Shebekino"]

    merged = build_incidents(store.events())
    merged_id = merged[merged["reports"] == 3].iloc[0]["event_id"]
    at.session_state["selected"] = merged_id
    at.run()
    assert not at.exception, at.exception
    split = next(m for m in at.multiselect if m.label.startswith("Reports of another incident"))
    bbc = pairs["bbc"][1][0].event_id
    split.set_value([bbc]).run()
    next(b for b in at.button if b.label == "Split off").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.metric[0].value == "3 of 3"  # the split is stored: three incidents now
    assert len(store.incident_decisions()) == 2

    at.sidebar.toggle[0].set_value(True).run()
    assert (at.sidebar.metric[0].label, at.sidebar.metric[0].value) == ("Reports shown", "4 of 4")
