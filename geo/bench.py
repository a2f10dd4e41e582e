"""Benchmarks that print figures: ``python -m geo bench``.

* **cold start**: a fresh interpreter importing :mod:`geo` and loading the cached index;
* **throughput**: warm articles per second on one core, over seed-sized articles composed from
  the paragraphs of the bundled sample articles;
* **lookups**: gazetteer lookups per second over distinct names drawn from the index;
* **border**: building the border from the time-zone data, and distances and sides for points;
* **incidents**: grouping 10,000 and 100,000 stored events into incidents (de-duplication
  across articles, :mod:`geo.incidents`);
* **app**: the first start of the app on the seed articles and its page loads with 10,000
  events in the store, in headless Chromium (:mod:`geo.appbench`);
* **batch**: ``geo batch`` on a Dask LocalCluster of 1 and 2 workers against one process;
* **memory**: peak resident memory of each part.

The figures are measurements of this machine, not assertions; nothing here fails.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["main", "sample_articles", "synthetic_reports"]

_ROOT = Path(__file__).resolve().parent.parent
_SAMPLE_DIRS = (_ROOT / "seeds", _ROOT / "tests" / "data" / "articles")
_SAMPLE_DIRS_RU_UK = (_ROOT / "tests" / "data" / "articles_ru_uk",)


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sample_articles(n: int, *, size: int = 5000, seed: int = 0, language: str = "en") -> list[Any]:
    """``n`` seed-sized articles made of paragraphs of the bundled sample articles.

    ``language="ru"`` or ``"uk"``: of the bundled Russian or Ukrainian samples.
    """
    from .articles import article_from_text, read_articles

    paragraphs: list[str] = []
    for folder in _SAMPLE_DIRS if language == "en" else _SAMPLE_DIRS_RU_UK:
        for path in sorted(folder.glob("*.txt")):
            article = read_articles(path)[0]
            if article.language == language:
                paragraphs += article.text.split("\n\n")
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body: list[str] = []
        while sum(len(p) for p in body) < size:
            body.append(rng.choice(paragraphs))
        published = dt.date(2023, 1, 1) + dt.timedelta(days=i)
        out.append(article_from_text("\n\n".join(body), title=f"Sample article {i}", published=published))
    return out


def bench_cold_start() -> dict[str, float]:
    """Import and index load in a fresh interpreter (the index is built first if needed)."""
    from .gazetteer import get_gazetteer

    get_gazetteer()  # make sure the cache exists, so the child measures a load, not a build
    code = (
        "import time; t0 = time.perf_counter(); import geo; t1 = time.perf_counter();"
        "geo.get_gazetteer(); t2 = time.perf_counter();"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1];"
        "print(t1 - t0, t2 - t1, int(rss) / 1024)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_ROOT)
        runs.append([float(v) for v in out.stdout.split()])
    best = min(runs, key=lambda r: r[0] + r[1])
    return {"import_s": best[0], "index_load_s": best[1], "cold_start_s": best[0] + best[1], "index_rss_mb": best[2]}


def _rate(articles: list[Any], passes: int) -> dict[str, float]:
    """Warm articles per second over ``articles``: one untimed pass, then the median of ``passes``."""
    import statistics

    from .gazetteer import get_gazetteer
    from .pipeline import extract

    gaz = get_gazetteer()
    for article in articles:
        extract(article, gazetteer=gaz)
    rates, events = [], 0
    for _ in range(passes):
        start = time.perf_counter()
        events = sum(len(extract(a, gazetteer=gaz)) for a in articles)
        rates.append(len(articles) / (time.perf_counter() - start))
    rate = statistics.median(rates)
    return {
        "articles": len(articles),
        "events_per_article": events / len(articles),
        "articles_per_s": rate,
        "ms_per_article": 1000 / rate,
        "chars_per_article": sum(len(a.text) for a in articles) / len(articles),
    }


def bench_throughput_ru_uk(n: int, passes: int = 3) -> dict[str, float]:
    """Warm articles per second for seed-sized Russian and Ukrainian articles (half of each).

    The morphological analysers and lexicons load once, in the untimed warm-up pass.
    """
    return _rate(sample_articles(n - n // 2, language="ru") + sample_articles(n // 2, seed=1, language="uk"), passes)


def bench_throughput(n: int, passes: int = 3) -> dict[str, float]:
    """Warm articles per second over ``n`` sample articles: the median of ``passes`` passes.

    The sample articles are recombined paragraphs, so nothing keyed by text is cached between
    articles (only names and points are, as they would be in any stream of news). One untimed
    pass over all of them warms up first: the border, the name caches, the interpreter.
    """
    from .articles import read_articles
    from .gazetteer import get_gazetteer
    from .pipeline import extract

    figures = _rate(sample_articles(n), passes)
    gaz = get_gazetteer()
    seed = read_articles(_ROOT / "seeds" / "000_9350b7dae76c861a.txt", published="2023-05-24")[0]
    start = time.perf_counter()
    for _ in range(100):
        extract(seed, gazetteer=gaz)
    return {**figures, "seed_articles_per_s": 100 / (time.perf_counter() - start)}


def bench_lookups(n: int) -> dict[str, float]:
    from .gazetteer import get_gazetteer

    gaz = get_gazetteer()
    keys = random.Random(1).sample(gaz._layers[0].keys, n)
    start = time.perf_counter()
    for key in keys:
        gaz.lookup_key(key)
    elapsed = time.perf_counter() - start
    return {"lookups": n, "lookups_per_s": n / elapsed, "us_per_lookup": 1e6 * elapsed / n}


def bench_border(points: int) -> dict[str, float]:
    import numpy as np

    from .borders import build_border

    start = time.perf_counter()
    border = build_border()
    built = time.perf_counter() - start
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(44, 53, points), rng.uniform(30, 41, points)
    border.distance_km(lat[:10], lon[:10])  # the projection and R-tree are made once
    start = time.perf_counter()
    border.distance_km(lat, lon)
    distance = time.perf_counter() - start
    start = time.perf_counter()
    border.sides_of(lat, lon)
    sides = time.perf_counter() - start
    return {
        "border_build_s": built,
        "points": points,
        "distance_ms": 1000 * distance,
        "sides_ms": 1000 * sides,
        "border_km": _line_km(border),
    }


def _line_km(border: Any) -> float:
    import pyproj

    lon, lat = zip(*border.line.coords, strict=True)
    return float(pyproj.Geod(ellps="WGS84").line_length(lon, lat)) / 1000


# -- incidents: de-duplication across articles ------------------------------------------------


def synthetic_reports(n: int, *, seed: int = 0, places: int = 2000, days: int = 730) -> Any:
    """``n`` events from different articles, about ``n // 3`` incidents at ``places`` places.

    Each incident (a type, a place near the border, a day in two years) is reported by one to
    several articles, at precision 1 (70 %), 2 or 3 and with day (85 %), approximate or range
    dates, so the store holds what a news stream would give: several reports per incident,
    many incidents per place.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from .store import conform

    rng = np.random.default_rng(seed)
    points = rng.uniform([46.5, 31.0], [52.5, 40.0], size=(places, 2))  # lat, lon
    incidents = max(n // 3, 1)
    where, when = rng.integers(0, places, incidents), rng.integers(0, days, incidents)
    types = np.array(["Explosions/Remote violence", "Battles", "Strategic developments", "Protests"])
    kind = rng.choice(len(types), incidents, p=[0.6, 0.25, 0.1, 0.05])
    of = rng.integers(0, incidents, n)
    lat, lon = points[where[of], 0], points[where[of], 1]
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(when[of], unit="D")
    table = gpd.GeoDataFrame(
        {
            "event_id": [f"{i:016x}" for i in range(n)],
            "article_id": [f"article-{i}" for i in range(n)],
            "event_type": types[kind[of]],
            "sub_event_type": "Other",
            "date": dates.strftime("%Y-%m-%d"),
            "date_precision": rng.choice(["day", "approximate", "range"], n, p=[0.85, 0.1, 0.05]),
            "location": [f"Place {w}" for w in where[of]],
            "country": "RU",
            "geo_precision": rng.choice([1, 2, 3], n, p=[0.7, 0.2, 0.1]),
            "lat": lat,
            "lon": lon,
            "fatalities": rng.integers(0, 5, n),
            "source": [f"https://outlet{i % 7}.example/news/{i}" for i in range(n)],
            "evidence": "Shelling hit the village on Monday, the governor said.",
            "actors": "[]",
            "places": "[]",
            "reviewed": False,
        },
        geometry=gpd.points_from_xy(lon, lat),  # lon, lat
        crs="EPSG:4326",
    )
    return conform(table)


def bench_incidents(n: int) -> dict[str, float]:
    """Time to group ``n`` stored events into incidents (the whole table, as the app does)."""
    from .incidents import build_incidents

    events = synthetic_reports(n)
    start = time.perf_counter()
    incidents = build_incidents(events)
    elapsed = time.perf_counter() - start
    return {
        "events": n,
        "incidents": len(incidents),
        "dedup_s": elapsed,
        "us_per_event": 1e6 * elapsed / n,
        "merged_share": float((incidents["reports"] > 1).sum() / max(len(incidents), 1)),
    }


def bench_batch(n: int) -> dict[str, float]:
    """Articles per second of ``geo batch`` on a LocalCluster of 1 and 2 workers, and its overhead.

    The time runs from the cluster's start (its workers load the index) to the last partition
    written; ``overhead_s`` is that time for 1 worker less the single-process time.
    """
    import tempfile

    from .batch import run_batch
    from .gazetteer import get_gazetteer
    from .pipeline import extract

    articles = sample_articles(n, seed=7)
    gaz = get_gazetteer()
    start = time.perf_counter()
    for article in articles:
        extract(article, gazetteer=gaz)
    single = time.perf_counter() - start
    figures: dict[str, float] = {"articles": n, "single_process_s": single}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            run_batch(articles, Path(tmp) / "out.parquet", workers=workers, partition_size=50, progress=False)
            took = time.perf_counter() - start
        figures[f"workers_{workers}_articles_per_s"] = n / took
        if workers == 1:
            figures["overhead_s"] = took - single
    return figures


def _line(name: str, figures: dict[str, float]) -> str:
    parts = [f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()]
    return f"{name}: " + " ".join(parts)


PARTS = ("cold", "throughput", "throughput-ru-uk", "lookups", "border", "map", "incidents", "app", "batch")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m geo bench", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles for the throughput run")
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=10_000, help="points for the border distances")
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
    )
    parser.add_argument("--events", type=int, action="append", help="events for the map benchmark (repeatable)")
    parser.add_argument("--reports", type=int, action="append", help="events for the incidents run (repeatable)")
    parser.add_argument("--app-events", type=int, default=10_000, help="events in the store for the app's page loads")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ns = parser.parse_args(argv)
    parts = ns.only or PARTS
    results: dict[str, dict[str, float]] = {}
    if "cold" in parts:
        results["cold start"] = bench_cold_start()
    if "lookups" in parts:
        results["lookups"] = bench_lookups(ns.lookups)
    if "throughput" in parts:
        results["throughput"] = bench_throughput(ns.articles)
    if "throughput-ru-uk" in parts:
        results["throughput ru/uk"] = bench_throughput_ru_uk(ns.articles)
    if "border" in parts:
        results["border"] = bench_border(ns.points)
    if "map" in parts:
        from .mapview import bench_map

        for n in ns.events or [1000, 10_000]:
            results[f"map {n} events"] = bench_map(n)
    if "incidents" in parts:
        for n in ns.reports or [10_000, 100_000]:
            results[f"incidents {n} events"] = bench_incidents(n)
    if "batch" in parts:
        results["batch"] = bench_batch(ns.articles)
    if "app" in parts:
        from .appbench import bench_app

        results["app"] = bench_app(ns.app_events)
    results["memory"] = {"peak_rss_mb": _peak_rss_mb()}
    if ns.json:
        print(json.dumps(results, indent=1))
    else:
        for name, figures in results.items():
            print(_line(name, figures))
    return 0
