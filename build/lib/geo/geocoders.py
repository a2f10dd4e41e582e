"""Geocoders with geopy's interface: the offline one, and an optional online chain.

:class:`OfflineGeocoder` is a ``geopy.geocoders.base.Geocoder``: ``geocode(query)`` returns a
``geopy.Location`` or None, so the rest of the code (and users) can swap in any geopy geocoder.
It reads a location string the way an analyst writes one — "Chuhuiv, south of Kharkiv",
"Akhtyrka, Sumy Oblast", "Donetsk" — and resolves it with the same resolver as articles.

:class:`OnlineGeocoder` is for users with a network (off by default, ``GEO_ONLINE=1`` or
``--online``): Nominatim through geopy's ``RateLimiter`` at one request a second, errors not
swallowed, with an on-disk cache so no query is sent twice. The pipeline asks it only for
places the offline index cannot resolve, and when it fails (no network, a timeout, HTTP 429,
a garbled answer) the pipeline goes on offline.

Examples
--------
>>> location = OfflineGeocoder().geocode("Akhtyrka, Sumy Oblast")
>>> location.address, location.point[:2]
('Okhtyrka, Sumy Oblast, UA', (50.30852, 34.89468))
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from geopy.adapters import URLLibAdapter
from geopy.exc import (
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from . import settings
from .articles import Article, article_id
from .gazetteer import Gazetteer, Place, get_gazetteer
from .resolve import ResolvedPlace, great_circle_km, resolve_mentions
from .toponyms import Mention, find_mentions, mention_at

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "GEOCODED_COLUMNS",
    "OfflineGeocoder",
    "OnlineGeocoder",
    "OnlineGeocoderOff",
    "area_resolution",
    "geocode_query",
    "geocode_table",
    "nominatim",
    "online_geocoder",
]

logger = logging.getLogger(__name__)

_STREET = re.compile(
    r"\b(street|st\.?|avenue|ave\.?|prospekt|prospect|boulevard|blvd|lane|road|square|district|microdistrict"
    r"|vulytsia|ulitsa|metro|station|area)\b",
    re.I,
)


def _parts(query: str) -> list[str]:
    """The parts of a location string: "Pervomaiske (Kharkiv region)" → Pervomaiske, Kharkiv region."""
    parts = []
    for part in re.split(r"[,;()\[\]]", query):
        part = " ".join(part.split())
        if part and part == part.lower():  # "kharkiv" → "Kharkiv": the mention finder reads capitals
            part = " ".join(w[:1].upper() + w[1:] if len(w) > 2 else w for w in part.split())
        if part:
            parts.append(part)
    return parts


_NEAR_CONTEXT_KM = 100.0  # "Chuhuiv, south of Kharkiv": the place lies this close to its context
_CITY_CONTEXT = 50_000  # a smaller place named as context may itself be the wrong namesake


def geocode_query(
    query: str, *, gazetteer: Gazetteer | None = None, focus_countries: Iterable[str] | None = None
) -> ResolvedPlace | None:
    """Resolve a location string: the first place it names, with the rest as context.

    "Chuhuiv, south of Kharkiv" is Chuhuiv (Kharkiv helps choose among namesakes); a street or
    a city district in the string ("Kharkiv, Trufanova street") places the result at the city.
    The context also limits the answer: "Ozerne, Donetsk region" is an Ozerne in Donetsk Oblast,
    or, when the gazetteer has none, Donetsk Oblast itself (``resolved_as="fallback"``), never an
    Ozerne elsewhere. A misspelt name ("Adiivka") gets its nearest spelling in the focus countries
    (``"fuzzy"``). A string that names only a country or a continent gives it (``resolved_as``
    ``"country"`` or ``"continent"``, precision 3).
    """
    gaz = gazetteer or get_gazetteer()
    parts = _parts(query or "")
    if not parts:
        return None
    lead = "In "
    text = lead + ", in ".join(parts) + "."
    article = Article(id=article_id(text), title=query, text=text)  # any script: names may be Cyrillic
    first = (len(lead), len(lead) + len(parts[0]))  # the first part's span in the text
    mentions = find_mentions(article, gaz)
    if not any(m.start < first[1] and first[0] < m.end for m in mentions):  # the query says it is a place
        mentions = sorted([*mentions, mention_at(article, *first, gaz)], key=lambda m: m.start)
    every = resolve_mentions(mentions, gaz, focus_countries=focus_countries, require_evidence=False)
    resolved = [r for r in every if r.place is not None and r.resolved_as != "fallback"]
    head_fallback = next(
        (r for r in every if r.resolved_as == "fallback" and r.mention.start < first[1] and first[0] < r.mention.end),
        None,
    )
    if head_fallback is not None and not any(r.mention.start < first[1] for r in resolved):
        return head_fallback  # "Ozerne, Donetsk region": no Ozerne there, so the area named
    chosen = next((r for r in resolved if not _STREET.match(text[r.mention.end : r.mention.end + 25].lstrip())), None)
    if chosen is None and resolved:
        chosen = resolved[0]
    if chosen is not None:
        return _within_context(chosen, [r for r in resolved if r.mention.start >= first[1]])
    area = next(filter(None, (area_resolution(m, gaz) for m in mentions)), None)
    if area is not None:
        return area
    head = next(m for m in mentions if m.start < first[1] and first[0] < m.end)
    fuzzy = gaz.fuzzy(parts[0], min_score=86) if parts[0][:1].isalpha() else []
    if fuzzy:
        place = fuzzy[0].place
        return ResolvedPlace(head, place, 1, "fuzzy", 0.0, gaz.admin_area(place.country, place.admin1))
    return None


def _within_context(chosen: ResolvedPlace, context: list[ResolvedPlace]) -> ResolvedPlace:
    """The chosen place if it agrees with the places named after it, else a namesake that does, else them."""
    if not context or chosen.place is None or chosen in context:
        return chosen

    def agrees(place: Place, where: ResolvedPlace) -> bool:
        assert where.place is not None
        if where.precision == 3 and where.place.kind == "admin1":  # "…, Donetsk region": inside it
            return (place.country, place.admin1) == (where.place.country, where.place.admin1)
        if where.place.kind in ("country", "continent"):
            return where.place.kind == "continent" or place.country == where.place.country
        same_region = (place.country, place.admin1) == (where.place.country, where.place.admin1)  # "…, Donetsk"
        return (
            same_region
            or great_circle_km((place.lat, place.lon), (where.place.lat, where.place.lon)) <= _NEAR_CONTEXT_KM
        )

    if any(agrees(chosen.place, c) for c in context):
        return chosen
    namesakes = [m.place for m in chosen.mention.candidates if any(agrees(m.place, c) for c in context)]
    if namesakes:
        best = max(namesakes, key=lambda p: p.population)
        return replace(chosen, place=best, admin=None)
    # No namesake fits: the context wins when it is an area or a city, not a namesake of its own.
    where = context[0]
    assert where.place is not None
    if where.place.kind == "populated" and where.place.population < _CITY_CONTEXT:
        return chosen
    return ResolvedPlace(chosen.mention, where.place, max(2, where.precision or 2), "fallback", 0.0, where.admin)


def area_resolution(mention: Mention, gazetteer: Gazetteer) -> ResolvedPlace | None:
    """A country, demonym or continent mention placed at its point (precision 3), if it has one."""
    place = None
    if mention.kind == "continent":
        place = gazetteer.continent(mention.name)
    elif mention.kind in ("country", "demonym") and mention.country:
        country = gazetteer.country_by_iso(mention.country)
        place = country.as_place() if country is not None else None
    return ResolvedPlace(mention, place, 3, place.kind) if place is not None else None


GEOCODED_COLUMNS = ["geo_name", "geo_country", "geo_admin1", "geo_lat", "geo_lon", "geo_precision", "resolved_as"]


def geocode_table(
    table: pd.DataFrame,
    column: str,
    *,
    gazetteer: Gazetteer | None = None,
    online: OnlineGeocoder | None = None,
    focus_countries: Iterable[str] | None = None,
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Geocode the location strings of ``table[column]``: every row kept, in order.

    Adds :data:`GEOCODED_COLUMNS` and a point geometry (EPSG:4326; empty where unresolved).
    ``resolved_as`` says how each row was placed (``place``, ``region``, ``district``, ``near``,
    ``fuzzy``, ``fallback``, ``country``, ``online``) or why not (``unresolved``, ``empty``).
    Each distinct string is resolved once.
    """
    import geopandas as gpd
    from shapely.geometry import Point
    from tqdm import tqdm

    if column not in table.columns:
        names = [str(c)[:40] for c in table.columns[:10]]
        more = f" and {len(table.columns) - 10} more" if len(table.columns) > 10 else ""
        raise ValueError(f"no column {column!r} (columns: {', '.join(names)}{more})")
    gaz = gazetteer or get_gazetteer()
    answers: dict[str, dict[str, Any]] = {}
    rows = []
    values = table[column].tolist()
    for value in tqdm(values, desc="geocode", unit="row", file=sys.stderr, disable=not progress or len(values) < 50):
        query = "" if value is None or (isinstance(value, float) and value != value) else " ".join(str(value).split())
        if query not in answers:
            answers[query] = _geocode_row(query, gaz, online, focus_countries)
        rows.append(answers[query])
    found = pd.DataFrame(rows, columns=GEOCODED_COLUMNS, index=table.index)
    found["geo_precision"] = found["geo_precision"].astype("Int64")
    out = pd.concat([table.drop(columns=[c for c in GEOCODED_COLUMNS if c in table.columns]), found], axis=1)
    geometry = [
        Point(row["geo_lon"], row["geo_lat"]) if row["geo_lat"] is not None else None  # lon, lat
        for row in rows
    ]
    return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326")


