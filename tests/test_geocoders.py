"""Geocoders: the offline one behind geopy's interface, and the online chain against a fake server."""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from geopy.exc import GeocoderParseError, GeocoderRateLimited, GeocoderServiceError, GeocoderTimedOut
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo import settings
from geo.articles import article_from_text
from geo.cli import main
from geo.gazetteer import Gazetteer
from geo.geocoders import OfflineGeocoder, OnlineGeocoder, OnlineGeocoderOff, geocode_query, geocode_table, nominatim
from geo.pipeline import extract, resolve_article

TIMEOUT = 1.0


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers like Nominatim's /search, by what the query names."""

    requests: ClassVar[list[tuple[str, float]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        FakeNominatim.requests.append((query, time.monotonic()))
        if "Ryabinovka" in query:
            self._send(200, [{"lat": "50.4911", "lon": "35.6092", "display_name": "Ryabinovka, Belgorod Oblast, Russia",
                              "osm_type": "node", "osm_id": 42, "address": {"country_code": "ru"}}])  # fmt: skip
        elif "Slowtown" in query:
            time.sleep(TIMEOUT + 1)
            self._send(200, [])
        elif "Busyville" in query:
            self._send(429, {"error": "Too Many Requests"}, headers={"Retry-After": "60"})
        elif "Foundville" in query:
            self._send(200, [{"lat": "50.1", "lon": "36.1", "display_name": "Foundville, Russia",
                              "osm_type": "node", "osm_id": 7, "address": {"country_code": "ru"}}])  # fmt: skip
        elif "Outofrange" in query:
            self._send(200, [{"lat": "999", "lon": "36.1", "display_name": "Outofrange"}])
        elif "Notanumber" in query:
            self._send(200, [{"lat": "north", "lon": "east", "display_name": "Notanumber"}])
        elif "Pointless" in query:
            self._send(200, [{"display_name": "Pointless", "osm_type": "node", "osm_id": 8}])  # no lat, no lon
        elif "Oddshape" in query:
            self._send(200, ["not an object", 3])
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
    location = geocoder.geocode("Ryabinovka, Belgorod Oblast, Russia", country_codes=["ru"])
    assert (location.latitude, location.longitude) == (50.4911, 35.6092)
    assert geocoder.geocode("Ryabinovka, Belgorod Oblast, Russia", country_codes=["ru"]).latitude == 50.4911
    assert online(server, tmp_path).geocode("Ryabinovka, Belgorod Oblast, Russia", country_codes=["ru"]) is not None
    assert len(FakeNominatim.requests) == 1  # no query is sent twice, even by a new process


def test_not_found_is_cached_too(server: str, tmp_path: Path) -> None:
    geocoder = online(server, tmp_path, delay=0)
    assert geocoder.geocode("Nowhere") is None
    assert geocoder.geocode("Nowhere") is None
    assert len(FakeNominatim.requests) == 1


class FakeClock:
    """A clock that moves only when the rate limiter sleeps: the test never waits, never races."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class RecordingGeocoder(Geocoder):
    """A geopy geocoder that answers "not found" and notes the (fake) time of each request sent."""

    def __init__(self, clock: FakeClock, error: Exception | None = None) -> None:
        super().__init__()
        self.clock, self.error = clock, error
        self.sent: list[tuple[str, float]] = []

    def geocode(self, query: str, **_: object) -> Location | None:
        self.sent.append((query, self.clock()))
        self.clock.now += 0.05  # the request itself takes a little while
        if self.error is not None and "ok" not in query:
            raise self.error
        return None


def test_requests_are_at_most_one_a_second(tmp_path: Path) -> None:
    clock = FakeClock()
    service = RecordingGeocoder(clock)
    geocoder = OnlineGeocoder(service, cache_path=tmp_path / "answers.sqlite", clock=clock, sleep=clock.sleep)
    for name in ("Nowhere one", "Nowhere two", "Nowhere three", "Nowhere one"):
        geocoder.geocode(name)
    times = [t for _, t in service.sent]
    assert [q for q, _ in service.sent] == ["Nowhere one", "Nowhere two", "Nowhere three"]  # the 4th is cached
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert clock.slept and all(0 < s <= 1.0 for s in clock.slept)  # it waited, and no longer than needed


def test_the_rate_limiter_is_in_front_of_the_real_client(server: str, tmp_path: Path) -> None:
    clock = FakeClock()
    service = nominatim(server, scheme="http", timeout=TIMEOUT)
    geocoder = OnlineGeocoder(service, cache_path=tmp_path / "answers.sqlite", clock=clock, sleep=clock.sleep)
    for name in ("Nowhere one", "Nowhere two", "Nowhere three"):
        geocoder.geocode(name)
    assert len(FakeNominatim.requests) == 3
    assert clock.slept == [1.0, 1.0]  # the fake clock does not move by itself: a full second each time


@pytest.mark.parametrize(
    ("query", "error", "sent"),
    [
        ("Slowtown", GeocoderTimedOut, 2),
        ("Garbleburg", GeocoderParseError, 2),
        ("Busyville", GeocoderRateLimited, 1),  # after a 429 it does not ask again this run
    ],
)
def test_failures_are_raised_not_swallowed_and_not_cached(
    server: str, tmp_path: Path, query: str, error: type[Exception], sent: int
) -> None:
    geocoder = online(server, tmp_path, delay=0)
    with pytest.raises(error):
        geocoder.geocode(query)
    with pytest.raises(error if sent == 2 else OnlineGeocoderOff):
        geocoder.geocode(query)
    assert len(FakeNominatim.requests) == sent  # asked again: a failure is not an answer


@pytest.mark.parametrize("query", ["Outofrange", "Notanumber", "Pointless", "Oddshape"])
def test_an_answer_that_is_no_point_is_a_parse_error_never_cached(server: str, tmp_path: Path, query: str) -> None:
    geocoder = online(server, tmp_path, delay=0)
    for _ in range(2):
        with pytest.raises(GeocoderParseError, match="unusable answer"):
            geocoder.geocode(query)
    assert len(FakeNominatim.requests) == 2  # not cached: asked again
    assert geocoder.place_for(query, [], "RU") is None  # the pipeline's entry point gives "not placed"
    assert geocoder.off_reason is None  # a bad answer is not a reason to stop asking


def test_after_a_429_the_run_goes_offline_but_keeps_its_cache(
    server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    geocoder = online(server, tmp_path, delay=0)
    assert geocoder.geocode("Foundville") is not None
    assert geocoder.place_for("Busyville", [], "RU") is None
    assert "429 (Retry-After: 60" in caplog.text
    assert geocoder.geocode("Foundville").latitude == 50.1  # cached answers still serve
    with pytest.raises(OnlineGeocoderOff):
        geocoder.geocode("Nowhere")
    assert geocoder.place_for("Ryabinovka", ["Belgorod Oblast"], "RU") is None
    assert [q for q, _ in FakeNominatim.requests] == ["Foundville", "Busyville"]  # nothing sent after the 429


def test_after_three_timeouts_in_a_row_the_run_stops_asking(tmp_path: Path) -> None:
    clock = FakeClock()
    service = RecordingGeocoder(clock, error=GeocoderTimedOut("timed out"))
    geocoder = OnlineGeocoder(service, cache_path=tmp_path / "answers.sqlite", clock=clock, sleep=clock.sleep)
    for name in ("One", "Two", "ok now", "Three", "Four"):  # an answer in between resets the count
        with contextlib.suppress(GeocoderTimedOut):
            geocoder.geocode(name)
    assert geocoder.off_reason is None
    with pytest.raises(GeocoderTimedOut):
        geocoder.geocode("Five")
    assert geocoder.off_reason is not None and "3 timeouts" in geocoder.off_reason
    for name in ("Six", "Seven"):
        assert geocoder.place_for(name, [], None) is None
    assert [q for q, _ in service.sent] == ["One", "Two", "ok now", "Three", "Four", "Five"]


def test_a_corrupt_cache_is_moved_aside_and_started_afresh(
    server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "answers.sqlite"
    cache.write_bytes(b"this is not an SQLite database at all" * 200)
    geocoder = online(server, tmp_path, delay=0)
    assert "unreadable" in caplog.text and (tmp_path / "answers.sqlite.corrupt").exists()
    assert geocoder.geocode("Foundville").latitude == 50.1
    assert online(server, tmp_path, delay=0).geocode("Foundville").latitude == 50.1  # the new cache works
    assert len(FakeNominatim.requests) == 1


def test_garbled_cache_entries_are_asked_again(server: str, tmp_path: Path) -> None:
    geocoder = online(server, tmp_path, delay=0)
    key = "Foundville|"
    with sqlite3.connect(tmp_path / "answers.sqlite") as db:
        db.execute("INSERT INTO answers VALUES (?, ?, ?, 0)", (geocoder.service, key, "{not json"))
        db.execute("INSERT INTO answers VALUES (?, ?, ?, 0)", (geocoder.service, "Nowhere|", '{"lat": 999, "lon": 1}'))
    assert geocoder.geocode("Foundville").latitude == 50.1
    assert geocoder.geocode("Nowhere") is None
    assert len(FakeNominatim.requests) == 2


def test_a_cache_that_cannot_be_opened_is_kept_in_memory(
    server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = nominatim(server, scheme="http", timeout=TIMEOUT)
    geocoder = OnlineGeocoder(service, cache_path=tmp_path, min_delay_seconds=0)  # a folder, not a file
    assert "not usable" in caplog.text
    assert geocoder.geocode("Foundville").latitude == 50.1
    assert geocoder.geocode("Foundville").latitude == 50.1
    assert len(FakeNominatim.requests) == 1  # still not sent twice in the run


def test_geocode_table_keeps_every_row_when_answers_are_bad(server: str, tmp_path: Path, gazetteer: Gazetteer) -> None:
    table = pd.DataFrame({"where": ["Outofrange", "Foundville", "Notanumber", "Grayvoron"]})
    out = geocode_table(table, "where", gazetteer=gazetteer, online=online(server, tmp_path, delay=0))
    assert out["resolved_as"].tolist() == ["unresolved", "online", "unresolved", "place"]
    assert out["geo_lat"].tolist()[1] == 50.1


def test_cli_geocode_online_writes_the_table_despite_bad_answers(
    server: str, tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "nominatim_domain", server)
    monkeypatch.setattr(settings, "nominatim_scheme", "http")
    monkeypatch.setattr(settings, "cache_dir", tmp_path / "cache")  # the gazetteer is loaded already
    monkeypatch.setattr(settings, "online_timeout", TIMEOUT)
    source = tmp_path / "places.csv"
    source.write_text("where\nOutofrange\nFoundville\nPointless\n", encoding="utf-8")
    assert main(["geocode", str(source), "--column", "where", "--online", "-o", str(tmp_path / "out.csv")]) == 0
    written = pd.read_csv(tmp_path / "out.csv")
    assert written["resolved_as"].tolist() == ["unresolved", "online", "unresolved"]


def test_no_network_is_an_error_too(tmp_path: Path) -> None:
    geocoder = online("127.0.0.1:9", tmp_path, delay=0)  # nothing listens on port 9
    with pytest.raises(GeocoderServiceError):
        geocoder.geocode("Ryabinovka")


def test_pipeline_places_a_missing_village_online(server: str, tmp_path: Path, gazetteer: Gazetteer) -> None:
    article = article_from_text(
        "T\n\nShelling hit the village of Ryabinovka in Russia's Belgorod region on Monday.", published="2023-05-24"
    )
    offline = extract(article, gazetteer=gazetteer)
    assert [e.location for e in offline] == ["Ryabinovka (in Belgorod Oblast)"]  # offline: the region, named
    (event,) = extract(article, gazetteer=gazetteer, online=online(server, tmp_path, delay=0))
    assert (event.location, event.lat, event.lon, event.country) == ("Ryabinovka", 50.4911, 35.6092, "RU")
    assert event.places[0].resolved_as == "online"
    assert event.places[0].admin1 == "Belgorod Oblast"
    assert "Ryabinovka, Belgorod Oblast, Russia" in FakeNominatim.requests[0][0]


@pytest.mark.parametrize("village", ["Slowtown", "Busyville", "Garbleburg", "Outofrange", "Notanumber", "Pointless"])
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
