"""Events: the seed article's acceptance criteria, the gold articles, and articles of other styles."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from conftest import DATA, gold_files, load_gold

from geo.articles import Article, read_articles
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.pipeline import extract


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def near(events: list[Event], lat: float, lon: float, tol_km: float) -> list[Event]:
    return [e for e in events if e.lat is not None and km(e.lat, e.lon, lat, lon) <= tol_km]


@pytest.fixture(scope="module")
def seed_events(seed_article: Article, gazetteer: Gazetteer) -> list[Event]:
    return extract(seed_article, gazetteer=gazetteer)


def test_seed_pipeline_fire_in_graivoron_district(seed_events: list[Event]) -> None:
    (fire,) = near(seed_events, 50.479, 35.681, 20)
    assert fire.country == "RU" and fire.location == "Grayvoron" and fire.geo_precision == 2
    assert fire.date == dt.date(2023, 5, 24)
    assert fire.sub_event_type == "Air/drone strike"
    assert "gas pipeline was damaged in the Graivoron district" in fire.evidence


def test_seed_belgorod_region_events(seed_events: list[Event]) -> None:
    in_region = [e for e in seed_events if e.admin1 == "Belgorod Oblast" and e.country == "RU"]
    by_type = {(e.event_type, e.date) for e in in_region}
    assert ("Battles", dt.date(2023, 5, 22)) in by_type  # the incursion on Monday
    assert ("Explosions/Remote violence", dt.date(2023, 5, 23)) in by_type  # drones overnight on Tuesday
    raid = next(e for e in in_region if e.event_type == "Battles")
    assert raid.geo_precision == 3 and raid.admin1_code == "RU-BEL"
    assert raid.fatalities == 71  # 70 attackers (Russia's claim) and one civilian
    assert set(raid.actors) >= {"Liberty of Russia Legion", "Russian Volunteer Corps"}
    developments = sorted(e.evidence.split()[0] for e in in_region if e.event_type == "Strategic developments")
    assert developments == ["Monday’s", "Villages"]  # the counter-terrorism operation and the evacuation


def test_seed_capture_of_bakhmut(seed_events: list[Event]) -> None:
    (bakhmut,) = near(seed_events, 48.594, 37.999, 15)
    assert (bakhmut.country, bakhmut.event_type, bakhmut.date) == ("UA", "Battles", None)
    assert "losing control of Bakhmut" in bakhmut.evidence
    assert "for Bakhmut" not in bakhmut.evidence  # the slogan on a vehicle is not the event


def test_seed_has_no_metonyms_or_country_centroids(seed_events: list[Event]) -> None:
    assert len(seed_events) == 6
    for lat, lon in [(55.75, 37.62), (50.45, 30.52), (38.90, -77.04), (46.33, 30.73)]:  # Moscow, Kyiv, DC, BD
        assert near(seed_events, lat, lon, 50) == []
    assert all(e.geo_precision in (1, 2, 3) for e in seed_events)


def test_every_seed_event_has_its_admin1(seed_events: list[Event]) -> None:
    areas = {(e.location, e.admin1, e.admin1_code) for e in seed_events}
    assert areas == {
        ("Belgorod Oblast", "Belgorod Oblast", "RU-BEL"),
        ("Grayvoron", "Belgorod Oblast", "RU-BEL"),
        ("Bakhmut", "Donetsk Oblast", "UA-14"),
    }


def test_seed_evidence_is_verbatim_and_traceable(seed_article: Article, seed_events: list[Event]) -> None:
    for e in seed_events:
        for start, end in e.evidence_spans:
            assert seed_article.text[start:end] in e.evidence
        assert e.verified is False  # "The claims ... have not been independently verified"
        assert (e.article_id == seed_article.id and e.border_side == "RU") or e.location == "Bakhmut"


def test_event_ids_are_stable(seed_article: Article, gazetteer: Gazetteer, seed_events: list[Event]) -> None:
    again = extract(seed_article, gazetteer=gazetteer)
    assert [e.event_id for e in again] == [e.event_id for e in seed_events]
    assert len({e.event_id for e in seed_events}) == len(seed_events)


def match_gold(gold: dict, events: list[Event]) -> tuple[int, int, int]:
    """Greedy one-to-one matching as ../shared/eval/score.py does: (matched, same type, same date)."""
    used: set[int] = set()
    matched = same_type = same_date = 0
    for g in gold["gold_events"]:
        best, rank = None, None
        for i, e in enumerate(events):
            if i in used or e.lat is None or km(e.lat, e.lon, g["lat"], g["lon"]) > g["tol_km"]:
                continue
            if g.get("country") and e.country != g["country"]:
                continue
            r = (e.event_type == g["type"], str(e.date) in [g.get("date"), *g.get("date_alt", [])])
            if rank is None or r > rank:
                best, rank = i, r
        if best is not None:
            used.add(best)
            matched += 1
            same_type += rank[0]
            same_date += rank[1] if g.get("date") else 0
    return matched, same_type, same_date


@pytest.mark.parametrize("path", gold_files(), ids=lambda p: p.stem)
def test_gold_articles(path: Path, gazetteer: Gazetteer) -> None:
    gold, article = load_gold(path)
    events = extract(article, gazetteer=gazetteer)
    matched, same_type, same_date = match_gold(gold, events)
    assert matched == len(gold["gold_events"])
    assert same_type == matched
    assert same_date == sum(1 for g in gold["gold_events"] if g.get("date"))
    assert len(events) <= matched + 2
    for name in gold["not_event_places"]:
        assert all(name not in (e.location or "") for e in events), name


def test_gold_files_are_present() -> None:
    from conftest import SHARED, needs_shared

    needs_shared(SHARED / "eval")
    assert len(gold_files()) >= 5


# Articles in other newsroom styles: (file, published, {(location, type, date)}).
EXPLOSION = "Explosions/Remote violence"
STYLES = [
    (
        "belgorod_shelling.txt",
        "2023-06-02",
        {
            ("Novaya Tavolzhanka", EXPLOSION, "2023-06-01"),
            ("Tëtkino", EXPLOSION, "2023-06-01"),
            ("Vovchansk", EXPLOSION, "2023-06-01"),
        },
    ),
    (
        "kharkiv_missiles.txt",
        "2024-01-23",
        {("Kharkiv", EXPLOSION, "2024-01-23"), ("Kupyansk", EXPLOSION, "2024-01-23")},
    ),
    (
        "oblast_roundup.txt",
        "2024-03-05",
        {
            (place, EXPLOSION, "2024-03-05")
            for place in ("Kruhliakivka", "Vovchansk", "Khotin", "Krasnopillya", "Bilopillia", "Kherson", "Beryslav")
        },
    ),
    (
        "ocheretyne_capture.txt",
        "2024-04-29",
        {("Ocheretyne", "Battles", "2024-04-28"), ("Pokrovsk", "Battles", "2024-04-28")},
    ),
    (
        "petersburg_protest.txt",
        "2022-09-26",
        {
            ("Saint Petersburg", "Protests", "2022-09-25"),
            ("Yekaterinburg", "Protests", "2022-09-25"),
            ("Novosibirsk", "Protests", "2022-09-25"),
        },
    ),
    ("sevastopol_strike.txt", "2023-09-22", {("Sevastopol", EXPLOSION, "2023-09-22")}),
    ("zelensky_washington.txt", "2023-09-21", set()),
]


@pytest.mark.parametrize(("name", "published", "expected"), STYLES, ids=[s[0] for s in STYLES])
def test_articles_in_other_styles(name: str, published: str, expected: set, gazetteer: Gazetteer) -> None:
    (article,) = read_articles(DATA / "articles" / name, published=published)
    events = extract(article, gazetteer=gazetteer)
    assert {(e.location, e.event_type, str(e.date)) for e in events} == expected


def test_details_of_other_styles(gazetteer: Gazetteer) -> None:
    (kharkiv,) = read_articles(DATA / "articles" / "kharkiv_missiles.txt", published="2024-01-23")
    strike = extract(kharkiv, gazetteer=gazetteer)[0]
    assert (strike.fatalities, strike.injuries, strike.claimed_by) == (3, 34, "regional governor Oleh Syniehubov")
    (sevastopol,) = read_articles(DATA / "articles" / "sevastopol_strike.txt", published="2023-09-22")
    (hq,) = extract(sevastopol, gazetteer=gazetteer)
    assert hq.border_side == "UA-occupied-Crimea" and hq.admin1_code == "UA-40"
    (capture,) = read_articles(DATA / "articles" / "ocheretyne_capture.txt", published="2024-04-29")
    assert {e.verified for e in extract(capture, gazetteer=gazetteer)} == {False}
    (roundup,) = read_articles(DATA / "articles" / "oblast_roundup.txt", published="2024-03-05")
    kherson = next(e for e in extract(roundup, gazetteer=gazetteer) if e.location == "Kherson")
    assert (kherson.fatalities, kherson.injuries) == (1, 8)  # from the Kherson Oblast summary merged into it
    assert any(p.role in ("summary", "container") and p.name == "Kherson Oblast" for p in kherson.places)
