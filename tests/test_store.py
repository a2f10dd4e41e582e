"""The GeoPackage event store: idempotent ingest, atomic writes, corrections."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

import geo.store
from geo.articles import Article, article_from_text
from geo.errors import StoreError
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.pipeline import extract
from geo.store import EVENT_COLUMNS, EventStore, events_to_gdf

KLINTSY = article_from_text(
    "Klintsy depot\n\nDrones struck an oil depot in the Russian town of Klintsy in the Bryansk region on Monday.",
    published="2024-03-20",
)


@pytest.fixture(scope="module")
def seed_pair(seed_article: Article, gazetteer: Gazetteer) -> tuple[Article, list[Event]]:
    return seed_article, extract(seed_article, gazetteer=gazetteer)


@pytest.fixture(scope="module")
def klintsy_pair(gazetteer: Gazetteer) -> tuple[Article, list[Event]]:
    return KLINTSY, extract(KLINTSY, gazetteer=gazetteer)


def test_events_table_schema(seed_pair: tuple[Article, list[Event]]) -> None:
    table = events_to_gdf(seed_pair[1])
    assert list(table.columns) == [*EVENT_COLUMNS, "geometry"]
    assert table.crs == "EPSG:4326"
    row = table.iloc[0]
    assert (row.geometry.x, row.geometry.y) == (row["lon"], row["lat"])  # lon, lat


def test_ingest_is_idempotent(tmp_path: Path, seed_pair, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    first = store.ingest([seed_pair])
    assert (first.articles_added, first.events_added, first.articles_skipped) == (1, 6, 0)
    again = store.ingest([seed_pair, klintsy_pair])
    assert (again.articles_added, again.events_added, again.articles_skipped) == (1, 1, 1)
    events = store.events()
    assert len(events) == 7 and events["event_id"].is_unique
    assert set(store.articles()["title"]) == {seed_pair[0].title, "Klintsy depot"}
    assert store.articles().set_index("article_id").loc[seed_pair[0].id, "text"] == seed_pair[0].text


def test_the_same_article_twice_in_one_batch_is_stored_once(tmp_path: Path, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    assert store.ingest([klintsy_pair, klintsy_pair]).articles_added == 1
    assert len(store.events()) == 1


def test_stored_events_read_back_as_written(tmp_path: Path, seed_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([seed_pair])
    written = events_to_gdf(seed_pair[1]).set_index("event_id")
    read = store.events().set_index("event_id").loc[written.index]
    for column in ("event_type", "date", "fatalities", "verified", "evidence", "places", "geo_precision"):
        assert read[column].tolist() == written[column].tolist(), column
    assert read.geometry.geom_equals(written.geometry).all()


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_leaves_the_store_as_it_was(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed_pair,
    klintsy_pair,
    failure: BaseException,  # type: ignore[no-untyped-def]
) -> None:
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([seed_pair])
    before = (tmp_path / "events.gpkg").read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(geo.store, "_write_table", fail)  # events are written, then the write dies
    with pytest.raises((StoreError, KeyboardInterrupt)):
        store.ingest([klintsy_pair])
    assert (tmp_path / "events.gpkg").read_bytes() == before
    assert len(store.events()) == 6
    assert not list(tmp_path.glob(".events-*"))  # no temporary copy left behind


def test_corrections_are_stored_marked_and_survive_reingestion(tmp_path: Path, seed_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([seed_pair])
    bakhmut = store.events().query("location == 'Bakhmut'").iloc[0]
    store.correct(bakhmut["event_id"], date="2023-05-20", event_type="Battles", sub_event_type="Armed clash")
    moved = store.events().query("location == 'Bakhmut'").iloc[0]
    assert (moved["date"], bool(moved["reviewed"])) == ("2023-05-20", True)

    store.ingest([seed_pair])  # already stored: skipped, nothing changes
    store.ingest([seed_pair], replace=True)  # re-extracted: the correction is applied again
    again = store.events().query("location == 'Bakhmut'").iloc[0]
    assert (again["date"], bool(again["reviewed"])) == ("2023-05-20", True)
    assert len(store.events()) == 6
    assert list(store.corrections()["field"]) == ["date", "event_type", "sub_event_type"]


def test_moving_an_event_moves_its_point(tmp_path: Path, seed_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([seed_pair])
    fire = store.events().query("location == 'Grayvoron'").iloc[0]
    store.correct(fire["event_id"], lat=50.5, lon=35.6, location="Glotovo", geo_precision=1)
    moved = store.events().query("location == 'Glotovo'").iloc[0]
    assert (moved.geometry.x, moved.geometry.y) == (35.6, 50.5)


def test_bad_corrections_and_bad_files_are_refused(tmp_path: Path, seed_pair) -> None:  # type: ignore[no-untyped-def]
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([seed_pair])
    with pytest.raises(StoreError, match="cannot correct evidence"):
        store.correct(store.events()["event_id"].iloc[0], evidence="made up")
    with pytest.raises(StoreError, match="no event 'nope'"):
        store.correct("nope", date="2023-01-01")
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a geopackage")
    with pytest.raises(StoreError, match=r"broken\.gpkg"):
        EventStore(broken).events()


def test_an_empty_store_reads_as_an_empty_table(tmp_path: Path) -> None:
    events = EventStore(tmp_path / "none.gpkg").events()
    assert isinstance(events, gpd.GeoDataFrame) and events.empty
    assert list(events.columns) == [*EVENT_COLUMNS, "geometry"]
