"""Exports: RFC 7946 GeoJSON, ACLED CSV, GeoPackage, KML; formula injection; refused formats."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geo.articles import Article, read_articles
from geo.cli import main
from geo.export import (
    ACLED_COLUMNS,
    ATTRIBUTION,
    ExportFormatError,
    csv_text,
    to_acled_csv,
    to_geojson,
    to_kml,
    write_events,
    write_table,
)
from geo.gazetteer import Gazetteer
from geo.incidents import build_incidents
from geo.pipeline import extract
from geo.store import EventStore, events_to_gdf

DATA = Path(__file__).resolve().parent / "data"
KML = "{http://www.opengis.net/kml/2.2}"
# ACLED's columns, in ACLED's order, as its codebook lists them.
ACLED_ORDER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTab", "\rCR"]


@pytest.fixture(scope="module")
def table(seed_article: Article, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    return events_to_gdf(extract(seed_article, gazetteer=gazetteer))


@pytest.fixture(scope="module")
def reports(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    """Four reports (three outlets on Monday's shelling of Shebekino, one on Wednesday's)."""
    articles = [a for path in sorted((DATA / "incidents").glob("*.json")) for a in read_articles(path)]
    return events_to_gdf(e for a in articles for e in extract(a, gazetteer=gazetteer))


@pytest.fixture(scope="module")
def incidents(reports: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return build_incidents(reports)


@pytest.fixture(scope="module")
def belgorod(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    article = read_articles(DATA / "articles" / "belgorod_shelling.txt", published="2023-06-02")[0]
    return events_to_gdf(extract(article, gazetteer=gazetteer))


def _hostile(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = (
        events.iloc[: len(HOSTILE)].copy()
        if len(events) >= len(HOSTILE)
        else events.sample(len(HOSTILE), replace=True, random_state=0)
    )
    out = out.reset_index(drop=True)
    out["event_id"] = [f"{i:016x}" for i in range(len(out))]
    out["evidence"] = HOSTILE
    out["location"] = HOSTILE
    out["article_title"] = HOSTILE
    out["lat"] = -33.5  # a negative number is a number, not a formula
    return out


def test_geojson_follows_rfc_7946(table: gpd.GeoDataFrame) -> None:
    fc = to_geojson(table)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert fc["attribution"] == ATTRIBUTION
    for feature, (_, row) in zip(fc["features"], table.iterrows(), strict=True):
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"]["event_id"] == row["event_id"]
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) == (pytest.approx(row["lat"]), pytest.approx(row["lon"]))  # [lon, lat]
        props = feature["properties"]
        assert isinstance(props["actors"], list) and isinstance(props["places"], list)
        assert props["date"] is None or len(props["date"]) == 10
    json.dumps(fc, allow_nan=False)  # no NaN, no datetime objects


def test_geojson_of_incidents_keeps_their_reports(incidents: gpd.GeoDataFrame) -> None:
    fc = to_geojson(incidents)
    merged = next(f for f in fc["features"] if f["properties"]["reports"] == 3)
    assert len(merged["properties"]["report_ids"]) == 3 and len(merged["properties"]["sources"]) == 3
    assert merged["properties"]["fatalities_min"] == 2 and merged["properties"]["fatalities_max"] == 3
    assert merged["id"].startswith("inc-")
    json.dumps(fc, allow_nan=False)


def test_unplaced_events_have_null_geometry(table: gpd.GeoDataFrame) -> None:
    unplaced = table.iloc[:1].copy()
    unplaced["lat"], unplaced["lon"] = None, None
    unplaced = unplaced.set_geometry([None], crs="EPSG:4326")
    assert to_geojson(unplaced)["features"][0]["geometry"] is None


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg", "kml"])
def test_every_format_reads_back(tmp_path: Path, table: gpd.GeoDataFrame, fmt: str) -> None:
    out = write_events(table, tmp_path / f"events.{fmt}")
    if fmt == "csv":
        back = pd.read_csv(out)
        assert list(back.columns[: len(ACLED_COLUMNS)]) == ACLED_ORDER
        assert set(back["country"]) == {"Russia", "Ukraine"} and set(back["iso"]) == {643, 804}
        assert back["notes"].tolist() == table["evidence"].tolist()
        assert (back["attribution"] == ATTRIBUTION).all()
    else:
        back = gpd.read_file(out)
        assert len(back) == len(table)
        if fmt != "kml":
            assert sorted(back["event_id"]) == sorted(table["event_id"])
            assert back.crs.to_epsg() == 4326
    assert not list(tmp_path.glob(".*"))  # written atomically: no temporary file left


def test_acled_csv_columns_and_values(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    back = pd.read_csv(write_events(table, tmp_path / "acled.csv"))
    assert list(back.columns[:31]) == ACLED_ORDER == list(ACLED_COLUMNS)
    assert {"iso2", "fatalities_reported", "article_source", "date_precision", "attribution"} <= set(back.columns)
    raid = back[back["event_type"] == "Battles"].iloc[0]
    assert raid["disorder_type"] == "Political violence"
    # the Legion and the Corps fight on one side: the second group is the associated actor
    assert (raid["actor1"], raid["assoc_actor_1"], raid["inter1"]) == (
        "Liberty of Russia Legion",
        "Russian Volunteer Corps",
        2,
    )
    assert raid["interaction"] == 20 and pd.isna(raid["actor2"])
    assert (raid["region"], raid["country"], raid["iso"], raid["admin1"]) == (
        "Europe",
        "Russia",
        643,
        "Belgorod Oblast",
    )
    assert (raid["event_date"], raid["year"], raid["time_precision"], raid["fatalities"]) == ("2023-05-22", 2023, 1, 71)
    strategic = back[back["event_type"] == "Strategic developments"]
    assert set(strategic["disorder_type"]) == {"Strategic developments"}
    undated = back[back["event_date"].isna()].iloc[0]
    assert pd.isna(undated["year"]) and pd.isna(undated["time_precision"])
    # no figure reported: 0 fatalities and a tag saying so, as ACLED codes it; the figure as reported kept
    unreported = back[back["fatalities_reported"].isna()]
    assert (unreported["fatalities"] == 0).all() and unreported["tags"].str.contains("fatalities not reported").all()
    assert back["timestamp"].nunique() == 1 and back["timestamp"].iloc[0] > 1.7e9
    assert back["source_scale"].eq("Other").all()  # a local file: the outlet is unknown
    assert back["admin3"].isna().all()


def test_acled_codebook_rules_for_state_forces_civilians_and_raions(belgorod: gpd.GeoDataFrame) -> None:
    acled = to_acled_csv(belgorod, timestamp=1_700_000_000)
    tavolzhanka = acled[acled["location"] == "Novaya Tavolzhanka"].iloc[0]
    assert tavolzhanka["admin2"] == "Shebekino"  # "in the Shebekino district"
    vovchansk = acled[acled["location"] == "Vovchansk"].iloc[0]
    # Russian forces shelling a town in Ukraine act outside their country: external forces (8)
    assert (vovchansk["actor1"], vovchansk["inter1"], vovchansk["interaction"]) == ("Military Forces of Russia", 8, 80)
    attack = belgorod[belgorod["location"] == "Vovchansk"].copy()
    attack["event_type"], attack["sub_event_type"] = "Violence against civilians", "Attack"
    coded = to_acled_csv(attack, timestamp=1_700_000_000).iloc[0]
    assert (coded["actor2"], coded["inter2"], coded["interaction"]) == ("Civilians (Ukraine)", 7, 78)
    assert coded["civilian_targeting"] == "Civilian targeting"
    assert coded["timestamp"] == 1_700_000_000
    assert acled["civilian_targeting"].isna().all()  # shelling whose victims we do not know


def test_acled_csv_of_incidents_names_outlets_and_disagreements(incidents: gpd.GeoDataFrame) -> None:
    acled = to_acled_csv(incidents)
    monday = acled[acled["event_date"] == "2023-06-05"].iloc[0]
    assert set(monday["source"].split("; ")) == {"BBC News", "TASS", "Telegram"}
    assert monday["source_scale"] == "New media-National-International"
    assert monday["fatalities"] == 2 and "sources disagree on fatalities" in monday["tags"]
    assert "claims not independently verified" in monday["tags"]
    assert (monday["actor1"], monday["inter1"]) == ("Military Forces of Ukraine", 8)
    wednesday = acled[acled["event_date"] == "2023-06-07"].iloc[0]
    assert (wednesday["source"], wednesday["source_scale"]) == ("Meduza", "National")


def _read_csv(text: str) -> dict[str, list[str]]:
    """Cells as a spreadsheet gets them (the csv module: a CR inside a quoted cell is kept)."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return {name: [r[name] for r in rows] for name in rows[0]}


