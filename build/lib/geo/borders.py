"""The Russia–Ukraine land border, the sides of it, and distances to it.

The border is the shared edge of the ``Europe/Kyiv`` and ``Europe/Moscow`` time-zone polygons
of ``timezonefinder-data`` (timezone-boundary-builder, from OpenStreetMap, ODbL): the de jure
border at OSM precision. The edge runs on into the Sea of Azov along the territorial-sea line;
that part is cut off where ``global-land-mask`` (GLOBE, 1 km) says the line leaves land.
Crimea (``Europe/Simferopol``) is its own side, ``UA-occupied-Crimea``. This is the legal
border, not the front line.

Built once (about a second) and cached in :data:`geo.settings.cache_dir`.

Examples
--------
>>> distance, side = border_fields(50.47893, 35.68087)  # Grayvoron
>>> round(distance, 1), side
(7.5, 'RU')
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.ops import linemerge

from . import settings
from .cachefiles import load_or_build

__all__ = [
    "ATTRIBUTION",
    "Border",
    "border_fields",
    "border_fields_many",
    "get_border",
]

logger = logging.getLogger(__name__)

ATTRIBUTION = (
    "RU–UA border: timezonefinder / timezone-boundary-builder, © OpenStreetMap contributors (ODbL);"
    " sea cut with the GLOBE land mask (global-land-mask)"
)
CRIMEA = "UA-occupied-Crimea"
_BORDER_VERSION = 2
_SIDE_ZONES = {"UA": "Europe/Kyiv", "RU": "Europe/Moscow", CRIMEA: "Europe/Simferopol"}
_RUSSIAN_ZONES = frozenset(
    "Europe/Moscow Europe/Kaliningrad Europe/Samara Europe/Volgograd Europe/Saratov Europe/Ulyanovsk "
    "Europe/Astrakhan Europe/Kirov Asia/Yekaterinburg Asia/Omsk Asia/Novosibirsk Asia/Barnaul "
    "Asia/Tomsk Asia/Novokuznetsk Asia/Krasnoyarsk Asia/Irkutsk Asia/Chita Asia/Yakutsk Asia/Khandyga "
    "Asia/Vladivostok Asia/Ust-Nera Asia/Magadan Asia/Sakhalin Asia/Srednekolymsk Asia/Kamchatka "
    "Asia/Anadyr".split()
)
_UKRAINIAN_ZONES = frozenset({"Europe/Kyiv", "Europe/Kiev", "Europe/Uzhgorod", "Europe/Zaporozhye"})
_GRID_BOX = (41.0, 24.0, 58.0, 48.0)  # south, west, north, east: about 800 km around the border
_GRID_STEP = 0.1
_NEAR_SIDES_DEG = 1.0  # water within ~100 km of a side (the Sea of Azov) takes the nearest side
# An azimuthal equidistant projection centred on the border: the nearest border point is found
# in it, then the distance to that point is measured on the ellipsoid.
_LOCAL_CRS = "+proj=aeqd +lat_0=49.5 +lon_0=35.5 +datum=WGS84 +units=m"


@dataclass(frozen=True)
class Border:
    """The land border (lon/lat line) and the three sides (lon/lat polygons)."""

    line: LineString
    sides: dict[str, MultiPolygon]
    sea_km_removed: float

    @functools.cached_property
    def _index(self) -> tuple[pyproj.Transformer, pyproj.Transformer, np.ndarray, shapely.STRtree]:
        """The border's segments in the local projection, in an R-tree."""
        fwd = pyproj.Transformer.from_crs("EPSG:4326", _LOCAL_CRS, always_xy=True)
        back = pyproj.Transformer.from_crs(_LOCAL_CRS, "EPSG:4326", always_xy=True)
        lon, lat = np.asarray(self.line.coords).T
        x, y = fwd.transform(lon, lat)
        xy = np.column_stack([x, y])
        segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
        for poly in self.sides.values():
            shapely.prepare(poly)
        return fwd, back, segments, shapely.STRtree(segments)

    @functools.cached_property
    def _coarse_sides(self) -> dict[str, MultiPolygon]:
        """Simplified sides (about 1 km), for the nearest side of a point on water."""
        return {side: shapely.simplify(poly, 0.01) for side, poly in self.sides.items()}

    def distance_km(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Geodesic distance in km from each point to the nearest point of the land border."""
        fwd, back, segments, tree = self._index
        lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
        x, y = fwd.transform(lon, lat)
        points = shapely.points(x, y)
        which = tree.query_nearest(points, return_distance=False, all_matches=False)
        nearest_segment = np.empty(len(points), dtype=object)
        nearest_segment[which[0]] = segments[which[1]]
        # the second point of the shortest line lies on the border
        ends = shapely.get_coordinates(shapely.shortest_line(points, nearest_segment)).reshape(-1, 2, 2)[:, 1, :]
        nlon, nlat = back.transform(ends[:, 0], ends[:, 1])
        _, _, metres = pyproj.Geod(ellps="WGS84").inv(lon, lat, nlon, nlat)
        return np.asarray(metres) / 1000.0

    @functools.cached_property
    def _distance_grid(self) -> np.ndarray:
        """Distances from the centres of a 0.1° grid over the border area (a fraction of a second)."""
        (south, west, north, east), step = _GRID_BOX, _GRID_STEP
        lat, lon = np.meshgrid(np.arange(south, north, step), np.arange(west, east, step), indexing="ij")
        return self.distance_km(lat.ravel(), lon.ravel()).reshape(lat.shape).astype(np.float32)

    def approx_distance_km(self, lat: float, lon: float) -> float | None:
        """Distance to the border to within about 6 km, from a grid; None beyond the border area.

        For ranking places by nearness to the border, where a lookup must cost next to nothing.
        """
        south, west, north, east = _GRID_BOX
        if not (south <= lat < north and west <= lon < east):
            return None
        grid = self._distance_grid
        i = min(int((lat - south) / _GRID_STEP + 0.5), grid.shape[0] - 1)
        j = min(int((lon - west) / _GRID_STEP + 0.5), grid.shape[1] - 1)
        return float(grid[i, j])

    def sides_of(self, lat: np.ndarray, lon: np.ndarray) -> list[str | None]:
        """``"RU"``, ``"UA"``, ``"UA-occupied-Crimea"`` or None (elsewhere) for each point."""
        _ = self._index  # prepares the polygons
        lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
        out: list[str | None] = [None] * len(lat)
        undecided = np.ones(len(lat), dtype=bool)
        for side, poly in self.sides.items():
            inside = shapely.contains_xy(poly, lon, lat) & undecided
            for i in np.flatnonzero(inside):
                out[i] = side
            undecided &= ~inside
        for i in np.flatnonzero(undecided):
            out[i] = self._side_outside(float(lat[i]), float(lon[i]))
        return out

    def _side_outside(self, lat: float, lon: float) -> str | None:
        zone = _timezone(lat, lon)
        if zone in _RUSSIAN_ZONES:
            return "RU"
        if zone in _UKRAINIAN_ZONES:
            return "UA"
        if zone is not None:
            return None  # another country
        point = shapely.Point(lon, lat)  # water: the Sea of Azov, the Black Sea
        gaps = {side: poly.distance(point) for side, poly in self._coarse_sides.items()}
        side, gap = min(gaps.items(), key=lambda kv: kv[1])
        return side if gap <= _NEAR_SIDES_DEG else None


@functools.lru_cache(maxsize=1)
def _finder():  # type: ignore[no-untyped-def]
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)  # no open files left to the interpreter's exit


def _timezone(lat: float, lon: float) -> str | None:
    zone = _finder().timezone_at(lng=lon, lat=lat)
    return None if zone is None or zone.startswith("Etc/") else zone


def _zone_polygons(name: str) -> MultiPolygon:
    parts = _finder().get_geometry(tz_name=name, coords_as_pairs=True)
    return MultiPolygon([Polygon(p[0], p[1:]) for p in parts])


def build_border() -> Border:
    """Build the land border and sides from the time-zone polygons (about a second)."""
    from global_land_mask import globe

    sides = {side: _zone_polygons(zone) for side, zone in _SIDE_ZONES.items()}
    shared = linemerge(sides["UA"].boundary.intersection(sides["RU"].boundary))
    if shared.geom_type != "LineString":
        shared = max(shared.geoms, key=lambda g: g.length)
    coords = np.asarray(shared.coords)
    on_land = globe.is_land(coords[:, 1], coords[:, 0])
    # Keep the longest run of land vertices: the edge leaves land once, at the Azov coast.
    runs = np.split(np.arange(len(coords)), np.flatnonzero(np.diff(on_land.astype(int))) + 1)
    land_run = max((r for r in runs if on_land[r[0]]), key=len)
    geod = pyproj.Geod(ellps="WGS84")
    total = geod.line_length(coords[:, 0], coords[:, 1])
    kept = coords[land_run]
    return Border(
        line=LineString(kept),
        sides=sides,
        sea_km_removed=(total - geod.line_length(kept[:, 0], kept[:, 1])) / 1000.0,
    )


def _fingerprint() -> str:
    versions = [
        f"{pkg}={metadata.version(pkg)}" for pkg in ("timezonefinder", "timezonefinder-data", "global-land-mask")
    ]
    return hashlib.sha256(f"v{_BORDER_VERSION}|{'|'.join(versions)}".encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def get_border() -> Border:
    """The border, from the cache or built and cached."""
    path = settings.cache_dir / f"border-{_fingerprint()}.pickle"

    def state() -> tuple[Any, ...]:
        border = build_border()
        return (
            shapely.to_wkb(border.line),
            {k: shapely.to_wkb(v) for k, v in border.sides.items()},
            border.sea_km_removed,
            border._distance_grid,
        )

    def load(cached: tuple[Any, ...]) -> Border:
        line, sides, sea, grid = cached
        border = Border(shapely.from_wkb(line), {k: shapely.from_wkb(v) for k, v in sides.items()}, sea)
        border.__dict__["_distance_grid"] = grid  # a cached property, stored with the border
        return border

    return load_or_build(path, state, load=load)


def border_fields(lat: float | None, lon: float | None) -> tuple[float | None, str | None]:
    """``(distance_to_border_km, border_side)`` of one point (None, None without a point)."""
    return border_fields_many([(lat, lon) if lat is not None and lon is not None else None])[0]


_known_points: dict[tuple[float, float], tuple[float, str | None]] = {}
_KNOWN_POINTS_MAX = 100_000


def border_fields_many(points: list[tuple[float, float] | None]) -> list[tuple[float | None, str | None]]:
    """:func:`border_fields` of many ``(lat, lon)`` points (or None) in one vectorised pass.

    Events recur at the same towns and region capitals, so answers are kept per point.
    """
    out: list[tuple[float | None, str | None]] = [(None, None)] * len(points)
    todo = []
    for i, p in enumerate(points):
        if p is not None:
            known = _known_points.get(p)
            if known is None:
                todo.append(i)
            else:
                out[i] = known
    if not todo:
        return out
    border = get_border()
    lat = np.array([points[i][0] for i in todo])  # type: ignore[index]
    lon = np.array([points[i][1] for i in todo])  # type: ignore[index]
    if len(_known_points) > _KNOWN_POINTS_MAX:
        _known_points.clear()
    for i, distance, side in zip(todo, border.distance_km(lat, lon), border.sides_of(lat, lon), strict=True):
        out[i] = _known_points[points[i]] = (round(float(distance), 2), side)  # type: ignore[index]
    return out
