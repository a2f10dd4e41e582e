r"""Articles: reading .txt/.md/.html/.json files, page boilerplate, paragraphs and sentences.

An :class:`Article` holds the body text the rest of the pipeline reads; every offset in later
stages (mentions, evidence) is an offset into ``Article.text``.

Examples
--------
>>> art = article_from_text("Shelling in Sumy\n\nTwo people were killed on Monday. Mr. Smith said so.")
>>> art.title
'Shelling in Sumy'
>>> [s.text for s in sentences(art)]
['Two people were killed on Monday.', 'Mr. Smith said so.']
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import settings
from .errors import ArticleError
from .language import READ_LANGUAGES, detect_language, language_name

__all__ = [
    "ARTICLE_SUFFIXES",
    "Article",
    "Sentence",
    "article_from_text",
    "check_size",
    "decode_bytes",
    "html_to_text",
    "parse_published",
    "read_articles",
    "read_articles_bytes",
    "sentences",
]

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".csv")


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: its body text, title, publication date and where it came from."""

    id: str
    title: str
    text: str
    published: dt.date | None = None
    source: str = ""
    language: str = "en"  # ISO 639-1: "en", "ru" or "uk" (see geo.language)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article: ``text == article.text[start:end]``."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


def article_id(text: str) -> str:
    """Stable id of an article: a hash of its whitespace-normalised body."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def parse_published(value: str | dt.date | None, *, where: str = "") -> dt.date | None:
    """Parse a publication date given as ``YYYY-MM-DD`` (or an ISO date-time)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    prefix = f"{where}: " if where else ""
    if not isinstance(value, str):
        raise ArticleError(f"{prefix}published date {value!r} is not a YYYY-MM-DD string")
    text = value.strip()
    try:
        if len(text) > 10 and text[10] in "T ":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise ArticleError(f"{prefix}published date {value!r} is not a valid YYYY-MM-DD date") from err


