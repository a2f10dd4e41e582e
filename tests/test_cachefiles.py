"""The on-disk cache shared by processes: one build under a lock, readable files, other keys kept."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

from geo.cachefiles import STALE_DAYS, file_key, load_or_build

_BUILDER = """
import sys, time
from pathlib import Path
from geo.cachefiles import load_or_build

def build():
    with open(sys.argv[2], "a") as log:
        log.write("built\\n")
    time.sleep(1.0)  # long enough for the other process to find the build under way
    return {"answer": 42}

print(load_or_build(Path(sys.argv[1]), build)["answer"])
"""


def test_two_processes_build_a_missing_file_once(tmp_path: Path) -> None:
    path, log = tmp_path / "cache" / "index-abc.pickle", tmp_path / "builds.log"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILDER, str(path), str(log)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert outputs == ["42", "42"] and [p.returncode for p in procs] == [0, 0]
    assert log.read_text().splitlines() == ["built"]  # the second process waited and read it


def test_a_cache_file_is_readable_by_others_and_other_keys_are_kept(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        old = tmp_path / "index-old.pickle"
        stale = tmp_path / "index-stale.pickle"
        load_or_build(old, lambda: 1)
        load_or_build(stale, lambda: 2)
        long_ago = time.time() - (STALE_DAYS + 1) * 86_400
        os.utime(stale, (long_ago, long_ago))
        assert load_or_build(tmp_path / "index-new.pickle", lambda: 3) == 3
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "index-new.pickle").stat().st_mode) == 0o644
    assert old.exists() and not stale.exists()  # another key in use stays; one unused for weeks goes
    assert load_or_build(old, lambda: 99) == 1  # read, not rebuilt


def test_an_unreadable_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "index-x.pickle"
    path.write_bytes(b"not a pickle")
    assert load_or_build(path, lambda: {"fresh": True}) == {"fresh": True}


def test_small_files_are_keyed_by_content_wherever_they_are(tmp_path: Path) -> None:
    a, b = tmp_path / "one" / "admin1.csv", tmp_path / "two" / "admin1.csv"
    for path in (a, b):
        path.parent.mkdir()
        path.write_text("code,name\n09,Belgorod\n")
    os.utime(b, (0, 0))  # another checkout: other times
    assert file_key(a) == file_key(b)
    b.write_text("code,name\n09,Belgorod Oblast\n")
    assert file_key(a) != file_key(b)
