"""Events: the incidents an article reports, each with its place, date, facts and evidence.

The article is read clause by clause. A clause with event words (see :mod:`geo.triggers`)
reports an incident of each kind it names, located at the places it names in the role of an
event place (not "officials in X", "fired from X", "Moscow says", a slogan in quotes). A clause
without such a place is located by what it refers to: "the region" (the last region named),
"the village"/"the town" (the last place named), "there", or, when it is dated ("Monday's
raid led Moscow to declare ..."), the place of the story's latest incident. A clause with
neither a place nor a date adds its casualties and actors to the latest incident and makes no
event of its own ("Any assaults on Russian soil ...").

Reports of one incident merge: same kind group (all violence is one group), same place, and
compatible dates. A region-level report of the same kind and day as a precisely placed one
inside that region is its summary and merges into it.

Dates come from the clause, else its sentence, else the latest dated incident of the same
paragraph, else the story's first incident when it is in the same country or nearby, else
a day the opening paragraph names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from geopy.distance import great_circle

from .articles import Article, Sentence, sentences
from .borders import border_fields_many
from .dates import history_spans, resolve_date
from .facts import CasualtyReport, actors_in, casualty_reports, claimant, says_unverified, total
from .gazetteer import Gazetteer, Place
from .patterns import words_then
from .resolve import ResolvedPlace
from .triggers import EventKind, classify, find_triggers, kind_named

__all__ = ["Event", "EventPlace", "extract_events"]

MAX_EVIDENCE_SENTENCES = 5


@dataclass(frozen=True, slots=True)
class EventPlace:
    """A place attached to an event, with its role.

    ``role`` is ``"location"`` (where the event is placed), ``"also"`` (another place named
    as where it happened), ``"container"`` (the region around it), ``"summary"`` (a region
    named in a summary report merged into it), ``"authority"``, ``"origin"``,
    ``"destination"``, ``"metonym"``, ``"quoted"`` or ``"organisation"``.
    """

    name: str
    mention: str
    role: str
    lat: float | None
    lon: float | None
    precision: int | None
    place_id: str | None
    country: str | None
    admin1: str | None
    resolved_as: str


@dataclass(frozen=True, slots=True)
class Event:
    """One incident, with the properties of the event contract (see ARCHITECTURE.md)."""

    event_id: str
    article_id: str
    article_title: str
    source: str
    published: dt.date | None
    event_type: str
    sub_event_type: str
    date: dt.date | None
    date_precision: str | None
    actors: tuple[str, ...]
    fatalities: int | None
    injuries: int | None
    claimed_by: str | None
    verified: bool | None
    location: str | None
    country: str | None
    admin1: str | None
    admin1_code: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    evidence: str
    evidence_spans: tuple[tuple[int, int], ...]
    places: tuple[EventPlace, ...]
    distance_to_border_km: float | None = None
    border_side: str | None = None
    reviewed: bool = False
    language: str = "en"  # the article's; evidence is verbatim in it


class _SentenceFacts:
    """What a sentence says as a whole (its date, who claims it), worked out once for its clauses."""

    __slots__ = ("_claimant", "_date", "_violent", "published", "sentence")

    def __init__(self, sentence: Sentence, published: dt.date | None) -> None:
        self.sentence, self.published = sentence, published
        self._claimant: tuple[str | None] | None = None
        self._date: tuple[dt.date | None, str | None] | None = None
        self._violent: tuple[EventKind | None] | None = None

    def violent_kind(self) -> EventKind | None:
        """The act or weapon the sentence names (not a bare "attack"), if any."""
        if self._violent is None:
            named = [k for k in classify(find_triggers(self.sentence.text)) if k.group == "violence"]
            self._violent = (named[0] if named and named[0].name != "attack" else None,)
        return self._violent[0]

    def claimant(self) -> str | None:
        if self._claimant is None:
            self._claimant = (claimant(self.sentence.text),)
        return self._claimant[0]

    def date(self) -> tuple[dt.date | None, str | None]:
        if self._date is None:
            self._date = resolve_date(self.sentence.text, self.published)
        return self._date


@dataclass
class _Clause:
    sentence: Sentence
    start: int  # offsets into the article text
    end: int
    text: str
    facts: _SentenceFacts


@dataclass
class _Draft:
    kind: EventKind
    location: ResolvedPlace | None
    date: dt.date | None
    date_precision: str | None
    sentences: list[Sentence]
    first_sentence: int
    casualties: list[CasualtyReport] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    claimants: list[str] = field(default_factory=list)
    summaries: list[ResolvedPlace] = field(default_factory=list)
    sentence_count: int = 1

    @property
    def place(self) -> Place | None:
        return self.location.place if self.location else None

    @property
    def precision(self) -> int | None:
        return self.location.precision if self.location else None

    @property
    def fallback_name(self) -> str | None:
        """The name of a village placed at the area around it (its own point is unknown)."""
        loc = self.location
        if loc is None or loc.resolved_as != "fallback":
            return None
        return loc.mention.name.casefold()


_CLAUSE_SPLIT = re.compile(r",\s+and\s+|;\s+|,\s+while\s+|\s+while\s+|,\s+but\s+|\s+[–—]\s+|,\s+(?=(?:which|where)\s)")
_REGION_ANAPHOR = words_then("the|this|that", r"\s+(?:border\s+)?(?:region|oblast|province)\b")
_PLACE_ANAPHOR = words_then("the", r"\s+(?:village|town|city|settlement)\b(?!\s+of\b)")
_THERE = words_then("there", r"\b(?!\s+(?:was|were|is|are|had|have|has|will|would|could|may|might)\b)")
# A region's count of the day ("fired 21 times", "in total", "strikes on 8 settlements").
_TALLY = re.compile(
    r"\b\d+\s+times\b|\bin\s+total\b|\ba\s+total\s+of\b|\b\d+\s+(?:settlements|localities|communities|towns|villages)\b",
    re.I,
)
# "... several nearby villages, including (the village of) X": X is an example of the group
_EXAMPLE_OF_GROUP = re.compile(
    r"\b(?:villages|settlements|towns|communities|localities|hromadas)\b[^.;:]{0,40}?"
    r"\b(?:including|such as|among them|notably)\s+(?:the\s+(?:village|town|settlement)s?\s+of\s+)?$",
    re.I,
)
_TOWN_POPULATION = 20_000  # "the village" never refers to a place this large
_EVENT_KINDS = ("place", "district", "region", "unknown")
_DISTRICT_KM = 60  # a district's villages lie within this distance of its town
_SAME_STORY_KM = 150  # a dateless report this close to the story's first incident shares its date
_ELABORATION = re.compile(
    r"\s*(?:this|these|that|it|they|the\s+(?:order|decision|decree|evacuation|measure|regime|restrictions?))\s+"
    r"(?:also\s+|now\s+)?(?:applies|apply|concerns?|covers?|includes?|included|affects?|affected|involves?"
    r"|extends?\s+to)\b",
    re.I,
)
_COUNTRY_AREAS = re.compile(
    r"\b(Ukrainian|Russian|Ukraine's|Russia's|Ukraine’s|Russia’s)\s+(?:\w+\s+)?(?:regions?|oblasts?|cities|towns"
    r"|villages|territory|settlements|soil)\b"
)
_COUNTRY_OF = {
    "ukrainian": "UA",
    "ukraine's": "UA",
    "ukraine’s": "UA",
    "russian": "RU",
    "russia's": "RU",
    "russia’s": "RU",
}
_NEAR_KM = 10  # "near X": within about this distance
_REFERENCE_GAP = 90  # characters between a place and the place it is located by
_OTHER_CLAUSE = re.compile(r",\s+and\s|;\s|\band\s+(?:a|an|the)\s|\s[–—]\s")
_DATE_REACH_PARAGRAPHS = 2  # a day named without a place dates the reports of the next paragraphs
_BACKGROUND_DAYS = 30  # earlier incidents are context (as annotators code them)
_DATE_RANK = {"day": 0, "approximate": 1, "range": 2}
_RESPONSIBILITY = words_then(r"responsib\w+|behind the|carried out|attackers|gunmen|saboteurs", r"\b")


def _clauses(sentence: Sentence, published: dt.date | None) -> list[_Clause]:
    facts = _SentenceFacts(sentence, published)
    text = sentence.text
    marks = (
        ", and " in text
        or "; " in text
        or " while " in text
        or ", but " in text
        or " – " in text
        or " — " in text
        or ", which " in text
        or ", where " in text
    )
    if not marks:  # most sentences: one clause
        return [_Clause(sentence, sentence.start, sentence.end, text, facts)]
    out: list[_Clause] = []
    start = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        end = m.start()
        out.append(_Clause(sentence, sentence.start + start, sentence.start + end, text[start:end], facts))
        start = m.end()
    out.append(_Clause(sentence, sentence.start + start, sentence.end, text[start:], facts))
    return [c for c in out if c.text.strip()]


class _Narrative:
    """What the story has named so far: the referents of "the region", "there", a dateless clause."""

    def __init__(self) -> None:
        self.last_region: ResolvedPlace | None = None
        self.last_place: ResolvedPlace | None = None
        self.last_event: _Draft | None = None
        self.last_violent: _Draft | None = None
        self.first_event: _Draft | None = None
        self.dated_by_paragraph: dict[int, dt.date] = {}
        self.lead_date: dt.date | None = None  # a day the opening paragraph names
        self.lead_precision: str | None = None
        self.reports = 0  # reports read so far (incidents made or elaborated)
        self.last_act: EventKind | None = None  # the latest act or weapon named, with a place or not
        self.last_date: tuple[int, dt.date] | None = None  # (paragraph, day) of the latest dated clause
        # Event places of the last sentence, when it reported no event itself: a report that
        # names the place first and the act in the next sentence of the paragraph.
        self.pending: tuple[int, int, list[ResolvedPlace]] | None = None  # (paragraph, sentence, places)

    def saw(self, places: Sequence[ResolvedPlace]) -> None:
        for r in places:
            if r.place is None or r.mention.role != "event":
                continue  # a speaker's seat or a capital standing for its government is no referent
            if r.precision == 3:
                self.last_region = r
            elif r.mention.kind in ("place", "district"):
                self.last_place = r

    def latest(self, *, violent: bool) -> _Draft | None:
        """The incident a clause without a place of its own elaborates."""
        return self.last_violent if violent and self.last_violent is not None else self.last_event

    def inherited_date(self, paragraph: int, place: Place | None) -> tuple[dt.date | None, str | None]:
        """The date of a dateless report: its paragraph's, else the story's (see module doc)."""
        if paragraph in self.dated_by_paragraph:
            return self.dated_by_paragraph[paragraph], "day"
        if self.last_date is not None and 0 <= paragraph - self.last_date[0] <= _DATE_REACH_PARAGRAPHS:
            return self.last_date[1], "day"  # "Meanwhile, ... said on Thursday ..." sets the day
        first = self.first_event
        lead = (self.lead_date, self.lead_precision) if self.lead_date is not None else (None, None)
        if first is None or first.date is None or first.place is None or place is None:
            return lead
        if first.place.country == place.country or _km(first.place, place) <= _SAME_STORY_KM:
            return first.date, first.date_precision
        return lead


def extract_events(
    article: Article,
    resolved: Sequence[ResolvedPlace],
    gazetteer: Gazetteer,
) -> list[Event]:
    """The events of an article, from its resolved place mentions (see the module docstring)."""
    by_sentence: dict[int, list[ResolvedPlace]] = {}
    for r in resolved:
        by_sentence.setdefault(r.mention.sentence, []).append(r)
    story = _Narrative()
    lead = article.text.split("\n\n", 1)[0]
    lead_date, precision = resolve_date(lead, article.published)
    if lead_date is None:  # a stored copy whose headline is the lead: "Over the past 24 hours, ..."
        lead_date, precision = resolve_date(article.title, article.published)
    if precision in ("day", "approximate"):
        story.lead_date, story.lead_precision = lead_date, precision
    drafts: list[_Draft] = []
    for sentence in sentences(article):
        in_sentence = by_sentence.get(sentence.index, [])
        before = story.reports
        carried: list[ResolvedPlace] = []
        for clause in _clauses(sentence, article.published):
            # "In Mykolaivka, 15 houses, 2 dormitories, and an administrative building were damaged":
            # the places of a clause without event words belong to the next clause's incident.
            count = story.reports
            _read_clause(clause, in_sentence, story, drafts, carried)
            if story.reports != count:
                carried = []
            else:
                carried += [r for r in in_sentence if _in_clause(r, clause) and _eligible(r)]
        story.saw(in_sentence)
        reported = story.reports != before
        places = [r for r in in_sentence if r.place is not None and r.mention.role == "event"]
        story.pending = (sentence.paragraph, sentence.index, places) if places and not reported else None
    placed = [d for d in _settle(_merge_summaries(drafts), article.published) if d.place is not None]
    unverified = says_unverified(article.text)
    fields = border_fields_many([(d.place.lat, d.place.lon) for d in placed if d.place is not None])
    return [
        _to_event(d, article, by_sentence, gazetteer, unverified, border)
        for d, border in zip(placed, fields, strict=True)
    ]


def _read_clause(
    clause: _Clause,
    in_sentence: list[ResolvedPlace],
    story: _Narrative,
    drafts: list[_Draft],
    carried: Sequence[ResolvedPlace] = (),
) -> None:
    triggers = find_triggers(clause.text)
    if triggers:  # "Izium, liberated in September 2022": the place's history, not this report
        told = history_spans(clause.text, clause.facts.published)
        triggers = [t for t in triggers if not any(a <= t.start < b for a, b in told)]
    kinds = classify(triggers)
    casualties = casualty_reports(clause.text)
    consequences = any(t.kind == "consequence" for t in triggers)
    if (
        not kinds
        and (casualties or consequences)
        and (casualties or carried or any(_in_clause(r, clause) and _eligible(r) for r in in_sentence))
    ):
        # "three people were killed in X", "two houses were damaged in Y": an incident of the
        # story's kind, where the clause names its place (else facts of the latest incident).
        kinds = [kind_named("attack")]
    if (
        not kinds
        and story.last_event is not None
        and _ELABORATION.match(clause.text)
        and any(_in_clause(r, clause) and _eligible(r) for r in in_sentence)
    ):  # "This applies to the hromadas of A, B and C": the latest incident's kind, at each place.
        kinds = [story.last_event.kind]
    if not kinds:
        if triggers or casualties or _RESPONSIBILITY.search(clause.text):
            facts = (casualties, list(actors_in(clause.text)), clause.facts.claimant())
            story.reports += _add_facts(story.latest(violent=bool(casualties)), facts, clause.sentence)
        return
    kinds = [_typed(k, clause, story) for k in kinds]
    named = next((k for k in kinds if k.group == "violence" and k.name != "attack"), None)
    if named is not None:
        story.last_act = named
    facts = (casualties, list(actors_in(clause.text)), clause.facts.claimant())
    whole = clause.text == clause.sentence.text
    date, precision = clause.facts.date() if whole else resolve_date(clause.text, clause.facts.published)
    if date is None and not whole and precision != "background":
        date, precision = clause.facts.date()
    if precision == "background":  # "in recent months", "since the start of the war": context
        return
    if date is not None and precision == "day":
        story.last_date = (clause.sentence.paragraph, date)
    developments = all(k.group != "violence" for k in kinds)
    locations = _locate(
        clause,
        in_sentence,
        story,
        dated=date is not None and precision == "day",
        developments=developments,
        carried=carried,
    )
    if not locations:
        latest = story.latest(violent=any(k.group == "violence" for k in kinds))
        story.reports += _add_facts(latest, facts, clause.sentence)
        return
    for location in locations:
        when, how = date, precision
        if when is None:
            when, how = story.inherited_date(clause.sentence.paragraph, location.place)
        for kind in kinds:
            draft = _Draft(kind, location, when, how, [clause.sentence], clause.sentence.index)
            _add_facts(draft, facts, None)
            story.reports += 1
            merged = _merge_into(drafts, draft)
            story.last_event = merged
            if merged.kind.group == "violence":
                story.last_violent = merged
            if story.first_event is None:
                story.first_event = merged
            if merged.date is not None and merged.date_precision == "day":
                story.dated_by_paragraph[clause.sentence.paragraph] = merged.date


def _typed(kind: EventKind, clause: _Clause, story: _Narrative) -> EventKind:
    """A bare "attack" takes the act its sentence names, else the story's latest act."""
    if kind.name != "attack":
        return kind
    named = clause.facts.violent_kind()
    if named is not None:
        return named
    if story.last_act is not None:
        return story.last_act
    last = story.last_violent
    return last.kind if last is not None else kind


