"""Files of the on-disk cache (:data:`geo.settings.cache_dir`): written whole or not at all.

Several processes may share a cache (the app, a batch of workers, two checkouts pointed at one
``GEO_CACHE_DIR``): a file is built under a lock (one process builds, the others wait and then
read it), written through a temporary file (readers never see half a file), readable by other
users, and other keys' files are left alone unless unused for :data:`STALE_DAYS`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["STALE_DAYS", "file_key", "load_or_build", "write_pickle"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
STALE_DAYS = 14  # another key's file unused this long is removed
_HASHED_MAX_BYTES = 8_000_000  # project and user files up to this size are keyed by their content
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError)


def write_pickle(path: Path, state: object) -> None:
    """Pickle ``state`` to ``path`` through a temporary file beside it, so readers never see half a file.

    The temporary name is unique, so processes building the same cache at once do not collide;
    the file gets the mode a new file gets (readable by other users under the usual umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_key(path: Path) -> str:
    """What a cache key says about one input file.

    A file of an installed package: its name and size (the package's version is in the key
    too), so another virtual environment with the same packages shares the cache. A small file
    of the project or the user: its content, so a second checkout shares it. A big one (a
    GeoNames dump): its name, size and modification time.
    """
    st = path.stat()
    if "site-packages" in path.parts or "dist-packages" in path.parts:
        return f"{path.name}:{st.st_size}"
    if st.st_size <= _HASHED_MAX_BYTES:
        return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    return f"{path.name}:{st.st_size}:{st.st_mtime_ns}"


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _load(path: Path, load: Callable[[Any], T]) -> T | None:
    if not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            state = pickle.load(fh)
        value = load(state)
    except _UNREADABLE as err:
        logger.warning("cached %s is unreadable (%s); rebuilding", path.name, err)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # in use: not stale
    return value


def load_or_build(path: Path, build: Callable[[], Any], *, load: Callable[[Any], T] = lambda state: state) -> T:
    """The value cached at ``path``, or ``build()`` the state to cache (under the cache's lock).

    ``load`` turns a pickled state into the value. Files of the same family (``name-*.pickle``)
    with other keys are removed only when unused for :data:`STALE_DAYS`.
    """
    found = _load(path, load)
    if found is not None:
        return found
    with _lock(path):
        found = _load(path, load)  # built by another process while this one waited
        if found is not None:
            return found
        logger.info("building %s (cached in %s)", path.stem, path.parent)
        state = build()
        write_pickle(path, state)
        _prune(path)
    return load(state)


def _prune(path: Path) -> None:
    family = path.name.split("-")[0]
    cutoff = time.time() - STALE_DAYS * 86_400
    for other in path.parent.glob(f"{family}-*.pickle"):
        with contextlib.suppress(OSError):
            if other != path and other.stat().st_mtime < cutoff:
                other.unlink()
