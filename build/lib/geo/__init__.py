r"""Geoparse news about the Russia–Ukraine border into mapped, traceable events.

The data flows through the modules in this order::

    articles → toponyms → gazetteer/resolve → events → borders → store/export → mapview

Examples
--------
>>> import geo
>>> art = geo.article_from_text("Drones over Kursk\n\nA drone hit a house in the city of Kursk on Monday.",
...                             published="2024-01-22")
>>> [(e.location, e.sub_event_type, str(e.date)) for e in geo.extract(art)]
[('Kursk', 'Air/drone strike', '2024-01-22')]
"""

from typing import TYPE_CHECKING, Any

from .articles import Article, article_from_text, read_articles
from .errors import ArticleError, GazetteerError, GeoError, StoreError
from .events import Event, EventPlace
from .gazetteer import Gazetteer, Place, get_gazetteer
from .pipeline import extract, resolve_article, run

if TYPE_CHECKING:
    from .store import EventStore, events_to_gdf

_LAZY = {"EventStore": "store", "events_to_gdf": "store"}  # these import geopandas: load on first use


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Article",
    "ArticleError",
    "Event",
    "EventPlace",
    "EventStore",
    "Gazetteer",
    "GazetteerError",
    "GeoError",
    "Place",
    "StoreError",
    "article_from_text",
    "events_to_gdf",
    "extract",
    "get_gazetteer",
    "read_articles",
    "resolve_article",
    "run",
]
