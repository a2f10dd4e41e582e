"""The failure classes of real reporting, each on short texts written for these tests.

Lists of places, the type from the act, the day it happened, background that is no event,
places that are not where it happened, namesakes limited by the stated region, and unknown
villages placed at the smallest area the text states.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import article_from_text
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.pipeline import extract

PUBLISHED = "2024-03-14"  # a Thursday


def events_of(text: str, gazetteer: Gazetteer, published: str = PUBLISHED) -> list[Event]:
    return extract(article_from_text(f"Report\n\n{text}", published=published), gazetteer=gazetteer)


def by_place(events: list[Event]) -> dict[str, Event]:
    return {e.location or "": e for e in events}


# -- 1. lists ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces shelled Velyka Pysarivka, Krasnopillia and Bilopillia in the Sumy region on Monday.",
        "On Monday, Velyka Pysarivka, Krasnopillia and Bilopillia in the Sumy region came under artillery fire.",
        "The hromadas of Velyka Pysarivka, Krasnopillia and Bilopillia in the Sumy region were shelled on Monday.",
    ],
)
def test_a_list_of_places_is_one_event_per_place(text: str, gazetteer: Gazetteer) -> None:
    events = events_of(text, gazetteer)
    assert len(events) == 3
    assert {e.admin1 for e in events} == {"Sumy Oblast"}
    assert {(e.event_type, e.date) for e in events} == {("Explosions/Remote violence", dt.date(2024, 3, 11))}
    assert len({e.evidence for e in events}) == 1  # the shared sentence


def test_casualties_stay_with_the_place_the_text_ties_them_to(gazetteer: Gazetteer) -> None:
    events = events_of(
        "Russian troops shelled Velyka Pysarivka and Bilopillia in the Sumy region on Monday. "
        "In Bilopillia, two people were killed.",
        gazetteer,
    )
    places = by_place(events)
    assert places["Bilopillia"].fatalities == 2
    assert places["Velyka Pysarivka"].fatalities is None


@pytest.mark.parametrize(
    "text",
    [
        "Drones were downed over Zvenigovka, Krasnaya Yaruga and Grayvoron, the Belgorod region governor said.",
        "On Monday air defences downed drones over Zvenigovka, Krasnaya Yaruga and Grayvoron in the Belgorod region.",
    ],
)
def test_names_the_index_lacks_in_a_list_are_places(text: str, gazetteer: Gazetteer) -> None:
    events = events_of(text, gazetteer)
    assert {e.location for e in events} == {"Krasnaya Yaruga", "Grayvoron"}
    # kept by its own name with the incident, not drawn at the region's capital as if it were there
    assert all("Zvenigovka" in {p.name for p in e.places} for e in events)


def test_a_listed_village_the_index_lacks_is_its_own_event_in_its_district(gazetteer: Gazetteer) -> None:
    text = "In the Borisovka district, shells hit the villages of Zvenigovka and Zaprudnovka on Monday."
    locations = sorted(e.location or "" for e in events_of(text, gazetteer))
    assert locations == ["Zaprudnovka (near Borisovka)", "Zvenigovka (near Borisovka)"]


# -- 2. the type from the act -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event_type", "sub_event_type"),
    [
        ("Russian troops attacked Vovchansk with drones on Monday.", "Explosions/Remote violence", "Air/drone strike"),
        (
            "Vovchansk came under artillery fire on Monday.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        ("A kamikaze drone hit a car in Vovchansk on Monday.", "Explosions/Remote violence", "Air/drone strike"),
        ("Russian troops tried to storm Ukrainian positions near Vovchansk on Monday.", "Battles", "Armed clash"),
        ("Ukrainian units repelled an assault near Vovchansk on Monday.", "Battles", "Armed clash"),
        ("Russia claimed on Monday that its forces captured Vovchansk.", "Battles", "Armed clash"),
        ("The authorities ordered the evacuation of Vovchansk on Monday.", "Strategic developments", "Other"),
        (
            "Russian forces dropped guided bombs on Vovchansk on Monday.",
            "Explosions/Remote violence",
            "Air/drone strike",
        ),
        (
            "A counter-terrorist operation regime was declared in Vovchansk on Monday.",
            "Strategic developments",
            "Other",
        ),
        (
            "A drone dropped two grenades on a car in Vovchansk on Monday.",
            "Explosions/Remote violence",
            "Air/drone strike",
        ),
    ],
)
def test_the_type_comes_from_the_act(text: str, event_type: str, sub_event_type: str, gazetteer: Gazetteer) -> None:
    (event,) = events_of(text, gazetteer)
    assert (event.event_type, event.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize("weapon", ["drones", "artillery"])
def test_a_bare_attack_takes_the_act_of_its_story(weapon: str, gazetteer: Gazetteer) -> None:
    text = f"Russian forces struck Vovchansk with {weapon} on Monday. The village of Vilcha was also attacked."
    expected = {"drones": "Air/drone strike", "artillery": "Shelling/artillery/missile attack"}[weapon]
    assert {e.sub_event_type for e in events_of(text, gazetteer)} == {expected}


def test_an_air_raid_alert_is_no_event(gazetteer: Gazetteer) -> None:
    assert events_of("An air raid alert sounded in Sumy and Kharkiv on Monday.", gazetteer) == []


# -- 3. the day it happened -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("Over the past day, Russian forces shelled Vovchansk.", "2024-03-13", "approximate"),
        ("Russian forces shelled Vovchansk over the past 24 hours.", "2024-03-13", "approximate"),
        ("Russian forces shelled Vovchansk, destroying two houses.", PUBLISHED, "approximate"),  # no day word
        ("“This morning the enemy shelled the centre of Vovchansk again,” the governor said.", PUBLISHED, "day"),
        ("Russian forces shelled Vovchansk on Monday.", "2024-03-11", "day"),
    ],
)
def test_the_day_of_the_report(text: str, date: str, precision: str, gazetteer: Gazetteer) -> None:
    (event,) = events_of(text, gazetteer)
    assert (event.date, event.date_precision) == (dt.date.fromisoformat(date), precision)


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces shelled Vovchansk, liberated in September 2022, destroying two houses.",
        "Russian forces shelled Vovchansk, which Ukraine liberated in September 2022.",
        "Russia said it shelled Vovchansk, in one of the regions Moscow claimed to have annexed in 2022.",
    ],
)
def test_a_place_history_neither_dates_nor_types_the_report(text: str, gazetteer: Gazetteer) -> None:
    (event,) = events_of(text, gazetteer)
    assert (event.date, event.date_precision) == (dt.date(2024, 3, 14), "approximate")
    assert event.event_type == "Explosions/Remote violence"  # shelled, not "liberated" (a battle)


def test_a_birth_year_is_no_date(gazetteer: Gazetteer) -> None:
    (event,) = events_of("On Monday a man born in 1977 was wounded when shells hit Vovchansk.", gazetteer)
    assert event.date == dt.date(2024, 3, 11)


# -- 4. background ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "In recent months Russian forces have repeatedly shelled Vovchansk.",
        "Since the start of the war, Vovchansk has been shelled thousands of times.",
        "Vovchansk was liberated by Ukraine last autumn.",
        "On 2 January, Russian forces shelled Vovchansk.",  # more than 30 days before publication
        "In September 2022, Ukrainian forces recaptured Vovchansk.",
    ],
)
def test_background_is_no_event(text: str, gazetteer: Gazetteer) -> None:
    assert events_of(text, gazetteer) == []


def test_a_development_after_a_regions_tally_is_no_event_there(gazetteer: Gazetteer) -> None:
    events = events_of(
        "A person died in Toretsk after shelling over the past day.\n\n"
        "In total, Russians fired 21 times at settlements in the Donetsk region over the past day. "
        "428 people were evacuated from the front line.",
        gazetteer,
    )
    assert all(e.event_type != "Strategic developments" for e in events)


def test_a_development_after_a_regions_incident_is_there(gazetteer: Gazetteer) -> None:
    events = events_of(
        "On Monday debris from a drone over the Voronezh region sparked a fire, the governor said. "
        "Residents of two settlements who were evacuated were returning.",
        gazetteer,
    )
    assert {(e.location, e.event_type) for e in events} >= {("Voronezh Oblast", "Strategic developments")}


def test_a_recent_background_incident_is_an_event(gazetteer: Gazetteer) -> None:
    (event,) = events_of("Background: on 10 March, Russian forces shelled Vovchansk.", gazetteer)
    assert event.date == dt.date(2024, 3, 10)


# -- 5. places that are not where it happened ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces shelled Vovchansk from the Belgorod region on Monday.",
        "Officials in Kyiv said Russian forces shelled Vovchansk on Monday.",
        "Militias fighting on behalf of Kyiv shelled Vovchansk on Monday.",
        "On Monday Ukrainian troops repelled Moscow's forces near Vovchansk.",
    ],
)
def test_origins_speakers_and_metonyms_are_no_event_places(text: str, gazetteer: Gazetteer) -> None:
    assert [e.location for e in events_of(text, gazetteer)] == ["Vovchansk"]


def test_a_capital_standing_for_its_government_is_no_referent(gazetteer: Gazetteer) -> None:
    assert (
        events_of("Zelensky said the fight against Moscow would go on. On Monday, the city came under fire.", gazetteer)
        == []
    )


def test_an_organisation_name_is_no_place(gazetteer: Gazetteer) -> None:
    events = events_of(
        "On Monday employees of the Federal Security Services border guard repelled an attack near Tetkino"
        " in the Kursk region.",
        gazetteer,
    )
    assert [e.location for e in events] == ["Tëtkino"]


def test_a_photo_caption_is_no_event(gazetteer: Gazetteer) -> None:
    text = (
        "A firefighter at a burning house after a Russian strike in Sumy. Photograph: Jane Doe/Reuters\n\n"
        "Russian forces shelled Vovchansk on Monday."
    )
    assert [e.location for e in events_of(text, gazetteer)] == ["Vovchansk"]


def test_a_front_sector_is_an_area_not_an_event_place(gazetteer: Gazetteer) -> None:
    events = events_of(
        "Fighting continued in the Kupiansk direction on Monday, near Zvenigovka and Synkivka.", gazetteer
    )
    assert all(e.location != "Kupyansk" or e.geo_precision == 2 for e in events)
    assert any((e.location or "").startswith("Zvenigovka") for e in events)


# -- 6. namesakes limited by what the article says ----------------------------------------------


@pytest.mark.parametrize(
    ("region", "admin1"),
    [("Donetsk region", "Donetsk Oblast"), ("Chernihiv region", "Chernihiv Oblast")],
)
def test_a_stated_region_limits_namesakes(region: str, admin1: str, gazetteer: Gazetteer) -> None:
    events = events_of(f"Russian forces shelled Mykolaivka in the {region} on Monday.", gazetteer)
    assert [e.admin1 for e in events] == [admin1]  # the village there, or the region itself


def test_the_attackers_nationality_does_not_pick_namesakes(gazetteer: Gazetteer) -> None:
    """ "The Russian army" says who fired, not where: a listed community of a Ukrainian district is
    not the Russian city that once bore its name (Engels was Pokrovsk)."""
    events = events_of(
        "On Monday the Russian army fired on the Nikopol district, Marhanets, Pokrovsk and Myrove communities.",
        gazetteer,
    )
    assert {e.country for e in events} == {"UA"}


def test_a_namesake_across_the_border_from_the_stated_region_loses(gazetteer: Gazetteer) -> None:
    events = events_of("The Kursk region governor said shells hit Tetkino and Glushkovo on Monday.", gazetteer)
    assert {e.country for e in events} == {"RU"}


# -- 7. unknown villages at the smallest stated area ---------------------------------------------


def test_an_unknown_village_falls_back_to_the_region_of_its_own_sentence(gazetteer: Gazetteer) -> None:
    events = events_of(
        "Russian forces shelled Vovchansk in the Kharkiv region on Monday. "
        "Russia said it captured the village of Zvezdnoye, located in the Luhansk region.",
        gazetteer,
    )
    assert [e.location for e in events] == ["Vovchansk", "Zvezdnoye (in Luhansk Oblast)"]


@pytest.mark.parametrize(
    ("text", "precision", "container"),
    [
        ("A drone attacked a car in the village of Zvezdnoye, Borisovka district, on Monday.", 2, "Borisovka"),
        ("The village of Zvezdnoye in the Borisovka district came under fire on Monday.", 2, "Borisovka"),
        ("The village of Zvezdnoye in Russia's Belgorod region came under fire on Monday.", 3, "Belgorod Oblast"),
    ],
)
def test_an_unknown_village_falls_back_to_the_stated_area(
    text: str, precision: int, container: str, gazetteer: Gazetteer
) -> None:
    (event,) = events_of(text, gazetteer)
    assert event.geo_precision == precision
    assert event.location is not None and event.location.startswith("Zvezdnoye") and container in event.location
    assert event.places[0].name == "Zvezdnoye" and event.places[0].resolved_as == "fallback"


def test_the_village_of_a_town_elsewhere_is_placed_in_the_stated_district(gazetteer: Gazetteer) -> None:
    # Rubizhne is a Luhansk town of 56,000; a village of that name in the Kharkiv region is not it
    text = (
        "In the Chuhuiv district of the Kharkiv region, shelling damaged a house in the village of Rubizhne on Monday."
    )
    (event,) = events_of(text, gazetteer)
    assert event.admin1 == "Kharkiv Oblast" and event.geo_precision in (1, 2)  # the village, or its district
    town = events_of("Shelling damaged a house in Rubizhne, Luhansk region, on Monday.", gazetteer)
    assert [(e.location, e.admin1) for e in town] == [("Rubizhne", "Luhansk Oblast")]


def test_a_ticker_of_other_stories_is_not_read(gazetteer: Gazetteer) -> None:
    text = (
        "Drones hit Sumy\n\n21:26 14 August\nA truck caught fire in Dnipro\n20:55 14 August\n"
        "Evacuation of families announced in Druzhkivka\n15 August 2024, 00:03\n\n"
        "A drone struck a house in Sumy on Thursday, the regional administration said."
    )
    found = extract(article_from_text(text, published="2024-08-15"), gazetteer=gazetteer)
    assert [e.location for e in found] == ["Sumy"]
    live = text.replace("Dnipro\n", "Dnipro.\n")  # a live blog's entries are sentences: kept
    assert "Dnipro" in {
        e.location for e in extract(article_from_text(live, published="2024-08-15"), gazetteer=gazetteer)
    }


@pytest.mark.parametrize(
    "text",
    [
        "Residents of Grayvoron and several nearby villages, including Glotovo, were told to leave on Monday.",
        "Shelling hit Grayvoron and nearby settlements such as Glotovo on Monday.",
    ],
)
def test_a_place_named_as_an_example_of_a_group_is_no_event_of_its_own(text: str, gazetteer: Gazetteer) -> None:
    (event,) = events_of(text, gazetteer)
    assert event.location == "Grayvoron" and "Glotovo" in {p.name for p in event.places}
