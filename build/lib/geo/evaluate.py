"""How good the geocoding is, in the numbers the literature publishes: ``python -m geo eval NAME``.

Corpora (read by :mod:`geo.benchmarks`): ``geowebnews``, ``lgl``, ``trnews`` and ``bellingcat``.

For the three toponym corpora, two tasks are scored:

* **resolution** — the gold toponym spans are given; each is read as a place mention in its
  article (with the article's other mentions as context) and resolved;
* **end to end** — our own mention finder on the raw text: precision and recall of the spans it
  finds and resolves (a found span matches a gold span it overlaps), then the error of the
  matched ones.

Errors are great-circle distances in km between our point and the gold point; a toponym we do
not resolve counts with the largest possible error, 20,039 km (half the Earth's circumference),
as in Gritta et al. (2018). Metrics: accuracy@161 km (100 miles), mean and median error, the
area under the curve of the log errors (AUC; 0 is perfect, 1 all wrong), and the share within
1 km of gold (``exact``). ``in_gazetteer`` is the share of toponyms whose gold point is within
161 km of some entry the gazetteer has for the name: the ones the resolver could get right.

Countries and demonyms are placed at their country's point, regions at their capital (RU, UA,
BY) or at the mean of their places (US states); a miss of the right country or region whose
point differs from the gold's is reported as ``point_convention``, not as a wrong namesake.

The corpora are about everywhere, so by default the resolver's border focus is off for them
(``--focus RU,UA`` turns it on); Bellingcat's events are in Ukraine and keep the default focus.

Examples
--------
>>> auc_log_error([0.0, 0.0])
0.0
>>> round(auc_log_error([0.0, MAX_ERROR_KM]), 3)
0.5
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .articles import Article
from .benchmarks import CORPORA, GoldDoc, GoldLocation, GoldToponym, bellingcat_locations, read_corpus
from .errors import GeoError
from .gazetteer import Gazetteer, Place, get_gazetteer
from .geocoders import area_resolution, geocode_table
from .resolve import ResolvedPlace, great_circle_km, resolve_mentions
from .toponyms import Mention, find_mentions, mention_at

__all__ = [
    "MAX_ERROR_KM",
    "Outcome",
    "auc_log_error",
    "error_summary",
    "evaluate_bellingcat",
    "evaluate_corpus",
    "main",
]

MAX_ERROR_KM = 20039.0
ACC_KM = 161.0
EXACT_KM = 1.0
REPORTS_DIR = Path("artifacts") / "eval"

_STREET_BUILDING = re.compile(
    r"\b(street|st|road|rd|avenue|ave|boulevard|blvd|lane|highway|interstate|route|bridge|church|cathedral|school"
    r"|station|airport|park|hospital|university|college|stadium|arena|building|hall|center|centre|square|museum"
    r"|hotel|prison|jail|tower|mall|market|courthouse|library|plaza|base|port|terminal)\b",
    re.I,
)
_NATURAL = re.compile(
    r"\b(river|lake|sea|ocean|mountains?|mount|mt|bay|islands?|valley|gulf|creek|desert|forest|strait|canal"
    r"|peninsula|coast|beach|falls|hills?)\b",
    re.I,
)


# -- metrics ----------------------------------------------------------------------------------


def auc_log_error(errors: Sequence[float]) -> float:
    """Area under the sorted ``ln(1 + error km)`` curve, scaled to [0, 1] (Gritta et al. 2018).

    The trapezoid rule over the sorted log errors, divided by ``ln(1 + 20039) * (n - 1)`` (Gritta
    et al. divide by ``ln(20039)``, which lets an all-wrong run score a hair above 1).
    """
    if not errors:
        return float("nan")
    logs = sorted(math.log1p(min(e, MAX_ERROR_KM)) for e in errors)
    top = math.log1p(MAX_ERROR_KM)
    if len(logs) == 1:
        return logs[0] / top
    area = sum((a + b) / 2 for a, b in itertools.pairwise(logs))
    return area / (top * (len(logs) - 1))


def error_summary(errors: Sequence[float], thresholds: Iterable[float] = (ACC_KM,)) -> dict[str, float]:
    """``n``, ``acc@{t}km`` for each threshold, ``mean_km``, ``median_km``, ``auc``, ``exact``."""
    n = len(errors)
    out: dict[str, float] = {"n": n}
    for t in thresholds:
        out[f"acc@{t:g}km"] = sum(e <= t for e in errors) / n if n else float("nan")
    out["mean_km"] = statistics.fmean(errors) if n else float("nan")
    out["median_km"] = statistics.median(errors) if n else float("nan")
    out["auc"] = auc_log_error(errors)
    out["exact"] = sum(e <= EXACT_KM for e in errors) / n if n else float("nan")
    return out


def _fmt(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 100):
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def summary_line(label: str, figures: dict[str, float]) -> str:
    return f"{label}: " + " ".join(f"{k}={_fmt(v)}" for k, v in figures.items())


# -- one toponym ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """A gold toponym (or location string) with our answers, one row of the report."""

    corpus: str
    doc: str
    start: int
    end: int
    phrase: str
    gold_name: str | None
    gold_lat: float
    gold_lon: float
    kind: str = ""  # populated_place, admin_area, country, demonym, street_building, natural_feature
    in_gazetteer: bool = False
    pred_name: str | None = None
    pred_lat: float | None = None
    pred_lon: float | None = None
    resolved_as: str = "unresolved"
    error_km: float = MAX_ERROR_KM
    category: str = ""  # ok, or why not: not_in_gazetteer, wrong_namesake, unresolved, ...
    e2e_found: bool | None = None
    e2e_error_km: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _point(r: ResolvedPlace | None) -> Place | None:
    return r.place if r is not None else None


def _names(t: GoldToponym) -> list[str]:
    names = [t.phrase, *([t.name] if t.name else [])]
    return list(dict.fromkeys(re.sub(r"['’]s$", "", n).strip() for n in names if n.strip()))


def _entries(name: str, gaz: Gazetteer) -> list[Place]:
    """Every entry the gazetteer has for ``name``: places, regions, the country."""
    found = [m.place for m in gaz.lookup(name)]
    found += [a.as_place() for a in gaz.regions(name)]
    iso = gaz.country_code(name)
    if iso:
        c = gaz.country_by_iso(iso)
        place = c.as_place() if c else None
        if place is not None:
            found.append(place)
    return found


def _in_gazetteer(t: GoldToponym, gaz: Gazetteer) -> bool:
    gold = (t.lat or 0.0, t.lon or 0.0)
    return any(great_circle_km(gold, (p.lat, p.lon)) <= ACC_KM for n in _names(t) for p in _entries(n, gaz))


def _kind(t: GoldToponym, m: Mention | None, gaz: Gazetteer) -> str:
    feature = (t.feature or "").upper()
    name = " ".join(_names(t))
    if feature[:2] in ("S.", "R.") or (not feature and _STREET_BUILDING.search(name)):
        return "street_building"
    if feature[:2] in ("H.", "T.", "V.", "U.") or (not feature and _NATURAL.search(name)):
        return "natural_feature"
    if (m is not None and m.kind == "demonym") or gaz.demonym(t.phrase):
        return "demonym"
    if feature.startswith("A.PCL") or (m is not None and m.kind == "country") or gaz.country(t.phrase):
        return "country"
    if feature.startswith(("A.ADM", "L.")) or (m is not None and m.kind in ("region", "district")):
        return "admin_area"
    return "populated_place"


def _same_entity(t: GoldToponym, place: Place, gaz: Gazetteer) -> bool:
    """Whether our country or region is the gold one, only placed at another point."""
    if place.kind == "country":
        return any(gaz.country_code(n) == place.country for n in _names(t))
    if place.kind == "admin1":
        return any(a.as_place().id == place.id for n in _names(t) for a in gaz.regions(n))
    return False


def _judge(o: Outcome, t: GoldToponym, place: Place | None, gaz: Gazetteer) -> None:
    if place is not None:
        o.pred_name, o.pred_lat, o.pred_lon = place.name, place.lat, place.lon
        o.error_km = great_circle_km((o.gold_lat, o.gold_lon), (place.lat, place.lon))
    if o.error_km <= ACC_KM:
        o.category = "ok"
    elif place is not None and _same_entity(t, place, gaz):
        o.category = "point_convention"
    elif not o.in_gazetteer:
        o.category = "not_in_gazetteer"
    elif place is None:
        o.category = "unresolved"
    else:
        o.category = "wrong_namesake"


# -- a corpus ---------------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _resolve_gold(doc: GoldDoc, article: Article, ours: list[Mention], gaz: Gazetteer, focus: Sequence[str]):  # type: ignore[no-untyped-def]
    """Resolution given the gold spans: (toponym, its mention, our resolution) for each."""
    gold = [t for t in doc.toponyms if t.has_gold]
    mentions = [mention_at(article, t.start, t.end, gaz) for t in gold]
    spans = [(t.start, t.end) for t in gold]
    context = [m for m in ours if not any(_overlaps((m.start, m.end), s) for s in spans)]
    every = sorted([*context, *mentions], key=lambda m: m.start)
    resolved = {id(r.mention): r for r in resolve_mentions(every, gaz, focus_countries=focus, require_evidence=False)}
    for t, m in zip(gold, mentions, strict=True):
        yield t, m, resolved.get(id(m)) or area_resolution(m, gaz)


def _end_to_end(
    doc: GoldDoc, ours: list[Mention], gaz: Gazetteer, focus: Sequence[str]
) -> tuple[int, dict[int, Place]]:
    """Our own spans, resolved as the pipeline resolves them: (how many, gold index → our place)."""
    found: list[tuple[Mention, Place]] = []
    for r in resolve_mentions(ours, gaz, focus_countries=focus):
        if r.place is not None:
            found.append((r.mention, r.place))
    for m in ours:
        c = area_resolution(m, gaz)
        if c is not None and c.place is not None:
            found.append((m, c.place))
    matched: dict[int, Place] = {}
    for m, place in sorted(found, key=lambda mp: mp[0].start):
        for i, t in enumerate(doc.toponyms):
            if i not in matched and _overlaps((m.start, m.end), (t.start, t.end)):
                matched[i] = place
                break
    return len(found), matched


def evaluate_corpus(
    name: str, docs: Sequence[GoldDoc], gaz: Gazetteer, *, focus: Sequence[str] = (), progress: bool = False
) -> tuple[dict[str, float], dict[str, float], list[Outcome]]:
    """Both tasks on ``docs``: (resolution figures, end-to-end figures, one outcome per gold toponym)."""
    from tqdm import tqdm

    outcomes: list[Outcome] = []
    predicted = gold_spans = matched_spans = 0
    e2e_errors: list[float] = []
    for doc in tqdm(docs, desc=name, unit="article", file=sys.stderr, disable=not progress):
        article = Article(id=doc.id, title=doc.title, text=doc.text)
        ours = find_mentions(article, gaz)
        n_found, matched = _end_to_end(doc, ours, gaz, focus)
        predicted += n_found
        gold_spans += len(doc.toponyms)
        matched_spans += len(matched)
        index = {(t.start, t.end): i for i, t in enumerate(doc.toponyms)}
        for t, m, r in _resolve_gold(doc, article, ours, gaz, focus):
            o = Outcome(name, doc.id, t.start, t.end, t.phrase, t.name, float(t.lat or 0), float(t.lon or 0))
            o.in_gazetteer = _in_gazetteer(t, gaz)
            o.kind = _kind(t, m, gaz)
            o.resolved_as = r.resolved_as if r is not None and r.place is not None else "unresolved"
            _judge(o, t, _point(r), gaz)
            ours_there = matched.get(index[(t.start, t.end)])
            o.e2e_found = ours_there is not None
            if ours_there is not None:
                o.e2e_error_km = great_circle_km((o.gold_lat, o.gold_lon), (ours_there.lat, ours_there.lon))
                e2e_errors.append(o.e2e_error_km)
            outcomes.append(o)
    errors = [o.error_km for o in outcomes]
    reachable = [o.error_km for o in outcomes if o.in_gazetteer]
    res = error_summary(errors)
    figures = {
        "n": res["n"],
        "in_gazetteer": len(reachable) / len(errors) if errors else float("nan"),
        "acc@161km": res["acc@161km"],
        "acc@161km_in_gazetteer": error_summary(reachable)["acc@161km"],
        "exact": res["exact"],
        "mean_km": res["mean_km"],
        "median_km": res["median_km"],
        "auc": res["auc"],
    }
    p = matched_spans / predicted if predicted else float("nan")
    rec = matched_spans / gold_spans if gold_spans else float("nan")
    e2e = error_summary(e2e_errors)
    end_to_end = {
        "gold": gold_spans,
        "found": predicted,
        "span_p": p,
        "span_r": rec,
        "span_f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
        "n": e2e["n"],
        "acc@161km": e2e["acc@161km"],
        "median_km": e2e["median_km"],
        "auc": e2e["auc"],
    }
    return figures, end_to_end, outcomes


def evaluate_bellingcat(
    locations: Sequence[GoldLocation], gaz: Gazetteer, *, focus: Sequence[str] | None = None, progress: bool = False
) -> tuple[dict[str, float], list[Outcome]]:
    """Geocode each location string as :func:`geo.geocoders.geocode_table` does; score the points.

    Rows without a location string (there is nothing to geocode) are left out and counted.
    """
    import pandas as pd

    rows = [loc for loc in locations if loc.lat is not None and loc.lon is not None and loc.location.strip()]
    empty = sum(1 for loc in locations if not loc.location.strip())
    table = pd.DataFrame({"id": [r.id for r in rows], "location": [r.location for r in rows]})
    geocoded = geocode_table(table, "location", gazetteer=gaz, focus_countries=focus, progress=progress)
    outcomes = []
    for loc, (_, g) in zip(rows, geocoded.iterrows(), strict=True):
        o = Outcome("bellingcat", loc.id, 0, len(loc.location), loc.location, None, float(loc.lat), float(loc.lon))  # type: ignore[arg-type]
        o.resolved_as = str(g["resolved_as"])
        if pd.notna(g["geo_lat"]):
            o.pred_name, o.pred_lat, o.pred_lon = str(g["geo_name"]), float(g["geo_lat"]), float(g["geo_lon"])
            o.error_km = great_circle_km((o.gold_lat, o.gold_lon), (o.pred_lat, o.pred_lon))
        o.category = "ok" if o.error_km <= 10 else "unresolved" if o.pred_name is None else "far"
        outcomes.append(o)
    errors = [o.error_km for o in outcomes]
    s = error_summary(errors, thresholds=(1, 10, 25))
    figures = {
        "n": s["n"],
        "acc@1km": s["acc@1km"],
        "acc@10km": s["acc@10km"],
        "acc@25km": s["acc@25km"],
        "median_km": s["median_km"],
        "resolved": sum(o.pred_name is not None for o in outcomes) / len(outcomes) if outcomes else float("nan"),
        "skipped_empty": empty,
    }
    return figures, outcomes


# -- report and command line ------------------------------------------------------------------


def write_report(outcomes: Sequence[Outcome], path: Path) -> None:
    """One row per toponym (CSV), misses first, worst first."""
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame([{k: v for k, v in asdict(o).items() if k != "extra"} for o in outcomes])
    if not frame.empty:
        frame["miss"] = frame["category"] != "ok"
        frame = frame.sort_values(["miss", "error_km"], ascending=[False, False], kind="stable")
    frame.to_csv(path, index=False)


def _breakdown(outcomes: Sequence[Outcome]) -> list[str]:
    misses = [o for o in outcomes if o.category != "ok"]
    if not misses:
        return []
    why = Counter(o.category for o in misses)
    kinds = Counter(o.kind for o in misses)
    total = Counter(o.kind for o in outcomes)
    lines = ["misses by reason: " + " ".join(f"{k}={v}" for k, v in why.most_common())]
    if any(o.kind for o in misses):
        lines.append("misses by kind (missed/all): " + " ".join(f"{k}={v}/{total[k]}" for k, v in kinds.most_common()))
    often = Counter(o.phrase for o in misses).most_common(12)
    lines.append("most missed: " + ", ".join(f"{p} ({n})" for p, n in often))
    return lines


def run_eval(
    name: str, *, data: str | None, limit: int | None, report: Path | None, focus: Sequence[str] | None
) -> list[str]:
    """Run one evaluation; returns the lines to print (the summary line last)."""
    gaz = get_gazetteer()
    started = time.perf_counter()
    if name == "bellingcat":
        locations = bellingcat_locations(data)[:limit] if limit else bellingcat_locations(data)
        figures, outcomes = evaluate_bellingcat(locations, gaz, focus=focus, progress=True)
        lines = [*_breakdown(outcomes), summary_line("bellingcat", figures)]
    else:
        docs = read_corpus(name, data)
        docs = docs[:limit] if limit else docs
        resolution, end_to_end, outcomes = evaluate_corpus(name, docs, gaz, focus=focus or (), progress=True)
        e2e = {f"e2e_{k}": v for k, v in end_to_end.items() if k not in ("gold", "found")}
        lines = [
            summary_line(f"{name} end-to-end", end_to_end),
            *_breakdown(outcomes),
            summary_line(f"{name} resolution", {**resolution, **e2e}),
        ]
    target = report or REPORTS_DIR / f"{name}.csv"
    write_report(outcomes, target)
    lines.insert(0, f"{name}: {len(outcomes)} toponyms in {time.perf_counter() - started:.1f} s; report: {target}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=[*CORPORA, "all"], help="the benchmark, or all four")
    parser.add_argument(
        "--data", help="folder of the benchmarks (default: GEO_BENCHMARKS_DIR or ../shared/eval/benchmarks)"
    )
    parser.add_argument("--limit", type=int, help="only the first N articles (or location rows)")
    parser.add_argument("--report", type=Path, help=f"per-toponym CSV (default {REPORTS_DIR}/NAME.csv)")
    parser.add_argument(
        "--focus", help="countries the resolver favours, e.g. RU,UA (default: none; bellingcat: RU,UA,BY)"
    )
    ns = parser.parse_args(argv)
    if ns.limit is not None and ns.limit < 1:
        parser.error("--limit must be at least 1")
    focus = [c.strip().upper() for c in ns.focus.split(",") if c.strip()] if ns.focus else None
    names = list(CORPORA) if ns.name == "all" else [ns.name]
    status = 0
    for name in names:
        report = ns.report
        if report is not None and len(names) > 1:  # one report each, beside the one named
            report = report.parent / f"{name}.csv"
        try:
            for line in run_eval(name, data=ns.data, limit=ns.limit, report=report, focus=focus):
                print(line, flush=True)
        except GeoError as err:
            print(f"error: {err}", file=sys.stderr)
            status = 2
    return status
