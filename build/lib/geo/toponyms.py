"""Place mentions in article text: gazetteer names with their cues and roles.

A mention is a span of the article that names a place, a region, a district or a country,
with what the words around it say:

* the **kind** of place: ``"X region"``/``"the X Oblast"`` → region, ``"X district"`` → district,
  ``"the village of X"``, ``"near X"``, ``"30km north of X"`` → populated place with a cue;
  ``"the Bryansk, Kursk and Oryol regions"`` → three regions;
* its **role**: ``"officials in X"`` (authority), ``"fired from positions in X"`` (origin),
  ``"moved towards X"`` (destination), ``"Moscow says"`` (metonym: a capital standing for its
  government), ``"for Bakhmut"`` inside a short quotation (quoted), a place inside an
  organisation's name (organisation), ``"the Russian army"`` (actor: a demonym naming who acts
  or speaks, which says nothing of where, so it does not weigh for its country's namesakes).
  Only mentions with the role ``"event"`` can be where an event happened.

People ("President Vladimir Putin", "Matthew Miller"), demonyms ("Russian"), acronyms ("FSB")
and sentence-initial common words ("Parts", "Villages") are not place mentions.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .articles import Article, Sentence, sentences
from .gazetteer import AdminArea, Gazetteer, Match, normalize
from .patterns import words_then

__all__ = ["Mention", "find_mentions", "find_mentions_in_sentence", "mention_at"]


class Mention(NamedTuple):
    """A place named in an article.

    ``start``/``end`` are offsets into ``Article.text``; ``kind`` is ``"place"``,
    ``"region"``, ``"district"``, ``"country"``, ``"demonym"``, ``"continent"`` or ``"unknown"`` (a name with a
    place cue that the gazetteer lacks); ``role`` is ``"event"`` or why the place is not where
    something happened (see the module docstring).

    An immutable record, made for every name of every article: a named tuple, which is several
    times quicker to make than a frozen dataclass. Change one with ``m._replace(role=...)``.
    """

    text: str
    name: str
    start: int
    end: int
    sentence: int
    paragraph: int
    kind: str
    role: str = "event"
    cue: str | None = None
    candidates: tuple[Match, ...] = ()
    regions: tuple[AdminArea, ...] = ()
    country: str | None = None  # the country named (kind "country"/"demonym")
    country_hint: str | None = None  # "Russia's Bryansk region", "the Russian village of X"
    offset_km: float | None = None  # "30km north of X"
    bearing: str | None = None


_TOKEN = re.compile(r"[^\W\d_](?:[\w'’\-]*\w)?")
_POSSESSIVE = re.compile(r"['’]s$")
_MONTHS_DAYS = frozenset(
    "january february march april may june july august september october november december monday "
    "tuesday wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Capitalised words that match some small place but in news text almost never name one.
_NOT_PLACES = frozenset(
    "west east north south western eastern northern southern god internet president minister army "
    "navy parliament kremlin government ministry police reuters press media bloomberg christmas "
    "easter university college church state republic federation union congress senate court cathedral "
    "mr mrs ms dr sir lord king queen prince saint st nato un eu osce iaea opec brics g7 g20 isis street"
    " avenue prospekt prospect boulevard square road lane highway center centre".split()
)
_TITLES = frozenset(
    "mr mrs ms miss dr prof sir president governor mayor minister general gen colonel col commander "
    "lieutenant lt captain capt sergeant sgt spokesman spokeswoman spokesperson chancellor secretary "
    "senator sen rep representative judge pope patriarch king queen prince premier ambassador chief "
    "head leader deputy adviser advisor officer major maj admiral correspondent reporter analyst "
    "journalist blogger expert director chairman ceo founder".split()
)
_ORGANISATION_WORDS = frozenset(
    "legion corps ministry army forces force guard guards brigade battalion regiment division group "
    "company university agency service council committee party front union bank news times post "
    "broadcasting broadcaster institute academy federation fleet command staff administration court "
    "parliament assembly duma rada government police club team church foundation association network "
    "tv radio channel daily journal herald tribune gazette telegraph express review".split()
)
_FACILITY_WORDS = frozenset(
    "airport airfield airbase refinery plant station port depot bridge dam base terminal factory "
    "works substation".split()
)
_SETTLEMENT_NOUNS = frozenset(
    "village villages town towns city cities settlement settlements hamlet hamlets township suburb suburbs".split()
)
_CAPITAL_CITIES_ALWAYS_METONYM = frozenset({"gn:524901", "gn:703448", "gn:4140963", "gn:625144"})

_REGION_WORDS = frozenset({"region", "oblast", "province", "krai", "kray", "republic", "okrug"})
_SUBDIVISION_WORDS = frozenset({"county", "parish", "borough", "township", "raion", "rayon", "hromada"})
_REGION_TYPES = ("oblast", "krai", "republic", "autonomous okrug", "autonomous oblast")
# A bare name shared by a first-level area and towns is the area unless a town is this big
# ("Kursk" the city, "Kentucky" the state).
_TOWN_OVER_REGION = 50_000
_REGION_AFTER = re.compile(
    r"(?:['’]s)?\s+(region|oblast|province|krai|kray|republic|regions|oblasts|provinces)\b", re.I
)
_SETTLEMENT_NOUNS_AFTER = ("village", "town", "city", "settlement", "hamlet")
_SECTOR_NOUNS = ("direction", "sector", "axis")


def _noun_after(text: str, end: int, nouns: tuple[str, ...] = _SETTLEMENT_NOUNS_AFTER) -> bool:
    """Cheap test of whether one of ``nouns`` follows soon after ``end`` (before its pattern runs)."""
    window = text[end : end + 40].lower()
    return any(noun in window for noun in nouns)


# A front sector named after a town: "in the Kupyansky direction", "the Kupiansk sector". It is
# the area around the town (a container for villages named in it), never an event place itself.
_SECTOR_AFTER = re.compile(r"(?:['’]s)?\s+(direction|sector|axis)\b", re.I)
_DISTRICT_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:(?:urban|municipal|rural|territorial|city)\s+)?"
    r"(district|raion|rayon|county|municipality|districts|community|communities|hromada|hromadas|okrug)\b"
    r"(?!\s+(?:hospital|court|council|administration|police|prosecutor))",
    re.I,
)
# A settlement noun after the name: "Kruglyakovka village", "Kupyansk city" (round-up style).
_SETTLEMENT_AFTER = re.compile(
    r"(?:\s+|,\s+(?:a|an)\s+(?:[\w'’-]+\s+){0,3}?)(village|town|city|settlement|hamlet)\b"
    r"(?!\s+(?:council|hall|administration|head|of|military))",
    re.I,
)
# The patterns of cues before a name end at it ("$"): they are searched in the text before it.
_REGION_BEFORE = words_then("region|oblast|province|republic", r"\s+of\s+(?:the\s+)?$")
_DISTRICT_BEFORE = words_then("district|raion|rayon", r"\s+of\s+(?:the\s+)?$")
_SETTLEMENT_BEFORE = words_then(
    "village|town|city|settlement|hamlet|township|suburb|port|resort|outskirts|centre|center"
    "|villages|towns|cities|settlements",
    r"\s+of\s+(?:the\s+)?$",
)
_NEAR_BEFORE = words_then(
    "near|outside|around|nearby|close to|next to|not far from|on the outskirts of|on the edge of"
    "|in the direction of|in the vicinity of|in the area of|the area of|the vicinity of",
    r"\s+(?:the\s+)?(?:(?:border\s+)?(?:village|town|city|settlement)\s+of\s+)?$",
)
_BEARINGS = r"north|south|east|west|north-?east|north-?west|south-?east|south-?west"
_DISTANCE_BEFORE = re.compile(
    r"(?=\d)(\d+(?:[.,]\d+)?)\s*-?\s*(km|kms|kilometres|kilometers|kilometre|kilometer|miles|mile|mi)\b"
    rf"\s+(?:\([^)]*\)\s+)?(?:to\s+the\s+)?(?:({_BEARINGS})(?:ern|erly)?\s+)?(?:of|from)\s+"
    r"(?:the\s+)?(?:(?:village|town|city)\s+of\s+)?$",
    re.I,
)
_AUTHORITY_BEFORE = words_then(
    "officials?|authorities|governor|mayor|head|administration|council|prosecutors?|government"
    "|leadership|spokesman|spokeswoman|parliament",
    r"\s+(?:of|in|for)\s+(?:the\s+)?"
    r"(?:(?:occupied|russian-occupied|russian-controlled)\s+)?(?:(?:city|town|region|village)\s+of\s+)?$",
)
_AUTHORITY_AFTER = re.compile(  # used with match(): anchored at the end of the name
    r"(?:['’]s)?(?:\s+(?:region|oblast|city|regional|local|military|civil|civilian|state))*"
    r"\s+(governor|mayor|authorities|officials|administration|council|police|government)\b",
    re.I,
)
_ORIGIN_VERB = words_then(
    "fired|fire|firing|launched|launch|launching|shelled|shelling|struck|strikes?|attacked|attacks?"
    "|crossed|crossing|came|coming|entered|infiltrated|advanced|flew|flying|shot|drones?|missiles?"
    "|artillery|positions|incursions?|raids?",
    r"\b[^,;:.]{0,60}?\bfrom\s+[^,;:.]{0,50}$",
)
# "fired from S-300 systems at Lyubotyn": the name after "at" is the target, not the origin.
_TARGET_AFTER_FROM = re.compile(r"\bfrom\b[^,;:.]*\b(?:at|on|into|against|towards?)\s+(?:the\s+)?[^,;:.]{0,30}$", re.I)
_FROM_POSITIONS = re.compile(
    r"\bfrom\s+(?:(?:positions?|the\s+direction|the\s+territory|the\s+side|the\s+area|across)\b)[^,;:.]{0,50}$",
    re.I,
)
_DESTINATION_BEFORE = words_then(
    "towards?|heading (?:to|for)|bound for|advance on|advancing on",
    r"\s+(?:the\s+)?(?:(?:village|town|city)\s+of\s+)?$",
)
_LOCATIVE_BEFORE = words_then(
    "in|on|at|near|over|outside|around|into|across|of|hit|hits|struck|strikes?|attacked|attacks?"
    "|targeted|targeting|shelled|bombed|toward|towards|above",
    r"\s+(?:the\s+)?(?:(?:capital|city|outskirts|centre|center|suburbs?)(?:\s+of)?\s+)?$",
)
# A capital standing for its government even after a preposition: "on behalf of Kyiv",
# "the fight against Moscow"; its possessive too, unless a place noun follows ("Kyiv's suburbs").
_METONYM_BEFORE = words_then(
    "behalf of|side of|against|backed by|orders from|ties with|talks with|allies of|ally of|pressure on"
    "|relations with|deal with|war with|loyal to",
    r"\s+(?:the\s+)?$",
)
_PLACE_NOUN_AFTER = re.compile(
    r"\s+(?:\w+\s+)?(?:district|region|oblast|suburbs?|outskirts|centre|center|airport|streets?|residents"
    r"|neighbou?rhoods?|quarter|area)\b",
    re.I,
)
# A place named as a reference line, not where something happened: "near the administrative
# borders of Kharkiv and Luhansk oblasts".
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:borders?|boundary|boundaries|frontier)\s+(?:of|with|between)"
    r"|\b(?:kilometers|kilometres|km|miles)\s+(?:away\s+)?from)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?$",
    re.I,
)
_REFERENCE_WORDS = frozenset("border borders boundary boundaries frontier kilometers kilometres km miles".split())
_PLURAL_CUE = re.compile(r"(?:['’]s)?\s+(regions|oblasts|provinces|districts|communities|hromadas)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:]\s")
_LIST_GAP = re.compile(r"^(?:,\s*|\s+and\s+|,\s+and\s+|\s+or\s+)$")
# "the Russian army", "Ukrainian officials": a demonym naming who acts or speaks, not where.
_ACTOR_AFTER = re.compile(
    r"\s+(?:army|armed|forces|troops|military|soldiers|servicemen|invaders|occupiers|occupation|drones?"
    r"|missiles?|shelling|shells|strikes?|attacks?|aircraft|aviation|artillery|troops|units|side|gunners"
    r"|fighters|saboteurs|sabotage|defen[cs]e|officials|authorities|governor|president|ministry"
    r"|commanders?|command|navy|air\s+force|special\s+forces|general\s+staff|terrorists|militants)\b",
    re.I,
)
_LOOK_BACK = 200  # characters before a name that its cues can span (the longest look at 120)
_SHORT_QUOTE_CHARS = 120
_QUOTE_OPEN = '“"‘«'
_QUOTE_CLOSE = '”"’»'


@dataclass(slots=True)
class _Token:
    start: int  # offsets into the sentence text
    end: int
    text: str


def find_mentions(article: Article, gazetteer: Gazetteer) -> list[Mention]:
    """Every place mention in the article's body, in text order."""
    found: list[Mention] = []
    surnames: set[str] = set()
    for sentence in sentences(article):
        found.extend(_sentence_mentions(sentence, gazetteer, surnames))
    if not surnames:
        return found
    # "Vyacheslav Gladkov" ... "Gladkov said": the surname alone is that person, not a place.
    return [m for m in found if not (m.kind == "place" and m.cue is None and normalize(m.name) in surnames)]


