"""Files of the on-disk cache (:data:`geo.settings.cache_dir`): written whole or not at all."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["write_pickle"]


def write_pickle(path: Path, state: object) -> None:
    """Pickle ``state`` to ``path`` through a temporary file beside it, so readers never see half a file.

    The temporary name is unique, so processes building the same cache at once do not collide.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