def _in_clause(r: ResolvedPlace, clause: _Clause) -> bool:
    return clause.start <= r.mention.start < clause.end


def _eligible(r: ResolvedPlace) -> bool:
    """Whether a resolved mention can be where an event happened."""
    return r.place is not None and r.mention.role == "event" and r.mention.kind in _EVENT_KINDS


def _locate(
    clause: _Clause,
    in_sentence: list[ResolvedPlace],
    story: _Narrative,
    *,
    dated: bool,
    developments: bool = False,
    carried: Sequence[ResolvedPlace] = (),
) -> list[ResolvedPlace]:
    """Where a clause's incident happened (one location per place it is reported at)."""
    eligible = [r for r in in_sentence if _eligible(r)]
    here = _without_containers([*carried, *(r for r in eligible if _in_clause(r, clause))])
    if here and all(r.precision == 3 for r in here):
        # Only regions here, and a town of theirs named as the speaker's seat ("the governor of
        # Sevastopol, a port of the annexed peninsula, says air defence was active in the city"):
        # the town is the more precise place.
        seats = [r for r in in_sentence if r.mention.role == "authority" and r.precision == 1 and r.admin is not None]
        inside = [
            q for q in seats for h in here if q.admin is not None and h.admin is not None and q.admin.inside(h.admin)
        ]
        if inside and _PLACE_ANAPHOR.search(clause.text):
            return inside[:1]
    if here:
        return _placed_by_reference(_without_examples(here, clause), in_sentence, clause.sentence)
    if clause.text.lstrip().startswith(("which ", "where ")):  # the place the relative clause follows
        before = [r for r in eligible if r.mention.start < clause.start]
        return before[-1:]
    if eligible:
        return _without_containers(eligible)
    pending = story.pending
    if pending is not None and pending[0] == clause.sentence.paragraph and pending[1] == clause.sentence.index - 1:
        return _without_containers(pending[2])  # "X village, Y district. As a result of the shelling, ..."
    stand_ins = [
        r
        for r in in_sentence
        if r.place is not None and r.mention.role in ("authority", "destination") and r.precision in (1, 2, 3)
    ]
    if stand_ins:
        return sorted(stand_ins, key=lambda r: r.precision or 3)[:1]
    if _REGION_ANAPHOR.search(clause.text) and story.last_region is not None:
        return [story.last_region]
    anaphor = _PLACE_ANAPHOR.search(clause.text)
    if anaphor is not None and story.last_place is not None and _may_refer(anaphor.group(0), story.last_place):
        return [story.last_place]
    last = story.last_event
    if last is None or last.location is None:
        return []
    if (dated or _THERE.search(clause.text)) and _same_country_words(clause.text, last):
        return [last.location]
    if (
        developments
        and not _TALLY.search(last.sentences[-1].text)
        and 0 <= clause.sentence.paragraph - last.sentences[-1].paragraph <= 1
    ):  # "... and residents of two settlements who were evacuated were returning"; after a
        # region's tally ("fired 21 times at settlements in the region") it is the tally's too
        return [last.location]
    return []


