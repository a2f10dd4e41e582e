"""Event words and the ACLED types they signal.

A clause is typed from the words it uses: "clashes", "raid", "incursion" → Battles/Armed clash;
"captured", "withdrew from" → Battles; "shelled", "artillery", "mortar" → Explosions/Remote
violence, Shelling/artillery/missile attack; "drone", "air strike" → Air/drone strike;
"evacuated", "told to leave their homes" → Strategic developments; "counter-terrorism regime",
"martial law" → Strategic developments; "arrested" → Arrests; "protest" → Protests.

Generic words ("attack", "struck", "hit") take the type of the weapon named beside them
("drone attacks" are air strikes; a bare "attacked the village" is an armed clash). Words
under a negation or a modal ("did not enable strikes", "urged to evacuate", "will not be able
to shell") do not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import alternatives, trie, words_then

__all__ = ["ACLED_SUB_EVENT_TYPES", "EventKind", "Trigger", "classify", "find_triggers", "kind_named"]


# ACLED's event types and sub-event types (ACLED codebook), for analysts' corrections.
ACLED_SUB_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Shelling/artillery/missile attack",
        "Air/drone strike",
        "Remote explosive/landmine/IED",
        "Grenade",
        "Suicide bomb",
        "Chemical weapon",
    ),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
}


@dataclass(frozen=True, slots=True)
class EventKind:
    """What kind of incident: its ACLED type and sub-type, and the group it merges within.

    Reports of one incident merge when their groups match: all violence is one group (an
    armed clash with mortar fire at one village on one day is one event), each non-violent
    development its own.
    """

    name: str
    event_type: str
    sub_event_type: str
    group: str
    priority: int  # the stronger type wins when reports merge


_KINDS = {
    k.name: k
    for k in (
        EventKind("clash", "Battles", "Armed clash", "violence", 40),
        EventKind("territory", "Battles", "Armed clash", "violence", 40),
        EventKind("regain", "Battles", "Government regains territory", "violence", 41),
        EventKind("civilians", "Violence against civilians", "Attack", "violence", 30),
        EventKind("abduction", "Violence against civilians", "Abduction/forced disappearance", "violence", 30),
        EventKind("air", "Explosions/Remote violence", "Air/drone strike", "violence", 22),
        EventKind("shelling", "Explosions/Remote violence", "Shelling/artillery/missile attack", "violence", 21),
        EventKind("explosive", "Explosions/Remote violence", "Remote explosive/landmine/IED", "violence", 20),
        # "attacked", "struck" with no weapon or act named: typed later from the sentence or the
        # story (see geo.events); the weakest kind, so any named act of a merged report wins.
        EventKind("attack", "Explosions/Remote violence", "Shelling/artillery/missile attack", "violence", 5),
        EventKind("evacuation", "Strategic developments", "Other", "evacuation", 10),
        EventKind("emergency", "Strategic developments", "Other", "emergency", 10),
        EventKind("arrest", "Strategic developments", "Arrests", "arrest", 10),
        EventKind("looting", "Strategic developments", "Looting/property destruction", "looting", 10),
        EventKind("agreement", "Strategic developments", "Agreement", "agreement", 10),
        EventKind("protest", "Protests", "Peaceful protest", "protest", 10),
        EventKind("protest_intervention", "Protests", "Protest with intervention", "protest", 11),
        EventKind("riot", "Riots", "Violent demonstration", "riot", 10),
    )
}


def kind_named(name: str) -> EventKind:
    return _KINDS[name]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.I)


# Specific words: they name the kind of incident on their own.
_SPECIFIC = {
    "clash": _words(
        r"clash(?:es|ed)?|fighting|fought|firefights?|gunfights?|skirmish(?:es)?|assault(?:s|ed)?"
        r"|raid(?:s|ed)?|incursions?|invad(?:ed|ing)|invasion|infiltrat(?:ed|ion|ors?)|sabotage (?:group|unit)s?"
        r"|ambush(?:ed)?|storm(?:s|ed|ing)?(?! Shadow)|repel(?:led|ling)?|driven (?:back|out)|pushed back"
        r"|counter-?attacks?"
        r"|hostilities|crossed the border|entered (?:the )?(?:village|town|city|settlement|region|territory)"
        r"|ground (?:attack|assault)s?|combat|battles?|offensive actions?|attack(?:ed|s)? (?:\w+ )?positions"
        r"|sabotage and reconnaissance|armed (?:groups?|men)|gunmen|militants|saboteurs"
    ),
    "territory": _words(
        r"captur(?:ed|e|es|ing)|seiz(?:ed|e|ing)|took (?:full )?control|tak(?:en|ing) (?:full )?control"
        r"|withdr(?:ew|awn|awal)|retreat(?:ed|s)?|fell to|los(?:ing|t) control|encircl(?:ed|ement)"
    ),
    "regain": _words(r"liberat(?:ed|ion)|recaptur(?:ed|e)|regain(?:ed)? control|retook|retaken"),
    "air": _words(
        r"drones?|UAVs?|unmanned aerial|air ?strikes?|airstrikes?|air raids?(?! (?:alerts?|sirens?|warnings?))"
        r"|glide bombs?|aerial bombs?|guided (?:aerial )?bombs?|KABs?"
        r"|dropped (?:\w+ ){0,2}(?:bombs?|grenades?|explosives|munitions?)"
        r"|bomb(?:ed|ing|ings)|warplanes?|kamikaze|Shahed|Lancet|shot down|intercepted|air defen[cs]es?"
    ),
    "shelling": _words(
        r"shell(?:ed|ing|s)?|artillery|mortars?|missiles?|rockets?|MLRS|Grads?|HIMARS|cluster munitions?"
        r"|bombardment|barrages?|under fire|opened fire|fir(?:ed|ing) (?:at|on|upon)|fir(?:ed|ing) \w+ times"
    ),
    "explosive": _words(r"landmines?|mines?|IEDs?|explosive devices?|car bombs?|explosions?|blasts?|explod(?:ed|ing)"),
    "civilians": _words(r"executed|executions?|massacred?|tortur(?:ed|e)|shot dead"),
    "abduction": _words(r"abduct(?:ed|ion|ions)|kidnapp(?:ed|ing)|forcibly deported"),
    "evacuation": _words(
        r"evacuat(?:ed|ion|ions|ing|e)|told to leave|ordered to leave|forced to leave|fled their homes"
    ),
    "emergency": _words(
        r"counter-?terror(?:ism|ist) (?:operation )?(?:regime|operation)|martial law|state of emergency"
        r"|emergency (?:regime|situation)"
        r"|curfew"
    ),
    "arrest": _words(r"arrest(?:ed|s)?|detain(?:ed)?"),
    "looting": _words(r"loot(?:ed|ing)|plunder(?:ed)?"),
    "agreement": _words(r"prisoner (?:exchange|swap)s?|ceasefire agreement|peace deal"),
    "protest": _words(r"protest(?:s|ed|ers)?|rall(?:y|ied|ies)|demonstrations?|demonstrators"),
    "riot": _words(r"riots?|rioters|rioting"),
}
# Generic words: an incident happened, its kind comes from the words around it.
_GENERIC = _words(r"attack(?:ed|s|ing)?|strikes?|struck|hit|hits|targeted")
# Consequences: they say what an incident did; alone they do not make an event of a clause.
_CONSEQUENCE = _words(
    r"killed|killing|dead|died|deaths?|wounded|wounding|injur(?:ed|ing|ies)|casualties|damag(?:ed|ing|e)"
    r"|destroy(?:ed|ing)|fires?|ablaze"
)
# Negations and modals: the event words they govern did not (or not yet) happen. Case-sensitive
# on purpose: "may" the modal, not "May" the month.
_IRREALIS_WORDS = (
    r"[Nn]ot|[Nn]ever|[Nn]o|urged?|urging|call(?:ed|s)? on|advised?|asked|plans?|planning"
    r"|threaten(?:ed|s)?|could|would|may|might|will|[Ii]f|[Uu]nless|aim(?:ing|s)? to|expected to"
    r"|ready to|vow(?:ed|s)? to|prepared to|able to|intend(?:s|ed)? to|fears? of|warn(?:ed|s)? of"
    r"|risk of|possible|potential|[Aa]ny|denied|denies|deny"
)
_IRREALIS_WORD = words_then(_IRREALIS_WORDS, r"\b", flags=0)
_IRREALIS_REACH = 40  # characters after the word, within one stretch of the clause
# Appeals and plans govern a longer stretch: "urged civilians in the Kursk region and the
# neighbouring Belgorod region to evacuate".
_APPEALS = frozenset("urge urged urging advise advised asked plans planning threaten threatened threatens".split())
_APPEAL_REACH = 110
_IRREALIS_LONGEST = 20  # characters of the longest negation or modal ("intended to": 11)
_CLAUSE_BREAK = re.compile(r"[,;:.]")


@dataclass(frozen=True, slots=True)
class Trigger:
    """An event word in a clause: ``kind`` is a kind name, ``"generic"`` or ``"consequence"``."""

    kind: str
    start: int
    end: int
    text: str


def _lexicon() -> tuple[dict[str, list[tuple[str, re.Pattern[str]]]], list[str]]:
    """Every event word pattern by its first three letters (in priority order), and their beginnings.

    A beginning is the literal text a pattern's matches start with ("withdr" of
    ``withdr(?:ew|awn|awal)``). Scanning a clause then costs one search for the beginnings;
    only the few patterns that can start where one is found are tried (one alternation of them
    all backtracks at every word, and is several times slower).
    """
    index: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    beginnings: set[str] = set()
    groups = (*_SPECIFIC.items(), ("generic", _GENERIC), ("consequence", _CONSEQUENCE))
    for kind, pattern in groups:
        inner = pattern.pattern.removeprefix(r"\b(?:").removesuffix(r")\b")
        for alternative in alternatives(inner):
            literal = _literal_beginning(alternative)
            if len(literal) < 3:
                raise ValueError(f"event word pattern {alternative!r} needs three literal letters first")
            compiled = re.compile(rf"(?:{alternative})\b", re.I)
            index.setdefault(literal[:3], []).append((kind, compiled))
            beginnings.add(literal)
    return index, sorted(beginnings)


def _literal_beginning(alternative: str) -> str:
    """The lower-cased text every match of ``alternative`` starts with ("drone" of ``drones?``)."""
    literal = re.match(r"[A-Za-z \-]*", alternative).group()  # type: ignore[union-attr]
    if alternative[len(literal) : len(literal) + 1] in ("?", "*", "{"):
        literal = literal[:-1]  # the last letter is optional
    return literal.lower()


_LEXICON, _BEGINNINGS = _lexicon()
# Where an event word may start, in lower-cased text.
_BEGINNING = re.compile(rf"\b(?:{trie(_BEGINNINGS)})")


def find_triggers(clause: str) -> list[Trigger]:
    """Event words of a clause, in text order, without those under a negation or modal.

    A negation or modal governs the event words up to :data:`_IRREALIS_REACH` characters after
    it, within the same stretch of the clause (no comma, colon or full stop between).
    """
    matched: list[Trigger] = []
    covered = 0  # words inside the previous match are not tried again
    low = clause.lower()
    if len(low) != len(clause):  # lower-casing changed lengths ("İ"): offsets must stay the clause's
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in clause)
    for word in _BEGINNING.finditer(low):
        start = word.start()
        if start < covered:
            continue
        for kind, pattern in _LEXICON[low[start : start + 3]]:
            m = pattern.match(clause, start)
            if m is not None:
                covered = m.end()
                matched.append(Trigger(kind, start, m.end(), m.group()))
                break
    if not matched:
        return matched
    # Only negations and modals that can reach an event word are looked for.
    reach_from = max(0, matched[0].start - _APPEAL_REACH - _IRREALIS_LONGEST)
    blockers = [
        (m.end(), _APPEAL_REACH if m.group(1).lower() in _APPEALS else _IRREALIS_REACH)
        for m in _IRREALIS_WORD.finditer(clause, reach_from, matched[-1].start)
    ]
    return [
        t
        for t in matched
        if not any(
            t.start - end <= reach and not _CLAUSE_BREAK.search(clause, end, t.start)
            for end, reach in blockers
            if end <= t.start
        )
    ]


def classify(triggers: list[Trigger]) -> list[EventKind]:
    """The kinds of incident a clause reports: at most one violent kind, plus developments.

    Battles words win over weapons (mortar fire before fighters entered a village is a clash);
    a weapon names the kind of a generic "attack"; a bare "attack" is of kind ``"attack"``, whose
    type the reader takes from the sentence or the story.
    """
    names = {t.kind for t in triggers}
    kinds: list[EventKind] = []
    violent: str | None = None
    for name in ("regain", "clash", "territory", "civilians", "abduction", "air", "shelling", "explosive"):
        if name in names:
            violent = name
            break
    if violent is None and "generic" in names:
        violent = "attack"
    if violent is not None:
        kinds.append(_KINDS[violent])
    if {"protest", "arrest"} <= names:  # police broke up a rally and detained people: one event
        names = (names - {"protest", "arrest"}) | {"protest_intervention"}
    developments = (
        "evacuation",
        "emergency",
        "arrest",
        "looting",
        "agreement",
        "protest",
        "protest_intervention",
        "riot",
    )
    for name in developments:
        if name in names:
            kinds.append(_KINDS[name])
    return kinds
