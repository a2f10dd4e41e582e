"""The GeoPackage event store: idempotent ingest, atomic writes, corrections."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import geo.store
from geo.articles import Article, article_from_text
from geo.errors import StoreError
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.pipeline import extract
from geo.store import ARTICLE_KEY, EVENT_COLUMNS, EventStore, events_to_gdf

ROOT = Path(__file__).resolve().parent.parent

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


# -- two processes writing one store --------------------------------------------------------
_WRITER = """
import pickle, sys, time
import geo.store
from geo.store import EventStore

slow = geo.store.apply_corrections
def held(*args, **kwargs):  # widens the window between reading the store and writing it
    time.sleep(0.5)
    return slow(*args, **kwargs)
if sys.argv[3] != "ingest" or float(sys.argv[4]) == 0:
    geo.store.apply_corrections = held

store = EventStore(sys.argv[1])
job = pickle.load(open(sys.argv[2], "rb"))
if sys.argv[3] == "ingest":
    time.sleep(float(sys.argv[4]))
    store.ingest(job)
else:
    store.correct(job["event_id"], **job["changes"])
"""


def _start(tmp_path: Path, store: Path, name: str, job: object, verb: str, delay: float = 0.0) -> subprocess.Popen:
    job_path = tmp_path / f"{name}.pickle"
    job_path.write_bytes(pickle.dumps(job))
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(store), str(job_path), verb, str(delay)], cwd=ROOT)


def _wait(*procs: subprocess.Popen) -> None:
    assert [p.wait(timeout=120) for p in procs] == [0] * len(procs)


def test_a_correction_during_an_ingest_loses_nothing(tmp_path: Path, seed_pair, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.gpkg"
    store = EventStore(path)
    store.ingest([seed_pair])
    bakhmut = store.events().query("location == 'Bakhmut'").iloc[0]["event_id"]
    correcting = _start(tmp_path, path, "fix", {"event_id": bakhmut, "changes": {"date": "2023-05-01"}}, "correct")
    ingesting = _start(tmp_path, path, "add", [klintsy_pair], "ingest", delay=0.2)  # while the correction reads
    _wait(correcting, ingesting)
    events = store.events().set_index("event_id")
    assert len(events) == 7 and KLINTSY.id in set(events["article_id"])
    assert events.loc[bakhmut, "date"] == "2023-05-01" and bool(events.loc[bakhmut, "reviewed"])


def test_two_ingests_of_the_same_articles_store_them_once(tmp_path: Path, seed_pair, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.gpkg"
    EventStore(path).ingest([klintsy_pair])
    # a correction in the store makes ingest apply corrections, the slowed step, in both processes
    EventStore(path).correct(EventStore(path).events()["event_id"].iloc[0], date="2024-03-18")
    first = _start(tmp_path, path, "a", [seed_pair], "ingest")
    second = _start(tmp_path, path, "b", [seed_pair], "ingest")
    _wait(first, second)
    events = EventStore(path).events()
    assert len(events) == 7 and events["event_id"].is_unique
    assert len(EventStore(path).articles()) == 2


def test_a_damaged_store_is_refused_before_anything_is_written(tmp_path: Path, seed_pair, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.gpkg"
    EventStore(path).ingest([seed_pair])
    with contextlib.closing(sqlite3.connect(path)) as db:  # the events table's first page is garbage
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\x13" * page_size
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"events\.gpkg: (damaged|not a readable).*; nothing was written"):
        EventStore(path).ingest([klintsy_pair])
    assert path.read_bytes() == bytes(data)


def test_copies_left_by_a_killed_write_are_removed_and_the_mode_kept(tmp_path: Path, seed_pair, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.gpkg"
    EventStore(path).ingest([seed_pair])
    path.chmod(0o644)
    for stale in (".events-abc123.gpkg", ".events-abc123.gpkg-journal"):
        (tmp_path / stale).write_bytes(b"half a copy")
    EventStore(path).ingest([klintsy_pair])
    assert not list(tmp_path.glob(".events-*"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert len(EventStore(path).events()) == 7


def test_a_new_store_gets_the_mode_of_a_new_file(tmp_path: Path, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    umask = os.umask(0o022)
    try:
        EventStore(tmp_path / "events.gpkg").ingest([klintsy_pair])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "events.gpkg").stat().st_mode) == 0o644


def test_a_store_from_before_the_language_column_takes_new_events(tmp_path: Path, klintsy_pair) -> None:  # type: ignore[no-untyped-def]
    import pyogrio

    path = tmp_path / "events.gpkg"
    old = events_to_gdf(klintsy_pair[1]).drop(columns=["language"])
    pyogrio.write_dataframe(old, path, layer="events", driver="GPKG", geometry_type="Point")
    article = article_from_text("Обстрел\n\nСегодня беспилотник атаковал Шебекино.", published="2024-03-20")
    assert EventStore(path).ingest([(article, extract(article))]).events_added == 1
    events = EventStore(path).events()
    assert dict(zip(events["location"], events["language"], strict=True)) == {"Klintsy": "en", "Shebekino": "ru"}


# -- deletions, history and undo --------------------------------------------------------------


def _two_articles(tmp_path: Path) -> tuple[EventStore, Article, Article]:
    first = article_from_text(
        "Shelling\n\nShelling hit Shebekino on Monday, the governor said. A drone struck Graivoron on Monday.",
        published="2024-03-12",
    )
    second = article_from_text("Drone\n\nA drone hit a house in the city of Kursk on Monday.", published="2024-03-12")
    store = EventStore(tmp_path / "events.gpkg")
    store.ingest([(first, extract(first)), (second, extract(second))])
    return store, first, second


def test_a_deleted_event_stays_deleted_after_reingestion_and_comes_back_on_undo(tmp_path: Path) -> None:
    store, first, _ = _two_articles(tmp_path)
    events = store.events()
    victim = str(events[events["article_id"] == first.id]["event_id"].iloc[0])
    store.delete_event(victim)
    assert victim not in set(store.events()["event_id"])
    store.ingest([(first, extract(first))], replace=True)  # the article read again
    assert victim not in set(store.events()["event_id"])
    gone, _ = store.deleted()
    assert list(gone["event_id"]) == [victim]
    assert store.undo(victim) == {"deleted": False}
    assert victim in set(store.events()["event_id"])
    assert len(store.events()) == len(events)


def test_a_deleted_article_keeps_its_events_off_when_ingested_again(tmp_path: Path) -> None:
    store, first, second = _two_articles(tmp_path)
    before = store.events()
    n = int((before["article_id"] == first.id).sum())
    assert store.delete_article(first.id) == n >= 2
    assert set(store.events()["article_id"]) == {second.id}
    store.ingest([(first, extract(first))], replace=True)
    assert set(store.events()["article_id"]) == {second.id}
    _, articles = store.deleted()
    assert list(articles["article_id"]) == [first.id]
    store.restore(ARTICLE_KEY + first.id)
    assert len(store.events()) == len(before)
    with pytest.raises(StoreError, match="not deleted"):
        store.restore(ARTICLE_KEY + first.id)
    with pytest.raises(StoreError, match="no article"):
        store.delete_article("nonexistent")


def test_corrections_have_a_history_and_undo_steps_back_one_at_a_time(tmp_path: Path) -> None:
    store, first, _ = _two_articles(tmp_path)
    events = store.events().set_index("event_id")
    eid = str(events[events["article_id"] == first.id].index[0])
    original_type, original_date = events.loc[eid, "event_type"], events.loc[eid, "date"]
    store.correct(eid, event_type="Battles", sub_event_type="Armed clash")
    store.correct(eid, date="2024-03-10")
    store.correct(eid, date=None)  # an undated event
    history = store.history(eid)
    assert list(history["field"]) == ["event_type", "sub_event_type", "date", "date"]
    assert history["previous"].iloc[0] == original_type and history["value"].iloc[0] == "Battles"
    assert history["previous"].iloc[3] == "2024-03-10" and history["value"].iloc[3] is None

    assert store.undo(eid) == {"date": "2024-03-10"}
    assert store.events().set_index("event_id").loc[eid, "date"] == "2024-03-10"
    assert store.undo(eid) == {"date": original_date}
    undone = store.events().set_index("event_id").loc[eid]
    assert undone["date"] == original_date and undone["event_type"] == "Battles"
    store.undo(eid)
    assert store.events().set_index("event_id").loc[eid, "event_type"] == original_type
    with pytest.raises(StoreError, match="no correction to undo"):
        store.undo(eid)
    history = store.history(eid)
    assert history["undone"].sum() == 4 and history["undoes"].notna().sum() == 4
    # the undos hold when the article is read again: corrections are replayed in order
    store.ingest([(first, extract(first))], replace=True)
    again = store.events().set_index("event_id").loc[eid]
    assert again["event_type"] == original_type and again["date"] == original_date


def test_a_store_from_before_undo_gains_the_columns_and_refuses_to_undo_old_corrections(tmp_path: Path) -> None:
    store, _, _ = _two_articles(tmp_path)
    eid = str(store.events()["event_id"].iloc[0])
    original = store.events()["event_type"].iloc[0]
    old = pd.DataFrame(
        [
            {
                "event_id": eid,
                "field": "event_type",
                "value": json.dumps("Battles"),
                "corrected_at": "2024-01-01T00:00:00",
            }
        ]
    )
    pyogrio.write_dataframe(old.astype(object), store.path, layer="corrections", driver="GPKG")
    assert store.history(eid)["kept_previous"].tolist() == [False]
    with pytest.raises(StoreError, match="before corrections kept"):
        store.undo(eid)
    store.correct(eid, event_type="Riots", sub_event_type="Mob violence")  # appends to the old layer
    assert store.history(eid)["field"].tolist() == ["event_type", "event_type", "sub_event_type"]
    assert store.undo(eid)["event_type"] == original
    assert store.events().set_index("event_id").loc[eid, "event_type"] == original


@pytest.mark.parametrize(
    "changes",
    [
        {"event_type": "Battles", "sub_event_type": "Air/drone strike"},  # a sub-type of another type
        {"event_type": "Battles"},  # the type alone, leaving the old sub-type outside it
        {"event_type": "Skirmishes", "sub_event_type": "Armed clash"},  # not an ACLED type
    ],
)
def test_a_correction_never_leaves_type_and_sub_type_inconsistent(tmp_path: Path, changes: dict[str, str]) -> None:
    store, _, _ = _two_articles(tmp_path)
    event = store.events().iloc[0]
    assert event["event_type"] != "Battles"
    with pytest.raises(StoreError, match=r"is not an? "):
        store.correct(str(event["event_id"]), **changes)
    assert store.corrections().empty  # nothing recorded
    store.correct(str(event["event_id"]), event_type="Battles", sub_event_type="Armed clash")
    assert store.history(str(event["event_id"]))["undoable"].tolist() == [True, True]