def _geocode_row(
    query: str, gaz: Gazetteer, online: OnlineGeocoder | None, focus: Iterable[str] | None
) -> dict[str, Any]:
    empty = dict.fromkeys(GEOCODED_COLUMNS)
    if not query:
        return {**empty, "resolved_as": "empty"}
    r = geocode_query(query, gazetteer=gaz, focus_countries=focus)
    if r is not None and r.place is not None:
        p = r.place
        admin = r.admin or gaz.admin_area(p.country, p.admin1)
        return {
            "geo_name": p.name,
            "geo_country": p.country,
            "geo_admin1": admin.name if admin else None,
            "geo_lat": p.lat,
            "geo_lon": p.lon,
            "geo_precision": r.precision,
            "resolved_as": r.resolved_as,
        }
    if online is not None:
        place = online.place_for(query, [], None)
        if place is not None:
            return {
                "geo_name": place.name,
                "geo_country": place.country or None,
                "geo_admin1": None,
                "geo_lat": place.lat,
                "geo_lon": place.lon,
                "geo_precision": 1,
                "resolved_as": "online",
            }
    return {**empty, "resolved_as": "unresolved"}


class OfflineGeocoder(Geocoder):
    """The offline gazetteer as a geopy geocoder (no network, ever)."""

    def __init__(self, *, gazetteer: Gazetteer | None = None) -> None:
        super().__init__(user_agent="border-incidents-offline")
        self._gazetteer = gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, **_: Any) -> Location | list[Location] | None:
        """A ``geopy.Location`` for ``query`` (its ``raw`` dict says how it was resolved), or None."""
        r = geocode_query(str(query), gazetteer=self._gazetteer)
        if r is None or r.place is None:
            return None
        p = r.place
        raw = {
            "id": p.id,
            "name": p.name,
            "country": p.country,
            "admin1": r.admin.name if r.admin else None,
            "precision": r.precision,
            "resolved_as": r.resolved_as,
            "geonameid": p.geonameid,
        }
        admin = f", {r.admin.name}" if r.admin and r.admin.name != p.name else ""
        location = Location(f"{p.name}{admin}, {p.country}", (p.lat, p.lon), raw)  # (lat, lon)
        return location if exactly_one else [location]