def _without_examples(here: list[ResolvedPlace], clause: _Clause) -> list[ResolvedPlace]:
    """The clause's places without those named as examples of a group after another place.

    "Grayvoron and several nearby villages, including Glotovo" is one incident at Grayvoron;
    Glotovo stays among its places.
    """
    if len(here) < 2:
        return here
    first = min(r.mention.start for r in here)
    kept = [
        r
        for r in here
        if r.mention.start == first
        or not _EXAMPLE_OF_GROUP.search(clause.text, 0, max(0, r.mention.start - clause.start))
    ]
    return kept or here


def _may_refer(anaphor: str, r: ResolvedPlace) -> bool:
    """Whether "the village" (or town, city) can name ``r``: a village is no town of 20,000."""
    noun = anaphor.split()[-1].lower()
    cue = r.mention.cue
    if noun == "village":
        return cue != "town" and cue != "city" and (r.place is None or r.place.population < _TOWN_POPULATION)
    return cue != "village"


def _same_country_words(text: str, draft: _Draft) -> bool:
    """Whether a clause's country words ("over eight Ukrainian regions") allow the draft's country."""
    named = {_COUNTRY_OF[m.group(1).lower()] for m in _COUNTRY_AREAS.finditer(text)}
    return not named or (draft.place is not None and draft.place.country in named)


