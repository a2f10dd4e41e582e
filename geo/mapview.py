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
import copy
import functools
import html
import json
import math
import re
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
    "density_cells",
    "density_layer",
    "escape_text",
    "events_layer",
    "features_blob",
    "install_static_assets",
    "labels_layer",
    "map_features",
    "place_labels",
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
BORDER_COLOR = "#b2182b"
HIGHLIGHT_COLOR = "#00bcd4"
# Clusters and density cells in shades of slate: no colour of an event type among them.
CLUSTER_COLORS = ("#90a4ae", "#607d8b", "#37474f")
DENSITY_COLORS = ("#eceff1", "#b0bec5", "#78909c", "#546e7a", "#37474f", "#263238")
LABEL_MIN_POPULATION = 5_000
DENSITY_RESOLUTION = 5  # H3 cells of about 250 km² (edge about 9 km)


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


class _Pane(MacroElement):
    """A Leaflet pane of its own at ``z_index`` (overlays are at 400), made once per map.

    ``map_name`` is the map's script name; by default the element's parent is the map.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, name) {
            if (!map.getPane(name)) { map.createPane(name).style.zIndex = {{ this.z }}; }
        })({{ this.map_name or this._parent.get_name() }}, {{ this.pane|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, pane: str, z_index: int, map_name: str | None = None) -> None:
        super().__init__()
        self._name = "Pane"
        self.pane, self.z, self.map_name = pane, int(z_index), map_name


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


@functools.lru_cache(maxsize=2)
def _sides_geojson(tolerance: float = 0.02) -> dict[str, Any]:
    border = get_border()
    features = []
    for side, polygon in border.sides.items():
        shape = shapely.simplify(shapely.intersection(polygon, _MAP_BOX), tolerance)
        features.append({"type": "Feature", "properties": {"side": side}, "geometry": shapely.geometry.mapping(shape)})
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=2)
def _border_geojson(tolerance: float = 0.002) -> dict[str, Any]:
    line = shapely.simplify(get_border().line, tolerance)
    return {
        "type": "Feature",
        "properties": {"name": "RU–UA land border"},
        "geometry": shapely.geometry.mapping(line),
    }


def base_map(
    *, center: tuple[float, float] = DEFAULT_CENTER, zoom: int = DEFAULT_ZOOM, labels: list[list[Any]] | None = None
) -> folium.Map:
    """The stable part of the map: plain background, country sides, the border, optional tiles.

    ``center`` is ``(lat, lon)``, as folium takes it; ``labels`` are :func:`place_labels` rows.
    """
    # No tile layer is active offline, so the map needs its own zoom limits (marker clusters need them).
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True, minZoom=3, maxZoom=18)
    m.add_child(_Pane("sidesPane", 300))  # under the density cells (350) and the overlays
    folium.GeoJson(
        copy.deepcopy(_sides_geojson()),  # folium may add ids to what it is given
        name="Country sides",
        pane="sidesPane",
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
        copy.deepcopy(_border_geojson()),
        name="RU–UA land border",
        style_function=lambda f: {"color": BORDER_COLOR, "weight": 2.5, "dashArray": "6 4"},
        interactive=False,
    ).add_to(m)
    if labels:
        labels_layer(labels).add_to(m)
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
    stacked: dict[tuple[float, float], int] = {}
    for row in events.itertuples(index=False):
        if not _present(row.lat) or not _present(row.lon):
            continue
        lon, lat = float(row.lon), float(row.lat)
        region_level = _region_level(row)
        if region_level:  # region-level events share their region's point: spread them around it
            n = stacked.get((lon, lat), 0)
            stacked[(lon, lat)] = n + 1
            lon, lat = _spread(lon, lat, n)
        evidence = _text(row.evidence)
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
            "g": 3 if region_level else 1,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},  # lon, lat
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _region_level(row: Any) -> bool:
    """Whether an event is placed only at its region (precision 3): its point is the region's."""
    return _present(row.geo_precision) and int(row.geo_precision) >= 3


