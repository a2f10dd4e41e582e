"""Supplements to the gazetteer: places GeoNames cities500 lacks.

Two formats are read:

* a **supplement CSV** with the columns :data:`SUPPLEMENT_COLUMNS` (``alternate_names``
  separated by ``|``; ``source`` required: where the coordinates come from);
* a **GeoNames dump** (a country file such as ``RU.txt`` from download.geonames.org, or a zip of
  it): every populated place (feature class P) in it, with its alternate names.

The project ships ``data/supplement_border.csv``; users add files with
``python -m geo gazetteer add FILE|DIR`` (:func:`geo.gazetteer.add_supplement`), which checks a
file fully, by building the index with it, before keeping a copy in
:data:`geo.settings.user_gazetteer_dir`. Either way the resolver uses them like GeoNames entries.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import GazetteerError

__all__ = [
    "SUPPLEMENT_COLUMNS",
    "SUPPLEMENT_SUFFIXES",
    "read_any_supplement",
    "read_geonames_dump",
    "read_supplement",
]

SUPPLEMENT_COLUMNS = ("name", "alternate_names", "lat", "lon", "country", "admin1", "kind", "source")
SUPPLEMENT_SUFFIXES = (".csv", ".txt", ".zip", ".tsv")
# A place name never holds control characters (NUL among them), HTML or Markdown markup, or a URL;
# a supplement row whose name does is refused, whatever page later shows the name.
_MARKUP = re.compile(r"[\x00-\x1f\x7f<>\[\]{}`*\\]|://")


def _markup_in(name: str) -> str | None:
    found = _MARKUP.search(name)
    return None if found is None else repr(found.group())


def read_supplement(path: Path) -> list[dict[str, Any]]:
    """Read a supplement CSV (columns :data:`SUPPLEMENT_COLUMNS`); raise on a malformed row.

    ``alternate_names`` is ``|``-separated; ``kind`` is free text (village, town, ...);
    ``source`` says where the coordinates come from (a citation or URL) and is required.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in SUPPLEMENT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise GazetteerError(f"{path.name}: missing column(s) {', '.join(missing)}")
            rows = [_supplement_row(path.name, n, row) for n, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as err:
        raise GazetteerError(f"{path.name}: not UTF-8 text ({err.reason})") from err
    except csv.Error as err:
        raise GazetteerError(f"{path.name}: not a readable CSV file ({err})") from err
    if not rows:
        raise GazetteerError(f"{path.name}: no rows")
    return rows


def _supplement_row(file: str, line_no: int, row: dict[str, Any]) -> dict[str, Any]:
    where = f"{file}, line {line_no}"
    name = (row.get("name") or "").strip()
    if not name:
        raise GazetteerError(f"{where}: empty name")
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (TypeError, ValueError) as err:
        raise GazetteerError(f"{where}: lat/lon {row.get('lat')!r}, {row.get('lon')!r} are not numbers") from err
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GazetteerError(f"{where}: lat/lon {lat}, {lon} out of range")
    country = (row.get("country") or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise GazetteerError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code")
    source = (row.get("source") or "").strip()
    if not source:
        raise GazetteerError(f"{where}: no source given for {name!r}")
    alternates = [a.strip() for a in (row.get("alternate_names") or "").split("|") if a.strip()]
    for label in (name, *alternates):
        bad = _markup_in(label)
        if bad:
            raise GazetteerError(f"{where}: the name {label!r} holds {bad}; place names are plain text")
    return {
        "name": name,
        "alternates": alternates,
        "lat": lat,
        "lon": lon,
        "country": country,
        "admin1": (row.get("admin1") or "").strip(),
        "kind": (row.get("kind") or "").strip(),
        "source": source,
    }


_GEONAMES_DUMP_COLUMNS = 19


def read_geonames_dump(path: Path) -> Iterator[dict[str, Any]]:
    """Populated places (feature class P) of a GeoNames dump file (``RU.txt`` or a zip of it)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt") and not n.lower().startswith("readme")]
            if not members:
                raise GazetteerError(f"{path.name}: the zip holds no GeoNames .txt file")
            for member in members:
                with zf.open(member) as raw:
                    yield from _dump_rows(path.name, io.TextIOWrapper(raw, encoding="utf-8"))
        return
    with path.open(encoding="utf-8") as fh:
        yield from _dump_rows(path.name, fh)


def _dump_rows(file: str, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    try:
        for line_no, line in enumerate(lines, start=1):
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) != _GEONAMES_DUMP_COLUMNS:
                raise GazetteerError(
                    f"{file}, line {line_no}: {len(cols)} tab-separated columns;"
                    f" a GeoNames dump has {_GEONAMES_DUMP_COLUMNS}"
                )
            if cols[6] != "P" or _markup_in(cols[1]):
                continue
            try:
                yield {
                    "geonameid": int(cols[0]),
                    "name": cols[1],
                    "alternates": [a for a in cols[3].split(",") if a and not _markup_in(a)],
                    "lat": float(cols[4]),
                    "lon": float(cols[5]),
                    "country": cols[8],
                    "admin1": cols[10],
                    "population": int(cols[14] or 0),
                }
            except ValueError as err:
                raise GazetteerError(f"{file}, line {line_no}: {err}") from err
    except UnicodeDecodeError as err:
        raise GazetteerError(f"{file}: not UTF-8 text ({err.reason})") from err


def read_any_supplement(path: Path) -> list[dict[str, Any]]:
    """Rows of a supplement CSV or a GeoNames dump, as keyword arguments of ``add_place``."""
    if path.suffix.lower() == ".csv":
        return [
            {
                "name": row["name"],
                "alternates": row["alternates"],
                "lat": row["lat"],
                "lon": row["lon"],
                "country": row["country"],
                "admin1": row["admin1"],
                "population": 0,
                "geonameid": -1,
                "source": row["source"],
            }
            for row in read_supplement(path)
        ]
    if path.suffix.lower() == ".tsv":  # a GeoNames postal-code dump (export/zip): its villages
        from .postal import postal_supplement_rows

        rows = postal_supplement_rows(path)
        if not rows:
            raise GazetteerError(f"{path.name}: no villages of Ukraine or Russia's border regions in the postal dump")
        return rows
    if path.suffix.lower() in {".txt", ".zip"}:
        rows = [{**row, "source": f"geonames:{path.stem}"} for row in read_geonames_dump(path)]
        if not rows:
            raise GazetteerError(f"{path.name}: no populated places (feature class P) in the dump")
        return rows
    raise GazetteerError(f"{path.name}: unknown supplement format (a .csv supplement, or a GeoNames .txt/.zip dump)")
