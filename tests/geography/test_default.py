"""The embedded Leicestershire default, checked against the real ONS LSOAs."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from carecore.geography import default_geography, load_ons_areas
from carecore.geography.default import default_definition, estimate_65_plus
from carecore.geography.outline_build import CITY_ANCHORS, OUTSIDE_ANCHORS
from carecore.geography.spatial import distance_km

GEONAMES_SPELLING = {"Quorn": "Quorndon", "Wigston": "Wigston Magna"}


@pytest.fixture(scope="module")
def geo():
    return default_geography()


@pytest.fixture
def lsoas(shared_data):
    return load_ons_areas(shared_data / "leics_lsoa21.csv")


def test_the_default_has_fourteen_zones_and_102_real_places(geo):
    assert len(geo.zones) == 14
    assert len(geo.areas) == 102
    assert Counter(a.code[:2] for a in geo.areas) == {"GN": 101, "TO": 1}  # Ellistown


def test_every_zone_town_is_a_place_of_the_default_and_in_its_own_zone(geo):
    by_name = {a.name: a for a in geo.areas}
    for zone in geo.zones:
        for town in zone.towns:
            assert town in by_name, town
            assert geo.zone_of[by_name[town].code] == zone.code, town


def test_every_zone_has_places_and_only_the_rural_free_zone_lacks_a_prime(geo):
    assert all(geo.areas_in_zone(z.code) for z in geo.zones)
    assert [z.name for z in geo.zones if not z.has_prime] == ["Harborough (Rural Free Zone)"]


def test_ellistown_is_placed_from_its_lsoa_because_geonames_lacks_it(geo):
    (ellistown,) = [a for a in geo.areas if a.name == "Ellistown"]
    assert (ellistown.code, ellistown.lat, ellistown.lon) == ("TOWN-ELLISTOWN", 52.6963, -1.36299)
    assert geo.zone_of_area(ellistown.code).code == "coalville-ashby"


def test_places_are_named_as_the_council_names_them(geo):
    names = {a.name for a in geo.areas}
    assert {"Quorn", "Wigston", "Newtown Linford"} <= names
    assert not {"Quorndon", "Wigston Magna", "Newtown Limford"} & names


def test_population_aged_65_plus_is_the_county_share_of_the_geonames_population(geo):
    (loughborough,) = [a for a in geo.areas if a.name == "Loughborough"]
    assert loughborough.population_65_plus == estimate_65_plus(64_884) == 13_488


def test_no_place_of_a_neighbouring_council_or_leicester_city_is_in_the_default(geo):
    names = {a.name for a in geo.areas}
    assert not names & set(OUTSIDE_ANCHORS)
    assert not names & {*CITY_ANCHORS, "Evington"}


def test_no_place_lies_inside_leicester_city(geo):
    outline = default_definition().outline
    assert outline is not None
    ((city_name, city),) = outline.excluded
    assert city_name.startswith("Leicester")
    assert city.contains(52.6386, -1.13169)  # Leicester's GeoNames centre
    assert [a.name for a in geo.areas if city.contains(a.lat, a.lon)] == []
    assert min(distance_km(a.lat, a.lon, 52.6386, -1.13169) for a in geo.areas) > 3.0


def test_every_place_lies_within_5_km_of_a_real_lsoa_centroid(geo, lsoas):
    far = [
        a.name
        for a in geo.areas
        if min(distance_km(a.lat, a.lon, s.lat, s.lon) for s in lsoas) > 5.0
    ]
    assert far == []


def test_every_real_lsoa_centroid_is_inside_the_outline_and_its_own_district(lsoas):
    outline = default_definition().outline
    assert outline is not None
    assert [s.code for s in lsoas if not outline.contains(s.lat, s.lon)] == []
    assert [s.code for s in lsoas if outline.district_of(s.lat, s.lon) != s.district] == []


def test_every_place_has_the_district_of_its_nearest_real_lsoa(geo, lsoas):
    for area in geo.areas:
        nearest = min(lsoas, key=lambda s: distance_km(area.lat, area.lon, s.lat, s.lon))
        assert area.district == nearest.district, area.name


def test_zone_towns_have_the_districts_the_reference_town_list_gives(geo, shared_data):
    by_name = {a.name: a for a in geo.areas}
    with (shared_data / "leics_towns_geonames.csv").open(encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    assert len(reference) == 43
    local = {v: k for k, v in GEONAMES_SPELLING.items()}
    for row in reference:
        area = by_name[local.get(row["town"], row["town"])]
        assert area.district == row["ltla24_name"], row["town"]
        assert area.code == f"GN{row['geonameid']}"


def test_the_default_is_built_once_and_cached():
    assert default_geography() is default_geography()
