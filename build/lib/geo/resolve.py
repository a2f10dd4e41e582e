"""Choose the right place for each mention, among namesakes, from the article's context.

Each candidate of a mention gets a score from:

* how the name matched (the place's own name over an alternate or a generated spelling);
* population (log scale);
* the country named right before the mention ("Russia's Bryansk region", "the Russian village
  of Kozinka"), the countries the article names or implies, and the focus countries (the
  border area) as a weak prior;
* the first-level areas the article names ("in the Sumy region" favours the Krasnopillya in
  Sumy oblast over its namesake in Mykolaiv oblast);
* nearness to the places the article names unambiguously;
* nearness to the RU–UA border, when the focus countries include Russia or Ukraine (a weak
  prior: the map is about that border, and many of its villages have namesakes far away);
* a bonus for supplement entries (curated border villages, or a user's own additions), which
  carry no population.

Region mentions resolve to the region (precision 3, placed at its capital); district mentions
to the district's town (precision 2). A name the gazetteer lacks falls back to a place named
beside it in the same sentence (precision 2) or the region the article is about (precision 3),
never to a far-away namesake. Mentions without a cue need a minimum score, so that "Miller"
or "Liberty" do not become small towns on the other side of the world.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from geopy.distance import EARTH_RADIUS

from . import settings
from .gazetteer import AdminArea, Gazetteer, Match, Place
from .toponyms import Mention

__all__ = ["OnlinePlaces", "ResolvedPlace", "great_circle_km", "resolve_mentions"]

PLACE_KINDS = ("place", "region", "district", "unknown")
_EARTH_RADIUS_KM = EARTH_RADIUS
_NAME_WEIGHT = (1.0, 0.6, -0.5)  # PRIMARY, ALTERNATE, FUZZY
_MIN_SCORE_BARE = 3.6  # a mention without a cue needs this much evidence,
_MIN_SCORE_BARE_FOCUS = 3.0  # or this much for a place in the focus countries
_SUPPLEMENT_BONUS = 1.5
_UNCURATED = frozenset({"geonames", "geonames-postal", "geonames-postal-district"})  # no bonus for these
_BORDER_BONUS = 1.0  # at the RU–UA border, fading over _BORDER_SCALE_KM: the area this map is about
_BORDER_SCALE_KM = 150.0
_FUZZY_IN_REGION = 85  # rapidfuzz ratio for a near-miss spelling inside a stated region ("Sinkivka")
_CUES_OF_SMALL_PLACES = frozenset({"village", "hamlet", "settlement", "township"})
_REGION_TYPES = ("oblast", "krai", "republic", "autonomous okrug", "autonomous oblast", "state")


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A mention with the place chosen for it.

    ``precision`` follows ACLED: 1 the named place itself, 2 near a place or in its district,
    3 the region. ``resolved_as`` says how: ``"place"``, ``"region"``, ``"district"``,
    ``"near"``, ``"fuzzy"``, ``"fallback"`` or ``"unresolved"`` (then ``place`` is None).
    """

    mention: Mention
    place: Place | None
    precision: int | None
    resolved_as: str
    score: float = 0.0
    admin: AdminArea | None = None

    @property
    def resolved(self) -> bool:
        return self.place is not None


class OnlinePlaces(Protocol):
    """What the resolver asks an online geocoder (see :class:`geo.geocoders.OnlineGeocoder`)."""

    def place_for(self, name: str, context: list[str], country: str | None) -> Place | None: ...


@dataclass
class _Context:
    countries: dict[str, float]
    regions: set[tuple[str, str]]
    focus: frozenset[str]
    anchors: list[tuple[str, float, float]] = field(default_factory=list)  # (name key, lat, lon)
    capitals: list[tuple[float, float]] = field(default_factory=list)  # of the stated regions (lat, lon)

    @property
    def border_prior(self) -> bool:
        """Nearness to the RU–UA border counts when the focus is on one of its sides."""
        return not self.focus.isdisjoint(("RU", "UA"))


@functools.lru_cache(maxsize=65536)
def _border_closeness(lat: float, lon: float) -> float:
    """1 at the RU–UA border, fading with distance (0 beyond the border area)."""
    from .borders import get_border

    km = get_border().approx_distance_km(lat, lon)
    return 0.0 if km is None else math.exp(-km / _BORDER_SCALE_KM)