class _QueryCache:
    """Answers of an online geocoder kept on disk (SQLite), so no query is sent twice.

    A cache is a convenience, never a reason to stop: a file that is not a database (or is
    corrupt) is moved aside and started afresh; one that cannot be opened at all, or that fails
    later, is used as far as it works and otherwise ignored, each with a warning.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: dict[tuple[str, str], str] = {}  # answers of this run when the file is unusable
        self._usable = True
        try:
            self._create()
        except sqlite3.OperationalError as err:  # cannot be opened (a folder, no permission, locked): not moved
            self._unusable(err)
        except sqlite3.DatabaseError as err:  # a file that is not a database, or a corrupt one
            aside = path.with_name(path.name + ".corrupt")
            logger.warning(
                "online geocoder cache %s is unreadable (%s); moved to %s, starting afresh", path, err, aside
            )
            try:
                path.replace(aside)
                self._create()
            except (OSError, sqlite3.Error) as again:
                self._unusable(again)
        except OSError as err:
            self._unusable(err)

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers (service TEXT, query TEXT, answer TEXT, fetched REAL,"
                " PRIMARY KEY (service, query))"
            )
            db.execute("SELECT count(*) FROM answers").fetchone()  # a corrupt file fails here, not later

    def _unusable(self, err: Exception) -> None:
        logger.warning(
            "online geocoder cache %s is not usable (%s); answers are kept for this run only", self.path, err
        )
        self._usable = False

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def get(self, service: str, query: str) -> tuple[bool, dict[str, Any] | None]:
        """(True, answer) for a cached query (answer None: not found), (False, None) if not cached."""
        text = self._memory.get((service, query))
        if text is None and self._usable:
            try:
                with self._lock, self._connect() as db:
                    row = db.execute(
                        "SELECT answer FROM answers WHERE service = ? AND query = ?", (service, query)
                    ).fetchone()
            except sqlite3.Error as err:
                self._unusable(err)
                row = None
            text = None if row is None else row[0]
        if text is None:
            return False, None
        try:
            answer = json.loads(text)
        except (TypeError, ValueError):
            return False, None  # a garbled entry is no answer: ask again
        if answer is not None and _cached_location(answer) is None:
            return False, None
        return True, answer

    def put(self, service: str, query: str, answer: dict[str, Any] | None) -> None:
        text = json.dumps(answer)
        if not self._usable:
            self._memory[(service, query)] = text
            return
        try:
            with self._lock, self._connect() as db:
                db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (service, query, text, time.time()))
        except sqlite3.Error as err:
            self._unusable(err)
            self._memory[(service, query)] = text


def _point_ok(lat: Any, lon: Any) -> bool:
    """A usable answer's point: finite, on the globe, and not (0, 0) — what a missing lat/lon parses to."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return (
        math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0)
    )


