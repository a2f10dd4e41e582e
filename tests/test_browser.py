"""The app in a real browser: Debian's chromium driven by Playwright against ``streamlit run``.

One server per module, on a free local port, with its own event store (bootstrapped from the
seed article on first load). The tests run in file order; the last one adds an article.
In CI (``CI=true``) a missing chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from conftest import ROOT

from geo.appbench import FOLIUM_FRAME, serve_app
from geo.mapview import CHROMIUM_ARGS, HIGHLIGHT_COLOR
from geo.store import EventStore

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


@pytest.fixture(scope="module")
def app(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``streamlit run streamlit_app.py`` on a free port with an empty store of its own."""
    store = tmp_path_factory.mktemp("app") / "events.gpkg"
    try:
        with serve_app(store, log=tmp_path_factory.mktemp("log") / "streamlit.log") as url:
            yield {"url": url, "store": store}
    except RuntimeError as err:  # it did not start: the log says why
        pytest.fail(str(err))


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


def settle(page: Any, quiet_ms: int = 1000) -> None:
    """Wait until the script has stopped rerunning for ``quiet_ms`` (a rerun redraws the buttons)."""
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    for _ in range(30):
        page.wait_for_selector(idle, timeout=60_000)
        page.wait_for_timeout(quiet_ms)
        if page.locator(idle).count():
            return
    raise AssertionError("the app kept rerunning")


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

    # the GeoJSON download is the events shown, as a valid FeatureCollection; the button
    # is pressed once the page is still (the map's own report of its view may rerun it)
    settle(page)
    with page.expect_download(timeout=60_000) as info:
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


# -- the analyst's map: time, labels, density, details, corrections, uploads ------------------


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _frame(page: Any) -> Any:
    return page.locator(FOLIUM_FRAME).element_handle().content_frame()


def _shown_between(store: Path, first: str, last: str) -> set[str]:
    """Ids of the placed events the app shows for a date range (undated ones are included)."""
    events = placed_events(store)
    dated = events["date"].notna()
    inside = dated & (events["date"].astype(str) >= first) & (events["date"].astype(str) <= last)
    return set(events[inside.to_numpy() | ~dated.to_numpy()]["event_id"])


def test_the_day_chart_selects_a_span_that_sets_the_dates_markers_and_url(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"])
    everything = set(frame.evaluate(MAP_IDS_JS))
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.locator("canvas, svg").first.bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.6, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.97, y, steps=10)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.has('from')", timeout=30_000)
    page.wait_for_timeout(3000)
    q = _query(page)
    first, last = q["from"][0], q["to"][0]
    wanted = _shown_between(app["store"], first, last)
    assert first <= last and wanted < everything  # a span of the days, not all of them
    page.wait_for_function(
        f"() => {{ const f = document.querySelector('{FOLIUM_FRAME}');"
        f" return f && f.contentWindow.map && f.contentWindow.document.querySelectorAll("
        f"'path.leaflet-interactive, .marker-cluster').length > 0; }}",
        timeout=30_000,
    )
    page.wait_for_timeout(1500)
    assert set(_frame(page).evaluate(MAP_IDS_JS)) == wanted
    assert not non_local(page.requests)


def test_playback_steps_the_map_through_the_days(page: Any, app: dict[str, Any]) -> None:
    open_map(page, app["url"])
    seen = []
    for step in (1, 2):
        page.get_by_role("button", name="Next ▶").click()
        page.get_by_text(f"Window {step} of").wait_for(timeout=30_000)
        page.wait_for_timeout(2500)
        q = _query(page)
        assert q["from"] == q["to"]  # one day
        seen.append(q["from"][0])
        assert set(_frame(page).evaluate(MAP_IDS_JS)) == _shown_between(app["store"], q["from"][0], q["to"][0])
    assert seen[0] < seen[1]
    page.get_by_role("button", name="◀ Previous").click()
    page.get_by_text("Window 1 of").wait_for(timeout=30_000)
    assert _query(page)["from"] == [seen[0]]


