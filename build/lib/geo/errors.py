"""Exceptions raised by the library.

Every exception derives from :class:`GeoError`; each also inherits the built-in it refines,
so ``except ValueError`` keeps working for callers who do not know this package.
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "GazetteerError",
    "GeoError",
    "StoreError",
]


class GeoError(Exception):
    """Base class of this package's errors."""


class ArticleError(GeoError, ValueError):
    """An input article cannot be read: missing, empty, binary, badly encoded, too large."""


class GazetteerError(GeoError, RuntimeError):
    """The gazetteer cannot be built or loaded, or a supplement file is malformed."""


class StoreError(GeoError, RuntimeError):
    """The event store cannot be read or written."""
