r"""The folium map of events: offline assets, the border, escaped popups, and its benchmark.

Offline, Leaflet and its plugins come from pip (``XStatic-Leaflet``,
``XStatic-Leaflet-MarkerCluster``): :func:`install_static_assets` copies them into a folder
the app serves, and :func:`use_local_assets` points folium at them, so no request leaves the
machine. There are no tiles offline: the base map draws the country sides and the RU–UA border
on a plain background; OpenStreetMap and satellite tiles are offered as overlays (off until a
user with a network turns them on).

Events are one GeoJSON layer inside a marker cluster, and their texts (evidence, title,
source, place names) are data, never code or markup:

* No text reaches a template. branca compiles the *output* of every element's script macro
  as a new Jinja template (``MacroElement.render`` adds ``Element(script(self, kwargs))`` to the
  figure, and ``Element.__init__`` calls ``Template(...)`` on it), so folium's
  ``GeoJson`` (``{{ this.data|tojson }}``) turns article text into template source: ``{#``
  breaks the map, ``{{ lipsum.__globals__.os.getpid() }}`` runs on the server.
  streamlit-folium renders the feature group the same way and then rewrites the script with
  regular expressions (variable names, ``{{'name'}}``). :class:`_EventsGeoJson` therefore
  writes the features as base64 of their UTF-8 JSON: a string with no ``{ } % # _ < >``, which
  neither Jinja nor those rewrites can touch, decoded and parsed by the browser.
* No text is parsed as HTML. Popups and tooltips are built in the browser from DOM nodes
  whose ``textContent`` is the text, so ``<img src=x onerror=alert(1)>``, ``${alert(1)}``,
  backticks and backslashes show as typed.
"""

from __future__ import annotations

import base64
import html
import json
import math
import shutil
import time
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from .borders import get_border
from .store import json_list

__all__ = [
    "EVENT_COLORS",
    "base_map",
    "bench_map",
    "escape_text",
    "events_layer",
    "features_blob",
    "install_static_assets",
    "map_features",
    "use_local_assets",
]

EVENT_COLORS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Strategic developments": "#1f77b4",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
}
OTHER_COLOR = "#7f7f7f"
SIDE_COLORS = {"RU": "#f4e9e6", "UA": "#e6eef6", "UA-occupied-Crimea": "#efe7d6"}
DEFAULT_CENTER = (50.2, 36.2)  # (lat, lon): the Belgorod–Kharkiv border
DEFAULT_ZOOM = 7
PLACES_ATTRIBUTION = "Places: GeoNames (CC BY 4.0)"
MAP_ATTRIBUTION = "GeoNames (CC BY 4.0) · border: © OpenStreetMap contributors (ODbL)"
_MAP_BOX = shapely.box(20.0, 40.0, 50.0, 60.0)  # lon/lat: the part of the sides worth drawing
_VERIFIED: dict[Any, str] = {True: "yes", False: "no (unverified claims)"}
_EVIDENCE_IN_POPUP = 700  # characters; the table and the details panel show all of it


def escape_text(value: Any) -> str:
    """Text made inert for HTML and for JavaScript template literals."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


# -- offline assets ---------------------------------------------------------------------------


def _asset_sources() -> dict[str, Path]:
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    return {"leaflet": Path(leaflet.BASE_DIR), "markercluster": Path(markercluster.BASE_DIR)}


def install_static_assets(static_dir: Path) -> Path:
    """Copy Leaflet and Leaflet.markercluster from their pip packages into ``static_dir``."""
    for name, source in _asset_sources().items():
        target = static_dir / name
        for path in source.rglob("*"):
            if path.is_dir() or path.suffix == ".map":
                continue
            dest = target / path.relative_to(source)
            if not dest.exists() or dest.stat().st_size != path.stat().st_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
    return static_dir


def use_local_assets(prefix: str = "/app/static") -> None:
    """Point folium's Leaflet and marker-cluster links at ``prefix`` (no CDN)."""
    folium.Map.default_js = [("leaflet", f"{prefix}/leaflet/leaflet.js")]
    folium.Map.default_css = [("leaflet_css", f"{prefix}/leaflet/leaflet.css")]
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", f"{prefix}/markercluster/leaflet.markercluster.js")]
    folium.plugins.MarkerCluster.default_css = [
        ("markerclustercss", f"{prefix}/markercluster/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{prefix}/markercluster/MarkerCluster.Default.css"),
    ]
    _ClusterAssets.default_js = folium.plugins.MarkerCluster.default_js
    _ClusterAssets.default_css = folium.plugins.MarkerCluster.default_css