def _cached_location(answer: Any) -> Location | None:
    """The location of a cached answer, or None when the entry is not one (a corrupt cache)."""
    if not isinstance(answer, dict) or not _point_ok(answer.get("lat"), answer.get("lon")):
        return None
    try:
        return Location(
            str(answer.get("address") or ""), (float(answer["lat"]), float(answer["lon"])), answer.get("raw")
        )
    except (TypeError, ValueError):
        return None


def nominatim(domain: str | None = None, *, scheme: str | None = None, timeout: float | None = None) -> Nominatim:
    """Nominatim as configured in :mod:`geo.settings`, with no hidden retries.

    geopy's default adapter (requests) retries an HTTP 429 after the server's ``Retry-After``,
    which can block for an hour; the standard-library adapter fails at once and lets the
    pipeline go on offline.
    """
    return Nominatim(
        user_agent=settings.online_user_agent,
        domain=domain or settings.nominatim_domain,
        scheme=scheme or settings.nominatim_scheme,
        timeout=settings.online_timeout if timeout is None else timeout,
        adapter_factory=URLLibAdapter,
    )


class OnlineGeocoderOff(GeocoderUnavailable):
    """Raised for a query not in the cache once the online geocoder has stopped asking for the run."""


class _RateLimiter(RateLimiter):
    """geopy's ``RateLimiter`` reading the clock and sleeping as told (a fake clock in tests)."""

    def __init__(
        self, func: Callable[..., Any], *, clock: Callable[[], float], sleep: Callable[[float], Any], **kw: Any
    ):
        self._given_clock, self._given_sleep = clock, sleep
        super().__init__(func, **kw)

    def _clock(self) -> float:
        return self._given_clock()

    def _sleep(self, seconds: float) -> None:
        self._given_sleep(seconds)


_ANSWER_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)  # what geopy raises on odd JSON