def _relates(place: ResolvedPlace, ref: ResolvedPlace, sentence: Sentence) -> bool:
    """Whether ``ref`` follows ``place`` as its reference: "X, a village near Y", "X, 10 km from Y"."""
    if ref.mention.start <= place.mention.start:
        return False
    gap = sentence.text[place.mention.end - sentence.start : ref.mention.start - sentence.start]
    return len(gap) <= _REFERENCE_GAP and not _OTHER_CLAUSE.search(gap)


def _placed_by_reference(
    places: list[ResolvedPlace], in_sentence: list[ResolvedPlace], sentence: Sentence
) -> list[ResolvedPlace]:
    """Places located by a distance from another ("X, 10 km south-east of Y"), checked against it.

    A namesake far from the reference place is the wrong one: the village is then placed near
    the reference (precision 2), under its own name. The reference itself is no event place.
    """
    refs = [
        r
        for r in in_sentence
        if r.place is not None and (r.mention.offset_km is not None or r.mention.cue == "near") and r.precision == 2
    ]
    if not refs:
        return places
    out: list[ResolvedPlace] = []
    for r in places:
        ref = next((q for q in refs if q is not r and _relates(r, q, sentence)), None)
        if r in refs and len(places) > 1 and any(q.mention.start < r.mention.start for q in places if q is not r):
            continue
        if ref is None or r.place is None or ref.place is None or (r.precision == 3 and r.resolved_as != "fallback"):
            out.append(r)
            continue
        if r.resolved_as == "fallback":  # "Tabaivka, a village not far from Kupiansk": near Kupiansk
            out.append(ResolvedPlace(r.mention, ref.place, 2, "fallback", 0.0, ref.admin))
            continue
        allowed = 2 * (ref.mention.offset_km or _NEAR_KM) + 15
        if _km(r.place, ref.place) <= allowed:
            out.append(r)
        else:
            out.append(ResolvedPlace(r.mention, ref.place, 2, "fallback", 0.0, ref.admin))
    return out or places