_UPPER = "".join(ch for ch in map(chr, [*range(0x41, 0x250), *range(0x400, 0x530)]) if ch.isupper() and ch.isalpha())
_CAP_WORD = rf"[{_UPPER}](?:[\w'’\-]*\w)?"
# Capitalised words separated by single spaces ("St. Petersburg" too): the only places to look.
# The capital comes first and the look-behind after it, so the engine skips ahead to capitals.
_RUN = re.compile(rf"[{_UPPER}](?<![\w'’\-].)(?:[\w'’\-]*\w)?(?:(?: |(?<=St)\. |(?<=Mt)\. |(?<=Ft)\. ){_CAP_WORD})*")
_LONG_WORD = re.compile(r"\b[^\W\d_]{4,}")
_MAX_RUN = 8


def find_mentions_in_sentence(sentence: Sentence, gazetteer: Gazetteer) -> list[Mention]:
    """Place mentions in one sentence (offsets relative to the article, via ``sentence.start``)."""
    return _sentence_mentions(sentence, gazetteer, set())


def mention_at(article: Article, start: int, end: int, gazetteer: Gazetteer) -> Mention:
    """The mention for a span known to name a place (a gold toponym, a geocoding query).

    Read like any other name, with its cues, but without the tests that keep people and common
    words out: the span is taken to be a place. A name the gazetteer lacks is ``"unknown"``.
    """
    sentence = next((s for s in sentences(article) if s.start <= start < s.end), None)
    if sentence is None or end > sentence.end:  # a span across sentences: its own sentence
        sentence = Sentence(-1, start, end, article.text[start:end], -1)
    local = (start - sentence.start, end - sentence.start)
    tokens = [_Token(t.start(), t.end(), t.group()) for t in _TOKEN.finditer(sentence.text, *local)]
    if not tokens:
        tokens = [_Token(*local, article.text[start:end])]
    span = _Span(sentence, tokens, 0, len(tokens), gazetteer)
    plain = _TitleCase("")
    found = _classify(span, gazetteer, plain, known=True)
    if found is not None:
        return found
    # The longest part that names a place: "Kharkiv region", "Bank of Mexico", "Dubai World Cup";
    # but not "Laurel" for "Laurel County": a county is rarely where its namesake town is.
    sizes = range(len(tokens) - 1, 0, -1) if normalize(tokens[-1].text) not in _SUBDIVISION_WORDS else ()
    for size in sizes:
        for i in range(len(tokens) - size + 1):
            part = _classify(_Span(sentence, tokens, i, i + size, gazetteer), gazetteer, plain, known=True)
            if part is not None:
                return part._replace(
                    text=span.surface, start=sentence.start + span.start, end=sentence.start + span.end
                )
    name = _strip_possessive(span.surface)
    return span.place_mention(name, "unknown", None, sentence.text[max(0, span.start - _LOOK_BACK) : span.start])


