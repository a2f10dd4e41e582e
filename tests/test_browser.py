"""The app in a real browser: Debian's chromium driven by Playwright against ``streamlit run``.

One server per module, on a free local port, with its own event store (bootstrapped from the
seed article on first load). The tests run in file order; the last one adds an article.
In CI (``CI=true``) a missing chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ROOT

from geo.mapview import CHROMIUM_ARGS
from geo.store import EventStore

pytestmark = pytest.mark.browser

FOLIUM_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
ARTIFACTS = ROOT / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# Ids of the events the map holds, clustered or not (every marker carries its feature).
MAP_IDS_JS = """() => {
    const ids = new Set(), seen = new Set();
    function walk(layer) {
        if (seen.has(layer)) { return; }
        seen.add(layer);
        if (layer.feature && layer.feature.properties && layer.feature.properties.id) {
            ids.add(layer.feature.properties.id);
        }
        if (layer.getLayers) { layer.getLayers().forEach(walk); }
    }
    Object.values(window.map._layers).forEach(walk);
    return [...ids].sort();
}"""


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    problem = None
    if not Path(path).exists():
        problem = "Debian's chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if problem:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


@pytest.fixture(scope="module")
def app(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``streamlit run streamlit_app.py`` on a free port with an empty store of its own."""
    store = tmp_path_factory.mktemp("app") / "events.gpkg"
    port = _free_port()
    env = {**os.environ, "GEO_STORE": str(store), "GEO_ONLINE": "0"}
    log = (tmp_path_factory.mktemp("log") / "streamlit.log").open("w+")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"streamlit did not start:\n{log.read()[-3000:]}")
            time.sleep(0.5)
        yield {"url": url, "store": store}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab that records every request and every dialog (alert) it sees."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    tab = context.new_page()
    tab.requests = []
    tab.dialogs = []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()


def open_map(page: Any, url: str) -> Any:
    """Load the app and wait until the map has drawn its markers; returns the map's frame."""
    page.goto(url)
    page.wait_for_selector(FOLIUM_FRAME, timeout=180_000)
    page.wait_for_function(f"document.querySelectorAll('{FOLIUM_FRAME}').length === 1", timeout=60_000)
    frame = page.locator(FOLIUM_FRAME).element_handle().content_frame()
    frame.wait_for_function("window.map !== undefined", timeout=60_000)
    frame.wait_for_selector(".marker-cluster, path.leaflet-interactive", timeout=60_000)
    page.wait_for_timeout(1500)  # the clusters settle
    return frame


def markers_on_screen(frame: Any) -> int:
    """Markers drawn plus the members of the clusters drawn, counted in the page."""
    singles = frame.locator("path.leaflet-interactive").count()
    clustered = sum(int(t) for t in frame.locator(".marker-cluster span").all_inner_texts())
    return singles + clustered


def bounds(frame: Any) -> list[float]:
    box = frame.evaluate("() => window.map.getBounds().toBBoxString()")  # west,south,east,north
    return [round(float(v), 5) for v in box.split(",")]


def placed_events(store: Path) -> Any:
    events = EventStore(store).events()
    return events[events["lat"].notna()]


def non_local(requests: list[str]) -> list[str]:
    return [
        u
        for u in requests
        if urlparse(u).scheme in {"http", "https", "ws", "wss"} and urlparse(u).hostname not in LOCAL_HOSTS
    ]


