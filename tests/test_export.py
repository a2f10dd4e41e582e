"""Exports: RFC 7946 GeoJSON, ACLED-named CSV, GeoPackage, KML."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.articles import Article
from geo.export import ACLED_COLUMNS, ATTRIBUTION, to_geojson, write_events
from geo.gazetteer import Gazetteer
from geo.pipeline import extract
from geo.store import events_to_gdf


@pytest.fixture(scope="module")
def table(seed_article: Article, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    return events_to_gdf(extract(seed_article, gazetteer=gazetteer))


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
        assert list(back.columns[: len(ACLED_COLUMNS)]) == list(ACLED_COLUMNS)
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


def test_unknown_format_is_refused(tmp_path: Path, table: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="unknown output format 'xlsx'"):
        write_events(table, tmp_path / "events.xlsx")
