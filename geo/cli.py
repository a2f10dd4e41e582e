"""Command line: ``python -m geo VERB ...``.

Verbs: ``extract``, ``ingest``, ``seed``, ``export``, ``incidents``, ``gazetteer``, ``geocode``, ``eval``, ``bench``.
Every verb reads all its inputs even when some are bad: each bad one gets a one-line message
naming it and the problem, and the exit status is 2. An article that was read but names no
place is kept (with a warning); it does not change the exit status.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import settings
from .articles import ARTICLE_SUFFIXES, parse_published, read_articles
from .errors import GeoError

__all__ = ["main"]

logger = logging.getLogger(__name__)

_ONLINE_HELP = (
    "ask Nominatim (1 request/s, cached) about places the offline index lacks; needs a network (also GEO_ONLINE=1)"
)
EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _Run:
    """Collects per-input problems so that one bad file does not stop the others."""

    def __init__(self) -> None:
        self.problems = 0

    def problem(self, message: str) -> None:
        """An input that could not be read: the run goes on and exits 2."""
        self.problems += 1
        print(f"error: {message}", file=sys.stderr)

    @staticmethod
    def warning(message: str) -> None:
        """Read, but worth a look (no places in it): the exit status stays 0."""
        print(f"warning: {message}", file=sys.stderr)

    @property
    def status(self) -> int:
        return EXIT_BAD_INPUT if self.problems else EXIT_OK


def _expand(paths: Sequence[str], run: _Run, suffixes: Sequence[str] = ARTICLE_SUFFIXES) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            if not found:
                run.problem(f"{path}: no article files ({', '.join(suffixes)}) in this folder")
            yield from found
        else:
            yield path


def _progress(items: Iterable[Any], total: int, label: str):  # type: ignore[no-untyped-def]
    """A progress bar over ``total`` files, on standard error (none for a handful)."""
    from tqdm import tqdm

    return tqdm(items, total=total, desc=label, unit="file", file=sys.stderr, disable=total < 5 or None)


_FileResult = tuple[list[tuple[Any, list[Any]]], list[str], list[str]]  # found, problems, warnings


def _read_one(path: Path, published: str | None, geocoder: Any) -> _FileResult:
    """The ``(article, events)`` of one file, with its problems and warnings (run in a worker too)."""
    from .pipeline import extract, resolve_article

    found, problems, warnings = [], [], []
    try:
        articles = read_articles(path, published=published)
    except GeoError as err:
        return [], [str(err)], []
    for article in articles:
        try:
            events = extract(article, online=geocoder)
        except GeoError as err:
            problems.append(f"{article.source}: {err}")
            continue
        if not events and not any(r.resolved for r in resolve_article(article)):
            warnings.append(f"{article.source}: no places found in the article")
        found.append((article, events))
    return found, problems, warnings


def _read_one_offline(job: tuple[Path, str | None]) -> _FileResult:
    return _read_one(job[0], job[1], None)


_POOL_FROM = 16  # files: fewer are read in this process (a pool costs more than it saves)


def _read_and_extract(paths: Sequence[str], published: str | None, run: _Run, label: str, online: bool):  # type: ignore[no-untyped-def]
    """Yield ``(article, events)`` for every readable article, in input order; report the rest.

    With many files, several cores and no online geocoder, a pool of forked processes reads
    them (``GEO_WORKERS``, default: the cores): the index loaded here is shared by the forks.
    """
    import multiprocessing

    from .gazetteer import get_gazetteer
    from .geocoders import OnlineGeocoder

    geocoder = OnlineGeocoder() if online or settings.online else None
    files = list(_expand(paths, run))
    workers = min(settings.workers, len(files))
    if (
        geocoder is None
        and workers > 1
        and len(files) >= _POOL_FROM
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        get_gazetteer()  # loaded before the fork: every worker shares it
        logger.info("reading %d files in %d processes", len(files), workers)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap(_read_one_offline, [(p, published) for p in files], chunksize=4)
            for found, problems, warnings in _progress(results, len(files), label):
                yield from _report(found, problems, warnings, run)
        return
    for path in _progress(files, len(files), label):
        yield from _report(*_read_one(path, published, geocoder), run)


def _report(found: list[Any], problems: list[str], warnings: list[str], run: _Run) -> Iterator[Any]:
    for problem in problems:
        run.problem(problem)
    for warning in warnings:
        run.warning(warning)
    yield from found


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def _cmd_extract(ns: argparse.Namespace) -> int:
    from .export import format_of, to_geojson, write_events
    from .store import events_to_gdf

    if ns.output:
        format_of(ns.output, ns.format)  # a format we do not write: say so before reading anything
    run = _Run()
    events = [e for _, found in _read_and_extract(ns.paths, ns.published, run, "extract", ns.online) for e in found]
    table = events_to_gdf(events)
    if ns.output:
        write_events(table, ns.output, ns.format)
        print(f"{len(events)} events written to {ns.output}", file=sys.stderr)
    else:
        json.dump(to_geojson(table), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return run.status


def _is_batch(path: str) -> bool:
    return Path(path).is_dir() and any(Path(path).glob("articles-*.parquet"))


def _cmd_ingest(ns: argparse.Namespace) -> int:
    from dataclasses import astuple

    from .batch import read_batch
    from .store import EventStore, IngestResult

    run = _Run()
    store = EventStore(ns.store)
    store.check()  # a store that cannot take the events: say so before reading anything
    batches = [p for p in ns.paths if _is_batch(p)]  # written by `geo batch`: events already extracted
    pairs = list(_read_and_extract([p for p in ns.paths if p not in batches], ns.published, run, "ingest", ns.online))
    try:
        result = store.ingest(pairs, replace=ns.replace)
        for folder in batches:
            articles, events = read_batch(Path(folder))
            done = store.ingest_tables(articles, events, replace=ns.replace)
            result = IngestResult(*(a + b for a, b in zip(astuple(result), astuple(done), strict=True)))
    except GeoError as err:
        run.problem(str(err))
        return run.status
    print(
        f"{result.articles_added} articles ({result.events_added} events) added to {store.path};"
        f" {result.articles_skipped} already stored",
        file=sys.stderr,
    )
    return run.status


def _cmd_batch(ns: argparse.Namespace) -> int:
    """Extract articles on a Dask cluster into a folder of GeoParquet partitions."""
    from .batch import INPUT_SUFFIXES, read_input, run_batch

    run = _Run()
    if not ns.output.endswith(".parquet"):
        raise _InputError(f"{ns.output}: the batch output is a folder of Parquet partitions; name it OUT.parquet")
    articles = []
    for path in _expand(ns.paths, run, INPUT_SUFFIXES):
        try:
            articles += read_input(path, ns.published)
        except GeoError as err:
            run.problem(str(err))
    if not articles:
        run.problem("no articles to extract")
        return run.status
    result = run_batch(
        articles,
        Path(ns.output),
        workers=ns.workers,
        scheduler=ns.scheduler,
        partition_size=ns.partition_size,
    )
    for problem in result.failed:
        run.problem(problem)
    print(
        f"{result.articles} articles ({result.events} events) in {result.partitions} partitions written to"
        f" {ns.output}; load them with: python -m geo ingest {ns.output}",
        file=sys.stderr,
    )
    return run.status


def _cmd_seed(ns: argparse.Namespace) -> int:
    """Store the bundled seed articles in a store that does not exist yet (``make run`` does this)."""
    from .pipeline import extract
    from .seeds import seed_articles
    from .store import EventStore

    store = EventStore(ns.store)
    if store.path.exists():
        print(f"{store.path} exists: nothing to do", file=sys.stderr)
        return EXIT_OK
    articles = seed_articles()
    result = store.ingest([(a, extract(a)) for a in articles])
    print(
        f"{result.articles_added} seed articles ({result.events_added} events) stored in {store.path}", file=sys.stderr
    )
    return EXIT_OK


def _cmd_export(ns: argparse.Namespace) -> int:
    from .export import format_of, write_events
    from .incidents import build_incidents
    from .store import EventStore

    format_of(ns.output, ns.format)
    store = EventStore(ns.store)
    events = store.events()
    if ns.raw:
        write_events(events, ns.output, ns.format)
        print(f"{len(events)} events written to {ns.output}", file=sys.stderr)
        return EXIT_OK
    incidents = build_incidents(events, store.incident_decisions())
    write_events(incidents, ns.output, ns.format)
    print(f"{len(incidents)} incidents ({len(events)} reports) written to {ns.output}", file=sys.stderr)
    return EXIT_OK


def _cmd_incidents(ns: argparse.Namespace) -> int:
    """List incidents, split reports off one, or merge two (decisions kept in the store)."""
    from .incidents import build_incidents, incident_report_ids
    from .store import EventStore

    store = EventStore(ns.store)
    incidents = build_incidents(store.events(), store.incident_decisions())
    by_id = {str(row["event_id"]): row for _, row in incidents.iterrows()}
    if ns.action == "list":
        for iid, row in by_id.items():
            print(f"{iid}\t{row['date']}\t{row['event_type']}\t{row['location']}\t{row['reports']} reports"
                  f"\t{' '.join(incident_report_ids(row))}")  # fmt: skip
        return EXIT_OK
    ids = list(ns.ids)
    missing = [i for i in ids[: 1 if ns.action == "split" else 2] if i not in by_id]
    if missing or len(ids) < 2:
        known = "an incident id and the event ids to split off" if ns.action == "split" else "two incident ids"
        raise _InputError(f"incidents {ns.action} takes {known} (see incidents list); not found: {' '.join(missing)}")
    if ns.action == "split":
        store.split_incident(incident_report_ids(by_id[ids[0]]), ids[1:])
    else:
        store.merge_incidents(incident_report_ids(by_id[ids[0]]), incident_report_ids(by_id[ids[1]]))
    after = build_incidents(store.events(), store.incident_decisions())
    print(f"{ns.action}: {len(incidents)} incidents before, {len(after)} now", file=sys.stderr)
    return EXIT_OK


def _cmd_gazetteer(ns: argparse.Namespace) -> int:
    from . import gazetteer as gz

    if ns.action == "add":
        return _gazetteer_add(ns.files, ns.replace)
    if ns.action == "build":
        gaz = gz.get_gazetteer()
        print(f"gazetteer ready: {len(gaz)} places, {len(gaz.admin_areas)} admin areas", file=sys.stderr)
        return EXIT_OK
    if ns.action == "list":
        for path in gz.supplement_files():
            print(path)
        return EXIT_OK
    gaz = gz.get_gazetteer()
    for name in ns.files:
        matches = gaz.lookup(name)
        regions = gaz.regions(name)
        if not matches and not regions:
            print(f"{name}: not in the gazetteer")
        for m in matches[:10]:
            p = m.place
            print(f"{name}\t{p.name}\t{p.country}.{p.admin1}\t{p.lat:.5f}\t{p.lon:.5f}\tpop {p.population}\t{p.source}")
        for a in regions:
            print(f"{name}\t{a.name} (region {a.iso_code})\t{a.lat:.5f}\t{a.lon:.5f}")
    return EXIT_OK


def _gazetteer_add(names: Sequence[str], replace: bool) -> int:
    from .gazetteer import add_supplement
    from .supplements import SUPPLEMENT_SUFFIXES

    run = _Run()
    files: list[Path] = []
    for raw in names:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPLEMENT_SUFFIXES)
            if not found:
                run.problem(f"{path}: no supplement files ({', '.join(SUPPLEMENT_SUFFIXES)}) in this folder")
            files += found
        elif not path.is_file():
            run.problem(f"{path}: no such file")
        else:
            files.append(path)
    if not files and not run.problems:
        run.problem("name a supplement file or a folder of them")
    for path in files:
        try:
            added = add_supplement(path, replace=replace)
        except GeoError as err:
            run.problem(str(err))
            continue
        if added:
            print(f"{path.name}: {added} places added (kept in {settings.user_gazetteer_dir})", file=sys.stderr)
        else:
            print(f"{path.name}: already added, nothing changed", file=sys.stderr)
    return run.status


def _cmd_geocode(ns: argparse.Namespace) -> int:
    from .export import TABLE_FORMATS, format_of, write_table
    from .geocoders import geocode_table

    if ns.output:
        format_of(ns.output, ns.format, TABLE_FORMATS)
    table = _read_table(Path(ns.path))
    geocoder = None
    if ns.online or settings.online:
        from .geocoders import OnlineGeocoder

        geocoder = OnlineGeocoder()
    try:
        geocoded = geocode_table(table, ns.column, online=geocoder, progress=True)
    except ValueError as err:
        raise _InputError(f"{ns.path}: {err}") from err
    out = Path(ns.output) if ns.output else Path(ns.path).with_suffix(".geocoded.gpkg")
    write_table(geocoded, out, ns.format)
    placed = int(geocoded.geometry.notna().sum())
    ways = geocoded["resolved_as"].value_counts().to_dict()
    print(
        f"{placed} of {len(geocoded)} rows placed ({', '.join(f'{k} {v}' for k, v in ways.items())}); written to {out}",
        file=sys.stderr,
    )
    return EXIT_OK


class _InputError(GeoError, ValueError):
    """A table to geocode cannot be read."""


def _read_table(path: Path):  # type: ignore[no-untyped-def]
    """A CSV file as strings (nothing converted, nothing dropped), any common encoding."""
    import io

    import pandas as pd

    from .articles import decode_bytes

    if not path.is_file():
        raise _InputError(f"{path}: no such file")
    try:
        text = decode_bytes(path.read_bytes(), str(path))
    except OSError as err:
        raise _InputError(f"{path}: cannot be read ({err.strerror or err})") from err
    if not text.strip():
        raise _InputError(f"{path}: empty file")
    try:
        sep = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as err:
        raise _InputError(f"{path}: not a readable CSV table ({err})") from err


def _date_argument(value: str) -> str:
    try:
        parse_published(value)
    except GeoError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Geoparse news about the RU–UA border.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("extract", help="extract geocoded events from articles")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files (.txt .md .html .json) or folders")
    p.add_argument("--published", type=_date_argument, help="publication date YYYY-MM-DD (default: from the file)")
    p.add_argument("-o", "--output", help="output file (default: GeoJSON on standard output)")
    p.add_argument("--format", choices=("geojson", "csv", "gpkg", "kml"), help="default: from the output suffix")
    p.add_argument("--online", action="store_true", help=_ONLINE_HELP)
    p.set_defaults(func=_cmd_extract)

    p = verbs.add_parser("ingest", help="extract events and add them to the event store")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--published", type=_date_argument)
    p.add_argument("--store", type=Path, help=f"GeoPackage store (default {settings.store_path})")
    p.add_argument("--replace", action="store_true", help="re-extract articles already in the store")
    p.add_argument("--online", action="store_true", help=_ONLINE_HELP)
    p.set_defaults(func=_cmd_ingest)

    p = verbs.add_parser("batch", help="extract many articles on a Dask cluster into GeoParquet partitions")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files, folders, JSON/CSV/Parquet tables")
    p.add_argument("-o", "--output", required=True, help="OUT.parquet: a folder of partitions")
    p.add_argument("--published", type=_date_argument)
    p.add_argument("--workers", type=_positive, default=None, help="LocalCluster worker processes (default 1)")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://host:port)")
    p.add_argument("--partition-size", type=_positive, default=200, help="articles per partition (default 200)")
    p.set_defaults(func=_cmd_batch)

    p = verbs.add_parser("seed", help="store the bundled seed articles in a new store (the app's first start)")
    p.add_argument("--store", type=Path, help=f"GeoPackage store (default {settings.store_path})")
    p.set_defaults(func=_cmd_seed)

    p = verbs.add_parser("export", help="write the event store's incidents (or raw reports) to a file")
    p.add_argument("-o", "--output", required=True, help="OUT.geojson, .csv (ACLED columns), .gpkg or .kml")
    p.add_argument("--format", choices=("geojson", "csv", "gpkg", "kml"), help="default: from the output suffix")
    p.add_argument("--store", type=Path)
    p.add_argument("--raw", action="store_true", help="one row per report (event) instead of per incident")
    p.set_defaults(func=_cmd_export)

    p = verbs.add_parser("incidents", help="list incidents; split reports off one; merge two")
    p.add_argument("action", choices=("list", "split", "merge"))
    p.add_argument("ids", nargs="*", metavar="ID", help="split: INCIDENT EVENT...; merge: INCIDENT INCIDENT")
    p.add_argument("--store", type=Path)
    p.set_defaults(func=_cmd_incidents)

    p = verbs.add_parser("gazetteer", help="build the index, look names up, add supplements")
    p.set_defaults(func=_cmd_gazetteer, files=[], replace=False)
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("build", help="build (or check) the cached index")
    actions.add_parser("list", help="the supplement files in use")
    a = actions.add_parser("lookup", help="the places and regions a name may be")
    a.add_argument("files", nargs="+", metavar="NAME")
    a = actions.add_parser("add", help="check supplement files (or folders of them) and keep them")
    a.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER", help=".csv supplements, GeoNames .txt/.zip dumps")
    a.add_argument("--replace", action="store_true", help="replace a different supplement of the same name")

    p = verbs.add_parser("geocode", help="geocode a column of location strings in a CSV table")
    p.add_argument("path", metavar="FILE.csv")
    p.add_argument("--column", required=True, help="the column holding the location strings")
    p.add_argument("-o", "--output", help="output file (.gpkg, .geojson or .csv; default FILE.geocoded.gpkg)")
    p.add_argument("--format", choices=("gpkg", "geojson", "csv"), help="default: from the output suffix")
    p.add_argument("--online", action="store_true", help=_ONLINE_HELP)
    p.set_defaults(func=_cmd_geocode)

    verbs.add_parser("eval", help="score geocoding on public benchmarks (python -m geo eval -h)")
    verbs.add_parser("bench", help="print speed and memory figures (python -m geo bench -h)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["bench"]:  # its own options are parsed by geo.bench
        from .bench import main as bench_main

        return bench_main(args[1:])
    if args[:1] == ["eval"]:  # and those of eval by geo.evaluate
        from .evaluate import main as eval_main

        return eval_main(args[1:])
    parser = build_parser()
    ns = parser.parse_args(args)
    logging.basicConfig(
        level=logging.INFO if ns.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(ns.func(ns))
    except GeoError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (BrokenPipeError, KeyboardInterrupt):
        return 130
