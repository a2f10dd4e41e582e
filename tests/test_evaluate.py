"""``python -m geo eval``: readers, metric arithmetic, both tasks, the report; ``geo geocode`` tables.

The corpora themselves stay outside the project: these tests use small fixtures in their formats
(``tests/data/benchmarks``), written for the tests.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import DATA, ROOT

from geo.benchmarks import BenchmarkError, bellingcat_locations, read_corpus
from geo.cli import main
from geo.evaluate import MAX_ERROR_KM, auc_log_error, error_summary, evaluate_bellingcat, evaluate_corpus
from geo.gazetteer import Gazetteer

BENCH = DATA / "benchmarks"


def run_geo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


# -- metrics, by hand -------------------------------------------------------------------------


def test_metrics_on_a_hand_computed_case() -> None:
    errors = [0.0, 100.0, 200.0, MAX_ERROR_KM]
    s = error_summary(errors)
    assert s["n"] == 4
    assert s["acc@161km"] == 0.5  # 0 and 100 km
    assert s["exact"] == 0.25  # only the 0 km one
    assert s["mean_km"] == pytest.approx((0 + 100 + 200 + 20039) / 4)
    assert s["median_km"] == 150.0
    # sorted ln(1 + e): 0, ln 101 = 4.61512, ln 201 = 5.30330, ln 20040 = 9.90549; trapezoids of width 1:
    # (0 + 4.61512)/2 + (4.61512 + 5.30330)/2 + (5.30330 + 9.90549)/2 = 14.87117, over ln 20040 * 3 = 29.71647
    assert s["auc"] == pytest.approx(14.87117 / 29.71647, abs=1e-5)
    assert s["auc"] == pytest.approx(0.50043, abs=1e-4)


def test_auc_bounds() -> None:
    assert auc_log_error([0.0] * 5) == 0.0
    assert auc_log_error([MAX_ERROR_KM] * 5) == pytest.approx(1.0)
    assert auc_log_error([MAX_ERROR_KM * 3]) == pytest.approx(1.0)  # capped at the largest error
    assert math.isnan(auc_log_error([]))


def test_thresholds_are_inclusive() -> None:
    s = error_summary([1.0, 10.0, 25.0, 25.01], thresholds=(1, 10, 25))
    assert (s["acc@1km"], s["acc@10km"], s["acc@25km"]) == (0.25, 0.5, 0.75)


# -- readers ----------------------------------------------------------------------------------


def test_xml_corpus_reader_aligns_offsets_and_keeps_toponyms_without_gold() -> None:
    docs = read_corpus("lgl", BENCH)
    assert [d.id for d in docs] == ["1", "2"]
    first = docs[0]
    for t in first.toponyms:
        assert first.text[t.start : t.end] == t.phrase  # "Chicago" was one character off in the file
    assert [t.phrase for t in first.toponyms if not t.has_gold] == ["Peoria"]
    assert next(t for t in first.toponyms if t.phrase == "Illinois River").feature == "H.STM"


def test_geowebnews_reader() -> None:
    (doc,) = read_corpus("geowebnews", BENCH)
    assert [(t.phrase, t.name) for t in doc.toponyms] == [
        ("Ukrainian", "Ukraine"),
        ("Kupiansk", "Kupiansk"),
        ("Kharkiv region", "Kharkiv Oblast"),
    ]
    assert all(doc.text[t.start : t.end] == t.phrase for t in doc.toponyms)


def test_bellingcat_reader() -> None:
    rows = bellingcat_locations(BENCH)
    assert len(rows) == 6
    assert rows[0].location == "Chuhuiv, south of Kharkiv" and rows[0].lat == pytest.approx(49.836)


def test_missing_or_broken_benchmarks_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError, match=r"lgl\.xml: not found"):
        read_corpus("lgl", tmp_path)
    (tmp_path / "lgl.xml").write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="not readable XML"):
        read_corpus("lgl", tmp_path)
    (tmp_path / "export_events.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="not readable JSON"):
        bellingcat_locations(tmp_path)


# -- the tasks --------------------------------------------------------------------------------


def test_resolution_and_end_to_end_on_the_fixture(gazetteer: Gazetteer) -> None:
    resolution, end_to_end, outcomes = evaluate_corpus("lgl", read_corpus("lgl", BENCH), gazetteer)
    by_phrase = {o.phrase: o for o in outcomes}
    assert len(outcomes) == 8  # every toponym with a gold point; Peoria has none
    # Springfield among its namesakes: the one in Illinois, which the article names
    assert by_phrase["Springfield"].category == "ok" and by_phrase["Springfield"].error_km < 5
    assert by_phrase["Kupiansk"].pred_name == "Kupyansk" and by_phrase["Kupiansk"].error_km < 5
    assert by_phrase["Ukrainian"].resolved_as == "country" and by_phrase["Ukrainian"].kind == "demonym"
    assert by_phrase["Kharkiv region"].resolved_as == "region" and by_phrase["Kharkiv region"].category == "ok"
    assert by_phrase["Illinois"].resolved_as == "region"  # a US state by its bare name, in a gold span
    river = by_phrase["Illinois River"]
    assert (river.kind, river.in_gazetteer, river.category) == ("natural_feature", False, "not_in_gazetteer")
    assert not by_phrase["Qwertyville"].in_gazetteer
    assert resolution["n"] == 8
    assert resolution["in_gazetteer"] == pytest.approx(6 / 8)
    assert resolution["acc@161km"] == pytest.approx(sum(o.error_km <= 161 for o in outcomes) / 8)
    # end to end: the spans our finder places, against all nine gold spans
    assert end_to_end["gold"] == 9
    found = {o.phrase for o in outcomes if o.e2e_found}
    assert {"Chicago", "Kupiansk", "Ukrainian"} <= found
    assert "Qwertyville" not in found  # an unknown word without a cue is not taken for a place
    assert {"Springfield", "Illinois"} <= found  # "Springfield, Illinois": a place and its state
    # found and placed: Springfield, Illinois, Chicago, Kupiansk, Ukrainian, Kharkiv region, and
    # "Russian" (not a gold toponym)
    assert (end_to_end["found"], end_to_end["span_p"], end_to_end["span_r"]) == (7, 6 / 7, 6 / 9)


def test_bellingcat_geocoding_on_the_fixture(gazetteer: Gazetteer) -> None:
    figures, outcomes = evaluate_bellingcat(bellingcat_locations(BENCH), gazetteer)
    assert figures["n"] == 5 and figures["skipped_empty"] == 1  # the row without a location string
    by_id = {o.doc: o for o in outcomes}
    assert by_id["T1"].pred_name == "Chuhuyiv" and by_id["T1"].error_km < 2
    assert by_id["T2"].pred_name == "Okhtyrka" and by_id["T2"].error_km < 2
    assert by_id["T6"].pred_name == "Mariupol"  # not a Vostochnyy elsewhere: the district is in Mariupol
    assert by_id["T5"].category == "unresolved" and by_id["T5"].error_km == MAX_ERROR_KM
    assert figures["acc@10km"] == pytest.approx(sum(o.error_km <= 10 for o in outcomes) / 5)


def test_eval_command_prints_one_summary_line_last_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "lgl.csv"
    done = run_geo("eval", "lgl", "--data", str(BENCH), "--report", str(report))
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("lgl resolution: n=8 ")
    keys = [pair.split("=")[0] for pair in last.split(": ", 1)[1].split()]
    assert keys[:8] == [
        "n",
        "in_gazetteer",
        "acc@161km",
        "acc@161km_in_gazetteer",
        "exact",
        "mean_km",
        "median_km",
        "auc",
    ]
    assert {"e2e_span_p", "e2e_span_r", "e2e_acc@161km"} <= set(keys)
    rows = pd.read_csv(report)
    assert len(rows) == 8
    assert rows["miss"].iloc[0]  # misses first
    assert set(rows.loc[rows["miss"], "category"]) <= {
        "not_in_gazetteer",
        "wrong_namesake",
        "unresolved",
        "point_convention",
    }


def test_eval_command_bellingcat_and_bad_arguments(tmp_path: Path) -> None:
    done = run_geo("eval", "bellingcat", "--data", str(BENCH), "--report", str(tmp_path / "b.csv"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("bellingcat: n=5 acc@1km=")
    missing = run_geo("eval", "trnews", "--data", str(tmp_path))
    assert missing.returncode == 2 and "TR-News.xml: not found" in missing.stderr
    assert run_geo("eval", "nonsense").returncode == 2
    assert run_geo("eval", "lgl", "--limit", "0").returncode == 2


# -- geocoding a spreadsheet column -----------------------------------------------------------


def test_geocode_command_keeps_every_row_and_says_how_each_was_placed(tmp_path: Path) -> None:
    out = tmp_path / "located.gpkg"
    done = run_geo("geocode", str(DATA / "locations.csv"), "--column", "location", "-o", str(out))
    assert done.returncode == 0, done.stderr
    table = gpd.read_file(out)
    assert list(table["id"]) == ["1", "2", "3", "4", "5", "6"]  # every row, in order, as strings
    assert table["note"].iloc[0] == "comma inside the field"
    how = dict(zip(table["id"], table["resolved_as"], strict=True))
    assert how == {"1": "place", "2": "place", "3": "country", "4": "empty", "5": "unresolved", "6": "place"}
    placed = table.set_index("id")
    assert placed.loc["1", "geo_name"] == "Chuhuyiv" and placed.loc["6", "geo_name"] == "Kharkiv"
    assert placed.loc["3", "geo_precision"] == 3 and placed.loc["1", "geo_precision"] == 1
    assert placed.loc["5"].geometry is None or placed.loc["5"].geometry.is_empty
    x, y = placed.loc["2"].geometry.x, placed.loc["2"].geometry.y
    assert 34 < x < 35.5 and 50 < y < 51  # lon, lat of Okhtyrka
    geojson = tmp_path / "located.geojson"
    assert run_geo("geocode", str(DATA / "locations.csv"), "--column", "location", "-o", str(geojson)).returncode == 0
    text = geojson.read_text(encoding="utf-8")
    assert '"crs"' not in text and len(gpd.read_file(geojson)) == 6


def test_geocode_command_refuses_bad_tables_clearly(
    tmp_path: Path, bad_inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = run_geo("geocode", str(DATA / "locations.csv"), "--column", "place")
    assert missing.returncode == 2 and "no column 'place' (columns: id, location, note)" in missing.stderr
    for path in sorted(bad_inputs.iterdir()):
        status = main(["geocode", str(path), "--column", "location", "-o", str(tmp_path / "out.gpkg")])
        err = capsys.readouterr().err
        assert status in (0, 2), (path.name, err)
        if status == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: ") and path.name in lines[0], (path.name, lines)
    located = gpd.read_file(tmp_path / "out.gpkg") if (tmp_path / "out.gpkg").exists() else None
    assert located is not None  # csv_locations.csv went through
    assert "<img src=x onerror=alert(1)>" in set(located["location"])  # kept as text, not lost