def _spread(lon: float, lat: float, n: int) -> tuple[float, float]:
    """The ``n``-th of the events drawn at one region point: the first at it, the rest on rings."""
    if n == 0:
        return lon, lat
    ring, slot = divmod(n - 1, 8)
    angle = 2 * math.pi * (slot + 0.5 * (ring % 2)) / 8
    radius = 0.04 * (ring + 1)  # degrees: a few kilometres, visible from zoom 9
    return lon + radius * math.cos(angle) / max(math.cos(math.radians(lat)), 0.2), lat + radius * math.sin(angle)


def _text(value: Any) -> str:
    return str(value) if _present(value) else ""


def features_blob(collection: Any) -> str:
    """A FeatureCollection (or other JSON data) as base64 of its UTF-8 JSON.

    The only form its texts take in a page: its alphabet (``A-Z a-z 0-9 + / =``) has nothing Jinja, JavaScript, HTML or
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
        r"""{% macro script(this, kwargs) %}
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
                if (p.g === 3) {  // region-level: hollow, a dashed ring in the type's colour
                    layer.setStyle({fillColor: p.c, fillOpacity: 0.12, radius: p.r, color: p.c, weight: 2.5,
                                    dashArray: "3 3"});
                } else {
                    layer.setStyle({
                        fillColor: p.c, radius: p.r, color: p.rv ? "#000000" : "#444444", weight: p.rv ? 2.5 : 1
                    });
                }
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
                    var article = node("small", undefined, "article");
                    if (/^https?:\/\//i.test(p.o || "")) {  // a source with an address: a link, its title the text
                        var link = node("a", p.s || p.o);
                        link.href = p.o;
                        link.target = "_blank";
                        link.rel = "noopener noreferrer";
                        article.appendChild(link);
                    } else {
                        article.textContent = [p.s, p.o].filter(Boolean).join(" — ");
                    }
                    box.appendChild(article);
                    return box;
                });
                layer.on("popupopen", function (e) {  // the popup fits the map, on a phone too
                    var size = (layer._map || window.map).getSize();
                    e.popup.options.maxWidth = Math.max(180, Math.min(380, size.x - 70));
                    e.popup.options.maxHeight = Math.max(160, size.y - 140);
                    e.popup.options.autoPanPadding = L.point(12, 12);
                    e.popup.update();
                });
            }
        });
        (function (layer, blob) {
            var raw = atob(blob), bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
            layer.addData(JSON.parse(new TextDecoder("utf-8").decode(bytes)));
        })({{ this.get_name() }}, {{ this.blob|tojson }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        (function (layer, parent, selected) {  // the event selected in the table: ringed, in view
            if (!selected) { return; }
            layer.eachLayer(function (marker) {
                if (marker.feature.properties.id !== selected) { return; }
                marker.setStyle({color: "{{ this.highlight }}", weight: 5, dashArray: null});
                marker.feature.properties.selected = true;
                setTimeout(function () {  // once the layers are on the map
                    var map = window.map || parent._map;
                    if (!map) { return; }
                    var show = function () {
                        if (!map.getBounds().contains(marker.getLatLng())) { map.panTo(marker.getLatLng()); }
                        if (marker.bringToFront) { marker.bringToFront(); }
                    };
                    if (parent.zoomToShowLayer) { parent.zoomToShowLayer(marker, show); } else { show(); }
                }, 0);
            });
        })({{ this.get_name() }}, {{ this._parent.get_name() }}, {{ this.selected|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, blob: str, selected: str | None = None) -> None:
        super().__init__()
        self._name = "EventsGeoJson"
        self.blob = blob
        self.highlight = HIGHLIGHT_COLOR
        # an event id (16 hex digits) or nothing: never text of an article
        self.selected = selected if selected and re.fullmatch(r"[0-9a-f]{1,64}", selected) else None


_CLUSTER_ICON = """function (cluster) {
        var n = cluster.getChildCount(), colors = COLORS;
        var color = n < 10 ? colors[0] : (n < 100 ? colors[1] : colors[2]), size = n < 10 ? 30 : (n < 100 ? 36 : 42);
        var el = document.createElement("div");
        el.className = "event-cluster";
        el.style.cssText = "background:" + color + ";color:#fff;border:2px solid #fff;border-radius:50%;"
            + "width:" + size + "px;height:" + size + "px;line-height:" + (size - 4) + "px;text-align:center;"
            + "font:bold 12px sans-serif;box-shadow:0 0 3px rgba(0,0,0,.5)";
        var count = document.createElement("span");
        count.textContent = String(n);
        el.appendChild(count);
        return L.divIcon({html: el, className: "marker-cluster", iconSize: L.point(size, size)});
    }""".replace("COLORS", json.dumps(list(CLUSTER_COLORS)))


def events_layer(
    events: gpd.GeoDataFrame | None, *, cluster: bool = True, selected: str | None = None, blob: str | None = None
) -> folium.FeatureGroup:
    """The events as one feature group (for ``st_folium(feature_group_to_add=...)``).

    Clusters are drawn in shades of slate, never in an event type's colour; ``selected`` (an
    event id) is ringed and brought into view. ``blob``: the events' :func:`features_blob`,
    made before (the app keeps it per store version and filters) instead of ``events``.
    """
    if blob is None:
        if events is None:
            raise ValueError("events_layer needs the events or their blob")
        blob = features_blob(map_features(events))
    group = folium.FeatureGroup(name="Events")
    parent: Any = group
    if cluster:
        parent = folium.plugins.MarkerCluster(
            name="Event clusters",
            control=False,
            options={"disableClusteringAtZoom": 11, "maxClusterRadius": 35},
            icon_create_function=_CLUSTER_ICON,
        ).add_to(group)
    parent.add_child(_EventsGeoJson(blob, selected))
    return group


# -- density ----------------------------------------------------------------------------------


def density_cells(events: gpd.GeoDataFrame, resolution: int = DENSITY_RESOLUTION) -> dict[str, Any]:
    """The placed events counted per H3 cell, as a FeatureCollection of hexagons.

    Region-level events (precision 3) are left out: their point is the region's, not theirs.
    Each cell has ``n`` (events) and ``by_type`` (events per type).
    """
    import h3

    counts: dict[str, dict[str, int]] = {}
    for row in events.itertuples(index=False):
        if not _present(row.lat) or not _present(row.lon):
            continue
        if _region_level(row):
            continue
        cell = h3.latlng_to_cell(float(row.lat), float(row.lon), resolution)
        per_type = counts.setdefault(cell, {})
        kind = row.event_type if row.event_type in EVENT_COLORS else "Other"  # folium templates the data
        per_type[kind] = per_type.get(kind, 0) + 1
    features = []
    for cell, per_type in sorted(counts.items()):
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"cell": cell, "n": sum(per_type.values()), "by_type": per_type},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _density_color(n: int, top: int) -> str:
    if top <= 1:
        return DENSITY_COLORS[2]
    share = math.log(n) / math.log(top)  # counts span orders of magnitude
    return DENSITY_COLORS[min(int(share * (len(DENSITY_COLORS) - 1) + 0.5), len(DENSITY_COLORS) - 1)]


class _DensityOff(MacroElement):
    """Keeps the density layer off until the analyst turns it on.

    streamlit-folium adds every feature group to the map, so the layer takes itself off again
    unless it was turned on in the layer control (remembered for the tab in sessionStorage,
    so a filter change, which redraws the layer, keeps the choice).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, map) {
            var key = "geo-density-on";
            function wanted() { try { return sessionStorage.getItem(key) === "1"; } catch (e) { return false; } }
            function remember(on) { try { sessionStorage.setItem(key, on ? "1" : "0"); } catch (e) { /* none */ } }
            setTimeout(function () { if (!wanted() && map.hasLayer(group)) { map.removeLayer(group); } }, 0);
            map.on("overlayadd", function (e) { if (e.layer === group) { remember(true); } });
            map.on("overlayremove", function (e) { if (e.layer === group) { remember(false); } });
        })({{ this._parent.get_name() }}, {{ this.map_name }});
        {% endmacro %}"""
    )

    def __init__(self, map_name: str) -> None:
        super().__init__()
        self._name = "DensityOff"
        self.map_name = map_name


def density_layer(
    events: gpd.GeoDataFrame | None, *, parent: folium.Map | None = None, cells: dict[str, Any] | None = None
) -> folium.FeatureGroup:
    """Event density as H3 hexagons shaded by count: a layer of the layer control, off at first.

    The hexagons lie below the markers (their own pane), so markers stay clickable. ``parent``:
    the map the group will be drawn on (``st_folium`` adds it to its map itself). ``cells``:
    the events' :func:`density_cells`, made before, instead of ``events``.
    """
    if cells is None:
        if events is None:
            raise ValueError("density_layer needs the events or their cells")
        cells = density_cells(events)
    cells = {**cells, "features": [{**f, "properties": dict(f["properties"])} for f in cells["features"]]}
    top = max((f["properties"]["n"] for f in cells["features"]), default=1)
    for feature in cells["features"]:
        props = feature["properties"]
        props["fill"] = _density_color(props["n"], top)
        per_type = sorted(props.pop("by_type").items())
        props["label"] = escape_text(f"{props['n']} event(s): " + ", ".join(f"{k} {v}" for k, v in per_type))
    group = folium.FeatureGroup(name="Event density (hexagons)", show=False)
    if not cells["features"]:
        return group
    map_name = "window.map" if parent is None else parent.get_name()
    group.add_child(_Pane("densityPane", 350, map_name))  # below the markers, which stay clickable
    folium.GeoJson(
        cells,
        name="Event density",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.55,
            "color": "#455a64",
            "weight": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        control=False,
        pane="densityPane",
    ).add_to(group)
    group.add_child(_DensityOff(map_name))
    return group


# -- place labels -----------------------------------------------------------------------------


def place_labels(gazetteer: Any, *, min_population: int = LABEL_MIN_POPULATION) -> list[list[Any]]:
    """Labels for the base map, from the gazetteer: ``[lat, lon, name, min_zoom, kind]`` rows.

    Towns of Russia, Ukraine and Belarus inside the map's box with at least ``min_population``
    people, shown from a zoom that falls with their size (oblast centres from zoom 6); the
    names of first-level areas at the middle of their places, in capitals, at zooms 6 to 8.
    """
    west, south, east, north = _LABEL_BOX
    seats = {(a.country, round(a.lat, 2), round(a.lon, 2)) for a in gazetteer.admin_areas}
    rows: list[list[Any]] = []
    towns: list[tuple[bool, int, int, Any]] = []
    middle: dict[tuple[str, str], list[float]] = {}
    for place in gazetteer.iter_places(countries=_LABEL_COUNTRIES):
        if not (west <= place.lon <= east and south <= place.lat <= north):
            continue
        if place.admin1:
            sums = middle.setdefault((place.country, place.admin1), [0.0, 0.0, 0])
            sums[0] += place.lat
            sums[1] += place.lon
            sums[2] += 1
        if place.population < min_population or place.source != "geonames":
            continue
        seat = (place.country, round(place.lat, 2), round(place.lon, 2)) in seats
        towns.append((not seat, -place.population, _label_zoom(place.population, seat), place))
    taken: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for not_seat, _, zoom, place in sorted(towns, key=lambda t: t[:2]):  # seats, then the biggest first
        cell = (int(place.lat / _LABEL_GAP), int(place.lon / _LABEL_GAP))
        near = [p for i in (-1, 0, 1) for j in (-1, 0, 1) for p in taken.get((cell[0] + i, cell[1] + j), [])]
        if any(abs(lat - place.lat) < _LABEL_GAP and abs(lon - place.lon) < _LABEL_GAP * 1.6 for lat, lon in near):
            continue  # a district of a city, a suburb: the city's label stands for it
        taken.setdefault(cell, []).append((place.lat, place.lon))
        rows.append([round(place.lat, 4), round(place.lon, 4), place.name, zoom, "town" if not_seat else "seat"])
    for area in gazetteer.admin_areas:
        total = middle.get((area.country, area.code))
        if area.country in _LABEL_COUNTRIES and total and total[2] >= 20 and area.within is None:
            rows.append([round(total[0] / total[2], 4), round(total[1] / total[2], 4), area.name, 6, "area"])
    rows.sort(key=lambda r: (r[3], r[4] != "area", r[2]))
    return rows


_LABEL_BOX = (22.0, 44.0, 48.0, 57.0)  # west, south, east, north
_LABEL_GAP = 0.1  # degrees of latitude (about 11 km) between two town labels


def _label_zoom(population: int, seat: bool) -> int:
    """The zoom from which a town's label shows: oblast centres and cities first."""
    if population >= 1_000_000:
        return 5
    if seat or population >= 200_000:
        return 6
    if population >= 50_000:
        return 8
    return 9 if population >= 10_000 else 10


_LABEL_COUNTRIES = ("RU", "UA", "BY")


class _PlaceLabels(MacroElement):
    """Place names drawn by zoom level, inside the feature group "Place labels" of the base map.

    The names come from the gazetteer as one base64 JSON blob and are set as ``textContent``.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, blob) {
            var raw = atob(blob), bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
            var rows = JSON.parse(new TextDecoder("utf-8").decode(bytes)), map = null;
            var labels = rows.map(function (r) {
                var el = document.createElement("span");
                el.textContent = r[2];
                el.className = "place-label place-label-" + r[4];
                var icon = L.divIcon({html: el, className: "place-label-icon", iconSize: null});
                return {zoom: r[3], kind: r[4], marker: L.marker([r[0], r[1]], {
                    icon: icon, interactive: false, keyboard: false, pane: "placeLabels"
                })};
            });
            function update() {
                if (!map) { return; }
                var z = map.getZoom();
                labels.forEach(function (m) {
                    var wanted = z >= m.zoom && !(m.kind === "area" && z > 8);
                    if (wanted && !group.hasLayer(m.marker)) { group.addLayer(m.marker); }
                    if (!wanted && group.hasLayer(m.marker)) { group.removeLayer(m.marker); }
                });
            }
            function start() {
                map = group._map;
                if (!map.getPane("placeLabels")) {
                    var pane = map.createPane("placeLabels");
                    pane.style.zIndex = 450;
                    pane.style.pointerEvents = "none";
                }
                map.on("zoomend", update);
                update();
            }
            group.on("add", start);
            group.on("remove", function () { if (map) { map.off("zoomend", update); } });
            if (group._map) { start(); }
            var style = document.createElement("style");
            style.textContent = ".place-label-icon{background:none;border:none}"
                + ".place-label{position:relative;left:4px;top:-8px;white-space:nowrap;font:12px sans-serif;"
                + "color:#263238;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}"
                + ".place-label-seat{font-weight:bold;font-size:13px}"
                + ".place-label-area{left:-40px;font-size:11px;letter-spacing:.12em;text-transform:uppercase;"
                + "color:#78909c;font-style:italic}";
            document.head.appendChild(style);
        })({{ this._parent.get_name() }}, {{ this.blob|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.blob = features_blob(rows)


def labels_layer(rows: list[list[Any]]) -> folium.FeatureGroup:
    """The place labels (:func:`place_labels`) as a feature group of the layer control, on."""
    group = folium.FeatureGroup(name="Place labels", show=True)
    group.add_child(_PlaceLabels(rows))
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