class _ClusterAssets(JSCSSMixin, MacroElement):
    """Declares the marker-cluster files on the base map: clusters arrive later, with the events."""

    default_js = folium.plugins.MarkerCluster.default_js
    default_css = folium.plugins.MarkerCluster.default_css
    _template = Template("")


class _Attribution(MacroElement):
    """The data credits, in Leaflet's attribution control."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = escape_text(text)


class _ViewInUrl(MacroElement):
    """Keeps ``lat``, ``lon`` and ``zoom`` of the page URL in step with the map, without reruns.

    The map runs in a same-origin frame; after each move it rewrites its parent's query string
    (``history.replaceState``). When the app rewrites the query string (filters changed), the
    view is written back within a second.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            function saveView() {
                try {
                    var page = window.parent, url = new URL(page.location.href), c = map.getCenter();
                    url.searchParams.set("lat", c.lat.toFixed(4));
                    url.searchParams.set("lon", c.lng.toFixed(4));
                    url.searchParams.set("zoom", String(map.getZoom()));
                    if (url.href !== page.location.href) {
                        page.history.replaceState(page.history.state, "", url.href);
                    }
                } catch (err) { /* not inside the app page */ }
            }
            map.on("moveend", saveView);
            setInterval(function () {
                try { if (!new URL(window.parent.location.href).searchParams.has("zoom")) { saveView(); } }
                catch (err) { /* not inside the app page */ }
            }, 1000);
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


# -- the base map -----------------------------------------------------------------------------


def _sides_geojson(tolerance: float = 0.02) -> dict[str, Any]:
    border = get_border()
    features = []
    for side, polygon in border.sides.items():
        shape = shapely.simplify(shapely.intersection(polygon, _MAP_BOX), tolerance)
        features.append({"type": "Feature", "properties": {"side": side}, "geometry": shapely.geometry.mapping(shape)})
    return {"type": "FeatureCollection", "features": features}


def _border_geojson(tolerance: float = 0.002) -> dict[str, Any]:
    line = shapely.simplify(get_border().line, tolerance)
    return {
        "type": "Feature",
        "properties": {"name": "RU–UA land border"},
        "geometry": shapely.geometry.mapping(line),
    }


def base_map(*, center: tuple[float, float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM) -> folium.Map:
    """The stable part of the map: plain background, country sides, the border, optional tiles.

    ``center`` is ``(lat, lon)``, as folium takes it.
    """
    # No tile layer is active offline, so the map needs its own zoom limits (marker clusters need them).
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True, minZoom=3, maxZoom=18)
    folium.GeoJson(
        _sides_geojson(),
        name="Country sides",
        style_function=lambda f: {
            "fillColor": SIDE_COLORS.get(f["properties"]["side"], "#eeeeee"),
            "fillOpacity": 1.0,
            "color": "#bbbbbb",
            "weight": 0.5,
        },
        interactive=False,
        control=False,
    ).add_to(m)
    folium.GeoJson(
        _border_geojson(),
        name="RU–UA land border",
        style_function=lambda f: {"color": "#b2182b", "weight": 2.5, "dashArray": "6 4"},
        interactive=False,
    ).add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=True, show=False).add_to(m)
    folium.TileLayer(
        tiles="https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        attr="Esri World Imagery",
        name="Satellite (online)",
        overlay=True,
        show=False,
    ).add_to(m)
    m.add_child(_ClusterAssets())
    m.add_child(_Attribution(MAP_ATTRIBUTION))
    m.add_child(_ViewInUrl())
    return m