def _without_containers(places: list[ResolvedPlace]) -> list[ResolvedPlace]:
    """Drop the areas around more precise places of the same list, and repeats.

    "the village of Novaya Tavolzhanka in the Shebekino district": the district contains the
    village; "in Sevastopol, in Russian-occupied Crimea": Crimea contains Sevastopol.
    """
    precise = [r for r in places if r.place is not None and (r.precision == 1 or r.resolved_as == "fallback")]
    out: list[ResolvedPlace] = []
    seen: set[tuple[str, str]] = set()
    for r in places:
        assert r.place is not None
        key = (r.place.id, r.mention.name.casefold() if r.resolved_as == "fallback" else "")
        if key in seen or (r.resolved_as != "fallback" and any(_contains(r, q) for q in precise if q is not r)):
            continue
        seen.add(key)
        out.append(r)
    # A village placed only at its region, listed with places of that region that are placed
    # precisely, is named with their incident rather than drawn at the region's capital.
    exact = [r for r in out if r.resolved_as != "fallback" and r.precision in (1, 2) and r.admin is not None]
    return [
        r
        for r in out
        if not (
            r.resolved_as == "fallback"
            and r.precision == 3
            and any(q.admin is not None and r.admin is not None and q.admin.inside(r.admin) for q in exact)
        )
    ] or out


