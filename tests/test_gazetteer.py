"""The offline gazetteer: spellings, namesakes, admin areas, countries."""

from __future__ import annotations

import pytest

from geo.gazetteer import ALTERNATE, PRIMARY, Gazetteer, normalize, transliterations

GRAYVORON = 559034
BELGOROD = 578072
BILHOROD_DNISTROVSKYI = 698672
BAKHMUT = 713174
ZAPORIZHZHIA_CITY = 687700


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Kup'yansk", "kupyansk"),
        ("Kup’yansk", "kupyansk"),
        ("Gora-Podol", "gora podol"),
        ("St. Petersburg", "st petersburg"),
        ("Tëtkino", "tetkino"),
        ("  Velyka   Pysarivka ", "velyka pysarivka"),
    ],
)
def test_normalize(raw: str, key: str) -> None:
    assert normalize(raw) == key


@pytest.mark.parametrize("spelling", ["Graivoron", "Hraivoron", "Grayvoron", "Grajvoron", "Грайворон", "GRAYVORON"])
def test_spellings_of_graivoron_find_one_place(gazetteer: Gazetteer, spelling: str) -> None:
    ids = [m.place.geonameid for m in gazetteer.lookup(spelling)]
    assert ids == [GRAYVORON]


def test_transliterations_cover_russian_and_ukrainian_schemes() -> None:
    assert {"Graivoron", "Grayvoron", "Hraivoron"} <= transliterations("Грайворон")
    assert "Kupiansk" in transliterations("Куп'янськ")


def test_belgorod_is_never_bilhorod_dnistrovskyi(gazetteer: Gazetteer) -> None:
    assert [m.place.geonameid for m in gazetteer.lookup("Belgorod")] == [BELGOROD]
    # GeoNames lists "Bilhorod-Dnistrovskyi" among Belgorod's alternates; the city of that
    # name still comes first, as an exact name rather than a mere alternate.
    first, *rest = gazetteer.lookup("Bilhorod-Dnistrovskyi")
    assert first.quality == PRIMARY and first.place.country == "UA" and first.place.admin1 == "17"
    assert [m.quality for m in rest if m.place.geonameid == BELGOROD] == [ALTERNATE]


def test_zaporizhzhia_city_matches_as_well_as_the_village(gazetteer: Gazetteer) -> None:
    matches = gazetteer.lookup("Zaporizhzhia")
    city = next(m for m in matches if m.place.geonameid == ZAPORIZHZHIA_CITY)
    village = next(m for m in matches if m.place.population == 656)
    assert city.quality == village.quality == PRIMARY  # population decides between them


@pytest.mark.parametrize(
    ("name", "admin1_codes"),
    [
        ("Lyman", {"05", "07"}),
        ("Avdiivka", {"05", "02"}),
        ("Donetsk", {"05", "61"}),
        ("Serhiivka", {"17", "18"}),
        ("Kostiantynivka", {"05", "26"}),
        ("Artemivsk", {"05", "14"}),
    ],
)
def test_namesakes_are_all_candidates(gazetteer: Gazetteer, name: str, admin1_codes: set[str]) -> None:
    found = {m.place.admin1 for m in gazetteer.lookup(name)}
    assert admin1_codes <= found


def test_places_below_cities500_come_from_the_postal_villages(gazetteer: Gazetteer) -> None:
    # Glotovo (Graivoron district) is not in cities500; GeoNames' postal places have it
    (glotovo,) = gazetteer.lookup("Glotovo")
    assert (glotovo.place.source, glotovo.place.country, glotovo.place.admin1) == ("geonames-postal", "RU", "09")
    assert [m.place.name for m in gazetteer.lookup("Глотово")] == ["Glotovo"]
    assert gazetteer.lookup("Ryabinovka") == []  # nor every village: only those with a post office


def test_codes_among_alternates_are_not_names(gazetteer: Gazetteer) -> None:
    # "EGO" (Belgorod's airport code) and "BBC" are in GeoNames' alternates.
    assert gazetteer.lookup("EGO") == []
    assert all(m.place.name != "Bay City" for m in gazetteer.lookup("BBC"))


def test_admin_areas_have_english_names_and_iso_codes(gazetteer: Gazetteer) -> None:
    (belgorod,) = gazetteer.regions("Belgorod")
    assert (belgorod.name, belgorod.iso_code, belgorod.capital) == ("Belgorod Oblast", "RU-BEL", "Belgorod")
    assert gazetteer.admin_area("UA", "21").iso_code == "UA-59"  # Sumy
    assert {a.type for a in gazetteer.regions("Kyiv")} == {"city", "oblast"}
    sevastopol = gazetteer.admin_area("UA", "20")
    assert sevastopol.inside(gazetteer.admin_area("UA", "11"))


def test_every_ru_ua_by_place_has_a_known_admin_area(gazetteer: Gazetteer) -> None:
    codes = {(a.country, a.code) for a in gazetteer.admin_areas}
    for name in ("Grayvoron", "Sudzha", "Vovchansk", "Horlivka", "Simferopol", "Gomel", "Klintsy"):
        place = gazetteer.lookup(name)[0].place
        assert (place.country, place.admin1) in codes, name


@pytest.mark.parametrize(("name", "iso"), [("the US", "US"), ("U.S.", "US"), ("Russia", "RU"), ("UK", "GB")])
def test_countries_by_name_and_alias(gazetteer: Gazetteer, name: str, iso: str) -> None:
    assert gazetteer.country(name).iso == iso


def test_demonyms(gazetteer: Gazetteer) -> None:
    assert gazetteer.demonym("Russian") == "RU"
    assert gazetteer.demonym("Ukrainians") == "UA"
    assert gazetteer.demonym("Kharkiv") is None
    assert (gazetteer.demonym("Irish"), gazetteer.demonym("Syrian"), gazetteer.demonym("British")) == ("IE", "SY", "GB")


@pytest.mark.parametrize(
    ("name", "iso", "lat", "lon"),
    [
        ("Ireland", "IE", 53.0, -8.0),
        ("Federal Republic of Germany", "DE", 51.0, 9.0),  # another name, from countryinfo
        ("Britain", "GB", 54.0, -2.0),  # the UK's point, not Wales' (which shares its code)
        ("the US", "US", 39.8333, -98.5833),  # data/countries.csv: the centre of the contiguous states
    ],
)
def test_countries_have_a_point(gazetteer: Gazetteer, name: str, iso: str, lat: float, lon: float) -> None:
    place = gazetteer.country(name).as_place()
    assert (place.country, place.kind, place.lat, place.lon) == (iso, "country", lat, lon)


def test_continents_by_name_and_adjective(gazetteer: Gazetteer) -> None:
    europe = gazetteer.continent("Europe")
    assert europe is not None and europe.kind == "continent" and 45 < europe.lat < 55 and 5 < europe.lon < 15
    assert gazetteer.continent("European") == europe
    assert gazetteer.continent("Latin America").name == "South America"
    assert gazetteer.continent("Kharkiv") is None


def test_fuzzy_finds_near_misses_in_the_focus_countries(gazetteer: Gazetteer) -> None:
    names = {m.place.name for m in gazetteer.fuzzy("Shebekyno")}
    assert "Shebekino" in names
