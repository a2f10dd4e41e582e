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
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geopy.adapters import URLLibAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from . import settings
from .articles import article_from_text
from .gazetteer import Gazetteer, Place, get_gazetteer
from .resolve import ResolvedPlace, resolve_mentions
from .toponyms import find_mentions

__all__ = ["OfflineGeocoder", "OnlineGeocoder", "geocode_query", "nominatim", "online_geocoder"]

logger = logging.getLogger(__name__)

_STREET = re.compile(
    r"\b(street|st\.?|avenue|ave\.?|prospekt|prospect|boulevard|blvd|lane|road|square|district|microdistrict"
    r"|vulytsia|ulitsa|metro|station|area)\b",
    re.I,
)


def _as_text(query: str) -> str:
    """A location string as a sentence the mention finder reads ("kharkiv" → "Kharkiv")."""
    parts = []
    for part in query.split(","):
        part = " ".join(part.split())
        if part and part == part.lower():
            part = " ".join(w[:1].upper() + w[1:] if len(w) > 2 else w for w in part.split())
        if part:
            parts.append(part)
    return "In " + ", in ".join(parts) + "."


def geocode_query(query: str, *, gazetteer: Gazetteer | None = None) -> ResolvedPlace | None:
    """Resolve a location string: the first place it names, with the rest as context.

    "Chuhuiv, south of Kharkiv" is Chuhuiv (Kharkiv helps choose among namesakes); a street or
    a city district in the string ("Kharkiv, Trufanova street") places the result at the city.
    """
    gaz = gazetteer or get_gazetteer()
    if not query or not query.strip():
        return None
    article = article_from_text(_as_text(query), title=query)
    mentions = find_mentions(article, gaz)
    resolved = [r for r in resolve_mentions(mentions, gaz, require_evidence=False) if r.place is not None]
    if not resolved:
        return None
    # The first named place that is not a street or an area inside another place.
    for r in resolved:
        window = article.text[r.mention.end : r.mention.end + 25]
        if not _STREET.match(window.lstrip()):
            return r
    return resolved[0]


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
    """Answers of an online geocoder kept on disk (SQLite), so no query is sent twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers (service TEXT, query TEXT, answer TEXT, fetched REAL,"
                " PRIMARY KEY (service, query))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def get(self, service: str, query: str) -> tuple[bool, dict[str, Any] | None]:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT answer FROM answers WHERE service = ? AND query = ?", (service, query)).fetchone()
        return (False, None) if row is None else (True, json.loads(row[0]))

    def put(self, service: str, query: str, answer: dict[str, Any] | None) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (service, query, json.dumps(answer), time.time())
            )


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


class OnlineGeocoder:
    """A geopy geocoder behind a rate limiter and an on-disk cache.

    Parameters
    ----------
    geocoder
        Any geopy geocoder; default Nominatim with :data:`geo.settings.online_user_agent`.
    cache_path
        The SQLite cache of answers (found and not found; failures are not cached).
    min_delay_seconds
        At least this long between two requests (Nominatim's policy: one a second).

    Errors are not swallowed: :meth:`geocode` raises geopy's exceptions (``GeocoderTimedOut``,
    ``GeocoderRateLimited``, ``GeocoderParseError``, ``GeocoderUnavailable``...).
    """

    def __init__(
        self,
        geocoder: Geocoder | None = None,
        *,
        cache_path: Path | None = None,
        min_delay_seconds: float = 1.0,
    ) -> None:
        self.geocoder = geocoder or nominatim()
        self.service = f"{type(self.geocoder).__name__}:{getattr(self.geocoder, 'domain', '')}"
        self._rate_limited: Callable[..., Any] = RateLimiter(
            self.geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )
        self.cache = _QueryCache(cache_path or settings.cache_dir / "online-geocoder.sqlite")

    def geocode(self, query: str, *, country_codes: list[str] | None = None) -> Location | None:
        """The answer for ``query`` from the cache, or from the service (then cached)."""
        key = f"{query}|{','.join(country_codes or [])}"
        hit, answer = self.cache.get(self.service, key)
        if hit:
            return (
                None if answer is None else Location(answer["address"], (answer["lat"], answer["lon"]), answer["raw"])
            )
        kwargs: dict[str, Any] = {"exactly_one": True}
        if isinstance(self.geocoder, Nominatim):
            kwargs.update(addressdetails=True, country_codes=country_codes)
        location = self._rate_limited(query, **kwargs)
        if location is None:
            self.cache.put(self.service, key, None)
            return None
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
        except GeopyError as err:
            logger.warning("online geocoding of %r failed (%s: %s); going on offline", query, type(err).__name__, err)
            return None
        if location is None:
            return None
        raw = location.raw if isinstance(location.raw, dict) else {}
        code = str((raw.get("address") or {}).get("country_code") or country or "").upper()
        return Place(
            id=f"online:{raw.get('osm_type', 'x')}{raw.get('osm_id', abs(hash(query)))}",
            name=name,
            lat=float(location.latitude),
            lon=float(location.longitude),
            country=code,
            admin1=None,
            population=0,
            kind="populated",
            source=self.service,
        )


def online_geocoder() -> OnlineGeocoder | None:
    """The configured online geocoder when :data:`geo.settings.online` is on, else None."""
    return OnlineGeocoder() if settings.online else None
