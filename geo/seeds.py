"""The bundled seed articles (``seeds/``), with their publication dates from ``seeds/index.json``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from . import settings
from .articles import Article, read_articles

__all__ = ["SEEDS_DIR", "seed_articles"]

SEEDS_DIR: Path = settings.seeds_dir


def seed_articles(folder: Path = SEEDS_DIR) -> list[Article]:
    """Every article listed in ``folder/index.json`` (``file``, ``published``).

    The source of each is ``seeds/FILE``, as ``python -m geo ingest seeds/FILE`` from the project
    folder would store it, so the two ways of loading the seeds store the same rows.
    """
    entries = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    articles = []
    for entry in entries:
        for article in read_articles(folder / entry["file"], published=entry.get("published")):
            articles.append(dataclasses.replace(article, source=f"seeds/{entry['file']}"))
    return articles