# -- events -----------------------------------------------------------------------------------


def _radius(fatalities: Any) -> float:
    try:
        n = int(fatalities)
    except (TypeError, ValueError):
        return 7.0
    return 7.0 + 2.5 * math.sqrt(max(n, 0))


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value) != "<NA>"


def map_features(events: gpd.GeoDataFrame) -> dict[str, Any]:
    """The placed events as a FeatureCollection with compact properties for the map.

    The texts are plain, unescaped text: the page only ever sets them as ``textContent``.
    """
    features = []
    for row in events.itertuples(index=False):
        if not _present(row.lat) or not _present(row.lon):
            continue
        evidence = _text(row.evidence)
        if len(evidence) > _EVIDENCE_IN_POPUP:
            evidence = evidence[:_EVIDENCE_IN_POPUP].rsplit(" ", 1)[0] + " …"
        distance = f"{float(row.distance_to_border_km):.1f} km" if _present(row.distance_to_border_km) else "?"
        verified = _VERIFIED.get(row.verified if _present(row.verified) else None, "not stated")
        side = _text(row.border_side) or "?"
        location = _text(row.location) or "place unknown"
        props = {
            "id": row.event_id,
            "c": EVENT_COLORS.get(row.event_type, OTHER_COLOR),
            "r": _radius(row.fatalities),
            "t": f"{_text(row.event_type)} — {_text(row.sub_event_type)}",
            "d": _text(row.date) or "date unknown",
            "l": f"{location}, {_text(row.admin1)}" if _present(row.admin1) else location,
            "p": f"precision {_text(row.geo_precision)}; {distance} from the border ({side} side)",
            "a": ", ".join(str(a) for a in json_list(row.actors)) or "not named",
            "k": _text(row.claimed_by) or "not stated",
            "v": verified,
            "f": _text(row.fatalities) or "not reported",
            "e": evidence,
            "s": _text(row.article_title),
            "o": _text(row.source),
            "rv": bool(row.reviewed) if _present(row.reviewed) else False,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(row.lon), float(row.lat)]},  # lon, lat
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _text(value: Any) -> str:
    return str(value) if _present(value) else ""


def features_blob(collection: dict[str, Any]) -> str:
    """A FeatureCollection as base64 of its UTF-8 JSON: the only form its texts take in a page.

    Its alphabet (``A-Z a-z 0-9 + / =``) has nothing Jinja, JavaScript, HTML or
    streamlit-folium's rewrites of the script could read as syntax.
    """
    data = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.b64encode(data.encode("utf-8")).decode("ascii")