def _sentence_mentions(sentence: Sentence, gazetteer: Gazetteer, surnames: set[str]) -> list[Mention]:
    """Place mentions in one sentence; the surnames of people named in full go into ``surnames``."""
    text = sentence.text
    runs: list[list[_Token]] = []
    for m in _RUN.finditer(text):
        word = m.group()
        if " " in word:
            runs.extend(_split_run(text, m.start(), m.end()))
        elif word.lower() not in _FUNCTION_WORDS:  # most runs are one word
            runs.append([_Token(m.start(), m.end(), word)])
    if not runs:
        return []
    title_case = _TitleCase(text)
    per_run: list[list[Mention]] = []
    for run in runs:
        if len(run) >= 2:
            _note_surname(run, gazetteer, surnames)
        per_run.append(_match_run(text, run, sentence, gazetteer, title_case=title_case))
    if len(runs) >= 2 and ("," in text or " and " in text):
        _list_members(text, runs, per_run, sentence, gazetteer)
    mentions = [m for found in per_run for m in found]
    return _expand_region_lists(text, mentions, sentence, gazetteer)


_LIST_MEMBER_STOP = frozenset(
    "district districts region regions oblast community communities hromada hromadas center centre city town "
    "village villages settlement settlements direction sector front federal national security armed defence "
    "defense emergency interior border".split()
)