class OnlineGeocoder:
    """A geopy geocoder behind a rate limiter and an on-disk cache.

    Parameters
    ----------
    geocoder
        Any geopy geocoder; default Nominatim with :data:`geo.settings.online_user_agent`.
    cache_path
        The SQLite cache of answers (found and not found; failures are not cached). A corrupt
        cache is moved aside and started afresh (see :class:`_QueryCache`).
    min_delay_seconds
        At least this long between two requests (Nominatim's policy: one a second).
    max_unreachable
        After this many timeouts (or unreachable service) in a row, stop asking for the run.
    clock, sleep
        What the rate limiter reads and waits with (tests pass a fake clock).

    Errors are not swallowed: :meth:`geocode` raises geopy's exceptions (``GeocoderTimedOut``,
    ``GeocoderRateLimited``, ``GeocoderParseError``, ``GeocoderUnavailable``...). An answer that
    is no usable point (a latitude of 999, not a number, missing) is a ``GeocoderParseError``,
    never cached. After an HTTP 429 the geocoder honours the service's ``Retry-After`` by not
    asking again for the rest of the run (the object's life), and likewise after
    ``max_unreachable`` timeouts in a row; then uncached queries raise :class:`OnlineGeocoderOff`.
    """

    def __init__(
        self,
        geocoder: Geocoder | None = None,
        *,
        cache_path: Path | None = None,
        min_delay_seconds: float = 1.0,
        max_unreachable: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.geocoder = geocoder or nominatim()
        self.service = f"{type(self.geocoder).__name__}:{getattr(self.geocoder, 'domain', '')}"
        self._rate_limited: Callable[..., Any] = _RateLimiter(
            self.geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            swallow_exceptions=False,
            clock=clock,
            sleep=sleep,
        )
        self.cache = _QueryCache(cache_path or settings.cache_dir / "online-geocoder.sqlite")
        self.max_unreachable = max_unreachable
        self.off_reason: str | None = None  # why the geocoder stopped asking, once it has
        self._unreachable = 0

    def _stop(self, reason: str) -> None:
        self.off_reason = reason
        logger.warning("online geocoder: %s; no more requests this run (cached answers still used)", reason)

    def geocode(self, query: str, *, country_codes: list[str] | None = None) -> Location | None:
        """The answer for ``query`` from the cache, or from the service (then cached)."""
        key = f"{query}|{','.join(country_codes or [])}"
        hit, answer = self.cache.get(self.service, key)
        if hit:
            return None if answer is None else _cached_location(answer)
        if self.off_reason is not None:
            raise OnlineGeocoderOff(f"not asked: {self.off_reason}")
        kwargs: dict[str, Any] = {"exactly_one": True}
        if isinstance(self.geocoder, Nominatim):
            kwargs.update(addressdetails=True, country_codes=country_codes)
        try:
            with warnings.catch_warnings():  # geopy warns before it rejects a latitude of 999: the error says it
                warnings.filterwarnings("ignore", "Latitude normalization", UserWarning)
                location = self._rate_limited(query, **kwargs)
        except GeocoderRateLimited as err:
            self._stop(f"the service answered 429 (Retry-After: {err.retry_after or 'not given'})")
            raise
        except (GeocoderTimedOut, GeocoderUnavailable):
            self._unreachable += 1
            if self._unreachable >= self.max_unreachable:
                self._stop(f"{self._unreachable} timeouts or failed connections in a row")
            raise
        except _ANSWER_ERRORS as err:
            self._unreachable = 0
            raise GeocoderParseError(f"unusable answer for {query!r} ({type(err).__name__}: {err})") from err
        self._unreachable = 0
        if isinstance(location, list):
            location = location[0] if location else None
        if location is None:
            self.cache.put(self.service, key, None)
            return None
        raw = location.raw if isinstance(location.raw, dict) else {}
        given = (raw.get("lat"), raw.get("lon")) if isinstance(self.geocoder, Nominatim) else location.point[:2]
        if not _point_ok(*given):
            raise GeocoderParseError(
                f"unusable answer for {query!r}: no point in it (lat/lon {given[0]!r}, {given[1]!r})"
            )
        self.cache.put(
            self.service,
            key,
            {"address": location.address, "lat": location.latitude, "lon": location.longitude, "raw": location.raw},
        )
        return location

    def place_for(self, name: str, context: list[str], country: str | None) -> Place | None:
        """A :class:`Place` for ``name`` (with its region and country as context), or None.

        Failures are logged and give None: the caller goes on offline.
        """
        query = ", ".join([name, *context])
        try:
            location = self.geocode(query, country_codes=[country.lower()] if country else None)
        except OnlineGeocoderOff as err:
            logger.debug("online geocoding of %r skipped (%s)", query, err)
            return None
        except GeopyError as err:
            logger.warning("online geocoding of %r failed (%s: %s); going on offline", query, type(err).__name__, err)
            return None
        if location is None:
            return None
        raw = location.raw if isinstance(location.raw, dict) else {}
        given_address = raw.get("address")
        address: dict[str, Any] = given_address if isinstance(given_address, dict) else {}
        code = str(address.get("country_code") or country or "").upper()
        return Place(
            id=f"online:{raw.get('osm_type', 'x')}{raw.get('osm_id', abs(hash(query)))}",
            name=name,
            lat=float(location.latitude),
            lon=float(location.longitude),
            country=code if len(code) == 2 and code.isalpha() else (country or "").upper(),
            admin1=None,
            population=0,
            kind="populated",
            source=self.service,
        )


def online_geocoder() -> OnlineGeocoder | None:
    """The configured online geocoder when :data:`geo.settings.online` is on, else None."""
    return OnlineGeocoder() if settings.online else None