def test_place_labels_and_the_density_layer_are_drawn_offline(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"])
    labels = frame.locator(".place-label").all_inner_texts()
    assert {"Kharkiv", "Belgorod", "Sumy"} <= set(labels)
    assert any(t.isupper() and "OBLAST" in t for t in labels)  # region names at their middles
    hexagons = "path[fill='#eceff1'], path[fill='#b0bec5'], path[fill='#78909c'], path[fill='#546e7a'], " \
               "path[fill='#37474f'], path[fill='#263238']"  # fmt: skip
    assert frame.locator(hexagons).count() == 0  # off at first
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_text("Event density (hexagons)").click()
    frame.wait_for_selector(hexagons, timeout=10_000)
    assert frame.locator(hexagons).count() >= 1
    frame.get_by_text("Event density (hexagons)").click()
    page.wait_for_timeout(500)
    assert frame.locator(hexagons).count() == 0
    frame.get_by_text("Place labels").click()
    page.wait_for_timeout(500)
    assert frame.locator(".place-label").count() == 0
    assert not non_local(page.requests)


def test_a_marker_click_shows_the_details_beside_the_map(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"] + "?zoom=11&lat=50.48&lon=35.68")
    frame.locator("path.leaflet-interactive").first.click(force=True)
    label = page.get_by_text("Evidence (verbatim):")
    label.wait_for(timeout=30_000)
    from playwright.sync_api import expect

    expect(label).to_be_in_viewport()  # next to the map, not 700 px below it
    map_box, label_box = page.locator(FOLIUM_FRAME).bounding_box(), label.bounding_box()
    assert label_box["x"] > map_box["x"] + map_box["width"] - 5  # to its right
    page.wait_for_timeout(2500)
    assert _frame(page).locator(".leaflet-popup-content").count() == 1  # the popup stays open


def _marker_inside_the_map(page: Any, frame: Any) -> Any:
    """A marker drawn wholly inside the map's frame (the renderer also draws some just outside)."""
    box = page.locator(FOLIUM_FRAME).bounding_box()
    for marker in frame.locator("path.leaflet-interactive").all():
        b = marker.bounding_box()
        across = b and box["x"] < b["x"] and b["x"] + b["width"] < box["x"] + box["width"]
        if across and box["y"] < b["y"] and b["y"] + b["height"] < box["y"] + box["height"]:
            return marker
    raise AssertionError("no marker inside the map")


def _select_first_row(page: Any) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the selection box of the first row


def test_a_table_row_rings_its_marker_and_brings_it_into_view(page: Any, app: dict[str, Any]) -> None:
    frame = open_map(page, app["url"] + "?q=Graivoron")
    frame.evaluate("() => window.map.setView([45.0, 30.0], 8)")  # far from Graivoron
    page.wait_for_timeout(1500)
    _select_first_row(page)
    page.get_by_text("Evidence (verbatim):").wait_for(timeout=30_000)
    page.wait_for_timeout(3000)
    frame = _frame(page)
    ringed = frame.locator(f"path[stroke='{HIGHLIGHT_COLOR}']")
    assert ringed.count() == 1
    inside = frame.evaluate(
        """() => { let hit = null; const seen = new Set();
            function walk(l) { if (seen.has(l)) return; seen.add(l);
                if (l.feature && l.feature.properties && l.feature.properties.selected) hit = l;
                if (l.getLayers) l.getLayers().forEach(walk); }
            Object.values(window.map._layers).forEach(walk);
            return hit !== null && window.map.getBounds().contains(hit.getLatLng()); }"""
    )
    assert inside


def test_an_undated_event_is_corrected_deleted_restored_and_undone(page: Any, app: dict[str, Any]) -> None:
    from geo.articles import article_from_text
    from geo.pipeline import extract

    open_map(page, app["url"])  # the store holds the seed articles before this one joins them
    article = article_from_text("Undated item\n\nShelling hit Tetkino, the governor said.", published=None)
    events = extract(article)
    assert len(events) == 1 and events[0].date is None
    store = EventStore(app["store"])
    store.ingest([(article, events)])
    eid = events[0].event_id
    open_map(page, app["url"] + "?q=Tetkino")
    _select_first_row(page)
    page.get_by_text("Evidence (verbatim):").wait_for(timeout=30_000)
    page.get_by_text("Correct this event").click()
    page.get_by_label("Event type", exact=True).click()  # outside the form: the sub-types follow it
    page.get_by_role("option", name="Battles").click()
    page.wait_for_timeout(2500)  # the rerun that redraws the form
    sub_type = page.get_by_label("Sub-event type")
    sub_type.scroll_into_view_if_needed()
    sub_type.click()
    page.get_by_role("option", name="Armed clash").wait_for(timeout=10_000)
    options = page.get_by_role("option").all_inner_texts()
    assert "Armed clash" in options and "Shelling/artillery/missile attack" not in options
    page.get_by_role("option", name="Armed clash").click()
    page.get_by_role("button", name="Save correction").click()
    page.get_by_text("Saved:").wait_for(timeout=30_000)
    corrected = store.events().set_index("event_id").loc[eid]
    assert corrected["event_type"] == "Battles" and pd.isna(corrected["date"]) and bool(corrected["reviewed"])

    page.get_by_text("History of corrections").click()
    page.get_by_text("event_type").first.wait_for(timeout=10_000)  # the correction is in the history
    page.get_by_role("button", name="Undo the last correction").click()
    page.get_by_text("Undone:").wait_for(timeout=30_000)
    undone = store.events().set_index("event_id").loc[eid]
    assert undone["event_type"] == events[0].event_type and undone["sub_event_type"] == events[0].sub_event_type

    page.get_by_role("button", name="Delete this event").click()
    page.get_by_text("Deleted;").wait_for(timeout=30_000)
    assert eid not in set(store.events()["event_id"])
    page.get_by_role("tab", name="About the data").click()
    page.get_by_text("Event: Explosions/Remote violence — Tëtkino").wait_for(timeout=30_000)
    page.get_by_role("button", name="Restore").first.click()
    page.get_by_text("Restored the event.").wait_for(timeout=30_000)
    assert eid in set(store.events()["event_id"])
    assert not non_local(page.requests)


def test_a_csv_upload_adds_its_articles(page: Any, app: dict[str, Any], tmp_path: Path) -> None:
    table = tmp_path / "feed.csv"
    table.write_text(
        "title,text,published\n"
        'Nekhoteevka,"Shelling hit Nekhoteevka on Tuesday, the governor said.",2024-04-02\n'
        'Krasnaya Yaruga,"A drone struck Krasnaya Yaruga on Tuesday, the governor said.",2024-04-02\n',
        encoding="utf-8",
    )
    before = len(EventStore(app["store"]).articles())
    page.goto(app["url"])
    page.get_by_role("tab", name="Add articles").click()
    page.get_by_role("tab", name="Upload files").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(table))
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Extract and add").last.click()
    page.get_by_text("2 article(s) added").wait_for(timeout=60_000)
    assert len(EventStore(app["store"]).articles()) == before + 2


@pytest.mark.parametrize(("layout", "size"), [("desktop", (1500, 1100)), ("phone", (390, 844))])
def test_screenshots_of_the_layouts_and_popups_that_fit(
    browser: Any, app: dict[str, Any], layout: str, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    tab = context.new_page()
    try:
        tab.goto(app["url"] + "?zoom=11&lat=50.48&lon=35.68")  # Graivoron
        tab.wait_for_selector(FOLIUM_FRAME, timeout=180_000)
        frame = tab.locator(FOLIUM_FRAME).element_handle().content_frame()
        frame.wait_for_function(
            "() => window.map !== undefined && document.querySelectorAll('path.leaflet-interactive').length > 0",
            timeout=60_000,
        )
        tab.wait_for_timeout(1500)
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"app-{layout}.png"), full_page=True)
        tab.locator(FOLIUM_FRAME).evaluate("e => e.scrollIntoView({block: 'center'})")  # all of the map in view
        tab.wait_for_timeout(800)
        _marker_inside_the_map(tab, frame).click(force=True)
        frame.wait_for_selector(".leaflet-popup-content", timeout=10_000)
        tab.wait_for_timeout(800)
        popup = frame.locator(".leaflet-popup").bounding_box()
        shown = frame.evaluate("() => [window.innerWidth, window.innerHeight]")
        assert popup["width"] <= shown[0] and popup["height"] <= shown[1]
        tab.screenshot(path=str(ARTIFACTS / f"app-{layout}-popup.png"))
    finally:
        context.close()
