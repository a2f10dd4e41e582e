"""Batch extraction on a Dask LocalCluster (127.0.0.1, no dashboard) equals one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import DATA, ROOT

from geo.articles import read_articles
from geo.batch import read_batch, read_parquet_articles, run_batch
from geo.errors import ArticleError
from geo.pipeline import extract
from geo.store import EventStore, events_to_gdf

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


def _articles() -> list:
    found = []
    for path in sorted((DATA / "articles").glob("*.txt")):
        found += read_articles(path)
    return found


def test_a_batch_on_a_local_cluster_gives_the_single_process_events(tmp_path: Path) -> None:
    articles = _articles()
    assert len(articles) >= 4
    result = run_batch(articles, tmp_path / "out.parquet", workers=2, partition_size=2, progress=False)
    assert result.partitions == (len(articles) + 1) // 2 and not result.failed
    stored_articles, events = read_batch(tmp_path / "out.parquet")
    single = events_to_gdf(e for a in articles for e in extract(a))
    assert len(events) == len(single) == result.events > 0
    assert set(stored_articles["article_id"]) == {a.id for a in articles}
    by_id = events.set_index("event_id").sort_index()
    expected = single.set_index("event_id").sort_index()
    assert list(by_id.index) == list(expected.index)  # event for event
    columns = ["event_type", "sub_event_type", "date", "location", "lat", "lon", "fatalities", "evidence", "places"]
    pd.testing.assert_frame_equal(pd.DataFrame(by_id[columns]), pd.DataFrame(expected[columns]), check_dtype=False)
    assert isinstance(gpd.read_parquet(next((tmp_path / "out.parquet").glob("events-*.parquet"))), gpd.GeoDataFrame)


def test_the_cli_batch_and_ingest_round_trip_and_parquet_inputs(tmp_path: Path) -> None:
    articles = _articles()[:3]
    table = pd.DataFrame(
        {"text": [a.text for a in articles], "title": [a.title for a in articles], "published": "2024-03-01"}
    )
    table.to_parquet(tmp_path / "feed.parquet")
    read = read_parquet_articles(tmp_path / "feed.parquet")
    assert [a.title for a in read] == [a.title for a in articles]
    assert {str(a.published) for a in read} == {"2024-03-01"} and read[0].source.endswith("feed.parquet, row 1")
    out, store = tmp_path / "out.parquet", tmp_path / "events.gpkg"
    geo = [sys.executable, "-m", "geo"]
    done = subprocess.run([*geo, "batch", str(tmp_path / "feed.parquet"), "-o", str(out), "--workers", "1"],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 articles" in done.stderr
    first = subprocess.run([*geo, "ingest", str(out), "--store", str(store)], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0 and "3 articles" in first.stderr, first.stderr
    again = subprocess.run([*geo, "ingest", str(out), "--store", str(store)], cwd=ROOT, capture_output=True, text=True)
    assert "0 articles (0 events) added" in again.stderr and "3 already stored" in again.stderr
    stored = EventStore(store).events()
    assert len(stored) == sum(len(extract(a)) for a in read_parquet_articles(tmp_path / "feed.parquet")) > 0
    bad = subprocess.run([*geo, "batch", str(tmp_path / "feed.parquet"), "-o", str(tmp_path / "x.csv")], cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "OUT.parquet" in bad.stderr


def test_a_parquet_table_without_text_is_one_clear_error(tmp_path: Path) -> None:
    pd.DataFrame({"body": ["x"]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(ArticleError, match="needs a 'text' column"):
        read_parquet_articles(tmp_path / "t.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(ArticleError, match="not a readable Parquet"):
        read_parquet_articles(tmp_path / "broken.parquet")