def _list_members(
    text: str, runs: list[list[_Token]], per_run: list[list[Mention]], sentence: Sentence, gazetteer: Gazetteer
) -> None:
    """Names listed beside places are places too: "Synkivka, Tabaivka, Terny and Yampolivka".

    In a list of names ("A, B, C and D") that holds at least one place, a name the index lacks
    becomes an ``"unknown"`` place (it falls back to the area around it), and a name of several
    words that the index knows only in parts ("Stepnaya Novoselovka") is taken whole.
    """
    chain: list[int] = []
    chains: list[list[int]] = []
    for k in range(len(runs)):
        if any(m.kind in ("country", "demonym", "continent") for m in per_run[k]):  # "Belgorod, Russia's ..."
            chains.append(chain)
            chain = []
            continue
        if chain and not _LIST_GAP.match(text[runs[k - 1][-1].end : runs[k][0].start]):
            chains.append(chain)
            chain = []
        chain.append(k)
    chains.append(chain)
    for chain in chains:
        if len(chain) < 2:
            continue
        placeish = [
            k
            for k in chain
            if any(
                (m.kind in ("place", "district") or (m.kind == "unknown" and m.cue not in (None, "list")))
                and m.role == "event"
                for m in per_run[k]
            )
        ]
        if not placeish or (len(chain) == 2 and len(placeish) < 1):
            continue
        for k in chain:
            run, found = runs[k], per_run[k]
            if any(m.kind in ("country", "demonym", "region", "continent") for m in found):
                continue
            places = [m for m in found if m.kind in ("place", "unknown", "district")]
            if len(places) == 1 and places[0].cue is None and places[0].kind == "place":
                per_run[k] = [places[0]._replace(cue="list") if m is places[0] else m for m in found]
                continue
            whole_known = len(run) > 1 and gazetteer.has_key(
                normalize(_strip_possessive(" ".join(t.text for t in run)))
            )
            if (found and not (len(run) > 1 and len(places) >= 2 and not whole_known)) or len(run) > 3:
                continue
            lowered = [normalize(_strip_possessive(t.text)) for t in run]
            if any(
                w in _LIST_MEMBER_STOP or w in _TITLES or w in _MONTHS_DAYS or w in _NOT_PLACES or _organisation_word(w)
                for w in lowered
            ):
                continue
            if any(t.text.rstrip("s").isupper() for t in run):  # "UAVs", "FPV": acronyms, not villages
                continue
            if len(run) == 1 and not _plausible_unknown(run[0].text, lowered[0], gazetteer):
                continue
            if len(run) > 1 and lowered[0] in gazetteer.given_names:
                continue
            span = _Span(sentence, run, 0, len(run), gazetteer)
            name = _strip_possessive(span.surface)
            per_run[k] = [
                span.place_mention(name, "unknown", "list", text[max(0, span.start - _LOOK_BACK) : span.start])
            ]


def _note_surname(run: list[_Token], gazetteer: Gazetteer, surnames: set[str]) -> None:
    given, surname = normalize(run[0].text), normalize(_strip_possessive(run[1].text))
    if given in _TITLES or given not in gazetteer.given_names or gazetteer.has_key(f"{given} {surname}"):
        return
    surnames.add(surname)