def resolve_mentions(
    mentions: Sequence[Mention],
    gazetteer: Gazetteer,
    *,
    focus_countries: Iterable[str] | None = None,
    require_evidence: bool = True,
    online: OnlinePlaces | None = None,
) -> list[ResolvedPlace]:
    """Resolve every place-like mention (kinds place, region, district, unknown).

    Parameters
    ----------
    mentions
        The article's mentions, as :func:`geo.toponyms.find_mentions` returns them.
    gazetteer
        The index to resolve against.
    focus_countries
        Countries favoured when nothing else decides; default :data:`geo.settings.focus_countries`.
    require_evidence
        Leave bare mentions (no cue) unresolved when their best score is low. Turn off when the
        spans are known to be places (evaluation on gold spans, a geocoding query).
    online
        An online geocoder asked about names with a place cue that the index cannot resolve,
        before they fall back to a place or region named beside them.
    """
    focus = frozenset(settings.focus_countries if focus_countries is None else focus_countries)
    ctx = _Context(countries=_country_shares(mentions), regions=set(), focus=focus)
    placeish = [m for m in mentions if m.kind in PLACE_KINDS]
    regions = {id(m): _resolve_region(m, ctx) for m in placeish if m.kind == "region"}
    ctx.regions = {(r.place.country, r.place.admin1 or "") for r in regions.values() if r.place}
    ctx.capitals = [(r.place.lat, r.place.lon) for r in regions.values() if r.place]
    for m in placeish:  # "in the Pogarsky district": the district's region is stated too
        areas = {(c.place.country, c.place.admin1 or "") for c in m.candidates}
        if m.kind == "district" and len(areas) == 1 and next(iter(areas))[0] in focus:
            ctx.regions |= areas
    # Pass 1 without nearness; confident picks become anchors for pass 2. Mentions with the
    # same name and cues score alike, so each distinct one is ranked once per pass.
    ranking = _Ranking(ctx)
    anchors: dict[tuple[str, str], tuple[str, float, float]] = {}
    for m in placeish:
        if m.kind not in ("place", "district"):
            continue
        ranked = ranking.ranked(m)
        if ranked and _accepted(m, ranked[0], focus, require_evidence) and _is_confident(ranked):
            best = ranked[0][1].place
            anchors[(m.name.casefold(), best.id)] = (m.name.casefold(), best.lat, best.lon)
    ranking.anchor(list(anchors.values()))
    out: list[ResolvedPlace] = []
    for m in placeish:
        if m.kind == "region":
            out.append(regions[id(m)])
        elif m.kind in ("place", "district"):
            out.append(_resolve_place(m, ranking.ranked(m), gazetteer, focus, require_evidence))
        else:
            out.append(ResolvedPlace(m, None, None, "unresolved"))
    return _fall_back(_regions_named_again(out), ctx, gazetteer, online)


class _Ranking:
    """Candidates ranked by score, memoised per distinct mention (name, kind, cue, hint).

    The score without nearness to anchors is worked out once per distinct mention; after
    :meth:`anchor` the ranking adds the nearness of the anchors it was given.
    """

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self._base: dict[tuple[object, ...], list[tuple[float, Match]]] = {}
        self._memo: dict[tuple[object, ...], list[tuple[float, Match]]] = {}

    def anchor(self, anchors: list[tuple[str, float, float]]) -> None:
        self.ctx.anchors = anchors
        self._memo = {}

    def ranked(self, m: Mention) -> list[tuple[float, Match]]:
        key = (m.name.casefold(), m.kind, m.cue, m.country_hint, tuple(c.place.id for c in m.candidates))
        found = self._memo.get(key)
        if found is None:
            base = self._base.get(key)
            if base is None:
                candidates = _within_stated_area(m, self.ctx)
                base = self._base[key] = [(_base_score(c, m, self.ctx), c) for c in candidates]
            name, anchors = m.name.casefold(), self.ctx.anchors
            scored = [(s + _nearness(c.place, name, anchors), c) for s, c in base] if anchors else base
            found = self._memo[key] = sorted(scored, key=lambda sc: -sc[0])
        return found


