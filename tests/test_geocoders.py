"""Geocoders: the offline one behind geopy's interface, and the online chain against a fake server."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.exc import GeocoderParseError, GeocoderRateLimited, GeocoderServiceError, GeocoderTimedOut
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.articles import article_from_text
from geo.gazetteer import Gazetteer
from geo.geocoders import OfflineGeocoder, OnlineGeocoder, geocode_query, nominatim
from geo.pipeline import extract, resolve_article

TIMEOUT = 1.0


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers like Nominatim's /search, by what the query names."""

    requests: ClassVar[list[tuple[str, float]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        FakeNominatim.requests.append((query, time.monotonic()))
        if "Glotovo" in query:
            self._send(200, [{"lat": "50.4911", "lon": "35.6092", "display_name": "Glotovo, Belgorod Oblast, Russia",
                              "osm_type": "node", "osm_id": 42, "address": {"country_code": "ru"}}])  # fmt: skip
        elif "Slowtown" in query:
            time.sleep(TIMEOUT + 1)
            self._send(200, [])
        elif "Busyville" in query:
            self._send(429, {"error": "Too Many Requests"}, headers={"Retry-After": "60"})
        elif "Garbleburg" in query:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"<html>this is not JSON")
        else:
            self._send(200, [])

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeNominatim.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def online(domain: str, tmp_path: Path, *, delay: float = 1.0) -> OnlineGeocoder:
    service = nominatim(domain, scheme="http", timeout=TIMEOUT)
    return OnlineGeocoder(service, cache_path=tmp_path / "answers.sqlite", min_delay_seconds=delay)


def test_success_is_cached_on_disk(server: str, tmp_path: Path) -> None:
    geocoder = online(server, tmp_path)
    location = geocoder.geocode("Glotovo, Belgorod Oblast, Russia", country_codes=["ru"])
    assert (location.latitude, location.longitude) == (50.4911, 35.6092)
    assert geocoder.geocode("Glotovo, Belgorod Oblast, Russia", country_codes=["ru"]).latitude == 50.4911
    assert online(server, tmp_path).geocode("Glotovo, Belgorod Oblast, Russia", country_codes=["ru"]) is not None
    assert len(FakeNominatim.requests) == 1  # no query is sent twice, even by a new process


def test_not_found_is_cached_too(server: str, tmp_path: Path) -> None:
    geocoder = online(server, tmp_path, delay=0)
    assert geocoder.geocode("Nowhere") is None
    assert geocoder.geocode("Nowhere") is None
    assert len(FakeNominatim.requests) == 1


def test_requests_are_at_most_one_a_second(server: str, tmp_path: Path) -> None:
    geocoder = online(server, tmp_path)
    for name in ("Nowhere one", "Nowhere two", "Nowhere three"):
        geocoder.geocode(name)
    times = [t for _, t in FakeNominatim.requests]
    assert len(times) == 3
    assert all(b - a >= 0.99 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("query", "error"),
    [("Slowtown", GeocoderTimedOut), ("Busyville", GeocoderRateLimited), ("Garbleburg", GeocoderParseError)],
)
def test_failures_are_raised_not_swallowed_and_not_cached(
    server: str, tmp_path: Path, query: str, error: type[Exception]
) -> None:
    geocoder = online(server, tmp_path, delay=0)
    with pytest.raises(error):
        geocoder.geocode(query)
    with pytest.raises(error):
        geocoder.geocode(query)
    assert len(FakeNominatim.requests) == 2  # asked again: a failure is not an answer


def test_no_network_is_an_error_too(tmp_path: Path) -> None:
    geocoder = online("127.0.0.1:9", tmp_path, delay=0)  # nothing listens on port 9
    with pytest.raises(GeocoderServiceError):
        geocoder.geocode("Glotovo")


def test_pipeline_places_a_missing_village_online(server: str, tmp_path: Path, gazetteer: Gazetteer) -> None:
    article = article_from_text(
        "T\n\nShelling hit the village of Glotovo in Russia's Belgorod region on Monday.", published="2023-05-24"
    )
    offline = extract(article, gazetteer=gazetteer)
    assert [e.location for e in offline] == ["Glotovo (in Belgorod Oblast)"]  # offline: the region, named
    (event,) = extract(article, gazetteer=gazetteer, online=online(server, tmp_path, delay=0))
    assert (event.location, event.lat, event.lon, event.country) == ("Glotovo", 50.4911, 35.6092, "RU")
    assert event.places[0].resolved_as == "online"
    assert event.places[0].admin1 == "Belgorod Oblast"
    assert "Glotovo, Belgorod Oblast, Russia" in FakeNominatim.requests[0][0]


@pytest.mark.parametrize("village", ["Slowtown", "Busyville", "Garbleburg"])
def test_pipeline_goes_on_offline_when_the_service_fails(
    server: str, tmp_path: Path, gazetteer: Gazetteer, village: str, caplog: pytest.LogCaptureFixture
) -> None:
    article = article_from_text(
        f"T\n\nShelling hit the village of {village} in Russia's Belgorod region on Monday.", published="2023-05-24"
    )
    (event,) = extract(article, gazetteer=gazetteer, online=online(server, tmp_path, delay=0))
    assert event.location.endswith("(in Belgorod Oblast)") and event.geo_precision == 3  # no event lost
    (village_place,) = [p for p in event.places if p.mention == village]
    assert village_place.resolved_as == "fallback"
    assert "going on offline" in caplog.text


def test_known_places_are_never_sent_online(server: str, tmp_path: Path, gazetteer: Gazetteer) -> None:
    article = article_from_text("T\n\nShelling hit the village of Kozinka on Monday. Miller spoke.")
    resolve_article(article, gazetteer=gazetteer, online=online(server, tmp_path, delay=0))
    assert FakeNominatim.requests == []


def test_offline_geocoder_has_geopys_interface(gazetteer: Gazetteer) -> None:
    geocoder = OfflineGeocoder(gazetteer=gazetteer)
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Grayvoron")
    assert isinstance(location, Location)
    assert (round(location.latitude, 2), round(location.longitude, 2)) == (50.48, 35.68)
    assert location.raw["country"] == "RU" and location.raw["precision"] == 1
    assert geocoder.geocode("Grayvoron", exactly_one=False)[0].address == location.address
    assert geocoder.geocode("Nowhereville Xyz") is None


@pytest.mark.parametrize(
    ("query", "name", "lat", "lon"),
    [
        ("Chuhuiv, south of Kharkiv", "Chuhuyiv", 49.84, 36.69),
        ("Akhtyrka, Sumy Oblast", "Okhtyrka", 50.31, 34.89),
        ("Kharkiv, Trufanova street", "Kharkiv", 49.98, 36.25),
        ("kharkiv", "Kharkiv", 49.98, 36.25),
        ("Zhuravlyovka, Belgorod region", "Zhuravlyovka", 50.31, 36.32),
        ("Pervomaiske (Kharkiv region)", "Kharkiv Oblast", 49.98, 36.25),  # none there in the index: the region
        ("Adiivka", "Avdiyivka", 48.14, 37.75),  # misspelt: the nearest spelling in the focus countries
        ("Slovyansk", "Slovyansk", 48.85, 37.6),  # not Nikopol, which has the name among its old ones
        ("Europe", "Europe", 48.69, 9.14),
    ],
)
def test_offline_geocoder_reads_location_strings(
    gazetteer: Gazetteer, query: str, name: str, lat: float, lon: float
) -> None:
    location = OfflineGeocoder(gazetteer=gazetteer).geocode(query)
    assert location.raw["name"] == name
    assert (round(location.latitude, 2), round(location.longitude, 2)) == (lat, lon)


def test_a_place_must_agree_with_the_area_named_after_it(gazetteer: Gazetteer) -> None:
    ozerne = geocode_query("Ozerne, Donetsk region", gazetteer=gazetteer)
    # the index has Ozernes in other oblasts only: the answer is the oblast named, not a far namesake
    assert ozerne is not None and ozerne.resolved_as == "fallback" and ozerne.precision == 3
    assert (ozerne.place.country, ozerne.place.admin1) == ("UA", "05")
    kamyanka = geocode_query("Kamyanka, Kharkiv", gazetteer=gazetteer)
    assert kamyanka is not None and kamyanka.place.admin1 == "07"  # in Kharkiv Oblast, whatever the point
    far = [m.place for m in gazetteer.lookup("Ozerne")]
    assert far and all(p.admin1 != "05" for p in far)  # the premise of the first check


def test_a_country_only_query_gives_the_country(gazetteer: Gazetteer) -> None:
    r = geocode_query("Ukraine", gazetteer=gazetteer)
    assert r is not None and (r.resolved_as, r.precision, r.place.country) == ("country", 3, "UA")
    assert geocode_query("   ", gazetteer=gazetteer) is None
    assert geocode_query("Zzyzzxq", gazetteer=gazetteer) is None