def test_csv_formula_injection_is_neutralised_in_export(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    out = write_events(_hostile(table), tmp_path / "x.csv")
    back = _read_csv(out.read_bytes().decode("utf-8"))
    for column in ("notes", "location", "article_title"):
        assert back[column] == ["'" + h for h in HOSTILE], column
    assert back["latitude"] == ["-33.5"] * len(HOSTILE)  # numbers untouched


def test_csv_formula_injection_is_neutralised_in_the_app_download(table: gpd.GeoDataFrame) -> None:
    back = _read_csv(csv_text(to_acled_csv(_hostile(table))))  # what the app's download button sends
    assert back["notes"] == ["'" + h for h in HOSTILE]
    assert not [cell for cells in back.values() for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]


def test_csv_formula_injection_is_neutralised_in_geocode_output(tmp_path: Path) -> None:
    source = tmp_path / "places.csv"
    pd.DataFrame({"place": ["=Kharkiv", "Akhtyrka"], "note": ["@SUM(A1)", "-2+3"]}).to_csv(source, index=False)
    out = tmp_path / "placed.csv"
    assert main(["geocode", str(source), "--column", "place", "-o", str(out)]) == 0
    back = pd.read_csv(out, keep_default_na=False)
    assert back["place"].tolist() == ["'=Kharkiv", "Akhtyrka"]
    assert back["note"].tolist() == ["'@SUM(A1)", "'-2+3"]
    assert back["geo_lat"].dtype.kind == "f"  # coordinates stay numbers
    table = gpd.GeoDataFrame({"name": ["+1"], "value": [-1.0]}, geometry=gpd.points_from_xy([36.0], [50.0]), crs=4326)
    back = pd.read_csv(write_table(table, tmp_path / "t.csv"))
    assert (back["name"].iloc[0], back["value"].iloc[0]) == ("'+1", -1.0)


def test_kml_reads_back_with_names_times_and_styles(tmp_path: Path, incidents: gpd.GeoDataFrame) -> None:
    hostile = incidents.copy()
    hostile.loc[0, "evidence"] = hostile.loc[0, "evidence"] + " <script>alert(1)</script> ]]> &"
    out = write_events(hostile, tmp_path / "shebekino-june.kml")
    root = ET.parse(out).getroot()
    document = root.find(f"{KML}Document")
    assert document is not None and document.findtext(f"{KML}name") == "shebekino-june"
    styles = {s.get("id"): s.findtext(f"{KML}IconStyle/{KML}color") for s in document.iter(f"{KML}Style")}
    placemarks = list(document.iter(f"{KML}Placemark"))
    assert len(placemarks) == len(incidents) == 2
    for pm, (_, row) in zip(placemarks, hostile.iterrows(), strict=True):
        assert pm.findtext(f"{KML}name") == f"Shebekino — {row['event_type']}"
        assert pm.findtext(f"{KML}TimeStamp/{KML}when") == row["date"]
        style = pm.findtext(f"{KML}styleUrl")
        assert style == "#type-explosions-remote-violence" and styles[style[1:]] == "ff0e7fff"
        description = pm.findtext(f"{KML}description") or ""
        for source in json.loads(row["sources"]):
            assert source in description
        lon, lat = map(float, (pm.findtext(f"{KML}Point/{KML}coordinates") or "").split(","))
        assert (lat, lon) == (pytest.approx(row["lat"]), pytest.approx(row["lon"]))
    first = placemarks[0].findtext(f"{KML}description") or ""
    assert "Reports disagree on fatalities" in first and "&lt;script&gt;" in first and "<script>" not in first
    # GDAL reads it too, and names the layer after the export
    assert pyogrio.list_layers(out)[0][0] == "shebekino-june"
    back = gpd.read_file(out)
    assert sorted(back["Name"]) == sorted(f"Shebekino — {t}" for t in incidents["event_type"])


def test_kml_leaves_out_unplaced_events(table: gpd.GeoDataFrame) -> None:
    unplaced = table.copy()
    unplaced.loc[0, ["lat", "lon"]] = None
    unplaced = unplaced.set_geometry([None, *unplaced.geometry.iloc[1:]], crs="EPSG:4326")
    assert to_kml(unplaced, name="x").count("<Placemark") == len(table) - 1


def test_geopackage_is_written_as_version_1_3(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    out = write_events(table, tmp_path / "events.gpkg")
    with sqlite3.connect(out) as db:
        (application_id,) = db.execute("PRAGMA application_id").fetchone()
        (user_version,) = db.execute("PRAGMA user_version").fetchone()
    assert application_id.to_bytes(4, "big") == b"GPKG" and user_version == 10300  # GDAL 3.6 knows 1.3


def test_an_empty_table_exports(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    empty = table.iloc[:0]
    assert list(to_acled_csv(empty).columns[:31]) == ACLED_ORDER
    for fmt in ("geojson", "csv", "gpkg", "kml"):
        assert write_events(empty, tmp_path / f"empty.{fmt}").exists()
    assert build_incidents(empty).empty


def test_unknown_format_is_refused(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    with pytest.raises(ExportFormatError, match=r"cannot write format 'xlsx'; the formats are geojson, csv, gpkg, kml"):
        write_events(table, tmp_path / "events.xlsx")
    assert not list(tmp_path.iterdir())


def test_cli_export_of_a_format_we_do_not_write_exits_2(
    tmp_path: Path, table: gpd.GeoDataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "-o", str(tmp_path / "x.shp"), "--store", str(tmp_path / "none.gpkg")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path / 'x.shp'}: cannot write format 'shp'; the formats are geojson, csv, gpkg, kml"]
    assert not (tmp_path / "x.shp").exists()


def test_cli_export_writes_incidents_by_default_and_reports_with_raw(
    tmp_path: Path, gazetteer: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    store = EventStore(tmp_path / "events.gpkg")
    pairs = [
        (a, extract(a, gazetteer=gazetteer))
        for p in sorted((DATA / "incidents").glob("*.json"))
        for a in read_articles(p)
    ]
    store.ingest(pairs)
    assert main(["export", "-o", str(tmp_path / "i.geojson"), "--store", str(store.path)]) == 0
    assert len(json.loads((tmp_path / "i.geojson").read_text())["features"]) == 2
    assert main(["export", "--raw", "-o", str(tmp_path / "r.geojson"), "--store", str(store.path)]) == 0
    assert len(json.loads((tmp_path / "r.geojson").read_text())["features"]) == 4
    assert "2 incidents (4 reports)" in capsys.readouterr().err