def _contains(area: ResolvedPlace, place: ResolvedPlace) -> bool:
    if area.precision == 3 and area.admin is not None and place.admin is not None:
        return place.admin.inside(area.admin)
    if area.mention.kind == "district" and area.place is not None and place.place is not None:
        return area.place.admin1 == place.place.admin1 and _km(area.place, place.place) <= _DISTRICT_KM
    return False


def _km(a: Place, b: Place) -> float:
    return float(great_circle((a.lat, a.lon), (b.lat, b.lon)).km)


def _add_facts(
    draft: _Draft | None,
    facts: tuple[list[CasualtyReport], list[str], str | None],
    sentence: Sentence | None,
) -> bool:
    """Add a report's facts to a draft; whether the draft took the sentence as evidence."""
    if draft is None:
        return False
    casualties, actors, who = facts
    if sentence is not None:  # a continuation: evidence only when it adds something
        if not (casualties or actors):
            return False
        _add_sentence(draft, sentence)
    draft.casualties += casualties
    draft.actors += [a for a in actors if a not in draft.actors]
    if who and who not in draft.claimants:
        draft.claimants.append(who)
    return sentence is not None


def _add_sentence(draft: _Draft, sentence: Sentence) -> None:
    if any(s.index == sentence.index for s in draft.sentences):
        return
    draft.sentence_count += 1
    if len(draft.sentences) < MAX_EVIDENCE_SENTENCES:
        draft.sentences.append(sentence)


