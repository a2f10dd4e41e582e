"""``pip install .`` gives a package ``geo`` that works without the repository around it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

from geo import settings


def test_the_wheel_holds_the_data_and_works_outside_the_repository(tmp_path: Path) -> None:
    wheels, site, home, work = (tmp_path / d for d in ("wheels", "site", "home", "work"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels)],
                   check=True, capture_output=True)  # fmt: skip
    (wheel,) = wheels.glob("border_incidents-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"geo/_data/admin1.csv", "geo/_data/countries.csv", "geo/_seeds/index.json", "geo/lexicons/ru.json"} <= names
    assert not any("/cache/" in n or n.endswith(".gpkg") for n in names)  # no built caches, no stores
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], check=True)
    work.mkdir()
    article = work / "kursk.txt"
    article.write_text("Kursk\n\nA drone hit a house in the city of Kursk on Monday, the governor said.\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GEO_", "PYTHON", "XDG_"))} | {
        "HOME": str(home),
        "PYTHONPATH": str(site),
        "GEO_CACHE_DIR": str(settings.cache_dir),
    }  # the built index
    run = [sys.executable, "-m", "geo"]
    where = subprocess.run(
        [sys.executable, "-c", "import geo, geo.settings as s; print(geo.__file__, s.data_dir, s.store_path)"],
        cwd=work, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))  # not the checkout's
    assert where[2] == str(home / ".local" / "share" / "border-incidents" / "events.gpkg")
    out = subprocess.run([*run, "extract", str(article), "--published", "2024-01-22"], cwd=work, env=env,
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    (feature,) = json.loads(out)["features"]
    assert feature["properties"]["location"] == "Kursk" and feature["properties"]["date"] == "2024-01-22"
    seeded = subprocess.run([*run, "seed"], cwd=work, env=env, check=True, capture_output=True, text=True)
    assert "seed article" in seeded.stdout + seeded.stderr
    assert (home / ".local" / "share" / "border-incidents" / "events.gpkg").exists()