_STATED_AREA_MAX_POPULATION = 100_000  # bigger places are known by name wherever the story is
_KNOWN_TOWN = 20_000  # a town this big may be named outside the regions a story states
_NEAR_STATED_KM = 120.0  # a smaller place outside the stated regions must lie this near one's capital


def _within_stated_area(m: Mention, ctx: _Context) -> tuple[Match, ...]:
    """The candidates the regions the article states allow.

    A village of a stated region beats any namesake elsewhere; with no candidate there, a small
    namesake across the RU–UA border from every stated region loses to one on the stated side.
    Big towns and mentions with a country of their own ("the Ukrainian village of X") are left
    alone, and so is a name whose only places lie across the border ("Bakhmut").
    """
    if not ctx.regions or m.country_hint or not m.candidates:
        return m.candidates
    small = [c for c in m.candidates if c.place.population < _STATED_AREA_MAX_POPULATION]
    if not small:
        return m.candidates
    inside = [c for c in small if (c.place.country, c.place.admin1 or "") in ctx.regions]
    big = tuple(c for c in m.candidates if c.place.population >= _STATED_AREA_MAX_POPULATION)
    if inside:
        return tuple(inside) + big
    sides = {country for country, _ in ctx.regions} & {"RU", "UA"}
    kept = m.candidates
    if len(sides) == 1 and any(c.place.country in sides for c in m.candidates):
        other = ({"RU", "UA"} - sides).pop()
        kept = tuple(c for c in kept if c.place.country != other or c.place.population >= _STATED_AREA_MAX_POPULATION)
    # A village far from every stated region is a namesake, not the place the story is about: the
    # mention then falls back to the area the text states ("Charivne" in a Zaporizhzhia report is
    # not the Kherson village of that name). A town is known by name outside them, unless the text
    # calls the place a village ("the village of Rubizhne" in a Kharkiv report is not the Luhansk town).
    town_known = m.cue not in _CUES_OF_SMALL_PLACES and m.kind != "district"  # a district of the stated region
    return tuple(
        c
        for c in kept
        if (town_known and c.place.population >= _KNOWN_TOWN)
        or any(
            abs(c.place.lat - cap[0]) < 1.2
            and abs(c.place.lon - cap[1]) < 2.0  # about 130 km: most far namesakes fail this cheaply
            and great_circle_km((c.place.lat, c.place.lon), cap) <= _NEAR_STATED_KM
            for cap in ctx.capitals
        )
    )