class _TitleCase:
    """Whether a sentence is a headline in Title Case (its capitals say nothing about names).

    Truthy on demand: most sentences never need the answer.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            long = _LONG_WORD.findall(self.text)
            self._value = len(long) >= 3 and sum(w[0].isupper() for w in long) / len(long) >= 0.7
        return self._value


_FUNCTION_WORDS = frozenset(
    "a an the in on at of for from by with as but and or to into onto after before during since while "
    "when where if it its this that these those there here he she they we you i his her their our my "
    "some any all both each every no not yet so then than also even only just about over under near "
    "around between among against across through despite although though because until unless whether "
    "how what which who whom whose why".split()
)


def _split_run(text: str, start: int, end: int) -> Iterator[list[_Token]]:
    """The tokens of a run of capitalised words, split where names cannot continue.

    Function words ("In", "The") are capitalised only because they start a sentence; a
    possessive ends a name ("Ukraine's Sumy region" names two places).
    """
    current: list[_Token] = []
    for m in _TOKEN.finditer(text, start, end):
        token = _Token(m.start(), m.end(), m.group())
        if token.text.lower() in _FUNCTION_WORDS:
            if current:
                yield current
            current = []
            continue
        current.append(token)
        if token.text.endswith(("'s", "’s")) or len(current) == _MAX_RUN:
            yield current
            current = []
    if current:
        yield current


def _sentence_initial(text: str, token: _Token) -> bool:
    before = text[: token.start].strip()
    return not before or before[-1] in _QUOTE_OPEN + "(:—–-•"


def _words_before(text: str, start: int, n: int) -> list[str]:
    return [w.strip(",.;:“”\"'()").lower() for w in text[max(0, start - 12 * n) : start].rsplit(None, n)[-n:]]


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _match_run(
    text: str,
    run: list[_Token],
    sentence: Sentence,
    gazetteer: Gazetteer,
    *,
    title_case: _TitleCase,
) -> list[Mention]:
    """The mentions in a run of capitalised words, without people, and with organisations marked.

    The checks for people and organisations need the words around the run; they run only for
    runs that hold a place-like name at all.
    """
    if len(run) == 1 and not _REGION_AFTER.match(text, run[0].end):  # most runs: "Russian", "Ukraine's"
        name = _strip_possessive(run[0].text)
        senses = gazetteer.senses(name)
        iso = senses.country.iso if senses.country is not None else senses.demonym
        if iso is not None:
            span = _Span(sentence, run, 0, 1, gazetteer)
            if senses.country is None:
                return [_demonym(span.mention(name, "demonym", country=iso), text, run[0].end)]
            return [span.mention(name, "country", country=iso)]
    whole = _unknown_settlement(text, run, sentence, gazetteer)
    if whole is not None:
        return [whole]
    out: list[Mention] = []
    k = 0
    while k < len(run):
        mention, used = _longest_match(run, k, sentence, gazetteer, title_case)
        if mention is None:
            k += 1
            continue
        out.append(mention)
        k += used
    if all(m.kind in ("country", "demonym") for m in out):
        return out
    lowered = [normalize(_strip_possessive(t.text)) for t in run]
    # People: a title before the run ("governor Vyacheslav Gladkov"), a title inside it ("Kharkiv
    # Governor Oleh Syniehubov": what follows it), or a given name with a surname.
    prev_word = _words_before(text, run[0].start, 1)
    if prev_word and prev_word[0] in _TITLES and not _is_place_key(gazetteer, lowered[0]):
        return []
    title_at = next((k for k, low in enumerate(lowered[:-1]) if low in _TITLES), None)
    if title_at is not None:
        out = [m for m in out if m.start < sentence.start + run[title_at].start]
        run, lowered = run[:title_at], lowered[:title_at]
        if not run:
            return out
    if (
        len(lowered) >= 2
        and lowered[0] in gazetteer.given_names
        and not gazetteer.has_key(" ".join(lowered[:2]))
        and not gazetteer.country(run[0].text)
        and not _REGION_AFTER.match(text, run[0].end)
    ):
        return [m for m in out if m.kind in ("country", "demonym")]
    # A place inside a longer name: an organisation ("Liberty of Russia Legion"), or a facility.
    if _in_organisation_name(text, run):
        return [m if m.kind in ("country", "demonym") else m._replace(role="organisation") for m in out]
    facility = next((k for k, low in enumerate(lowered[1:], start=1) if low in _FACILITY_WORDS), None)
    if facility is not None:  # "Sevastopol Airport Belbek": the airport of Sevastopol, named Belbek
        ends = sentence.start + run[facility].start
        return [m._replace(cue=m.cue or "facility") if m.kind == "place" else m for m in out if m.start < ends]
    return out


def _unknown_settlement(text: str, run: list[_Token], sentence: Sentence, gazetteer: Gazetteer) -> Mention | None:
    """Take a name next to a settlement cue whole.

    "the village of Krasnaya Testovka" and "Russkie Tishki village" are one name each.
    """
    if not 1 < len(run) <= 3:
        return None
    cue = _SETTLEMENT_BEFORE.search(text, max(0, run[0].start - 40), run[0].start) or _SETTLEMENT_AFTER.match(
        text, run[-1].end
    )
    if cue is None:
        return None
    span = _Span(sentence, run, 0, len(run), gazetteer)
    name = _strip_possessive(span.surface)
    if _is_place_key(gazetteer, name):
        return None
    if any(normalize(t.text) in _TITLES or normalize(t.text) in _MONTHS_DAYS for t in run):
        return None
    noun = cue.group(1).lower()
    before = text[max(0, span.start - _LOOK_BACK) : span.start]
    return span.place_mention(name, "unknown", _SINGULAR.get(noun, noun), before)


# Adjectival district names: "Kupyansky district" is the district of Kupyansk, "Borisovsky" of
# Borisovka, "Novhorod-Siverska community" of Novhorod-Siverskyi.
_ADJECTIVE_ENDING = re.compile(r"(?:sk|sc|zk|ck)(?:iy|yi|yy|ij|ii|y|i|a|e|oe|oye|aya|ogo)$")
_TOWN_ENDINGS = ("sk", "", "o", "ka", "a", "e", "skyi", "ske", "ivka", "ovka", "ino", "ovo")


def _with_district_towns(found: list[Match], key: str, gazetteer: Gazetteer) -> list[Match]:
    """Places called ``key``, and the towns an adjectival district name may stand for."""
    more = _district_town(key, gazetteer)
    if key.endswith("sk"):  # "Pokrovsk community" in Ukrainian reports: the hromada of Pokrovske
        more += gazetteer.lookup_key(key + "e")
    out = list(found)
    ids = {m.place.id for m in found}
    for m in more:
        if m.place.id not in ids:
            ids.add(m.place.id)
            out.append(m)
    return out


def _district_town(key: str, gazetteer: Gazetteer) -> list[Match]:
    """The town an adjectival district or community name is named after, if the index has it."""
    m = _ADJECTIVE_ENDING.search(key)
    if m is None:
        return []
    stem = key[: m.start()]
    found: dict[str, Match] = {}
    for ending in _TOWN_ENDINGS:
        for match in gazetteer.lookup_key(stem + ending):
            found.setdefault(match.place.id, match)
    return list(found.values())


_NAME_CONNECTORS = frozenset({"of", "the", "and", "for", "de", "del", "la"})


def _demonym(found: Mention, text: str, end: int) -> Mention:
    """A demonym before an actor noun ("Ukrainian forces") names who acted, not where."""
    return found._replace(role="actor") if _ACTOR_AFTER.match(text, end) else found


def _in_organisation_name(text: str, run: list[_Token]) -> bool:
    """Whether the run is part of a longer name ending in an organisation word.

    "the Liberty of Russia Legion", "Kharkiv Regional Military Administration".
    """
    words = [normalize(t.text) for t in run[1:]]
    for n, m in enumerate(_TOKEN.finditer(text, run[-1].end)):
        word = m.group()
        if n == 6 or not (word[0].isupper() or word in _NAME_CONNECTORS):
            break
        words.append(normalize(word))
    return any(_organisation_word(w) for w in map(_strip_possessive, words))


def _organisation_word(word: str) -> bool:
    """Whether the word ends an organisation's name ("forces", "guard", "administrations")."""
    return word in _ORGANISATION_WORDS or word.rstrip("s") in _ORGANISATION_WORDS