def _same_place(a: _Draft, b: _Draft) -> bool:
    """The same place: the same entry, or a point within a couple of km.

    Villages placed at the area around them (a fallback) are the same only with the same name.
    """
    p, q = a.place, b.place
    if p is None or q is None:
        return False
    same = p.id == q.id or (abs(p.lat - q.lat) < 0.02 and abs(p.lon - q.lon) < 0.03)
    return same and a.fallback_name == b.fallback_name


def _compatible_dates(a: _Draft, b: _Draft) -> bool:
    """Dates that can be one day: unknown, equal, or a day apart when either is approximate."""
    if a.date is None or b.date is None or a.date == b.date:
        return True
    rough = "approximate" in (a.date_precision, b.date_precision)
    return rough and abs((a.date - b.date).days) <= 1


def _merge_into(drafts: list[_Draft], new: _Draft) -> _Draft:
    for old in reversed(drafts):
        if old.kind.group == new.kind.group and _same_place(old, new) and _compatible_dates(old, new):
            _absorb(old, new)
            return old
    drafts.append(new)
    return new


def _absorb(into: _Draft, other: _Draft, *, summary: bool = False) -> None:
    """Merge ``other`` into ``into``; a summary (a region-level report) keeps ``into``'s kind."""
    if other.kind.priority > into.kind.priority and not summary:
        into.kind = other.kind
    if (other.precision or 9) < (into.precision or 9):
        into.location = other.location
    if other.date is not None and (
        into.date is None
        or _DATE_RANK.get(other.date_precision or "", 9) < _DATE_RANK.get(into.date_precision or "", 9)
    ):
        into.date, into.date_precision = other.date, other.date_precision
    for s in other.sentences:
        _add_sentence(into, s)
    into.sentence_count += max(0, other.sentence_count - len(other.sentences))
    into.casualties += other.casualties
    into.actors += [a for a in other.actors if a not in into.actors]
    into.claimants += [c for c in other.claimants if c not in into.claimants]
    into.summaries += other.summaries


def _settle(drafts: list[_Draft], published: dt.date | None) -> list[_Draft]:
    """The story's incidents as reported: background dropped, types and dates completed.

    * An incident dated more than :data:`_BACKGROUND_DAYS` before publication is background
      ("On 13 May, the authorities began evacuating ..." in an October report).
    * A bare "attack" still without a type takes the act the story reports most.
    * A news item that names no day for its incidents reports the day's (or "the past
      day's"): the undated ones take the story's rough date, else the publication day,
      marked ``approximate``.
    """
    if published is not None:
        oldest = published - dt.timedelta(days=_BACKGROUND_DAYS)
        drafts = [d for d in drafts if d.date is None or d.date >= oldest]
    named = Counter(d.kind for d in drafts if d.kind.group == "violence" and d.kind.name != "attack")
    if named:
        common = named.most_common(1)[0][0]
        for d in drafts:
            if d.kind.name == "attack":
                d.kind = common
    if published is not None and not any(d.date_precision == "day" for d in drafts):
        rough = Counter(d.date for d in drafts if d.date is not None).most_common(1)
        day = rough[0][0] if rough else published
        for d in drafts:
            if d.date is None:
                d.date, d.date_precision = day, "approximate"
    return drafts


