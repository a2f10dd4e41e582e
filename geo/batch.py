"""Batch extraction on Dask: ``python -m geo batch PATH... -o OUT.parquet``.

The articles (files, folders, JSON/CSV files of many, or Parquet tables of articles with a
``text`` column and optional ``title``, ``published``, ``source``/``url``) are cut into
partitions of ``partition_size`` and sent to a ``dask.distributed`` cluster: a LocalCluster on
127.0.0.1 by default (``workers`` processes of one thread, no dashboard), or an existing
scheduler. Every worker runs the same :func:`geo.pipeline.extract` as a single process: a
worker plugin (:class:`IndexPlugin`) loads the gazetteer and the border once when the worker
starts (from the shared cache), so the index is never pickled and sent.

``OUT.parquet`` is a folder of partitions, written as they finish (with a progress bar):
``events-NNNNN.parquet`` (GeoParquet, the columns of :data:`geo.store.EVENT_COLUMNS`) and
``articles-NNNNN.parquet`` (the columns of :data:`geo.store.ARTICLE_COLUMNS`); ``python -m geo
ingest OUT.parquet`` loads them into the store. Articles that cannot be read are reported
before anything is sent; an article whose extraction fails is reported by the worker and
left out, and the run goes on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from distributed.diagnostics.plugin import WorkerPlugin

from .articles import ARTICLE_SUFFIXES, Article, article_from_item, parse_published, read_articles
from .errors import ArticleError, GeoError
from .store import ARTICLE_COLUMNS, conform, empty_events, events_to_gdf

__all__ = [
    "INPUT_SUFFIXES",
    "BatchResult",
    "IndexPlugin",
    "read_batch",
    "read_input",
    "read_parquet_articles",
    "run_batch",
]

INPUT_SUFFIXES = (*ARTICLE_SUFFIXES, ".parquet")  # what a folder given to `geo batch` is searched for


@dataclasses.dataclass(frozen=True)
class BatchResult:
    """What a batch wrote: partitions, articles read, events found, articles that failed."""

    partitions: int
    articles: int
    events: int
    failed: list[str]


def read_parquet_articles(path: Path, *, published: dt.date | str | None = None) -> list[Article]:
    """The articles of a Parquet table: each row read as a JSON article is (:func:`article_from_item`)."""
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise ArticleError(f"{path}: not a readable Parquet table ({err})") from err
    if "text" not in table.columns:
        raise ArticleError(f"{path}: a Parquet table of articles needs a 'text' column")
    default = parse_published(published, where=str(path))
    rows = ({k: v for k, v in row.items() if _present(v)} for row in table.to_dict("records"))
    return [article_from_item(row, f"{path}, row {i}", default) for i, row in enumerate(rows, start=1)]


def _present(value: Any) -> bool:
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or other container
        return True


def read_input(path: Path, published: dt.date | str | None = None) -> list[Article]:
    """The articles of one input file of a batch: a Parquet table, or any file ``geo extract`` reads."""
    if path.suffix.lower() == ".parquet":
        return read_parquet_articles(path, published=published)
    return read_articles(path, published=published)


def _extract_partition(index: int, articles: list[Article]) -> tuple[int, gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    """On a worker: the events and article rows of one partition (the index is the worker's)."""
    from .pipeline import extract

    events, rows, failed = [], [], []
    for article in articles:
        try:
            found = extract(article)
        except GeoError as err:
            failed.append(f"{article.source}: {err}")
            continue
        events.extend(found)
        rows.append(
            {
                "article_id": article.id,
                "title": article.title,
                "source": article.source,
                "published": article.published.isoformat() if article.published else None,
                "text": article.text,
                "ingested_at": None,
                "events": len(found),
            }
        )
    return index, events_to_gdf(events), pd.DataFrame(rows, columns=list(ARTICLE_COLUMNS)), failed


class IndexPlugin(WorkerPlugin):
    """A worker plugin: the gazetteer and the border loaded once, when the worker starts."""

    name = "geo-index"

    def setup(self, worker: Any) -> None:
        from .borders import get_border
        from .gazetteer import get_gazetteer

        get_gazetteer()
        get_border()


def _partitions(articles: list[Article], size: int) -> Iterator[list[Article]]:
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def run_batch(
    articles: Sequence[Article],
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    partition_size: int = 200,
    progress: bool = True,
) -> BatchResult:
    """Extract ``articles`` on a Dask cluster and write the partitions into the folder ``out``."""
    from distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    if partition_size < 1:
        raise ValueError("the partition size must be at least 1")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ArticleError(f"{out}: exists and is not a folder of partitions")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.WARNING,
        )
    plugin = IndexPlugin()
    failed: list[str] = []
    events = written = 0
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            client.register_plugin(plugin, name=IndexPlugin.name)
            parts = list(_partitions(list(articles), partition_size))
            futures = [client.submit(_extract_partition, i, part, pure=False) for i, part in enumerate(parts)]
            bar = tqdm(total=len(articles), unit="article", file=sys.stderr, disable=not progress or None)
            for future in as_completed(futures):
                index, table, rows, problems = future.result()
                table.to_parquet(out / f"events-{index:05d}.parquet")
                rows.to_parquet(out / f"articles-{index:05d}.parquet")
                failed += problems
                events += len(table)
                written += 1
                bar.update(len(parts[index]))
            bar.close()
    finally:
        if cluster is not None:
            cluster.close()
    return BatchResult(partitions=written, articles=len(articles), events=events, failed=failed)


def read_batch(folder: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The articles and events of a batch's partitions (``geo ingest OUT.parquet``)."""
    folder = Path(folder)
    event_files = sorted(folder.glob("events-*.parquet"))
    article_files = sorted(folder.glob("articles-*.parquet"))
    if not article_files:
        raise ArticleError(f"{folder}: no batch partitions (articles-*.parquet) in this folder")
    articles = pd.concat([pd.read_parquet(p) for p in article_files], ignore_index=True)
    tables = [gpd.read_parquet(p) for p in event_files]
    events = conform(pd.concat(tables, ignore_index=True)) if tables else empty_events()
    return articles, events