def _is_place_key(gazetteer: Gazetteer, name: str) -> bool:
    """Whether the index knows ``name`` as a place, a first-level area or a country."""
    senses = gazetteer.senses(name)
    return senses.known or bool(senses.regions) or senses.country is not None


class _Span:
    """A candidate name: tokens ``i:j`` of a sentence, with its surface text and position.

    A plain class rather than a dataclass: it is made for every candidate span, and its
    positions are computed once here instead of on every access.
    """

    __slots__ = ("_last", "end", "gazetteer", "i", "j", "sentence", "single", "start", "surface", "tokens")

    def __init__(self, sentence: Sentence, tokens: list[_Token], i: int, j: int, gazetteer: Gazetteer) -> None:
        self.sentence, self.tokens, self.i, self.j, self.gazetteer = sentence, tokens, i, j, gazetteer
        self.start = tokens[i].start
        self.end = tokens[j - 1].end
        self.surface = sentence.text[self.start : self.end]
        self.single = j - i == 1
        self._last: list[str] | None = None

    def last_word(self) -> list[str]:
        """The word before the span, lower-cased, as a list of one (none at the sentence start)."""
        if self._last is None:
            self._last = _words_before(self.sentence.text, self.start, 1)
        return self._last

    def mention(self, name: str, kind: str, **fields: object) -> Mention:
        return Mention(
            text=self.surface,
            name=name,
            start=self.sentence.start + self.start,
            end=self.sentence.start + self.end,
            sentence=self.sentence.index,
            paragraph=self.sentence.paragraph,
            kind=kind,
            **fields,  # type: ignore[arg-type]
        )

    def place_mention(
        self,
        name: str,
        kind: str,
        cue: str | None,
        before: str,
        candidates: Sequence[Match] = (),
        **fields: object,
    ) -> Mention:
        found = tuple(candidates)
        role = _role(self.sentence.text, self.start, self.end, kind, found, cue, self.last_word())
        hint = _country_hint(before, self.gazetteer)
        return self.mention(name, kind, role=role, cue=cue, candidates=found, country_hint=hint, **fields)


def _longest_match(
    run: list[_Token], i: int, sentence: Sentence, gazetteer: Gazetteer, title_case: _TitleCase
) -> tuple[Mention | None, int]:
    for j in range(min(len(run), i + 5), i, -1):
        mention = _classify(_Span(sentence, run, i, j, gazetteer), gazetteer, title_case)
        if mention is not None:
            return mention, j - i
    return None, 1