def _country_shares(mentions: Sequence[Mention]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for m in mentions:
        if m.kind in ("country", "demonym") and m.country and m.role != "actor":  # not "the Russian army"
            counts[m.country] += 1
        if m.country_hint:
            counts[m.country_hint] += 1
        for area in m.regions[:1]:
            counts[area.country] += 1
    total = sum(counts.values())
    return {iso: n / total for iso, n in counts.items()} if total else {}


def _resolve_region(m: Mention, ctx: _Context) -> ResolvedPlace:
    if not m.regions:
        return ResolvedPlace(m, None, None, "unresolved")

    def rank(area: AdminArea) -> tuple[float, ...]:
        return (
            float(area.country == m.country_hint),
            float(area.type in _REGION_TYPES),
            ctx.countries.get(area.country, 0.0),
            float(area.country in ctx.focus),
        )

    area = max(m.regions, key=rank)
    return ResolvedPlace(m, area.as_place(), 3, "region", admin=area)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between (lat, lon) points.

    The same formula as ``geopy.distance.great_circle`` (tested against it), written out
    because this runs for every candidate and anchor and geopy's point parsing dominated.
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _nearest_anchor_km(p: Place, key: str, anchors: list[tuple[str, float, float]]) -> float | None:
    """Distance to the nearest anchor named otherwise, if one lies within a few hundred km.

    Nearness only counts within a few hundred km, so anchors outside a coarse box are skipped
    without the trigonometry.
    """
    best = None
    for name, lat, lon in anchors:
        if name == key or not (-6.0 < lat - p.lat < 6.0 and -9.0 < lon - p.lon < 9.0):
            continue
        d = great_circle_km((p.lat, p.lon), (lat, lon))
        if best is None or d < best:
            best = d
    return best


def _nearness(p: Place, name: str, anchors: list[tuple[str, float, float]]) -> float:
    """The score for lying near a place the article names otherwise (0 when none is near)."""
    nearest = _nearest_anchor_km(p, name, anchors)
    return 0.0 if nearest is None else 2.5 * math.exp(-nearest / 75.0)


def _base_score(c: Match, m: Mention, ctx: _Context) -> float:
    """A candidate's score from everything but its nearness to other places of the article."""
    p = c.place
    s = _NAME_WEIGHT[c.quality] + 0.45 * math.log10(p.population + 10)
    if m.country_hint:
        s += 2.5 if p.country == m.country_hint else -1.0
    s += 2.0 * ctx.countries.get(p.country, 0.0)
    if p.country in ctx.focus:
        s += 0.75
    if ctx.border_prior:
        s += _BORDER_BONUS * _border_closeness(p.lat, p.lon)
    if p.source == "geonames-postal-district" and m.kind != "district":
        s -= 3.0  # a district's adjective alone ("Pervomaiskyi") names no place
    if p.source not in _UNCURATED:  # a supplement curated for this border
        s += _SUPPLEMENT_BONUS
    if (p.country, p.admin1 or "") in ctx.regions:
        s += 2.5
    if m.cue in _CUES_OF_SMALL_PLACES and p.population > 200_000:
        s -= 1.0
    if m.cue == "city" and p.population < 5_000:
        s -= 1.5 if p.source == "geonames-postal" else 0.5  # a postal village is no city
    return s


def _accepted(m: Mention, best: tuple[float, Match], focus: frozenset[str], require_evidence: bool) -> bool:
    score, match = best
    needed = _MIN_SCORE_BARE_FOCUS if match.place.country in focus else _MIN_SCORE_BARE
    return not require_evidence or m.cue is not None or score >= needed


def _resolve_place(
    m: Mention,
    ranked: list[tuple[float, Match]],
    gazetteer: Gazetteer,
    focus: frozenset[str],
    require_evidence: bool,
) -> ResolvedPlace:
    if not ranked:
        return ResolvedPlace(m, None, None, "unresolved")
    score, best = ranked[0]
    if not _accepted(m, ranked[0], focus, require_evidence):
        return ResolvedPlace(m, None, None, "unresolved", score=score)
    admin = gazetteer.admin_area(best.place.country, best.place.admin1)
    if m.kind == "district":
        return ResolvedPlace(m, best.place, 2, "district", score, admin)
    if m.cue in ("near", "distance"):
        return ResolvedPlace(m, best.place, 2, "near", score, admin)
    return ResolvedPlace(m, best.place, 1, "place", score, admin)


def _is_confident(ranked: list[tuple[float, Match]]) -> bool:
    return len(ranked) == 1 or ranked[0][0] - ranked[1][0] >= 1.5


def _regions_named_again(resolved: list[ResolvedPlace]) -> list[ResolvedPlace]:
    """After "the border region of Belgorod", a bare "Belgorod" is that region, not its capital.

    Applies to mentions without a cue ("the city of Kursk" stays the city) that resolved to
    the capital of a region the article names with a region cue.
    """
    named = {
        (r.admin.capital, r.admin.key): r
        for r in resolved
        if r.mention.kind == "region" and r.admin is not None and r.admin.capital
    }
    if not named:
        return resolved
    out = []
    for r in resolved:
        m = r.mention
        region = None
        if m.kind == "place" and m.cue is None and r.place is not None:
            region = named.get((r.place.name, f"{r.place.country}.{r.place.admin1}"))
        if region is not None:
            out.append(ResolvedPlace(m, region.place, 3, "region", r.score, region.admin))
        else:
            out.append(r)
    return out


def _fall_back(
    resolved: list[ResolvedPlace], ctx: _Context, gazetteer: Gazetteer, online: OnlinePlaces | None = None
) -> list[ResolvedPlace]:
    """Place what the gazetteer lacks: online if asked, else next to what the text names beside it."""
    out = list(resolved)
    by_sentence: dict[int, list[ResolvedPlace]] = {}
    for o in resolved:
        if o.place is not None and o.precision in (1, 2) and o.mention.kind in ("place", "district"):
            by_sentence.setdefault(o.mention.sentence, []).append(o)
    regions = [o for o in resolved if o.place is not None and o.precision == 3]
    districts = [o for o in resolved if o.place is not None and o.mention.kind == "district"]
    region_starts = [o.mention.start for o in regions]
    for i, r in enumerate(resolved):
        m = r.mention
        if r.place is not None:
            continue
        # A name whose places all lie outside the area the story states is unknown here too.
        cued_place = m.kind == "place" and (m.cue is not None or (m.candidates and not _within_stated_area(m, ctx)))
        if not (m.kind in ("unknown", "district", "region") or cued_place):
            continue
        if online is not None and m.kind != "region":
            found, area = _ask_online(m, resolved, ctx, gazetteer, online)
            if found is not None:
                out[i] = ResolvedPlace(m, found, 2 if m.kind == "district" else 1, "online", 0.0, area)
                continue
        fuzzy = _fuzzy_in_context(m, ctx, gazetteer)
        if fuzzy is not None:
            admin = gazetteer.admin_area(fuzzy.country, fuzzy.admin1)
            out[i] = ResolvedPlace(m, fuzzy, 1 if m.kind == "unknown" else 2, "fuzzy", 0.0, admin)
            continue
        # The smallest area the text states around it: a district or community named in its
        # sentence or earlier in its paragraph, else the region its sentence names ("X, located in
        # the Luhansk region") or the one named closest before it, else a place named beside it.
        district = _container_district(m, districts)
        if district is not None and m.kind != "district":
            out[i] = ResolvedPlace(m, district.place, 2, "fallback", 0.0, district.admin)
            continue
        if regions:  # the region its sentence names, else the one closest before, else the first after
            k = bisect.bisect_left(region_starts, m.start)
            same = [o for o in regions if o.mention.sentence == m.sentence]
            if same:
                region = min(same, key=lambda o: abs(o.mention.start - m.start))
            else:
                region = regions[k - 1] if k > 0 else regions[0]
            out[i] = ResolvedPlace(m, region.place, 3, "fallback", 0.0, region.admin)
            continue
        beside = by_sentence.get(m.sentence)
        if beside:
            near = min(beside, key=lambda o: abs(o.mention.start - m.start))
            out[i] = ResolvedPlace(m, near.place, 2, "fallback", 0.0, near.admin)
    return out


def _container_district(m: Mention, districts: list[ResolvedPlace]) -> ResolvedPlace | None:
    """The district or community named in the mention's sentence, else earlier in its paragraph."""
    same = [d for d in districts if d.mention.sentence == m.sentence]
    if same:
        return min(same, key=lambda d: abs(d.mention.start - m.start))
    before = [d for d in districts if d.mention.paragraph == m.paragraph and d.mention.start < m.start]
    return before[-1] if before else None


def _ask_online(
    m: Mention, resolved: list[ResolvedPlace], ctx: _Context, gazetteer: Gazetteer, online: OnlinePlaces
) -> tuple[Place | None, AdminArea | None]:
    """Ask the online geocoder, with the region and country the article gives as context.

    The answer is taken to lie in the region asked about (it was asked for a place there).
    """
    country = m.country_hint or max(ctx.countries, key=ctx.countries.__getitem__, default=None)
    regions = [o.admin for o in resolved if o.precision == 3 and o.admin is not None]
    area = next(
        (o.admin for o in reversed(resolved) if o.precision == 3 and o.mention.start < m.start and o.admin), None
    )
    area = area or (regions[0] if regions else None)
    context = [area.name] if area is not None else []
    known = gazetteer.country_by_iso(country) if country else None
    if known is not None:
        context.append(known.name)
    found = online.place_for(m.name, context, country)
    if found is None:
        return None, None
    if area is not None and found.country == area.country:
        return replace(found, admin1=area.code), area
    return found, None


def _fuzzy_in_context(m: Mention, ctx: _Context, gazetteer: Gazetteer) -> Place | None:
    """A near-miss spelling, accepted only inside a region the article names."""
    if not ctx.regions or not m.name[:1].isalpha():
        return None
    for match in gazetteer.fuzzy(m.name, min_score=_FUZZY_IN_REGION):
        if (match.place.country, match.place.admin1 or "") in ctx.regions:
            return match.place
    return None
