"""The app as a user meets it: ``streamlit run`` on a store, timed in headless Chromium.

:func:`serve_app` runs ``streamlit run streamlit_app.py`` on a free local port with a store of
its own (the browser tests use it too); :func:`bench_app` times, from outside the server:

* **first start**: ``python -m geo seed`` (what ``make run`` does before the server starts),
  the server's start, and the first page until its markers are drawn;
* **page loads** with 10,000 events in the store: the first (the server reads the store and
  groups the incidents) and a later one (cached by the store's version).

The figures are measurements of this machine, printed by ``python -m geo bench --only app``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["bench_app", "serve_app"]

_ROOT = Path(__file__).resolve().parent.parent
FOLIUM_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_app(store: Path, *, log: Path, timeout: float = 90.0) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` on 127.0.0.1 with ``store``; yields its URL.

    Offline (``GEO_ONLINE=0``); the server's output goes to ``log``; it is stopped on exit.
    Raises RuntimeError with the end of the log when it does not start within ``timeout`` s.
    """
    port = _free_port()
    env = {**os.environ, "GEO_STORE": str(store), "GEO_ONLINE": "0"}
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log.open("w+") as out:
        server = subprocess.Popen(command, cwd=_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise RuntimeError(f"streamlit did not start:\n{out.read()[-3000:]}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _drawn(page: Any, url: str) -> float:
    """Seconds from navigation until the map's markers (or clusters) are on the page."""
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(FOLIUM_FRAME, timeout=180_000)
    frame = page.locator(FOLIUM_FRAME).element_handle().content_frame()
    frame.wait_for_selector(".marker-cluster, path.leaflet-interactive", state="attached", timeout=180_000)
    return time.perf_counter() - start


def bench_app(events: int = 10_000) -> dict[str, float]:
    """First start on the seed articles, and page loads with ``events`` events in the store."""
    from playwright.sync_api import sync_playwright

    from .mapview import CHROMIUM_ARGS, synthetic_events
    from .store import _write_events

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {}
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        seeded = folder / "seed.gpkg"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "geo", "seed", "--store", str(seeded)], cwd=_ROOT, check=True,
                       capture_output=True)  # fmt: skip
        with serve_app(seeded, log=folder / "seed.log") as url:
            _drawn(page, url)
            figures["first_start_s"] = time.perf_counter() - start
            figures["seed_reload_s"] = _drawn(page, url)
        many = folder / "many.gpkg"
        _write_events(many, synthetic_events(events), append=False)
        with serve_app(many, log=folder / "many.log") as url:
            figures["events"] = events
            figures["first_load_s"] = _drawn(page, url)
            figures["page_load_s"] = min(_drawn(page, url) for _ in range(2))
        browser.close()
    return figures