def _classify(span: _Span, gazetteer: Gazetteer, title_case: _TitleCase, *, known: bool = False) -> Mention | None:
    """What a candidate name is: a country, a demonym, a region, a district, a place, or nothing.

    Dictionary lookups come first; the cue patterns run only for spans that can be names.
    ``known``: the span is known to name a place, so words that are often not places count.
    """
    text, surface = span.sentence.text, span.surface
    name = _strip_possessive(surface)
    possessive = name != surface
    senses = gazetteer.senses(name)
    key, country = senses.key, senses.country
    if not known and (
        len(key) < 2 or key in _MONTHS_DAYS or (span.single and (key in _NOT_PLACES or key in _FACILITY_WORDS))
    ):
        return None
    if not known and span.single and name.isupper() and len(name) <= 5:  # acronyms: only countries ("US")
        return span.mention(name, "country", country=country.iso) if country else None
    region_cue = _REGION_AFTER.match(text, span.end) if not possessive else None
    if country is not None and not region_cue:
        return span.mention(name, "country", country=country.iso)
    if senses.demonym is not None:
        return _demonym(span.mention(name, "demonym", country=senses.demonym), text, span.end)
    if not region_cue and senses.continent is not None:
        return span.mention(name, "continent")
    gazetteer_knows, regions = senses.known, senses.regions
    if not (gazetteer_knows or regions) and not span.single:
        return None  # a name of several words has to be one the index knows
    before = text[max(0, span.start - _LOOK_BACK) : span.start]  # every cue before a name is shorter
    if not (gazetteer_knows or regions) and not (region_cue or _may_cue_unknown(text, span, before)):
        return None  # an unknown word without any cue around it
    last = span.last_word()
    after_of = bool(last) and last[0] in ("of", "the")  # "the region of X", "the district of the X"
    if region_cue or (after_of and _REGION_BEFORE.search(before, len(before) - 40)):
        if regions or not gazetteer_knows:
            return span.place_mention(name, "region", "region", before, regions=regions)
        return span.place_mention(name, "district", "region", before, candidates=gazetteer.lookup_key(key))
    if _DISTRICT_AFTER.match(text, span.end) or (after_of and _DISTRICT_BEFORE.search(before, len(before) - 40)):
        candidates = _with_district_towns(gazetteer.lookup_key(key), key, gazetteer)
        return span.place_mention(name, "district", "district", before, candidates=candidates)
    if _noun_after(text, span.end, _SECTOR_NOUNS) and _SECTOR_AFTER.match(text, span.end):
        candidates = _with_district_towns(gazetteer.lookup_key(key), key, gazetteer)
        if candidates:
            return span.mention(name, "district", role="reference", cue="sector", candidates=tuple(candidates))
    cue, offset_km, bearing = _place_cue(before) if last and last[0] in _CUE_GATES else (None, None, None)
    if cue is None and _noun_after(text, span.end) and (after := _SETTLEMENT_AFTER.match(text, span.end)) is not None:
        cue = after.group(1).lower()  # "Kruglyakovka village"
    # Regions by their bare name: oblasts and krais; any first-level area (US states too) in a known span.
    regional = bool(regions) and (known or all(r.type in _REGION_TYPES for r in regions))
    if gazetteer_knows:
        candidates = gazetteer.lookup_key(key)
        if regional and cue is None and max(c.place.population for c in candidates) < _TOWN_OVER_REGION:
            return span.place_mention(name, "region", None, before, regions=regions)  # Kentucky, not Kentucky, IA
        token = span.tokens[span.i]
        if not (cue or known) and _looks_like_common_word(text, token, key, gazetteer, span.single, title_case):
            return None
        return span.place_mention(
            name, "place", cue, before, candidates=candidates, offset_km=offset_km, bearing=bearing
        )
    if regional:
        if span.single and key in gazetteer.common_words and not known:
            return None
        named_as_region = key.rsplit(" ", 1)[-1] in _REGION_WORDS  # "Kharkiv Oblast"
        return span.place_mention(name, "region", "region" if named_as_region else None, before, regions=regions)
    if span.single and (cue or _after_settlement_noun(text, span.start)) and _plausible_unknown(name, key, gazetteer):
        return span.place_mention(name, "unknown", cue or "settlement", before)
    return None


_CUE_LAST_WORDS = frozenset(
    "of near outside around nearby to from including and in at km kilometres kilometers miles mi".split()
)


def _may_cue_unknown(text: str, span: _Span, before: str) -> bool:
    """Cheap test of whether a cue could make an unknown word a place (the patterns come later)."""
    if _DISTRICT_AFTER.match(text, span.end):
        return True
    if _noun_after(text, span.end) and _SETTLEMENT_AFTER.match(text, span.end):
        return True
    if _noun_after(text, span.end, _SECTOR_NOUNS) and _SECTOR_AFTER.match(text, span.end):
        return True
    words = before[-40:].split()
    return bool(words) and (words[-1].lower() in _CUE_LAST_WORDS or _after_settlement_noun(text, span.start))


# Every place cue ends in one of these words, right before the name: the patterns run only then.
_CUE_GATES = frozenset("of near outside around nearby to from the".split())


def _place_cue(before: str) -> tuple[str | None, float | None, str | None]:
    tail = before[-120:]
    m = _DISTANCE_BEFORE.search(tail)
    if m:
        value = float(m.group(1).replace(",", "."))
        if m.group(2).lower().startswith("mi"):
            value *= 1.609344
        bearing = m.group(3).lower().replace("-", "") if m.group(3) else None
        return "distance", value, bearing
    m = _NEAR_BEFORE.search(tail)
    if m:
        return "near", None, None
    m = _SETTLEMENT_BEFORE.search(tail)
    if m:
        noun = m.group(1).lower()
        return ("near" if noun == "outskirts" else _SINGULAR.get(noun, noun)), None, None
    return None, None, None


_SINGULAR = {"villages": "village", "towns": "town", "cities": "city", "settlements": "settlement"}


_PLACE_DESCRIPTORS = frozenset(
    "border frontline front-line village town city region oblast district settlement port capital occupied "
    "annexed southern eastern northern western south-eastern north-eastern industrial regional small major "
    "key strategic coastal resort of the".split()
)
_HINT_BEFORE = re.compile(rf"([A-Z][\w.]+)(?:['’]s)?\s+(?:(?:{'|'.join(sorted(_PLACE_DESCRIPTORS))})\s+){{0,4}}$")


def _country_hint(before: str, gazetteer: Gazetteer) -> str | None:
    """The country of a phrase that describes the place: "Russia's Belgorod", "the Russian village of".

    "Russian forces shelled X" gives none: the country word has to be followed by place words only.
    The pattern runs only when the last word before the name is a place word or capitalised.
    """
    tail = before[-80:]
    words = tail.rsplit(None, 1)
    if not tail[-1:].isspace() or not words:
        return None
    last = words[-1]
    if last not in _PLACE_DESCRIPTORS and not "A" <= last[0] <= "Z":
        return None
    m = _HINT_BEFORE.search(tail)
    if not m:
        return None
    return gazetteer.country_code(m.group(1))


def _looks_like_common_word(
    text: str, token: _Token, key: str, gazetteer: Gazetteer, single: bool, title_case: _TitleCase
) -> bool:
    if not single or key not in gazetteer.common_words:
        return False
    return bool(title_case) or _sentence_initial(text, token) or len(key) <= 3


def _after_settlement_noun(text: str, start: int) -> bool:
    return not _SETTLEMENT_NOUNS.isdisjoint(_words_before(text, start, 4))


