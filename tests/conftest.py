"""Shared fixtures: the gazetteer, the seed article, the gold articles, hostile inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.articles import Article, article_from_text, read_articles
from geo.gazetteer import Gazetteer, get_gazetteer

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("GEO_SHARED_DIR", ROOT.parent / "shared"))
SEED = ROOT / "seeds" / "000_9350b7dae76c861a.txt"
SEED_PUBLISHED = "2023-05-24"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


@pytest.fixture(scope="session")
def seed_article() -> Article:
    return read_articles(SEED, published=SEED_PUBLISHED)[0]


def gold_files() -> list[Path]:
    return sorted((SHARED / "eval").glob("*.json"))


def load_gold(path: Path) -> tuple[dict, Article]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = gold.get("text") or (ROOT / gold["text_file"]).read_text(encoding="utf-8")
    return gold, article_from_text(text, published=gold["published"], source=path.name)


def needs_shared(path: Path) -> None:
    """Skip without the shared evaluation data; in CI (``CI=true``) its absence is a failure."""
    if not path.exists():
        message = f"{path} is not here (set GEO_SHARED_DIR to the shared folder)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile inputs of ../shared/eval/bad_inputs (big file at 6 MB, over the 5 MB limit)."""
    script = SHARED / "eval" / "bad_inputs" / "make_bad_inputs.py"
    needs_shared(script)
    out = tmp_path_factory.mktemp("bad_inputs")
    subprocess.run([sys.executable, str(script), str(out), "--big-mb", "6"], check=True)
    return out