def _merge_summaries(drafts: list[_Draft]) -> list[_Draft]:
    """Merge region-level reports into a precise report of the same kind and day in the region."""
    kept: list[_Draft] = []
    for d in drafts:
        target = None
        if d.precision == 3 and d.place is not None and d.fallback_name is None:
            target = next(
                (
                    f
                    for f in drafts
                    if f is not d
                    and (f.precision or 3) < 3
                    and f.place is not None
                    and f.kind.group == d.kind.group
                    and _compatible_dates(f, d)
                    and (f.place.country, f.place.admin1) == (d.place.country, d.place.admin1)
                ),
                None,
            )
        if target is None:
            kept.append(d)
            continue
        summary = d.location
        d.location = target.location
        if summary is not None:
            d.summaries.append(summary)
        _absorb(target, d, summary=True)
    return kept


def _event_places(draft: _Draft, by_sentence: dict[int, list[ResolvedPlace]]) -> tuple[EventPlace, ...]:
    location = draft.location
    assert location is not None and location.place is not None
    out = [_event_place(location, "location")]
    seen = {location.place.id}
    for r in draft.summaries:
        if r.place is not None and r.place.id not in seen:
            seen.add(r.place.id)
            out.append(_event_place(r, "summary"))
    for r in (r for s in sorted(draft.sentences, key=lambda s: s.index) for r in by_sentence.get(s.index, ())):
        key = r.place.id if r.place else f"unresolved:{r.mention.name}"
        if key in seen:
            continue
        seen.add(key)
        role = r.mention.role
        if role == "event":
            contains = r.precision == 3 and r.place and location.place.admin1 == r.place.admin1
            role = "container" if contains else "also"
        out.append(_event_place(r, role))
    return tuple(out)


def _location_name(r: ResolvedPlace) -> str:
    """The place's name; a village placed at the area around it keeps its own name first."""
    assert r.place is not None
    if r.resolved_as != "fallback":
        return r.place.name
    return f"{r.mention.name} ({'in' if r.precision == 3 else 'near'} {r.place.name})"


def _event_place(r: ResolvedPlace, role: str) -> EventPlace:
    p = r.place
    return EventPlace(
        name=r.mention.name if r.resolved_as == "fallback" or p is None else p.name,
        mention=r.mention.text,
        role=role,
        lat=p.lat if p else None,
        lon=p.lon if p else None,
        precision=r.precision,
        place_id=p.id if p else None,
        country=p.country if p else None,
        admin1=r.admin.name if r.admin else None,
        resolved_as=r.resolved_as,
    )


def _event_id(article: Article, draft: _Draft) -> str:
    place = draft.place.id if draft.place else "-"
    key = f"{article.id}|{draft.first_sentence}|{place}|{draft.kind.group}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _to_event(
    draft: _Draft,
    article: Article,
    by_sentence: dict[int, list[ResolvedPlace]],
    gazetteer: Gazetteer,
    unverified: bool,
    border: tuple[float | None, str | None],
) -> Event:
    location = draft.location
    assert location is not None and location.place is not None
    place = location.place
    admin = location.admin or gazetteer.admin_area(place.country, place.admin1)
    ordered = sorted(draft.sentences, key=lambda s: s.index)
    evidence = " ".join(s.text for s in ordered)
    extra = draft.sentence_count - len(ordered)
    if extra > 0:
        evidence += f" […and {extra} more sentence{'s' if extra > 1 else ''}]"
    return Event(
        event_id=_event_id(article, draft),
        article_id=article.id,
        article_title=article.title,
        source=article.source,
        published=article.published,
        event_type=draft.kind.event_type,
        sub_event_type=draft.kind.sub_event_type,
        date=draft.date,
        date_precision=draft.date_precision,
        actors=tuple(draft.actors),
        fatalities=total(draft.casualties, "fatalities"),
        injuries=total(draft.casualties, "injuries"),
        claimed_by=draft.claimants[0] if draft.claimants else None,
        verified=False if unverified else None,
        location=_location_name(location),
        country=place.country,
        admin1=admin.name if admin else None,
        admin1_code=admin.iso_code if admin else None,
        lat=place.lat,
        lon=place.lon,
        geo_precision=location.precision,
        evidence=evidence,
        evidence_spans=tuple((s.start, s.end) for s in ordered),
        places=_event_places(draft, by_sentence),
        distance_to_border_km=border[0],
        border_side=border[1],
        language=article.language,
    )
