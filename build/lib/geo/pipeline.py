r"""The one path from articles to events that the CLI, the app and the benchmarks share.

Examples
--------
>>> from geo.articles import article_from_text
>>> art = article_from_text(
...     "Shelling in Sumy\n\nRussian forces shelled Velyka Pysarivka in Ukraine's Sumy region"
...     " on Monday, killing two people.",
...     published="2023-09-12",
... )
>>> [(e.location, e.event_type, str(e.date), e.fatalities) for e in extract(art)]
[('Velyka Pysarivka', 'Explosions/Remote violence', '2023-09-11', 2)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .articles import Article
from .events import Event, extract_events
from .gazetteer import Gazetteer, get_gazetteer
from .resolve import OnlinePlaces, ResolvedPlace, resolve_mentions
from .toponyms import find_mentions

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["extract", "resolve_article", "run"]

logger = logging.getLogger(__name__)


def resolve_article(
    article: Article, *, gazetteer: Gazetteer | None = None, online: OnlinePlaces | None = None
) -> list[ResolvedPlace]:
    """The article's place mentions, each resolved (or marked unresolved)."""
    gaz = gazetteer or get_gazetteer()
    return resolve_mentions(find_mentions(article, gaz), gaz, online=online)


def extract(article: Article, *, gazetteer: Gazetteer | None = None, online: OnlinePlaces | None = None) -> list[Event]:
    """The events an article reports, placed, dated and with their border distance.

    ``online`` (an :class:`geo.geocoders.OnlineGeocoder`) is asked about names the offline index
    lacks; without it (the default) nothing leaves the machine.
    """
    gaz = gazetteer or get_gazetteer()
    if article.language != "en":  # Russian or Ukrainian: read through the English gloss
        from .gloss import gloss_article, glossed_events

        gloss = gloss_article(article, gaz)
        found = extract_events(gloss.article, resolve_article(gloss.article, gazetteer=gaz, online=online), gaz)
        return glossed_events(found, gloss)
    return extract_events(article, resolve_article(article, gazetteer=gaz, online=online), gaz)


def run(
    articles: Iterable[Article],
    *,
    gazetteer: Gazetteer | None = None,
    online: OnlinePlaces | None = None,
    progress: Callable[[Article, list[Event]], None] | None = None,
) -> gpd.GeoDataFrame:
    """Extract the events of many articles into one GeoDataFrame (EPSG:4326)."""
    from .store import events_to_gdf

    gaz = gazetteer or get_gazetteer()
    events: list[Event] = []
    for article in articles:
        found = extract(article, gazetteer=gaz, online=online)
        events.extend(found)
        if progress is not None:
            progress(article, found)
    return events_to_gdf(events)
