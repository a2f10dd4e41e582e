"""The folium map: local assets, the border from the border module, event texts as inert data."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pytest
import shapely
import streamlit_folium
from conftest import DATA

from geo import events_to_gdf, extract
from geo.articles import Article, article_from_text
from geo.borders import get_border
from geo.mapview import (
    base_map,
    escape_text,
    events_layer,
    features_blob,
    install_static_assets,
    map_features,
    synthetic_events,
    use_local_assets,
)

PAYLOAD = "Shelling hit Shebekino <img src=x onerror=alert(1)> on Monday, ${alert(1)} `x` C:\\temp, officials said."
HOSTILE: dict[str, str] = json.loads((DATA / "hostile_text.json").read_text(encoding="utf-8"))
EVERY_PAYLOAD = " ".join(HOSTILE.values())
GETPID = "{{ lipsum.__globals__.os.getpid() }}"
BLOB = re.compile(r'\((events_geo_json_\w+), "([A-Za-z0-9+/=]*)"\)')


@pytest.fixture(autouse=True)
def local_assets() -> None:
    use_local_assets("/app/static")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("${alert(1)}", "&#36;{alert(1)}"),
        ("`cmd`", "&#96;cmd&#96;"),
        ("C:\\temp", "C:&#92;temp"),
        ("\"quoted\" & 'single'", "&quot;quoted&quot; &amp; &#x27;single&#x27;"),
        (None, ""),
    ],
)
def test_escape_text(text: str | None, expected: str) -> None:
    assert escape_text(text) == expected


@pytest.fixture(scope="module")
def payload_article() -> Article:
    return article_from_text(PAYLOAD, title="<b>title</b>", published="2023-06-01", source="pasted")


def test_map_features_are_plain_text_lon_lat_points(payload_article: Article) -> None:
    events = events_to_gdf(extract(payload_article))
    assert len(events) == 1
    collection = map_features(events)
    (feature,) = collection["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((events["lat"].iloc[0], events["lon"].iloc[0]))
    assert 36 < lon < 38 and 50 < lat < 51  # Shebekino, lon first
    props = feature["properties"]
    assert props["id"] == events["event_id"].iloc[0]
    # the texts are as read: the page sets them as textContent, so nothing is escaped twice
    assert props["e"] == events["evidence"].iloc[0] and "<img src=x onerror=alert(1)>" in props["e"]
    assert props["s"] == "<b>title</b>" and props["o"] == "pasted"
    assert props["l"].startswith("Shebekino, ")


def hostile_events(payload: str) -> gpd.GeoDataFrame:
    """One real event whose evidence, title, source and place name all carry ``payload``."""
    text = f"Shelling hit Shebekino on Monday {payload}, killing two people, officials said."
    article = article_from_text(text, title=f"Title {payload}", published="2023-06-01", source=f"Source {payload}")
    events = events_to_gdf(extract(article))
    assert len(events) == 1 and payload in events["evidence"].iloc[0]
    events.loc[:, "location"] = f"Шебекино {payload}"  # a place name as a correction or a supplement gives it
    events.loc[:, "admin1"] = None
    return events


def features_in(script: str) -> list[dict[str, Any]]:
    """The features the page's scripts carry (each events layer holds one blob)."""
    found = BLOB.findall(script)
    assert found, "no events layer in the script"
    return [f for _, blob in found for f in json.loads(base64.b64decode(blob).decode("utf-8"))["features"]]


def assert_literal(script: str, payload: str) -> None:
    assert f"Title {os.getpid()}" not in script, "the Jinja expression in the title was evaluated"
    (feature,) = features_in(script)
    props = feature["properties"]
    assert payload in props["e"]
    assert props["s"] == f"Title {payload}" and props["o"] == f"Source {payload}"
    assert props["l"] == f"Шебекино {payload}"
    # no article text is in the page as such: nothing of it was ever template, script or markup
    for word in ("lipsum", "getpid", "onerror", "alert", "Shelling", "Title ", "198.51.100.7"):
        assert word not in script


@pytest.mark.parametrize("payload", [EVERY_PAYLOAD, GETPID, *HOSTILE.values()], ids=["all", "getpid", *HOSTILE])
def test_hostile_text_arrives_literally_through_folium_render(payload: str) -> None:
    m = base_map()
    events_layer(hostile_events(payload)).add_to(m)
    page = m.get_root().render()  # branca compiles every element's script output as a template
    assert_literal(page, payload)


@pytest.mark.parametrize("payload", [EVERY_PAYLOAD, GETPID], ids=["all", "getpid"])
def test_hostile_text_arrives_literally_through_st_folium(payload: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: dict[str, Any] = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(
        base_map(),
        key="map",
        feature_group_to_add=events_layer(hostile_events(payload)),
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=["last_active_drawing"],
    )
    assert_literal(sent["feature_group"], payload)
    for part in ("script", "header", "html", "layer_control"):
        assert "lipsum" not in sent[part] and "onerror" not in sent[part]


def test_the_blob_has_nothing_a_template_or_a_script_could_read() -> None:
    collection = map_features(hostile_events(EVERY_PAYLOAD))
    blob = features_blob(collection)
    assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", blob)
    assert json.loads(base64.b64decode(blob).decode("utf-8")) == collection


def test_events_without_a_point_are_left_off_the_map(payload_article: Article) -> None:
    events = events_to_gdf(extract(payload_article))
    events.loc[:, ["lat", "lon"]] = None
    assert map_features(events)["features"] == []


def test_bigger_markers_for_more_fatalities() -> None:
    events = synthetic_events(50)
    features = map_features(events)["features"]
    by_deaths = sorted(zip(events["fatalities"], (f["properties"]["r"] for f in features), strict=True))
    radii = [r for _, r in by_deaths]
    assert radii == sorted(radii) and radii[0] < radii[-1]


def test_base_map_uses_local_leaflet_and_draws_the_border() -> None:
    page = base_map().get_root().render()
    assert "/app/static/leaflet/leaflet.js" in page
    assert "/app/static/markercluster/leaflet.markercluster.js" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page and "cdnjs" not in page
    assert "RU–UA land border" in page or "RU\\u2013UA land border" in page
    # one of the border's own vertices (simplified, rounded as folium writes it) is in the page
    x, y = shapely.get_coordinates(get_border().line)[0]
    assert f"{x:.3f}"[:-1] in page and f"{y:.3f}"[:-1] in page
    assert "OpenStreetMap contributors" in page  # the border's attribution


def test_events_layer_is_a_cluster_of_one_geojson_layer(payload_article: Article) -> None:
    m = base_map()
    group = events_layer(events_to_gdf(extract(payload_article)))
    assert isinstance(group, folium.FeatureGroup)
    group.add_to(m)
    page = m.get_root().render()
    assert "L.markerClusterGroup" in page
    assert "onerror" not in page  # the texts travel as one base64 blob, decoded by the browser
    (feature,) = features_in(page)
    assert "<img src=x onerror=alert(1)>" in feature["properties"]["e"]


def test_install_static_assets_copies_leaflet(tmp_path: Path) -> None:
    static = install_static_assets(tmp_path / "static")
    assert (static / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (static / "leaflet" / "images" / "layers.png").exists()
    assert (static / "markercluster" / "leaflet.markercluster.js").exists()
    assert (static / "markercluster" / "MarkerCluster.Default.css").exists()
