"""Villages from GeoNames' postal-code places: only points that can be trusted are kept."""

from __future__ import annotations

import pytest
from conftest import DATA

from geo.articles import article_from_text
from geo.gazetteer import Gazetteer
from geo.pipeline import extract
from geo.postal import postal_supplement_rows, postal_villages

SAMPLE = DATA / "postal" / "sample_postal.tsv"


def test_only_trusted_points_of_ukraine_and_the_border_regions_are_kept() -> None:
    kept = {(v["country"], v["name"], v["district"]): (v["lat"], v["lon"]) for v in postal_villages(SAMPLE)}
    assert kept[("UA", "Тестівка", "Testivskyi")] == pytest.approx((50.105, 36.205))  # two offices: their median
    assert ("UA", "Далека Тестова", "Testivskyi") not in kept  # far from its district's villages
    assert not any(name == "Двоякове" for _, name, _ in kept)  # two places of one name, 40 km apart
    assert not any("2" in name for _, name, _ in kept)  # a numbered post office of a town
    assert ("UA", "Спільне", "Testivskyi") in kept and ("UA", "Спільне", "Dalekyi") not in kept  # the nearer district
    assert [k for k in kept if k[0] == "RU"] == [("RU", "Тестово", "ГРАЙВОРОНСКИЙ РАЙОН")]  # Belgorod, not Moscow
    assert not any(k[0] == "PL" for k in kept)


def test_rows_are_named_in_english_with_the_cyrillic_name_kept() -> None:
    rows = {r["name"]: r for r in postal_supplement_rows(SAMPLE)}
    assert rows["Testivka"]["alternates"] == ["Тестівка"] and rows["Testivka"]["source"] == "geonames-postal"
    assert rows["Testovo"]["country"] == "RU" and rows["Testovo"]["admin1"] == "09"


@pytest.mark.parametrize(
    ("text", "village", "admin1"),
    [
        # villages cities500 lacks, which GeoNames' postal places have
        ("Russian shelling hit the village of Synkivka in the Kharkiv region on Monday.", "Synkivka", "Kharkiv Oblast"),
        ("A drone hit a house in Krokhmalne, Kharkiv region, on Monday.", "Krokhmalne", "Kharkiv Oblast"),
        ("Shells hit the village of Kolotilovka in the Belgorod region on Monday.", "Kolotilovka", "Belgorod Oblast"),
        ("Вчора ворог обстріляв Синьківку на Харківщині.", "Synkivka", "Kharkiv Oblast"),
    ],
)
def test_border_villages_are_placed_themselves(text: str, village: str, admin1: str, gazetteer: Gazetteer) -> None:
    (event,) = extract(article_from_text("Report\n\n" + text, published="2024-03-14"), gazetteer=gazetteer)
    assert (event.location, event.admin1, event.geo_precision) == (village, admin1, 1)


def test_districts_are_placed_at_their_villages_and_named_both_ways() -> None:
    from geo.postal import district_names, postal_districts

    assert district_names("БЕЛОВСКИЙ РАЙОН", "RU") == ("Belovsky District", ["Беловский"])
    assert district_names("Vovchanskyi", "UA")[1][:2] == ["Vovchanskyi", "Vovchansky"]
    (testivskyi,) = [d for d in postal_districts(SAMPLE) if d["name"] == "Testivskyi District"]
    assert (testivskyi["lat"], testivskyi["lon"]) == pytest.approx((50.1, 36.2), abs=0.02)  # its villages' median


@pytest.mark.parametrize(
    "text",
    [
        "A drone hit a tractor near the village of Zhuzhelka in the Belovsky district of the Kursk region on Monday.",
        "Вчера беспилотник атаковал трактор у села Жужелка Беловского района Курской области.",
    ],
)
def test_a_village_the_index_lacks_falls_back_to_its_district(text: str, gazetteer: Gazetteer) -> None:
    # Belovsky district is named after Belaya, not after Belovo (a Kemerovo town): its own point
    (event,) = extract(article_from_text("Report\n\n" + text, published="2024-05-08"), gazetteer=gazetteer)
    assert event.location == "Zhuzhelka (near Belovsky District)" and event.geo_precision == 2
    assert event.admin1 == "Kursk Oblast" and abs(event.lat - 51.09) < 0.2 and abs(event.lon - 35.9) < 0.3
