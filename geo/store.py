"""The events table (a GeoDataFrame with a fixed schema) and the embedded event store.

The store is one GeoPackage (default :data:`geo.settings.store_path`) with three layers:

``events``
    one Point feature per event (null geometry when the event could not be placed), with the
    columns of :data:`EVENT_COLUMNS`;
``articles``
    every ingested article (id, title, source, publication date, text), so ingesting the same
    article again adds nothing;
``corrections``
    analysts' changes to events (place, type, date), deletions of events and articles, and
    undos, re-applied whenever an article's events are extracted again. Each row keeps the
    value it replaced (``previous``), so every correction can be undone; an undo is a row of
    its own (``undoes`` names the correction it reverts), so the history is never rewritten.

Writes are copy-on-write under a lock file: the store is copied, changed, and moved over the
original in one ``os.replace``, so an interrupted write leaves the store as it was. Every read
that decides a write (which articles are stored, which events exist) happens under that lock,
so concurrent ingests and corrections from several processes neither lose nor double events.
A write first checks that the store is a readable GeoPackage (it refuses, and changes nothing,
when it is not), removes the copies an interrupted write left behind, and keeps the file's mode.

List-valued columns (``actors``, ``places``, ``evidence_spans``) hold JSON text, so the same
table goes to GeoPackage, CSV and GeoJSON unchanged (the GeoJSON writer turns them back into
lists).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point

from . import settings
from .articles import Article
from .errors import StoreError
from .events import Event

__all__ = [
    "EVENT_COLUMNS",
    "EventStore",
    "IngestResult",
    "events_to_gdf",
    "json_list",
    "plain_value",
]

logger = logging.getLogger(__name__)

CRS = "EPSG:4326"
# Column name → pandas dtype, in the order of the event contract.
EVENT_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "event_type": "string",
    "sub_event_type": "string",
    "date": "string",
    "date_precision": "string",
    "location": "string",
    "country": "string",
    "admin1": "string",
    "admin1_code": "string",
    "geo_precision": "Int64",
    "lat": "Float64",
    "lon": "Float64",
    "distance_to_border_km": "Float64",
    "border_side": "string",
    "fatalities": "Int64",
    "injuries": "Int64",
    "actors": "string",
    "claimed_by": "string",
    "verified": "boolean",
    "evidence": "string",
    "evidence_spans": "string",
    "places": "string",
    "article_id": "string",
    "article_title": "string",
    "source": "string",
    "published": "string",
    "reviewed": "boolean",
    "language": "string",
}
JSON_COLUMNS = ("actors", "places", "evidence_spans")


def json_list(value: Any) -> list[Any]:
    """The list a JSON column holds (``actors``, ``places``): ``[]`` for a missing or malformed value."""
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except json.JSONDecodeError:
            return []
        return loaded if isinstance(loaded, list) else []
    return list(value) if isinstance(value, list | tuple) else []


ARTICLE_COLUMNS = ("article_id", "title", "source", "published", "text", "ingested_at", "events")
CORRECTION_COLUMNS = ("event_id", "field", "value", "corrected_at", "previous", "undoes")
_Row = tuple[str, str, Any, Any, str | None]  # a correction: key, field, value, previous, undoes
DELETED = "deleted"  # the correction field of a deletion (value true) or a restoration (false)
ARTICLE_KEY = "article:"  # a deletion of a whole article is recorded under "article:<article_id>"
DECISION_COLUMNS = ("event_a", "event_b", "relation", "decided_at")
CORRECTABLE = tuple(
    "lat lon location country admin1 admin1_code geo_precision event_type sub_event_type date "
    "date_precision distance_to_border_km border_side".split()
)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event_row(e: Event) -> dict[str, Any]:
    row = {name: getattr(e, name) for name in EVENT_COLUMNS if hasattr(e, name)}
    row["date"] = _iso(e.date)
    row["published"] = _iso(e.published)
    row["actors"] = json.dumps(list(e.actors), ensure_ascii=False)
    row["places"] = json.dumps([asdict(p) for p in e.places], ensure_ascii=False)
    row["evidence_spans"] = json.dumps([list(s) for s in e.evidence_spans])
    return row


def events_to_gdf(events: Iterable[Event]) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326, one row per event, columns :data:`EVENT_COLUMNS`)."""
    rows = [_event_row(e) for e in events]
    geometry = [
        Point(r["lon"], r["lat"]) if r["lon"] is not None and r["lat"] is not None else None  # lon, lat
        for r in rows
    ]
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return conform(gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS))