# -- decoding ---------------------------------------------------------------------------------


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a file's bytes to text; raise :class:`ArticleError` for binary or undecodable data."""
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[3:], "utf-8", name)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", name)
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = _decode(data, "utf-32", name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess_decode(data, name)
    if _looks_binary(text):
        raise ArticleError(f"{name}: binary data, not text")
    return text


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ArticleError(f"{name}: not valid {encoding} text ({err.reason} at byte {err.start})") from err


def _guess_decode(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    if b"\x00" in data:
        raise ArticleError(f"{name}: binary data, not text")
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise ArticleError(f"{name}: unknown text encoding (save it as UTF-8)")
    return _decode(data, best.encoding, name)


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    if not sample:
        return False
    bad = sum(
        1
        for ch in sample
        if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn")
    )
    return bad / len(sample) > 0.01


# -- formats ----------------------------------------------------------------------------------

_BLOCK_TAGS = tuple(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol blockquote section article main table tr td th pre figure "
    "figcaption dd dt hr".split()
)
_DROP_TAGS = tuple("script style noscript iframe nav footer aside form svg button template object embed head".split())


def html_to_text(html: str) -> tuple[str, str]:
    """Return ``(title, text)`` of an HTML page: scripts, styles and navigation dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    body = soup.find("article") or soup.find("main") or soup.body or soup
    h1 = soup.find("h1")
    if h1 is not None:
        title = h1.get_text(" ", strip=True) or title
        if body.find("h1") is h1:
            h1.decompose()
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return title, body.get_text()


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP = re.compile(r"(\*\*|__|\*|`+|~~)")
_MD_LINE_PREFIX = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)")


def markdown_to_text(md: str) -> str:
    """Plain text of a Markdown document (headings, emphasis, links and images unwrapped)."""
    lines = []
    for line in md.splitlines():
        if line.strip().startswith("```"):
            continue
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_LINE_PREFIX.sub("", line)
        lines.append(_MD_MARKUP.sub("", line))
    return "\n".join(lines)


# -- boilerplate and layout -------------------------------------------------------------------

_BOILERPLATE_LINE = re.compile(
    r"^\s*(leave a (reply|comment)|your email address will not be published|required fields are marked"
    r"|send this to a friend|share (this|on)\b|follow us\b|sign up\b|subscribe\b|advertisement\s*$"
    r"|click here\b|read more\b|related (articles|stories|coverage)|you may also like|most read\s*$"
    r"|image (source|caption|copyright)\b|getty images\s*$|copyright\b|all rights reserved"
    r"|skip to (main )?content|print this (page|article)|email this|posted in\b|tags?:"
    r"|comments?\s*(\(\d+\))?\s*$|we use cookies"
    # news-site chrome: reading times, bylines, appeals, ads, newsletter boxes, related links
    r"|\d+\s+min(ute)?s?\s+read\s*$|news\s+feed\s*$|by\s+[A-Z].{0,80}\b\d{1,2}:\d{2}\s*[AP]M\b|\d+\s+out\s+of\s+[\d,]+\s*$"
    r"|quality journalism|help us reach|this audio is (created|generated)|author:|advertisement:?\s*$"
    r"|support \w+ or become|sign up for|our (weekly |daily )?newsletter|subscribers agree|\(c\)\s*copyright"
    r"|\[\s*ad_\d+\s*\]|source link\s*$|theme\s*$|for the latest updates|[•·]?\s*share to\b"
    r"|\[.*opens in (a )?new window\s*\]\s*$|photo(graph)?s?:\s|read also\b|see also:"
    # the same in Russian and Ukrainian pages
    r"|читайте (также|також)\b|фото:\s|джерело:\s|источник:\s|размер шрифта|поделиться\b|поділитися\b"
    r"|подписывайтесь\b|підписуйтесь\b|теги:|новости партн[её]ров|новини партнерів)",
    re.IGNORECASE,
)
# A news ticker of other stories: headlines (no full stop) each under a bare time stamp
# ("21:26  14 серпня"). A live blog's entries are sentences, and are kept.
_TIME_STAMP_LINE = re.compile(r"^\s*(?:\d{1,2}:\d{2}(?:\s+\d{1,2}\s+\w+)?|\d{1,2}\s+\w+\s+\d{4},?\s+\d{1,2}:\d{2})\s*$")
_COMMENTS_START = re.compile(
    r"^\s*(leave a (reply|comment)|comments?\s*(\(\d+\))?\s*$|a message from the\b|dear readers,?\s*$)",
    re.IGNORECASE,
)
_SYNDICATION = re.compile(r"^\s*\((?:MENAFN|AFP|Reuters|AP)\s*-[^)]{0,40}\)\s*")
# A photo caption: a short paragraph ending in a credit ("(Ozge Elif Kizil/Anadolu via Getty
# Images)", "Photograph: David Guttenfelder/The New York Times", ". Genya Savilov / AFP"). Its
# words describe a picture, often of another day: no event is read from it.
_CAPTION_CREDIT = re.compile(
    r"(?:\((?:[^()]*?(?:Getty|AFP|Reuters|AP\b|EPA|Anadolu|Telegram|[Pp]hoto|File|[Hh]andout|via\b|/)[^()]*)\)\s*\.?"
    r"|\.\s+(?:[A-Z][\w.'’-]*\s+){0,4}(?:[A-Z][\w.'’-]*\s*/\s*)?(?:AFP|Reuters|AP|EPA|Getty Images|TASS|RIA Novosti"
    r"|Telegram|[A-Z][\w'’-]+\s+(?:Ministry|Office|Service|Administration|Press Service))"
    r"|\bPhoto(?:graph)?s?(?:\s+credit)?:\s*[^.]{0,80})\s*$"
)
_CAPTION_MAX = 400


def _clean_lines(text: str) -> list[str]:
    """Lines of ``text`` without page boilerplate; hard-wrapped lines are joined."""
    out: list[str] = []
    blank_before = True
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.replace("\x00", " ").split())
        if not line:
            blank_before = True
            continue
        if _COMMENTS_START.match(line):
            break  # the comment section: nothing after it is article text
        if _BOILERPLATE_LINE.match(line) or (len(line) <= _CAPTION_MAX and _CAPTION_CREDIT.search(line)):
            continue
        line = _SYNDICATION.sub("", line)
        if not line:
            continue
        wrapped = out and not blank_before and not re.search(r"[.!?:;\"”’)]$", out[-1]) and line[0].islower()
        if wrapped:
            out[-1] += " " + line
        else:
            out.append(line)
        blank_before = False
    return _without_ticker(out)


def _without_ticker(lines: list[str]) -> list[str]:
    """Lines without a ticker's headlines: a line without a full stop between two time stamps."""
    stamps = [k for k, line in enumerate(lines) if _TIME_STAMP_LINE.match(line)]
    ticker = {
        k + 1 for k, nxt in itertools.pairwise(stamps) if nxt == k + 2 and not re.search(r"[.!?…\"”»]$", lines[k + 1])
    }
    return [line for k, line in enumerate(lines) if k not in ticker] if ticker else lines


def check_size(size: int, name: str) -> None:
    """Refuse an article of ``size`` bytes over ``settings.max_article_bytes``."""
    limit = settings.max_article_bytes
    if size > limit:
        raise ArticleError(
            f"{name}: {size / 1e6:.3g} MB is larger than the {limit / 1e6:g} MB limit for one article"
            " (set GEO_MAX_ARTICLE_MB to raise it)"
        )


def article_from_text(
    text: str,
    *,
    title: str | None = None,
    published: dt.date | str | None = None,
    source: str = "",
) -> Article:
    """Make an :class:`Article` from raw text; without ``title`` the first line is the title."""
    name = source or "text"
    check_size(len(text.encode("utf-8", "surrogatepass")), name)
    lines = _clean_lines(text)
    if title is None:
        if not lines:
            raise ArticleError(f"{name}: empty (no text)")
        title = lines[0]
        body_lines = lines[1:] if len(lines) > 1 else lines
    else:
        title = " ".join(title.split())
        body_lines = lines
    key = title.casefold()
    body_lines = [ln for ln in body_lines if ln.casefold() != key] or body_lines
    body = "\n\n".join(body_lines)
    if not body.strip():
        raise ArticleError(f"{name}: empty (no text)")
    language = detect_language(body)
    if language not in READ_LANGUAGES:
        raise ArticleError(
            f"{name}: the text is in {language_name(language)}; only English, Russian and Ukrainian articles are read"
        )
    return Article(
        id=article_id(body),
        title=title,
        text=body,
        published=parse_published(published, where=name),
        source=source,
        language=language,
    )


def read_articles(path: str | Path, *, published: dt.date | str | None = None) -> list[Article]:
    """Read the article(s) in a .txt, .md, .html or .json file.

    A JSON file holds one article object (``text``, optional ``title``, ``published``,
    ``source``/``url``), a list of them, or ``{"articles": [...]}``. ``published`` applies to
    articles that do not carry their own date.

    Raises
    ------
    ArticleError
        The file is missing, empty, binary, too large, badly encoded or malformed; the message
        names the file and the problem.
    """
    p = Path(path)
    try:
        if not p.exists():
            raise ArticleError(f"{p}: no such file")
        if p.is_dir():
            raise ArticleError(f"{p}: is a folder, not an article file")
        check_size(p.stat().st_size, str(p))
        data = p.read_bytes()
    except OSError as err:
        raise ArticleError(f"{p}: cannot be read ({err.strerror or err})") from err
    return read_articles_bytes(data, str(p), published=published)


def read_articles_bytes(data: bytes, name: str, *, published: dt.date | str | None = None) -> list[Article]:
    """Like :func:`read_articles` for the bytes of an upload called ``name``."""
    check_size(len(data), name)
    default_date = parse_published(published, where=name)
    if not data.strip():
        raise ArticleError(f"{name}: empty file")
    suffix = Path(name).suffix.lower()
    text = decode_bytes(data, name)
    if suffix == ".json":
        return list(_json_articles(text, name, default_date))
    if suffix == ".csv":
        return _csv_articles(text, name, default_date)
    if suffix in (".html", ".htm") or (suffix not in (".txt", ".md", ".markdown") and _is_html(text)):
        title, body = html_to_text(text)
        return [article_from_text(body, title=title or None, published=default_date, source=name)]
    if suffix in (".md", ".markdown"):
        text = markdown_to_text(text)
    return [article_from_text(text, published=default_date, source=name)]


def _is_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def _json_articles(text: str, name: str, default_date: dt.date | None) -> Iterator[Article]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ArticleError(f"{name}: invalid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from err
    except RecursionError as err:  # the parser recurses once per level of nesting
        raise ArticleError(f"{name}: the JSON is nested too deeply to be a list of articles") from err
    if isinstance(doc, dict) and isinstance(doc.get("articles"), list):
        doc = doc["articles"]
    items = doc if isinstance(doc, list) else [doc]
    if not items:
        raise ArticleError(f"{name}: the JSON holds no articles")
    for n, item in enumerate(items, start=1):
        where = name if len(items) == 1 else f"{name}, article {n}"
        yield article_from_item(item, where, default_date)


def article_from_item(item: Any, where: str, default_date: dt.date | None) -> Article:
    """One article from a record (a JSON object, a table row).

    The record holds ``text`` (or ``body``, ``content``), optional ``title``,
    ``published``/``date``, ``source``/``url``; ``where`` names the record in errors and is the source when it has none.
    """
    if not isinstance(item, dict):
        raise ArticleError(f"{where}: expected an object with a 'text' field, found {type(item).__name__}")
    body = item.get("text") or item.get("body") or item.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ArticleError(f"{where}: no 'text' field with the article text")
    title = item.get("title")
    if title is not None and not isinstance(title, str):
        raise ArticleError(f"{where}: 'title' is not a string")
    source = item.get("source") or item.get("url") or where
    published = parse_published(item.get("published") or item.get("date"), where=where) or default_date
    if _is_html(body):
        html_title, body = html_to_text(body)
        title = title or html_title
    return article_from_text(body, title=title, published=published, source=str(source))


def _csv_articles(text: str, name: str, default_date: dt.date | None) -> list[Article]:
    """Articles from a CSV table with a ``text`` column (and optional title, published, source)."""
    import csv
    import io

    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as err:
        raise ArticleError(f"{name}: not a readable CSV table ({err})") from err
    columns = {c.strip().lower(): c for c in (rows[0].keys() if rows else []) if c}
    if "text" not in columns:
        raise ArticleError(
            f"{name}: a CSV of articles needs a 'text' column (found: {', '.join(columns) or 'none'});"
            " to geocode a column of place names use 'python -m geo geocode'"
        )
    out = []
    for line_no, row in enumerate(rows, start=2):
        body = row.get(columns["text"]) or ""
        if not body.strip():
            raise ArticleError(f"{name}, line {line_no}: empty 'text'")
        where = f"{name}, line {line_no}"
        title = row.get(columns.get("title", ""), None) or None
        published = parse_published(row.get(columns.get("published", ""), None), where=where) or default_date
        source = row.get(columns.get("source", ""), None) or row.get(columns.get("url", ""), None) or where
        out.append(article_from_text(body, title=title, published=published, source=source))
    if not out:
        raise ArticleError(f"{name}: the CSV holds no articles")
    return out


# -- sentences --------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt st mt ft jr sr inc ltd co corp no vs etc approx jan "
    "feb mar apr jun jul aug sep sept oct nov dec gov sen rep rev pres adm cmdr cpl pvt ave blvd rd "
    "dept est fig al u.s u.k e.g i.e a.m p.m u.n".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9А-ЯЁІЇЄҐ])")


def _split_paragraph(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _BOUNDARY.finditer(text):
        before = text[max(start, m.start() - 20) : m.start()].rsplit(None, 1)  # abbreviations are short
        word = before[-1].lower().rstrip(".") if before else ""
        if text[m.start()] == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        end = m.end()
        yield start, len(text[:end].rstrip())
        start = end
    if start < len(text):
        yield start, len(text.rstrip())


@functools.lru_cache(maxsize=32)
def sentences(article: Article) -> tuple[Sentence, ...]:
    """The sentences of an article's body, with offsets into ``article.text`` (kept for reuse)."""
    out: list[Sentence] = []
    offset = 0
    for p_index, paragraph in enumerate(article.text.split("\n\n")):
        for s, e in _split_paragraph(paragraph):
            if e > s:
                out.append(Sentence(len(out), offset + s, offset + e, paragraph[s:e], p_index))
        offset += len(paragraph) + 2
    return tuple(out)
