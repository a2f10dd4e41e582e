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
from geo.gazetteer import Gazetteer
from geo.mapview import (
    CLUSTER_COLORS,
    EVENT_COLORS,
    base_map,
    density_cells,
    density_layer,
    escape_text,
    events_layer,
    features_blob,
    install_static_assets,
    map_features,
    place_labels,
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


# -- labels, density, region-level events, selection ------------------------------------------


def test_place_labels_name_oblast_centres_and_towns_by_zoom(gazetteer: Gazetteer) -> None:
    rows = place_labels(gazetteer)
    by_name = {(r[2], r[4]): r for r in rows}
    for seat in ("Kharkiv", "Belgorod", "Sumy", "Kursk", "Bryansk", "Chernihiv"):
        lat, lon, _, zoom, _ = by_name[(seat, "seat")]
        assert zoom <= 6 and 44 < lat < 57 and 22 < lon < 48
    assert ("Shebekino", "town") in by_name and by_name[("Shebekino", "town")][3] >= 8  # a town: closer in
    areas = {name for name, kind in by_name if kind == "area"}
    assert {"Belgorod Oblast", "Kharkiv Oblast", "Sumy Oblast", "Kursk Oblast"} <= areas
    # the middle of the Kharkiv region is in it, not at its capital on the border side
    lat, lon = by_name[("Kharkiv Oblast", "area")][:2]
    assert 48.8 < lat < 50.3 and 35.0 < lon < 38.0
    # bigger towns show from farther out
    assert by_name[("Kharkiv", "seat")][3] < by_name[("Shebekino", "town")][3]


def test_labels_are_a_layer_of_the_base_map_as_data_not_markup(gazetteer: Gazetteer) -> None:
    rows = [[50.0, 36.2, "<img src=x onerror=alert(1)> {{ 7*7 }}", 6, "town"], *place_labels(gazetteer)[:5]]
    page = base_map(labels=rows).add_child(folium.LayerControl()).get_root().render()
    assert '"Place labels"' in page  # a layer of the layer control
    assert "onerror" not in page and "7*7" not in page
    blob = re.search(r'feature_group_\w+, "([A-Za-z0-9+/=]+)"\)', page)
    assert blob is not None
    assert json.loads(base64.b64decode(blob.group(1)).decode("utf-8"))[0][2] == rows[0][2]


def test_density_counts_events_per_hexagon_and_leaves_out_region_level_ones() -> None:
    events = synthetic_events(40)
    events.loc[:, ["lat", "lon"]] = [50.6, 36.6]  # all at one place
    events.loc[events.index[:10], "geo_precision"] = 3  # a region's point, not theirs
    cells = density_cells(events)
    (cell,) = cells["features"]
    assert cell["properties"]["n"] == 30
    assert sum(cell["properties"]["by_type"].values()) == 30
    ring = cell["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7  # a closed hexagon
    lons, lats = zip(*ring, strict=True)
    assert min(lons) < 36.6 < max(lons) and min(lats) < 50.6 < max(lats)  # lon, lat order, around the point


def test_density_layer_is_off_until_toggled_and_has_no_type_colours() -> None:
    events = synthetic_events(200)
    group = density_layer(events)
    assert group.show is False and group.layer_name == "Event density (hexagons)"
    page = base_map().add_child(group).get_root().render()
    assert "event(s):" in page
    for colour in EVENT_COLORS.values():
        assert colour not in page.split("Event density")[-1] or colour.lower() == "#7f7f7f"
    assert density_cells(events.iloc[:0])["features"] == []
    base_map().add_child(density_layer(events.iloc[:0])).get_root().render()  # no cells: no layer, no error


def test_region_level_events_are_spread_around_their_point_and_drawn_hollow() -> None:
    events = synthetic_events(5)
    events.loc[:, ["lat", "lon"]] = [50.6, 36.6]
    events.loc[:, "geo_precision"] = 3
    features = map_features(events)["features"]
    points = {tuple(f["geometry"]["coordinates"]) for f in features}
    assert len(points) == 5  # no two on top of each other
    assert all(abs(lon - 36.6) < 0.2 and abs(lat - 50.6) < 0.2 for lon, lat in points)
    assert all(f["properties"]["g"] == 3 for f in features)
    events.loc[:, "geo_precision"] = 1  # places: where they are
    assert {tuple(f["geometry"]["coordinates"]) for f in map_features(events)["features"]} == {(36.6, 50.6)}


def test_clusters_are_slate_and_the_selected_event_is_ringed() -> None:
    events = synthetic_events(3)
    chosen = str(events["event_id"].iloc[1])
    page = base_map().add_child(events_layer(events, selected=chosen)).get_root().render()
    assert all(c in page for c in CLUSTER_COLORS)
    assert f'"{chosen}"' in page
    # anything but an event id is not written into the script
    page = base_map().add_child(events_layer(events, selected='x"); alert(1); ("')).get_root().render()
    assert "alert(1)" not in page
