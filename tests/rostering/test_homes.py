"""A week of visits to route: the synthetic full-scale market and homes around their places."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.geography import default_geography
from carecore.market.loading import default_scenario
from carecore.rostering.homes import (
    HOME_SPREAD_KM,
    HomeVisit,
    spread_home,
    spread_radius_km,
    synthetic_week,
)


@pytest.fixture(scope="module")
def week():
    return synthetic_week(default_scenario(), default_geography(), people=300, seed=7)


def test_the_same_seed_gives_the_same_week(week):
    again = synthetic_week(default_scenario(), default_geography(), people=300, seed=7)
    assert again == week


def test_every_person_is_drawn_with_a_provider_in_their_zone(week):
    scenario = default_scenario()
    in_zone = {
        (p.name, zone)
        for p in scenario.supply.providers
        if p.role == "framework"
        for zone in p.zones
    }
    assert len({v.person for v in week}) == 300
    assert all((v.provider, v.zone) in in_zone or v.provider == "Spot purchase" for v in week)


def test_double_handed_people_have_two_carers_at_getting_up_and_going_to_bed(week):
    by_person_day: dict[tuple[str, int], list[HomeVisit]] = {}
    for v in week:
        by_person_day.setdefault((v.person, v.day), []).append(v)
    doubles = [vs for vs in by_person_day.values() if any(v.carers == 2 for v in vs)]
    assert doubles
    for visits in doubles:
        ordered = sorted(visits, key=lambda v: v.window_start_minute)
        assert ordered[0].carers == 2 and ordered[-1].carers == 2
        assert all(v.carers == 1 for v in ordered[1:-1])


def test_about_a_quarter_of_people_need_two_carers(week):
    people = {v.person for v in week}
    doubles = {v.person for v in week if v.carers == 2}
    assert 0.15 < len(doubles) / len(people) < 0.35


def test_most_people_live_in_urban_places_as_the_population_does(week):
    bands = Counter(v.band for v in {v.person: v for v in week}.values())
    assert bands["URBAN"] > bands["RURAL"] > 0


def test_homes_lie_within_their_bands_radius_of_the_place():
    rng = np.random.default_rng(3)
    for band, radius in HOME_SPREAD_KM.items():
        for _ in range(200):
            lat, lon = spread_home(52.6, -1.2, band, rng)
            north = (lat - 52.6) * 111.32
            east = (lon + 1.2) * 111.32 * math.cos(math.radians(52.6))
            assert math.hypot(north, east) <= radius + 1e-9


def test_a_visit_on_an_eighth_day_is_refused():
    with pytest.raises(InputError, match="day must be 0"):
        HomeVisit("P", "X", "Z", "URBAN", 52.6, -1.2, 7, 480, 30, 30)


def test_a_town_spreads_its_homes_over_the_disc_its_people_fill_at_urban_density():
    # Loughborough: 13,488 people aged 65+, so about 64,800 people at 3,500 per square km.
    assert spread_radius_km("URBAN", 13_488) == pytest.approx(2.43, abs=0.01)
    # A small village's catchment is thinner, so wider than its numbers alone suggest.
    assert spread_radius_km("RURAL", 436) > spread_radius_km("URBAN", 436)
    assert spread_radius_km("ISOLATED", 10**7) == 6.0