class _EventsGeoJson(MacroElement):
    """The events as a Leaflet GeoJSON layer whose data is a base64 blob, never template text.

    The script template is fixed: the only value in it that comes from the events is
    ``this.blob`` (:func:`features_blob`), which stays inert however often branca or
    streamlit-folium compile, render or rewrite the script.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {radius: 7, fill: true, fillOpacity: 0.85, weight: 1});
            },
            onEachFeature: function (feature, layer) {
                var p = feature.properties;
                function node(tag, text, cls) {
                    var el = document.createElement(tag);
                    if (cls) { el.className = cls; }
                    if (text !== undefined) { el.textContent = text; }
                    return el;
                }
                function line(box, label, text) {
                    box.appendChild(node("br"));
                    box.appendChild(document.createTextNode(label + text));
                }
                layer.setStyle({
                    fillColor: p.c, radius: p.r, color: p.rv ? "#000000" : "#444444", weight: p.rv ? 2.5 : 1
                });
                layer.bindTooltip(function () { return node("span", p.t + " · " + p.l + " · " + p.d); });
                layer.bindPopup(function () {
                    var box = node("div", undefined, "event-popup");
                    box.appendChild(node("b", p.t));
                    line(box, "", p.d + " · " + p.l);
                    box.appendChild(node("br"));
                    box.appendChild(node("small", p.p));
                    line(box, "Actors: ", p.a);
                    line(box, "Fatalities: ", p.f);
                    line(box, "Claimed by: ", p.k);
                    line(box, "Verified: ", p.v);
                    if (p.rv) { box.appendChild(node("br")); box.appendChild(node("i", "Reviewed by an analyst")); }
                    box.appendChild(node("blockquote", p.e, "evidence"));
                    box.appendChild(node("small", [p.s, p.o].filter(Boolean).join(" — "), "article"));
                    return box;
                }, {maxWidth: 380});
            }
        });
        (function (layer, blob) {
            var raw = atob(blob), bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
            layer.addData(JSON.parse(new TextDecoder("utf-8").decode(bytes)));
        })({{ this.get_name() }}, {{ this.blob|tojson }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, collection: dict[str, Any]) -> None:
        super().__init__()
        self._name = "EventsGeoJson"
        self.blob = features_blob(collection)


def events_layer(events: gpd.GeoDataFrame, *, cluster: bool = True) -> folium.FeatureGroup:
    """The events as one feature group (for ``st_folium(feature_group_to_add=...)``)."""
    group = folium.FeatureGroup(name="Events")
    parent: Any = group
    if cluster:
        parent = folium.plugins.MarkerCluster(
            name="Event clusters", control=False, options={"disableClusteringAtZoom": 11, "maxClusterRadius": 35}
        ).add_to(group)
    parent.add_child(_EventsGeoJson(map_features(events)))
    return group


# -- benchmark --------------------------------------------------------------------------------


def synthetic_events(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` random events near the border, for the map benchmark."""
    import numpy as np

    from .store import conform

    rng = np.random.default_rng(seed)
    lat = rng.uniform(46.5, 52.5, n)
    lon = rng.uniform(31.0, 40.0, n)
    types = list(EVENT_COLORS)
    frame = gpd.GeoDataFrame(
        {
            "event_id": [f"{i:016x}" for i in range(n)],
            "event_type": [types[i % len(types)] for i in range(n)],
            "sub_event_type": "Armed clash",
            "date": "2024-01-01",
            "location": [f"Place {i}" for i in range(n)],
            "admin1": "Belgorod Oblast",
            "geo_precision": 1,
            "lat": lat,
            "lon": lon,
            "distance_to_border_km": rng.uniform(0, 200, n),
            "border_side": "RU",
            "fatalities": rng.integers(0, 20, n),
            "actors": '["Military Forces of Russia"]',
            "evidence": "Shelling hit the village on Monday, the governor said, damaging several houses and a school.",
            "article_title": "Synthetic article",
            "verified": None,
            "reviewed": False,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    return conform(frame)


def bench_map(n: int) -> dict[str, float]:
    """Build time and HTML size of a map of ``n`` events, and time until drawn in Chromium."""
    events = synthetic_events(n)
    use_local_assets("assets")
    start = time.perf_counter()
    m = base_map()
    events_layer(events).add_to(m)
    page = m.get_root().render()
    built = time.perf_counter() - start
    figures = {"events": n, "build_s": built, "html_mb": len(page.encode()) / 1e6}
    drawn = _drawn_in_chromium(page)
    if drawn is not None:
        figures["drawn_s"] = drawn
    return figures


def _drawn_in_chromium(page: str) -> float | None:
    """Seconds from navigation until markers or clusters are on screen, or None without chromium."""
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        install_static_assets(folder / "assets")
        (folder / "map.html").write_text(page, encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            tab.goto((folder / "map.html").as_uri())
            tab.wait_for_selector(".marker-cluster, path.leaflet-interactive", timeout=60_000)
            drawn = time.perf_counter() - start
            browser.close()
    return drawn


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
