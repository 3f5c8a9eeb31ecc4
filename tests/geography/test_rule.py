"""The zone and band rule on hand-made points (unit) and its properties (behaviour)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carecore.geography import RuleParams, assign_geography
from carecore.geography.gazetteer import Place
from carecore.geography.rule import (
    built_up_radius_km,
    edge_km,
    prepare_towns,
    remoteness,
)
from carecore.geography.spatial import distance_km

RULE = RuleParams()
RANK = {"urban": 0, "fringe": 1, "rural": 2, "isolated": 3}


def test_a_town_of_40000_covers_a_circle_of_about_1_8_km_at_4000_per_km2():
    assert built_up_radius_km(40_000, 4000) == pytest.approx(1.784, abs=0.001)


@pytest.mark.parametrize(
    ("km_east", "expected"),
    [(0.0, "URBAN"), (1.9, "URBAN"), (2.3, "FRINGE"), (2.7, "FRINGE"), (4.0, "RURAL")],
)
def test_band_follows_the_distance_from_the_edge_of_a_large_town(
    world, world_places, kit, km_east, expected
):
    area = kit.area("A", kit.east_of(kit.BIGTOWN, km_east))
    geo = assign_geography([area], world, places=world_places)
    assert geo.band_of["A"] == expected


def test_the_middle_of_a_small_town_is_rural_not_urban(world, world_places, kit):
    geo = assign_geography([kit.area("A", kit.SMALLVILLE)], world, places=world_places)
    assert geo.band_of["A"] == "RURAL"


def test_a_place_far_from_every_town_is_isolated(world, world_places, kit):
    # 8 km west of Bigtown: 6.2 km beyond its edge, 13.7 km from Smallville, 21.7 from Cityton.
    area = kit.area("A", kit.east_of(kit.BIGTOWN, -8))
    geo = assign_geography([area], world, places=world_places)
    assert geo.band_of["A"] == "ISOLATED"


def test_zone_is_the_zone_of_the_nearest_zone_town(world, world_places, kit):
    near_small = (kit.SMALLVILLE[0] + 0.02, kit.SMALLVILLE[1])
    geo = assign_geography(
        [kit.area("N", kit.east_of(kit.BIGTOWN, 1)), kit.area("S", near_small)],
        world,
        places=world_places,
    )
    assert (geo.zone_of["N"], geo.zone_of["S"]) == ("north", "south")


def test_remote_areas_of_the_rural_free_territory_join_the_rural_free_zone(
    world, world_places, kit
):
    far = kit.east_of(kit.BIGTOWN, -8)
    geo = assign_geography(
        [kit.area("IN", far, "Farshire"), kit.area("OUT", far, "Nearshire")],
        world,
        places=world_places,
    )
    assert geo.zone_of["IN"] == "rural-free"
    assert geo.zone_of["OUT"] == "north"


def test_rural_free_territory_near_a_zone_town_stays_with_that_town(world, world_places, kit):
    area = kit.area("A", kit.east_of(kit.BIGTOWN, 3.5), "Farshire")
    geo = assign_geography([area], world, places=world_places)
    assert geo.zone_of["A"] == "north"


def test_an_urban_area_of_the_rural_free_territory_stays_with_its_nearest_zone_town(
    world, world_places, kit
):
    # Cityton is a large town but no zone town: like Thurnby beside Leicester.
    geo = assign_geography([kit.area("A", kit.CITYTON, "Farshire")], world, places=world_places)
    assert geo.band_of["A"] == "URBAN"
    assert geo.zone_of["A"] == "north"


def test_towns_whose_circles_touch_count_as_one_large_town():
    a = Place(1, "East", 52.0, 0.0, 6_000)
    b = Place(2, "West", 52.0, 0.0 + 1.2 * 0.0146, 6_000)  # about 1.2 km apart
    c = Place(3, "Alone", 52.3, 0.0, 6_000)
    towns = {t.name: t for t in prepare_towns([a, b, c], RULE)}
    assert towns["East"].large and towns["West"].large
    assert not towns["Alone"].large


def test_places_below_the_town_population_are_not_towns():
    towns = prepare_towns([Place(1, "Hamlet", 52.0, 0.0, 2_499)], RULE)
    assert towns == ()


def test_with_no_towns_at_all_everything_is_isolated():
    assert remoteness(52.0, 0.0, (), RULE) == "isolated"


def test_an_area_without_district_takes_no_rural_free_zone(world, world_places, kit):
    area = kit.area("A", kit.east_of(kit.BIGTOWN, -8), "")
    geo = assign_geography([area], world, places=world_places)
    assert geo.zone_of["A"] == "north"


coords = st.tuples(
    st.floats(min_value=51.8, max_value=52.2, allow_nan=False),
    st.floats(min_value=-0.3, max_value=0.3, allow_nan=False),
)
town_lists = st.lists(
    st.tuples(coords, st.integers(min_value=2_500, max_value=300_000)), min_size=1, max_size=5
)


@settings(max_examples=200, deadline=None)
@given(towns=town_lists, p=coords, q=coords)
def test_moving_farther_from_every_town_never_makes_a_place_less_remote(towns, p, q):
    places = [Place(k, f"T{k}", lat, lon, pop) for k, ((lat, lon), pop) in enumerate(towns)]
    assume(
        all(
            distance_km(q[0], q[1], t.lat, t.lon) >= distance_km(p[0], p[1], t.lat, t.lon)
            for t in places
        )
    )
    prepared = prepare_towns(places, RULE)
    assert RANK[remoteness(*q, prepared, RULE)] >= RANK[remoteness(*p, prepared, RULE)]


@settings(max_examples=100, deadline=None)
@given(towns=town_lists, p=coords, extra=st.tuples(coords, st.integers(2_500, 300_000)))
def test_a_new_town_never_makes_a_place_more_remote(towns, p, extra):
    places = [Place(k, f"T{k}", lat, lon, pop) for k, ((lat, lon), pop) in enumerate(towns)]
    more = [*places, Place(99, "New", extra[0][0], extra[0][1], extra[1])]
    before = remoteness(*p, prepare_towns(places, RULE), RULE)
    after = remoteness(*p, prepare_towns(more, RULE), RULE)
    assert RANK[after] <= RANK[before]


@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(coords, min_size=1, max_size=30),
    district=st.sampled_from(["Farshire", "Nearshire", ""]),
)
def test_every_area_gets_exactly_one_known_zone_and_band(
    world, world_places, kit, points, district
):
    areas = [kit.area(f"A{k}", p, district) for k, p in enumerate(points)]
    geo = assign_geography(areas, world, places=world_places)
    assert set(geo.zone_of) == set(geo.band_of) == {a.code for a in areas}
    assert set(geo.zone_of.values()) <= {z.code for z in world.zones}
    assert set(geo.band_of.values()) <= set(world.scheme.codes)


def test_edge_distance_is_zero_inside_and_grows_outside():
    (town,) = prepare_towns([Place(1, "T", 52.0, 0.0, 40_000)], RULE)
    assert edge_km(52.0, 0.0, town) == 0.0
    assert edge_km(52.0, 5 / (111.32 * math.cos(math.radians(52.0))), town) == pytest.approx(
        5 - town.radius_km, abs=0.01
    )
    assert math.isclose(town.radius_km, built_up_radius_km(40_000, 4000))
