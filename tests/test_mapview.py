"""The folium map: local assets, the border from the border module, escaped event properties."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest
import shapely

from geo import events_to_gdf, extract
from geo.articles import Article, article_from_text
from geo.borders import get_border
from geo.mapview import (
    base_map,
    escape_text,
    events_layer,
    install_static_assets,
    map_features,
    synthetic_events,
    use_local_assets,
)

PAYLOAD = "Shelling hit Shebekino <img src=x onerror=alert(1)> on Monday, ${alert(1)} `x` C:\\temp, officials said."


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


def test_map_features_are_escaped_lon_lat_points(payload_article: Article) -> None:
    events = events_to_gdf(extract(payload_article))
    assert len(events) == 1
    collection = map_features(events)
    (feature,) = collection["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((events["lat"].iloc[0], events["lon"].iloc[0]))
    assert 36 < lon < 38 and 50 < lat < 51  # Shebekino, lon first
    props = feature["properties"]
    assert props["id"] == events["event_id"].iloc[0]
    for value in props.values():
        if isinstance(value, str):
            assert "<" not in value and "$" not in value and "`" not in value and "\\" not in value
    assert "&lt;img src=x onerror=alert(1)&gt;" in props["e"]
    assert props["s"] == "&lt;b&gt;title&lt;/b&gt;"


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
    assert "<img src=x" not in page  # only the escaped form reaches the page (& written as \u0026)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_install_static_assets_copies_leaflet(tmp_path: Path) -> None:
    static = install_static_assets(tmp_path / "static")
    assert (static / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (static / "leaflet" / "images" / "layers.png").exists()
    assert (static / "markercluster" / "leaflet.markercluster.js").exists()
    assert (static / "markercluster" / "MarkerCluster.Default.css").exists()