def _plausible_unknown(name: str, key: str, gazetteer: Gazetteer) -> bool:
    return (
        len(key) >= 4
        and not name.isupper()
        and key not in gazetteer.given_names
        and key not in gazetteer.common_words
        and key not in _MONTHS_DAYS
        and key not in _NOT_PLACES
    )


_AUTHORITY_NOUNS = frozenset(
    "official officials authorities governor mayor head administration council prosecutor prosecutors "
    "government leadership spokesman spokeswoman parliament".split()
)
_DESTINATION_WORDS = frozenset("towards toward direction heading bound advance advancing".split())


# The words an authority phrase ("officials in the city of", "in Russian-occupied") or a
# destination phrase ("moved towards") can end in, right before the name.
_ROLE_PHRASE_ENDS = frozenset("of in for the occupied controlled towards toward to on".split())
_QUOTE_MARK = re.compile(f"[{_QUOTE_OPEN}]")


def _role(
    text: str, start: int, end: int, kind: str, candidates: tuple[Match, ...], cue: str | None, last: list[str]
) -> str:
    """Why a place is named: ``"event"``, or the role that keeps it from being the event's place.

    Word tests decide whether a pattern can apply before it runs; most names need none.
    ``last`` is the word before the name, as :meth:`_Span.last_word` gives it.
    """
    if _has_quote(text) and _in_short_quote(text, start, end):
        return "quoted"
    phrase_end = bool(last) and last[0].rsplit("-", 1)[-1] in _ROLE_PHRASE_ENDS
    before_words = set(_words_before(text, start, 8)) if phrase_end else set()
    if (
        not before_words.isdisjoint(_AUTHORITY_NOUNS) and _AUTHORITY_BEFORE.search(text, max(0, start - 80), start)
    ) or _AUTHORITY_AFTER.match(text, end, end + 60):
        return "authority"
    tail = text[max(0, start - 120) : start]
    if "from" in tail.lower():
        clause = _CLAUSE_BREAK.split(tail)[-1]
        if (
            "from" in clause.lower()
            and (_ORIGIN_VERB.search(tail) or _FROM_POSITIONS.search(tail))
            and not _TARGET_AFTER_FROM.search(tail)
        ):
            return "origin"
    if not before_words.isdisjoint(_DESTINATION_WORDS) and _DESTINATION_BEFORE.search(tail):
        return "destination"
    if not before_words.isdisjoint(_REFERENCE_WORDS) and _REFERENCE_BEFORE.search(tail):
        return "reference"
    if kind == "place" and cue is None and candidates and candidates[0].place.id in _CAPITAL_CITIES_ALWAYS_METONYM:
        possessive = text[end - 2 : end] in ("'s", "’s") and not _PLACE_NOUN_AFTER.match(text, end)
        if possessive or _METONYM_BEFORE.search(tail) or not _LOCATIVE_BEFORE.search(tail):
            return "metonym"  # "Moscow's forces", "on behalf of Kyiv", "Moscow said"
    return "event"


@functools.lru_cache(maxsize=64)
def _straight_quotes(text: str) -> tuple[int, ...]:
    """Offsets of the straight double quotes of a sentence (worked out once per sentence)."""
    return tuple(i for i, ch in enumerate(text) if ch == '"')


@functools.lru_cache(maxsize=64)
def _has_quote(text: str) -> bool:
    return _QUOTE_MARK.search(text) is not None


def _in_short_quote(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` sits inside a quotation of at most six words.

    Six words are at most :data:`_SHORT_QUOTE_CHARS` characters: only that stretch around the
    name is searched, so that the cost per name does not grow with the sentence.
    """
    low = max(0, start - _SHORT_QUOTE_CHARS)
    open_at = max(text.rfind(q, low, start) for q in _QUOTE_OPEN)
    if open_at < 0:
        return False
    closes = [text.find(q, end, end + _SHORT_QUOTE_CHARS) for q in _QUOTE_CLOSE]
    close_at = min((c for c in closes if c >= 0), default=-1)
    if close_at < 0:
        return False
    inside = text[open_at + 1 : close_at]
    if any(q in text[open_at + 1 : start] for q in _QUOTE_CLOSE if q not in _QUOTE_OPEN):
        return False
    if text[open_at] == '"' and bisect.bisect_left(_straight_quotes(text), open_at) % 2 == 1:
        return False  # that straight quote closes an earlier quotation
    return len(inside.split()) <= 6


def _expand_region_lists(text: str, mentions: list[Mention], sentence: Sentence, gazetteer: Gazetteer) -> list[Mention]:
    """Make every name of a list before a plural cue a region: "the Bryansk, Kursk and Oryol regions"."""
    out = list(mentions)
    for idx in range(len(out) - 1, 0, -1):
        m = out[idx]
        if m.kind not in ("region", "district") or m.cue is None:
            continue
        plural = _PLURAL_CUE.match(text, m.end - sentence.start)
        if not plural:
            continue
        k = idx - 1
        roles = [x.role for x in out]
        while k >= 0:
            prev, nxt = out[k], out[k + 1]
            gap = text[prev.end - sentence.start : nxt.start - sentence.start]
            if not _LIST_GAP.match(gap) or prev.kind not in ("place", "unknown", "region", "district"):
                break
            regions = tuple(gazetteer.regions(prev.name))
            if m.kind == "region" and regions:
                out[k] = prev._replace(kind="region", cue="region", regions=regions, role=m.role, candidates=())
            elif m.kind == "district":
                out[k] = prev._replace(kind="district", cue="district", role=m.role)
            k -= 1
        first_role = roles[k + 1]  # the words before the list say what all of it is
        if first_role != "event":
            for j in range(k + 1, idx + 1):
                out[j] = out[j]._replace(role=first_role)
    return out