def conform(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give an events table the schema's columns, order and dtypes (missing columns are null)."""
    out = gdf.copy()
    for name, dtype in EVENT_COLUMNS.items():
        if name not in out.columns:
            out[name] = pd.Series([None] * len(out), index=out.index, dtype=dtype)
            continue
        column = out[name]
        if dtype == "boolean" and column.dtype != "boolean":
            column = column.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else bool(v))
        out[name] = column.astype(dtype)
    if out.geometry.name != "geometry":
        out = out.rename_geometry("geometry")
    out = out[[*EVENT_COLUMNS, "geometry"]]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def empty_events() -> gpd.GeoDataFrame:
    return events_to_gdf([])


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: articles and events added, articles already in the store."""

    articles_added: int
    events_added: int
    articles_skipped: int


class EventStore:
    r"""The GeoPackage event store.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from geo.articles import article_from_text
    >>> from geo.pipeline import extract
    >>> art = article_from_text("Kursk\n\nA drone hit a house in the city of Kursk on Monday.", published="2024-01-22")
    >>> store = EventStore(pathlib.Path(tempfile.mkdtemp()) / "events.gpkg")
    >>> store.ingest([(art, extract(art))])
    IngestResult(articles_added=1, events_added=1, articles_skipped=0)
    >>> store.ingest([(art, extract(art))]).articles_skipped
    1
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else settings.store_path

    # -- reading ----------------------------------------------------------------------------
    def _layers(self) -> set[str]:
        if not self.path.exists():
            return set()
        try:
            return {str(name) for name, _ in pyogrio.list_layers(self.path)}
        except pyogrio.errors.DataSourceError as err:
            raise StoreError(f"{self.path}: not a readable GeoPackage ({err})") from err

    def events(self) -> gpd.GeoDataFrame:
        """The stored events, without those an analyst deleted (empty when there is no store)."""
        events = self._all_events()
        if events.empty:
            return events
        gone_events, gone_articles = self._deleted_ids()
        if not gone_events and not gone_articles:
            return events
        gone = events["event_id"].isin(gone_events) | events["article_id"].isin(gone_articles)
        return events[~gone.fillna(False).astype(bool)]

    def deleted(self) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        """What analysts deleted: the events deleted one by one, and the articles deleted whole."""
        gone_events, gone_articles = self._deleted_ids()
        if not gone_events and not gone_articles:  # the usual case: nothing more to read
            return empty_events(), pd.DataFrame(columns=[c for c in ARTICLE_COLUMNS if c != "text"])
        events = self._all_events()
        articles = self._table("articles", ARTICLE_COLUMNS)
        return (
            events[events["event_id"].isin(gone_events).fillna(False).astype(bool)],
            articles[articles["article_id"].isin(gone_articles)].drop(columns="text"),
        )

    def _deleted_ids(self) -> tuple[set[str], set[str]]:
        """Event ids and article ids whose latest deletion row says deleted."""
        corrections = self.corrections()
        rows = corrections[corrections["field"] == DELETED]
        state: dict[str, bool] = {}
        for row in rows.itertuples(index=False):
            state[str(row.event_id)] = bool(json.loads(row.value))
        events = {k for k, v in state.items() if v and not k.startswith(ARTICLE_KEY)}
        articles = {k.removeprefix(ARTICLE_KEY) for k, v in state.items() if v and k.startswith(ARTICLE_KEY)}
        return events, articles

    def _all_events(self) -> gpd.GeoDataFrame:
        if "events" not in self._layers():
            return empty_events()
        try:
            gdf = gpd.read_file(self.path, layer="events", engine="pyogrio")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
            raise StoreError(f"{self.path}: the events layer cannot be read ({err})") from err
        out = conform(gdf)
        out["language"] = out["language"].fillna("en")  # stores from before Russian and Ukrainian were read
        return out

    def _table(self, layer: str, columns: tuple[str, ...]) -> pd.DataFrame:
        if layer not in self._layers():
            return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
        try:
            frame = pyogrio.read_dataframe(self.path, layer=layer, read_geometry=False)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
            raise StoreError(f"{self.path}: the {layer} layer cannot be read ({err})") from err
        return pd.DataFrame(frame).reindex(columns=list(columns))  # columns added since: empty

    def articles(self) -> pd.DataFrame:
        """Every ingested article: id, title, source, published, text, ingested_at, events."""
        return self._table("articles", ARTICLE_COLUMNS)

    def corrections(self) -> pd.DataFrame:
        """Analysts' corrections, deletions and undos, oldest first."""
        return self._table("corrections", CORRECTION_COLUMNS)

    def history(self, event_id: str) -> pd.DataFrame:
        """The corrections of one event (and deletions of its article), oldest first.

        Columns: ``corrected_at``, ``field``, ``value`` and ``previous`` (as Python values),
        ``undoes`` (the time of the correction an undo reverts, else None) and ``undone``
        (whether a later undo reverted this row), ``undoable`` (neither an undo nor undone: what
        :meth:`undo` reverts, latest first), ``kept_previous`` (false for corrections saved
        before corrections kept what they replaced: those cannot be undone).
        """
        corrections = self.corrections()
        rows = corrections[corrections["event_id"] == event_id]
        undone = set(rows["undoes"].dropna().astype(str))
        table = pd.DataFrame(
            {
                "corrected_at": rows["corrected_at"].astype(str).to_numpy(),
                "field": rows["field"].astype(str).to_numpy(),
                "value": pd.Series([json.loads(v) for v in rows["value"]], dtype=object),
                "previous": pd.Series([None if pd.isna(v) else json.loads(v) for v in rows["previous"]], dtype=object),
                "undoes": pd.Series([None if pd.isna(v) else str(v) for v in rows["undoes"]], dtype=object),
                "undone": rows["corrected_at"].astype(str).isin(undone).to_numpy(),
                "kept_previous": rows["previous"].notna().to_numpy(),  # not so in stores from before undo
            }
        ).reset_index(drop=True)
        return table.assign(undoable=table["undoes"].isna() & ~table["undone"])

    def article_ids(self) -> set[str]:
        """The ids of the stored articles (their texts are not read)."""
        if "articles" not in self._layers():
            return set()
        try:
            frame = pyogrio.read_dataframe(self.path, layer="articles", columns=["article_id"], read_geometry=False)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
            raise StoreError(f"{self.path}: the articles layer cannot be read ({err})") from err
        return set(frame["article_id"].astype(str))

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's write lock; every read that decides a write happens inside it.

        On entry the copies of killed writes are removed and the store is checked to be an
        intact GeoPackage (:class:`StoreError` and nothing written when it is not).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._remove_stale_copies()
            self.check()
            yield

    @contextlib.contextmanager
    def _copy(self) -> Iterator[Path]:
        """A copy of the store to change; call it under :meth:`_locked`.

        The copy replaces the store in one ``os.replace`` only if the block succeeds, keeping
        the store's file mode.
        """
        fd, tmp_name = tempfile.mkstemp(dir=self.path.parent, prefix=self._copy_prefix, suffix=".gpkg")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if self.path.exists():
                shutil.copyfile(self.path, tmp)
                shutil.copymode(self.path, tmp)
            else:
                tmp.unlink()
            yield tmp
            if not self.path.exists():  # a new store gets a new file's mode, not mkstemp's 0600
                umask = os.umask(0)
                os.umask(umask)
                tmp.chmod(0o666 & ~umask)
            os.replace(tmp, self.path)
        except (OSError, sqlite3.Error, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
            raise StoreError(f"{self.path}: write failed, the store is unchanged ({err})") from err
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}-journal").unlink(missing_ok=True)

    @property
    def _copy_prefix(self) -> str:
        return f".{self.path.stem}-"

    def _remove_stale_copies(self) -> None:
        """Delete the working copies (and their journals) of writes that were killed; call under the lock."""
        for stale in self.path.parent.glob(f"{self._copy_prefix}*.gpkg*"):
            logger.info("removing %s, left by an interrupted write", stale)
            stale.unlink(missing_ok=True)

    def check(self) -> None:
        """Raise :class:`StoreError` unless the store is missing or an intact GeoPackage."""
        if not self.path.exists():
            return
        problem = ""
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
                verdict = db.execute("PRAGMA quick_check").fetchone()
                if verdict is None or verdict[0] != "ok":
                    problem = "damaged ({})".format(" ".join(str(verdict[0] if verdict else "no answer").split())[:200])
                elif not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'").fetchone():
                    problem = "not a GeoPackage"
        except sqlite3.Error as err:
            problem = f"not a readable GeoPackage ({err})"
        if not problem:
            layers = self._layers()
            for layer in layers & {"events", "articles", "corrections", "incident_decisions"}:
                try:
                    pyogrio.read_info(self.path, layer=layer)
                except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
                    problem = f"the {layer} layer cannot be read ({err})"
                    break
        if problem:
            raise StoreError(f"{self.path}: {problem}; nothing was written (move it aside or restore a backup)")

    def ingest(self, items: Iterable[tuple[Article, list[Event]]], *, replace: bool = False) -> IngestResult:
        """Add articles and their events; articles already stored are skipped (or replaced).

        With ``replace=True`` the stored events of a re-ingested article are replaced by the
        new ones, and the article's stored corrections are applied to them again.
        """
        offered = list(items)
        items = list({a.id: (a, ev) for a, ev in offered}.values())  # one copy per article: the last
        articles = pd.DataFrame(
            [
                {
                    "article_id": a.id,
                    "title": a.title,
                    "source": a.source,
                    "published": _iso(a.published),
                    "text": a.text,
                    "ingested_at": None,
                    "events": len(ev),
                }
                for a, ev in items
            ],
            columns=list(ARTICLE_COLUMNS),
        )
        events = events_to_gdf(e for _, ev in items for e in ev)
        return self.ingest_tables(articles, events, replace=replace, offered=len(offered))

    def ingest_tables(
        self, articles: pd.DataFrame, events: gpd.GeoDataFrame, *, replace: bool = False, offered: int | None = None
    ) -> IngestResult:
        """Add articles (rows of :data:`ARTICLE_COLUMNS`) with their events (an events table).

        What :meth:`ingest` does, for tables made elsewhere (``python -m geo batch`` writes them):
        articles already stored are skipped (or, with ``replace``, their events replaced), and
        the stored corrections are applied to the new events.
        """
        articles = pd.DataFrame(articles).reindex(columns=list(ARTICLE_COLUMNS))
        total = len(articles) if offered is None else offered
        with self._locked():
            known = self.article_ids()
            new = articles if replace else articles[~articles["article_id"].isin(known)]
            new = new.drop_duplicates("article_id", keep="last")
            skipped = total - len(new)
            if new.empty:
                return IngestResult(0, 0, skipped)
            ids = set(new["article_id"].astype(str))
            replaced = ids & known
            chosen = events[events["article_id"].isin(ids).fillna(False).astype(bool)] if len(events) else events
            chosen = apply_corrections(
                conform(gpd.GeoDataFrame(chosen, geometry="geometry", crs=CRS)), self.corrections()
            )
            new = new.assign(ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            with self._copy() as tmp:
                if replaced:
                    old = self._all_events()  # deleted ones too: they stay restorable
                    kept_events = old[~old["article_id"].isin(replaced)]
                    old_articles = self.articles()
                    kept_articles = old_articles[~old_articles["article_id"].isin(replaced)]
                    _write_events(tmp, pd.concat([kept_events, chosen]), append=False)
                    _write_table(tmp, "articles", pd.concat([kept_articles, new]), append=False)
                else:
                    _write_events(tmp, chosen, append=True)
                    _write_table(tmp, "articles", new, append=True)
        return IngestResult(len(new), len(chosen), skipped)

    def correct(self, event_id: str, **changes: Any) -> None:
        """Change fields of a stored event, mark it reviewed and record the correction.

        Accepted fields: :data:`CORRECTABLE` (``lat``/``lon`` move the point; pass
        ``location`` and ``geo_precision`` with them when moving to a named place). The
        values replaced are kept with the correction, so that :meth:`undo` can restore them.
        """
        unknown = set(changes) - set(CORRECTABLE)
        if unknown:
            raise StoreError(f"cannot correct {', '.join(sorted(unknown))}; correctable: {', '.join(CORRECTABLE)}")
        with self._locked():
            events = self._all_events()  # under the lock: an ingest running now is not overwritten
            found = events[events["event_id"] == event_id]
            if found.empty:
                raise StoreError(f"no event {event_id!r} in {self.path}")
            before = found.iloc[0]
            if {"event_type", "sub_event_type"} & set(changes):
                _check_sub_type(changes.get("event_type", before["event_type"]),
                                changes.get("sub_event_type", before["sub_event_type"]))  # fmt: skip
            rows: list[_Row] = [(event_id, k, v, plain_value(before[k]), None) for k, v in changes.items()]
            self._record(rows, events)

    def delete_event(self, event_id: str) -> None:
        """Delete an event: it leaves the map, the table and the exports.

        It stays deleted when its article is ingested again; :meth:`undo` (or :meth:`restore`)
        brings it back.
        """
        with self._locked():
            if not (self._all_events()["event_id"] == event_id).any():
                raise StoreError(f"no event {event_id!r} in {self.path}")
            self._record([(event_id, DELETED, True, False, None)])

    def delete_article(self, article_id: str) -> int:
        """Delete an article's events, now and whenever it is ingested again; returns how many."""
        with self._locked():
            if article_id not in self.article_ids():
                raise StoreError(f"no article {article_id!r} in {self.path}")
            self._record([(ARTICLE_KEY + article_id, DELETED, True, False, None)])
            events = self._all_events()
            return int((events["article_id"] == article_id).sum())

    def restore(self, key: str) -> None:
        """Bring back a deleted event (its id) or article (``article:<id>``, :data:`ARTICLE_KEY`)."""
        with self._locked():
            if not self._deleted_now(key):
                raise StoreError(f"{key!r} is not deleted")
            self._record([(key, DELETED, False, True, None)])

    def undo(self, event_id: str) -> dict[str, Any]:
        """Revert the latest correction of an event not yet undone; returns the fields restored.

        Undos are rows of their own: undoing again reverts the correction before it.
        """
        with self._locked():
            history = self.history(event_id)
            done = history[history["undoable"]]
            if done.empty:
                raise StoreError(f"event {event_id!r} has no correction to undo")
            latest = done[done["corrected_at"] == done["corrected_at"].iloc[-1]]
            if not latest["kept_previous"].all():
                raise StoreError("this correction was saved before corrections kept what they replaced")
            stamp = str(latest["corrected_at"].iloc[0])
            rows: list[_Row] = [(event_id, str(r.field), r.previous, r.value, stamp) for r in latest.itertuples()]
            events = None if all(r[1] == DELETED for r in rows) else self._all_events()
            self._record(rows, events)
            return {r[1]: r[2] for r in rows}

    def _deleted_now(self, key: str) -> bool:
        gone_events, gone_articles = self._deleted_ids()
        if key.startswith(ARTICLE_KEY):
            return key.removeprefix(ARTICLE_KEY) in gone_articles
        return key in gone_events

    def _record(self, rows: list[_Row], events: gpd.GeoDataFrame | None = None) -> None:
        """Append correction rows (key, field, value, previous, undoes); apply them to ``events``.

        Called under the lock. Deletions change no event row (reads leave deleted ones out).
        """
        now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        frame = pd.DataFrame(
            [
                {
                    "event_id": key,
                    "field": field,
                    "value": json.dumps(plain_value(value)),
                    "corrected_at": now,
                    "previous": json.dumps(plain_value(previous)),
                    "undoes": undoes,
                }
                for key, field, value, previous, undoes in rows
            ],
            columns=list(CORRECTION_COLUMNS),
        )
        exists = "corrections" in self._layers()
        with self._copy() as tmp:
            if exists:
                _add_new_columns(tmp, "corrections", _CORRECTION_TYPES)
            if events is not None:
                _write_events(tmp, apply_corrections(events, frame), append=False)
            _write_table(tmp, "corrections", frame, append=exists)

    # -- incidents: analysts' split and merge decisions ------------------------------------------
    def incident_decisions(self) -> pd.DataFrame:
        """Analysts' decisions on which events report one incident (layer ``incident_decisions``).

        One row per pair of events: ``event_a``, ``event_b``, ``relation`` (``"apart"``: a
        wrong merge split; ``"together"``: two incidents merged) and ``decided_at``, oldest
        first. :func:`geo.incidents.build_incidents` applies them; they name event ids, which
        stay the same when an article is extracted again, so they survive re-ingestion.
        """
        return self._table("incident_decisions", DECISION_COLUMNS)

    def split_incident(self, report_ids: Iterable[str], separated: Iterable[str]) -> int:
        """Split the reports ``separated`` off the incident whose reports are ``report_ids``.

        Records ``apart`` for every pair of a separated report and a remaining one (the
        separated reports stay together among themselves); returns the pairs recorded.
        """
        reports, apart = list(dict.fromkeys(report_ids)), set(separated)
        if not apart or not apart < set(reports):
            raise StoreError("choose some, but not all, of the incident's reports to split off")
        pairs = [(a, b) for a in reports if a in apart for b in reports if b not in apart]
        return self._decide(pairs, "apart")

    def merge_incidents(self, first: Iterable[str], second: Iterable[str]) -> int:
        """Merge two incidents, given the event ids of their reports: ``together`` for every pair."""
        a, b = list(dict.fromkeys(first)), list(dict.fromkeys(second))
        if not a or not b or set(a) & set(b):
            raise StoreError("choose two different incidents to merge")
        return self._decide([(x, y) for x in a for y in b], "together")

    def _decide(self, pairs: list[tuple[str, str]], relation: str) -> int:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        rows = pd.DataFrame(
            [{"event_a": x, "event_b": y, "relation": relation, "decided_at": now} for x, y in pairs],
            columns=list(DECISION_COLUMNS),
        )
        with self._locked():
            known = set(self.events()["event_id"].astype(str))
            unknown = sorted({i for pair in pairs for i in pair} - known)
            if unknown:
                raise StoreError(f"no event {', '.join(map(repr, unknown))} in {self.path}")
            with self._copy() as tmp:
                _write_table(tmp, "incident_decisions", rows, append="incident_decisions" in self._layers())
        return len(rows)


def apply_corrections(events: gpd.GeoDataFrame, corrections: pd.DataFrame) -> gpd.GeoDataFrame:
    """Events with the corrections for them applied (in order) and marked reviewed."""
    if events.empty or corrections.empty:
        return events
    out = events.copy()
    index = {eid: i for i, eid in zip(out.index, out["event_id"], strict=True)}
    for row in corrections.itertuples(index=False):
        i = index.get(row.event_id)
        if i is None or row.field == DELETED:  # deletions leave the row as it is (reads drop it)
            continue
        out.loc[i, row.field] = json.loads(row.value)
        out.loc[i, "reviewed"] = True
    moved = out["reviewed"].fillna(False).astype(bool)
    out.loc[moved, "geometry"] = [
        Point(lon, lat) if pd.notna(lat) and pd.notna(lon) else None  # lon, lat
        for lat, lon in zip(out.loc[moved, "lat"], out.loc[moved, "lon"], strict=True)
    ]
    return conform(out)


_SQL_TYPES = {"string": "TEXT", "Int64": "INTEGER", "Float64": "REAL", "boolean": "BOOLEAN"}


def _write_events(path: Path, events: gpd.GeoDataFrame, *, append: bool) -> None:
    frame = conform(gpd.GeoDataFrame(events, geometry="geometry", crs=CRS))
    exists = path.exists() and "events" in {str(n) for n, _ in pyogrio.list_layers(path)}
    if frame.empty and exists and append:
        return
    if append and exists:
        _add_new_columns(path)
    pyogrio.write_dataframe(frame, path, layer="events", driver="GPKG", geometry_type="Point", append=append and exists)


def _add_new_columns(path: Path, layer: str = "events", columns: dict[str, str] | None = None) -> None:
    """Give a layer written by an earlier version the columns added since.

    Events gained ``language``; corrections gained ``previous`` and ``undoes``.
    """
    columns = EVENT_COLUMNS if columns is None else columns
    known = set(pyogrio.read_info(path, layer=layer)["fields"])
    missing = [(name, dtype) for name, dtype in columns.items() if name not in known]
    if not missing:
        return
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        for name, dtype in missing:
            db.execute(f'ALTER TABLE "{layer}" ADD COLUMN "{name}" {_SQL_TYPES[dtype]}')


_CORRECTION_TYPES = dict.fromkeys(CORRECTION_COLUMNS, "string")


def _check_sub_type(event_type: Any, sub_type: Any) -> None:
    """Refuse a correction that would leave a sub-event type outside its event type (ACLED's)."""
    from .triggers import ACLED_SUB_EVENT_TYPES

    allowed = ACLED_SUB_EVENT_TYPES.get(event_type)
    if allowed is None:
        raise StoreError(f"“{event_type}” is not an ACLED event type: choose one of {', '.join(ACLED_SUB_EVENT_TYPES)}")
    if sub_type not in allowed:
        raise StoreError(f"“{sub_type}” is not a sub-event type of {event_type}: choose one of {', '.join(allowed)}.")


def plain_value(value: Any) -> Any:
    """A table value as JSON can hold it, so it can be compared and stored.

    Missing values (NA, NaN, NaT) become None, numpy scalars Python ones; containers stay.
    """
    if isinstance(value, list | tuple | dict):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") else value


def _write_table(path: Path, layer: str, frame: pd.DataFrame, *, append: bool) -> None:
    exists = path.exists() and layer in {str(n) for n, _ in pyogrio.list_layers(path)}
    pyogrio.write_dataframe(frame.astype(object), path, layer=layer, driver="GPKG", append=append and exists)
