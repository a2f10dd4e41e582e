"""Casualties, actors, claimants and verification, as reported."""

from __future__ import annotations

import pytest

from geo.facts import actors_in, casualty_reports, claimant, says_unverified, total


@pytest.mark.parametrize(
    ("text", "fatalities", "injuries"),
    [
        ("Russia says 70 attackers were killed.", 70, None),
        ("Two people were killed in Velyka Pysarivka.", 2, None),
        ("Shelling had killed three people at a bus stop.", 3, None),
        ("A drone struck a car, injuring two.", None, 2),
        ("A drone dropped explosives, wounding a tractor driver.", None, 1),
        ("A 67-year-old man was killed in the village.", 1, None),
        ("More than 70 of them had been killed.", 70, None),
        ("Missiles hit Kharkiv, killing three people and wounding 34.", 3, 34),
        ("The attacks damaged houses, but there were no victims.", 0, None),
        ("No one was hurt.", 0, None),
        ("In the village of Tetkino one person was killed.", 1, None),  # "...no one" is not "no one"
        ("Several others were injured and dozens were killed.", None, None),
    ],
)
def test_casualties(text: str, fatalities: int | None, injuries: int | None) -> None:
    reports = casualty_reports(text)
    assert (total(reports, "fatalities"), total(reports, "injuries")) == (fatalities, injuries)


def test_casualties_of_different_groups_add_up_and_repeats_do_not() -> None:
    reports = casualty_reports("Russia says 70 attackers were killed.") + casualty_reports(
        "One civilian had died. Two people were killed. Two people were killed."
    )
    assert total(reports, "fatalities") == 73


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        (
            "The Freedom of Russia Legion and the Russian Volunteer Corps said they were responsible.",
            ["Freedom of Russia Legion", "Russian Volunteer Corps"],
        ),
        ("Russian forces shelled border communities.", ["Military Forces of Russia"]),
        ("Ukrainian shelling had killed three people.", ["Military Forces of Ukraine"]),
        ("Some Ukrainian military experts suggested the images were staged.", []),
    ],
)
def test_actors(text: str, actors: list[str]) -> None:
    assert list(actors_in(text)) == actors


@pytest.mark.parametrize(
    ("text", "who"),
    [
        (
            "Russia's defence ministry said on Tuesday that the attackers had been driven back.",
            "Russia's defence ministry",
        ),
        ("Armed groups attacked Kozinka, the governor of the Belgorod region said.", "governor of the Belgorod region"),
        (
            "Shelling hit the region, according to the regional military administration.",
            "regional military administration",
        ),
        ("The attack hit the port, the governor of the city, Mikhail Razvozhayev, said.", "Mikhail Razvozhayev"),
        ("He said the attacks damaged houses.", None),
        ("Shelling hit Shebekino, said Governor Vyacheslav Gladkov.", "Governor Vyacheslav Gladkov"),
        ("Two people were hurt, said the governor, Vyacheslav Gladkov, on Telegram.", "governor"),
        (
            "Drones hit Sumy overnight, wrote the head of the regional administration.",
            "head of the regional administration",
        ),
    ],
)
def test_claimant(text: str, who: str | None) -> None:
    assert claimant(text) == who


@pytest.mark.parametrize(
    ("text", "unverified"),
    [
        ("The claims by the warring sides have not been independently verified.", True),
        ("The claims could not be independently verified.", True),
        ("The BBC was able to establish that a building was hit.", False),
    ],
)
def test_unverified(text: str, unverified: bool) -> None:
    assert says_unverified(text) is unverified


@pytest.mark.parametrize(
    ("text", "injuries"),
    [
        ("Shelling wounded 45-year-old man.", None),
        ("A drone wounded a 45-year-old man.", 1),
        ("Shelling wounded 45 people.", 45),
    ],
)
def test_an_age_is_not_a_count(text: str, injuries: int | None) -> None:
    assert total(casualty_reports(text), "injuries") == injuries