def test_map_shows_one_marker_per_seed_event_and_nothing_leaves_the_machine(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"])
    events = placed_events(app["store"])
    assert len(events) >= 5  # the seed article's events, stored on first start
    assert markers_on_screen(frame) == len(events)
    assert frame.evaluate(MAP_IDS_JS) == sorted(events["event_id"])
    # the border line is drawn from the border module, and the Leaflet files are local
    assert frame.locator("path[stroke='#b2182b']").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-seed-events.png"), full_page=True)
    assert not non_local(page.requests), non_local(page.requests)
    assert any("/app/static/leaflet/leaflet.js" in u for u in page.requests)


def test_pan_keeps_the_view_and_a_filter_keeps_it_too(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"])
    before = bounds(frame)
    box = page.locator(FOLIUM_FRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y - 90, steps=12)
    page.mouse.up()
    page.wait_for_timeout(2500)
    panned = bounds(frame)
    assert panned != before
    assert panned[0] > before[0] and panned[1] < before[1]  # dragged left and up: the view moved east, south
    page.wait_for_timeout(2500)
    assert bounds(frame) == panned  # no rerun reset it
    view = parse_qs(urlparse(page.url).query)
    assert {"lat", "lon", "zoom"} <= set(view)  # the view is in the shareable URL

    shown = markers_on_screen(frame)
    search = page.get_by_label("Search text")
    search.fill("Graivoron")
    search.press("Enter")
    page.wait_for_function(
        f"() => {{ const f = document.querySelector('{FOLIUM_FRAME}');"
        f" return f && f.contentWindow.document.querySelectorAll('path.leaflet-interactive, .marker-cluster').length"
        f" < {shown}; }}",
        timeout=30_000,
    )
    page.wait_for_timeout(2000)
    frame = page.locator(FOLIUM_FRAME).element_handle().content_frame()
    fewer = markers_on_screen(frame)
    assert 0 < fewer < shown
    assert bounds(frame) == panned  # the filter kept the view
    assert parse_qs(urlparse(page.url).query).get("q") == ["Graivoron"]

    # the GeoJSON download is the events shown, as a valid FeatureCollection
    with page.expect_download() as info:
        page.get_by_role("button", name="Download shown events (GeoJSON)").click()
    collection = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    ids = sorted(f["id"] for f in collection["features"])
    assert ids == frame.evaluate(MAP_IDS_JS)
    assert len(ids) == fewer
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert 20 < lon < 50 and 40 < lat < 60  # lon, lat order
        assert "graivoron" in json.dumps(feature["properties"], ensure_ascii=False).casefold()
    assert not non_local(page.requests)


def test_clicking_a_marker_shows_its_evidence_and_selects_its_row(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"] + "?zoom=11&lat=50.48&lon=35.68")  # Graivoron, past clustering
    events = placed_events(app["store"]).set_index("event_id")
    marker = frame.locator("path.leaflet-interactive").first
    marker.click(force=True)
    frame.wait_for_selector(".leaflet-popup-content", timeout=10_000)
    popup = frame.locator(".leaflet-popup-content").inner_text()
    shown = [i for i, e in events.iterrows() if e["evidence"][:60] in " ".join(popup.split())]
    assert len(shown) >= 1, popup
    evidence = events.loc[shown[0], "evidence"]
    # the app learns the click: the details panel shows the whole evidence sentence as text
    page.get_by_text("Evidence (verbatim):").wait_for(timeout=30_000)
    assert " ".join(evidence.split()) in " ".join(page.locator('[data-testid="stText"]').first.inner_text().split())


def test_article_with_script_payloads_shows_as_text_and_runs_nothing(page: Any, app: dict[str, Any]) -> None:
    payload = (
        "Shelling hit Shebekino <img src=x onerror=alert(1)> on Monday, ${alert(1)} killing two people,"
        " officials said in a statement from C:\\temp\\new."
    )
    page.goto(app["url"])
    page.get_by_role("tab", name="Add articles").click()
    page.get_by_label("Title (optional: else the first line)").fill("Payload <script>alert(2)</script> test")
    page.get_by_label("Article text").fill(payload)
    page.get_by_role("button", name="Extract and add").first.click()
    page.get_by_text("1 article(s) added").wait_for(timeout=60_000)

    added = placed_events(app["store"])
    added = added[added["evidence"].str.contains("onerror", regex=False)]
    assert len(added) == 1
    where = f"lat={added['lat'].iloc[0]:.4f}&lon={added['lon'].iloc[0]:.4f}"
    frame = open_map(page, app["url"] + f"?q=onerror&zoom=11&{where}")  # the view centred on it
    assert markers_on_screen(frame) == 1
    frame.locator("path.leaflet-interactive").first.click(force=True)
    frame.wait_for_selector(".leaflet-popup-content", timeout=10_000)
    popup = frame.locator(".leaflet-popup-content")
    text = popup.inner_text()
    assert "<img src=x onerror=alert(1)>" in text
    assert "${alert(1)}" in text
    assert "C:\\temp\\new" in text
    assert "<script>alert(2)</script>" in text
    assert popup.locator("img, script").count() == 0
    page.get_by_text("Evidence (verbatim):").wait_for(timeout=30_000)
    assert "<img src=x onerror=alert(1)>" in page.locator('[data-testid="stText"]').first.inner_text()
    page.wait_for_timeout(1500)
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == []
    assert not non_local(page.requests)
