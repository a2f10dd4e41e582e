"""Readers for public geoparsing benchmarks: GeoWebNews, LGL, TR-News and Bellingcat's events.

The corpora are not part of this project (their licences allow evaluation, not redistribution):
point ``--data`` (or ``GEO_BENCHMARKS_DIR``) at the folder that holds them, laid out as

* ``geoparsing/GWN.xml`` and ``geoparsing/gwn_full.txt`` (GeoWebNews, Gritta et al. 2019);
* ``geoparsing/lgl.xml`` (Local-Global Lexicon, Lieberman et al. 2010);
* ``geoparsing/TR-News.xml`` (Kamalloo and Rafiei 2018);
* ``bellingcat/export_events.json`` (Bellingcat's civilian-harm events in Ukraine).

Offsets of gold toponyms are checked against the text as they are read; a toponym whose
offsets do not match its phrase is located by searching near them, else dropped and counted.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .errors import GeoError

__all__ = [
    "CORPORA",
    "BenchmarkError",
    "GoldDoc",
    "GoldLocation",
    "GoldToponym",
    "benchmarks_dir",
    "read_bellingcat",
    "read_corpus",
    "read_geowebnews",
    "read_xml_corpus",
]

CORPORA = {
    "geowebnews": ("geoparsing/GWN.xml", "geoparsing/gwn_full.txt"),
    "lgl": ("geoparsing/lgl.xml",),
    "trnews": ("geoparsing/TR-News.xml",),
    "bellingcat": ("bellingcat/export_events.json",),
}


class BenchmarkError(GeoError, ValueError):
    """A benchmark file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class GoldToponym:
    """A toponym annotated in a benchmark article; ``lat``/``lon`` are None without a gold place."""

    start: int
    end: int
    phrase: str
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    feature: str | None = None  # GeoNames feature class and code, "P.PPL", "A.ADM1", ...

    @property
    def has_gold(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class GoldDoc:
    id: str
    title: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    dropped: int = 0  # toponyms whose offsets could not be matched to the text


@dataclass(frozen=True, slots=True)
class GoldLocation:
    """A location string with its gold point (Bellingcat)."""

    id: str
    location: str
    lat: float | None
    lon: float | None


def benchmarks_dir(data: str | Path | None = None) -> Path:
    """``data``, else ``GEO_BENCHMARKS_DIR``, else ``../shared/eval/benchmarks`` next to the project."""
    if data is not None:
        return Path(data)
    env = os.environ.get("GEO_BENCHMARKS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "benchmarks"


def _locate(folder: Path, relative: str) -> Path:
    """The file ``relative`` under ``folder``, or directly in it (``--data`` naming a subfolder)."""
    for candidate in (folder / relative, folder / Path(relative).name):
        if candidate.is_file():
            return candidate
    raise BenchmarkError(f"{folder / relative}: not found (point --data or GEO_BENCHMARKS_DIR at the benchmarks)")


def _aligned(text: str, start: int, end: int, phrase: str, slack: int = 15) -> tuple[int, int] | None:
    """Offsets of ``phrase`` at ``start``, or its nearest occurrence within ``slack`` characters.

    Some corpora's offsets are a few characters off (TR-News), or their ends are.
    """
    if not phrase:
        return None
    if text[start:end] == phrase:
        return start, end
    for delta in range(slack + 1):
        for s in (start - delta, start + delta):
            if s >= 0 and text.startswith(phrase, s):
                return s, s + len(phrase)
    return None


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    if number is None or number != number:  # NaN
        return None
    return number


def _parse_xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError) as err:
        raise BenchmarkError(f"{path}: not readable XML ({err})") from err


def read_xml_corpus(path: Path) -> list[GoldDoc]:
    """LGL and TR-News: ``<article docid>`` with ``<text>`` and ``<toponyms>``."""
    docs: list[GoldDoc] = []
    for article in _parse_xml(path).iter("article"):
        text = article.findtext("text") or ""
        toponyms, dropped = [], 0
        for t in article.iter("toponym"):
            phrase = t.findtext("phrase") or ""
            try:
                start, end = int(t.findtext("start") or ""), int(t.findtext("end") or "")
            except ValueError:
                dropped += 1
                continue
            span = _aligned(text, start, end, phrase)
            if span is None:
                dropped += 1
                continue
            tag = t.find("gaztag")
            lat = _float(tag.findtext("lat")) if tag is not None else None
            lon = _float(tag.findtext("lon")) if tag is not None else None
            gid = tag.get("geonameid") if tag is not None else None
            feature = None
            if tag is not None and tag.findtext("fclass"):
                feature = f"{tag.findtext('fclass')}.{tag.findtext('fcode') or ''}"
            toponyms.append(
                GoldToponym(
                    start=span[0],
                    end=span[1],
                    phrase=phrase,
                    name=tag.findtext("name") if tag is not None else None,
                    lat=lat,
                    lon=lon,
                    geonameid=int(gid) if gid and gid.isdigit() else None,
                    feature=feature,
                )
            )
        docs.append(
            GoldDoc(
                id=article.get("docid") or str(len(docs)),
                title=article.findtext("title") or "",
                text=text,
                toponyms=tuple(toponyms),
                dropped=dropped,
            )
        )
    return docs


def read_geowebnews(xml_path: Path, gold_path: Path) -> list[GoldDoc]:
    """GeoWebNews: article N of ``GWN.xml`` has its toponyms on line N of ``gwn_full.txt``.

    A line holds toponyms separated by ``||``, each ``name,,surface,,lat,,lon,,start,,end``.
    """
    articles = list(_parse_xml(xml_path).iter("article"))
    try:
        lines = gold_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise BenchmarkError(f"{gold_path}: not readable ({err})") from err
    docs: list[GoldDoc] = []
    for n, article in enumerate(articles):
        text = article.findtext("text") or ""
        line = lines[n] if n < len(lines) else ""
        toponyms, dropped = [], 0
        for item in line.split("||"):
            fields = item.split(",,")
            if len(fields) != 6:
                dropped += bool(item.strip())
                continue
            name, surface, lat, lon, start, end = fields
            try:
                span = _aligned(text, int(start), int(end), surface)
            except ValueError:
                span = None
            if span is None:
                dropped += 1
                continue
            toponyms.append(GoldToponym(span[0], span[1], surface, name=name, lat=_float(lat), lon=_float(lon)))
        docs.append(
            GoldDoc(
                id=article.get("file") or str(n),
                title=article.findtext("title") or "",
                text=text,
                toponyms=tuple(sorted(toponyms, key=lambda t: t.start)),
                dropped=dropped,
            )
        )
    return docs


def read_bellingcat(path: Path) -> list[GoldLocation]:
    """Bellingcat's export: objects with ``id``, ``location``, ``latitude``, ``longitude``."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BenchmarkError(f"{path}: not readable JSON ({err})") from err
    if not isinstance(rows, list):
        raise BenchmarkError(f"{path}: expected a list of events")
    out = []
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        out.append(
            GoldLocation(
                id=str(row.get("id") or n),
                location=str(row.get("location") or ""),
                lat=_float(row.get("latitude")),
                lon=_float(row.get("longitude")),
            )
        )
    return out


def read_corpus(name: str, data: str | Path | None = None) -> list[GoldDoc]:
    """The articles of ``geowebnews``, ``lgl`` or ``trnews``."""
    folder = benchmarks_dir(data)
    if name == "geowebnews":
        xml_rel, gold_rel = CORPORA[name]
        return read_geowebnews(_locate(folder, xml_rel), _locate(folder, gold_rel))
    if name in ("lgl", "trnews"):
        return read_xml_corpus(_locate(folder, CORPORA[name][0]))
    raise BenchmarkError(f"unknown corpus {name!r} (one of {', '.join(CORPORA)})")


def bellingcat_locations(data: str | Path | None = None) -> list[GoldLocation]:
    return read_bellingcat(_locate(benchmarks_dir(data), CORPORA["bellingcat"][0]))
