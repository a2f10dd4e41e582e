"""Choosing among namesakes from context; fallbacks for names the gazetteer lacks."""

from __future__ import annotations

import pytest

from geo.articles import article_from_text
from geo.gazetteer import Gazetteer
from geo.pipeline import resolve_article
from geo.resolve import ResolvedPlace


def resolved(text: str, gazetteer: Gazetteer) -> dict[str, ResolvedPlace]:
    return {r.mention.name: r for r in resolve_article(article_from_text("Title\n\n" + text), gazetteer=gazetteer)}


# The namesake traps of ARCHITECTURE.md, and others like them: (text, name, country, admin1, lat, lon).
NAMESAKES = [
    ("Russia's defence ministry said drones were shot down over Belgorod.", "Belgorod", "RU", "09", 50.60, 36.58),
    ("Missiles hit the city of Zaporizhzhia overnight, officials said.", "Zaporizhzhia", "UA", "26", 47.85, 35.12),
    ("Fighting continued around Artemivsk in the Donetsk region.", "Artemivsk", "UA", "05", 48.59, 38.00),
    ("Ukrainian troops withdrew from Lyman in the Donetsk region.", "Lyman", "UA", "05", 48.99, 37.80),
    ("Russian forces shelled Avdiivka near Donetsk.", "Avdiivka", "UA", "05", 48.14, 37.75),
    (
        "Shelling hit Donetsk, the Russian-installed mayor said, near Avdiivka and Horlivka.",
        "Donetsk",
        "UA",
        "05",
        48.02,
        37.80,
    ),
    ("A missile hit a resort in Serhiivka in the Odesa region, killing 21.", "Serhiivka", "UA", "17", 46.03, 30.37),
    ("Shelling hit Kostiantynivka in the Donetsk region.", "Kostiantynivka", "UA", "05", 48.53, 37.71),
    ("Artillery damaged a school in Krasnopillia in Ukraine's Sumy region.", "Krasnopillia", "UA", "21", 50.77, 35.26),
    (
        "The communities of Khotin and Bilopillia in the Sumy region came under fire.",
        "Khotin",
        "UA",
        "21",
        51.08,
        34.77,
    ),
    ("Russian troops attacked Pokrovsk in the Donetsk region.", "Pokrovsk", "UA", "05", 48.28, 37.18),
]


@pytest.mark.parametrize(("text", "name", "country", "admin1", "lat", "lon"), NAMESAKES)
def test_namesakes_resolve_from_context(
    gazetteer: Gazetteer, text: str, name: str, country: str, admin1: str, lat: float, lon: float
) -> None:
    r = resolved(text, gazetteer)[name]
    assert r.place is not None
    assert (r.place.country, r.place.admin1) == (country, admin1)
    assert abs(r.place.lat - lat) < 0.05 and abs(r.place.lon - lon) < 0.05


def test_region_resolves_to_the_region_at_its_capital(gazetteer: Gazetteer) -> None:
    r = resolved("Parts of the border region of Belgorod came under attack.", gazetteer)["Belgorod"]
    assert (r.place.name, r.precision, r.resolved_as) == ("Belgorod Oblast", 3, "region")
    assert (round(r.place.lat, 2), round(r.place.lon, 2)) == (50.6, 36.58)


def test_district_resolves_to_its_town(gazetteer: Gazetteer) -> None:
    r = resolved("A gas pipeline was damaged in the Graivoron district.", gazetteer)["Graivoron"]
    assert (r.place.name, r.precision) == ("Grayvoron", 2)


def test_moscow_region_is_the_oblast_not_the_city(gazetteer: Gazetteer) -> None:
    r = resolved("Drones were shot down over the Moscow region.", gazetteer)["Moscow"]
    assert r.admin.iso_code == "RU-MOS"


def test_bare_name_after_its_region_is_the_region(gazetteer: Gazetteer) -> None:
    found = resolve_article(
        article_from_text("T\n\nThe border region of Belgorod was attacked. Villages in Belgorod were evacuated."),
        gazetteer=gazetteer,
    )
    assert [(r.mention.sentence, r.precision) for r in found] == [(0, 3), (1, 3)]


def test_city_cue_keeps_the_city(gazetteer: Gazetteer) -> None:
    found = resolved("Drones hit the Kursk region. In the city of Kursk, debris fell.", gazetteer)
    assert found["Kursk"].precision == 1 or any(
        r.precision == 1
        for r in resolve_article(article_from_text("T\n\nIn the city of Kursk, debris fell."), gazetteer=gazetteer)
    )


@pytest.mark.parametrize(
    ("text", "name", "fallback"),
    [
        ("Residents of Grayvoron and nearby villages, including Ryabinovka, left.", "Ryabinovka", "Grayvoron"),
        ("Shelling hit the Belgorod region. The village of Lyubechane was damaged.", "Lyubechane", "Belgorod Oblast"),
    ],
)
def test_names_the_gazetteer_lacks_fall_back_nearby(gazetteer: Gazetteer, text: str, name: str, fallback: str) -> None:
    r = resolved(text, gazetteer)[name]
    assert (r.place.name, r.resolved_as) == (fallback, "fallback")
    assert r.place.country == "RU"


def test_people_and_far_namesakes_without_cues_stay_unresolved(gazetteer: Gazetteer) -> None:
    found = resolved("Shelling hit Kharkiv on Monday. Analysts at Liberty said it was heavy.", gazetteer)
    assert found["Kharkiv"].place.country == "UA"
    assert "Liberty" not in found or found["Liberty"].place is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((50.479, 35.681), (48.594, 37.999)),
        ((0.0, 0.0), (0.0, 180.0)),
        ((51.5, -0.1), (-33.9, 151.2)),
        ((1, 1), (1, 1)),
    ],
)
def test_great_circle_km_is_geopys_great_circle(a: tuple[float, float], b: tuple[float, float]) -> None:
    from geopy.distance import great_circle

    from geo.resolve import great_circle_km

    assert great_circle_km(a, b) == pytest.approx(great_circle(a, b).km, abs=1e-6)
