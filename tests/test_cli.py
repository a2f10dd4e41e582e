"""``python -m geo``: extract, ingest, export, gazetteer; bad input never stops the good."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import ROOT, SEED, SEED_PUBLISHED

from geo.cli import main


def run(*argv: str) -> int:
    return main(list(argv))


def test_extract_seed_with_python_m(tmp_path: Path) -> None:
    out = tmp_path / "events.geojson"
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "extract", str(SEED), "--published", SEED_PUBLISHED, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 6
    assert len(gpd.read_file(out)) == 6


def test_extract_prints_geojson_without_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("extract", str(SEED), "--published", SEED_PUBLISHED) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "FeatureCollection"


def test_bad_inputs_are_named_and_the_rest_is_processed(
    tmp_path: Path, bad_inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.geojson"
    files = sorted(str(p) for p in bad_inputs.iterdir())
    status = run(
        "extract", *files, str(SEED), str(tmp_path / "missing.txt"), "--published", SEED_PUBLISHED, "-o", str(out)
    )
    assert status == 2
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("error:")]
    named = {Path(line.split(": ")[1].split(",")[0]).name for line in errors}
    assert {"empty.txt", "binary.txt", "big.txt", "bad_json.json", "missing.txt"} <= named
    assert "no_places.txt" not in named  # read, but without places: a warning
    assert any(line.startswith("warning:") and "no_places.txt: no places found" in line for line in err)
    sources = {f["properties"]["source"] for f in json.loads(out.read_text())["features"]}
    assert str(SEED) in sources and str(bad_inputs / "json_article.json") in sources


def test_bad_published_date_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run("extract", str(SEED), "--published", "2023-13-45")
    assert exit_.value.code == 2
    assert "2023-13-45" in capsys.readouterr().err


def test_an_article_without_places_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "markets.txt"
    article.write_text("Markets fell\n\nShares fell sharply on Monday as investors worried about rates.\n")
    store = tmp_path / "store.gpkg"
    assert run("ingest", str(article), str(SEED), "--published", SEED_PUBLISHED, "--store", str(store)) == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "markets.txt: no places found" in err and "error:" not in err
    from geo.store import EventStore

    assert "Markets fell" in set(EventStore(store).articles()["title"])  # kept: ingesting it again adds nothing


def test_json_nested_a_thousand_deep_is_one_bad_file_among_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "deep.json").write_text('{"a": ' * 1000 + '"x"' + "}" * 1000)
    (tmp_path / "deeper.json").write_text("[" * 100_000)
    (tmp_path / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    store = tmp_path / "store.gpkg"
    assert run("ingest", str(tmp_path), "--published", SEED_PUBLISHED, "--store", str(store)) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("nested too deeply" in line for line in errors)
    from geo.store import EventStore

    assert len(EventStore(store).events()) == 6  # the seed's events are stored


def test_ingest_twice_adds_nothing_and_export_writes_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    assert run("ingest", str(SEED), "--published", SEED_PUBLISHED, "--store", str(store)) == 0
    assert run("ingest", str(SEED), "--published", SEED_PUBLISHED, "--store", str(store)) == 0
    err = capsys.readouterr().err
    assert "1 articles (6 events) added" in err and "0 articles (0 events) added" in err
    for fmt in ("geojson", "csv", "gpkg"):
        assert run("export", "--store", str(store), "-o", str(tmp_path / f"all.{fmt}")) == 0
    assert len(gpd.read_file(tmp_path / "all.geojson")) == 6


def test_ingest_keeps_good_articles_when_others_are_bad(tmp_path: Path, bad_inputs: Path) -> None:
    store = tmp_path / "store.gpkg"
    status = run(
        "ingest", str(bad_inputs / "empty.txt"), str(SEED), "--published", SEED_PUBLISHED, "--store", str(store)
    )
    assert status == 2
    assert len(gpd.read_file(store, layer="events")) == 6


def test_folders_stand_for_their_article_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Kursk\n\nA drone hit a house in the city of Kursk on Monday.")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    assert run("extract", str(tmp_path), "--published", "2024-01-22", "-o", str(tmp_path / "out.geojson")) == 0
    assert len(json.loads((tmp_path / "out.geojson").read_text())["features"]) == 1


def test_gazetteer_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("gazetteer", "lookup", "Hraivoron", "Nowhereville") == 0
    out = capsys.readouterr().out
    assert "Grayvoron\tRU.09" in out and "Nowhereville: not in the gazetteer" in out


def test_seed_stores_the_seed_articles_once_as_the_app_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.seeds import seed_articles
    from geo.store import EventStore

    store = tmp_path / "store.gpkg"
    assert run("seed", "--store", str(store)) == 0
    assert "seed articles" in capsys.readouterr().err
    stored = EventStore(store)
    assert set(stored.articles()["article_id"]) == {a.id for a in seed_articles()}
    assert len(stored.events()) >= 6
    assert run("seed", "--store", str(store)) == 0 and "nothing to do" in capsys.readouterr().err


def test_many_files_are_read_by_a_pool_of_forks_with_the_same_result(tmp_path: Path) -> None:
    from geo.bench import sample_articles

    folder = tmp_path / "feed"
    folder.mkdir()
    for i, article in enumerate(sample_articles(20, size=1200, seed=3)):
        (folder / f"{i:02d}.txt").write_text(f"{article.title}\n\n{article.text}", encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    outputs = {}
    for workers in ("1", "2"):
        env = {**os.environ, "GEO_WORKERS": workers}
        done = subprocess.run(
            [sys.executable, "-m", "geo", "extract", str(folder), "--published", "2024-05-01"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 2 and "broken.json" in done.stderr  # the bad file named, the others read
        outputs[workers] = json.loads(done.stdout)["features"]
    assert len(outputs["1"]) > 20
    assert outputs["1"] == outputs["2"]  # the same events, in the same order
