"""The RU–UA land border: measured distances, sides, Crimea and the sea."""

from __future__ import annotations

import numpy as np
import pytest

from geo.borders import CRIMEA, border_fields, get_border
from geo.gazetteer import Gazetteer

MEASURED = [
    ("Grayvoron", 7.5, "RU"),
    ("Kozinka", 1.8, "RU"),
    ("Sudzha", 9.0, "RU"),
    ("Shebekino", 7.1, "RU"),
    ("Novaya Tavolzhanka", 3.1, "RU"),
    ("Tetkino", 2.7, "RU"),
    ("Vovchansk", 6.4, "UA"),
]


@pytest.mark.parametrize(("name", "km", "side"), MEASURED)
def test_measured_distances_and_sides(gazetteer: Gazetteer, name: str, km: float, side: str) -> None:
    place = gazetteer.lookup(name)[0].place
    distance, found_side = border_fields(place.lat, place.lon)
    assert distance == pytest.approx(km, abs=0.5)
    assert found_side == side


def test_the_line_runs_from_belarus_to_the_azov_coast() -> None:
    border = get_border()
    (start_lon, start_lat), (end_lon, end_lat) = border.line.coords[0], border.line.coords[-1]
    assert (round(start_lat, 1), round(start_lon, 1)) == (52.1, 31.8)  # the tripoint with Belarus
    assert (round(end_lat, 1), round(end_lon, 1)) == (47.1, 38.2)  # where the land border meets the sea
    assert 80 < border.sea_km_removed < 120  # the territorial-sea part in Taganrog Bay


@pytest.mark.parametrize(
    ("lat", "lon", "side", "min_km", "max_km"),
    [
        (44.95, 34.10, CRIMEA, 350, 450),  # Simferopol
        (45.35, 36.47, CRIMEA, 200, 300),  # Kerch
        (46.50, 36.50, "UA", 100, 200),  # the Sea of Azov, off the Ukrainian coast
        (46.30, 38.20, "RU", 50, 150),  # the Sea of Azov, off Yeysk
        (55.75, 37.62, "RU", 400, 500),  # Moscow
        (50.45, 30.52, "UA", 150, 250),  # Kyiv
        (53.90, 27.56, None, 300, 400),  # Minsk: neither side
        (42.50, 33.00, None, 600, 800),  # the open Black Sea
    ],
)
def test_crimea_sea_and_far_points(lat: float, lon: float, side: str | None, min_km: float, max_km: float) -> None:
    distance, found_side = border_fields(lat, lon)
    assert found_side == side
    assert min_km < distance < max_km


def test_no_point_no_fields() -> None:
    assert border_fields(None, None) == (None, None)


def test_vectorised_distances_match_single_ones(gazetteer: Gazetteer) -> None:
    places = [gazetteer.lookup(name)[0].place for name, _, _ in MEASURED]
    lat = np.array([p.lat for p in places])
    lon = np.array([p.lon for p in places])
    border = get_border()
    assert border.distance_km(lat, lon) == pytest.approx([border_fields(p.lat, p.lon)[0] for p in places], abs=0.01)
    assert border.sides_of(lat, lon) == [side for _, _, side in MEASURED]
