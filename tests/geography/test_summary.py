"""Per-zone summaries."""

from __future__ import annotations

from carecore.geography import assign_geography, default_geography, zones_summary


def test_the_summary_has_one_row_per_zone_with_every_band(world, world_places, kit):
    areas = [
        kit.area("U", kit.BIGTOWN),
        kit.area("R", kit.east_of(kit.BIGTOWN, 4)),
        kit.area("I", kit.east_of(kit.BIGTOWN, -8), "Farshire"),
    ]
    geo = assign_geography(areas, world, places=world_places)
    rows = {r["code"]: r for r in zones_summary(geo)}
    assert list(rows) == ["north", "south", "rural-free"]
    assert rows["north"]["areas_by_band"] == {"URBAN": 1, "FRINGE": 0, "RURAL": 1, "ISOLATED": 0}
    assert rows["south"]["areas"] == 0
    assert rows["south"]["areas_by_band"] == dict.fromkeys(geo.scheme.codes, 0)
    assert rows["rural-free"] == {
        "code": "rural-free",
        "name": "Rural Free",
        "kind": "rural_free",
        "has_prime": False,
        "towns": [],
        "areas": 1,
        "areas_by_band": {"URBAN": 0, "FRINGE": 0, "RURAL": 0, "ISOLATED": 1},
        "population_65_plus": 100,
    }


def test_the_default_summary_adds_up_to_the_whole_geography():
    geo = default_geography()
    rows = zones_summary(geo)
    assert sum(r["areas"] for r in rows) == len(geo.areas)
    assert sum(r["population_65_plus"] for r in rows) == sum(
        a.population_65_plus for a in geo.areas
    )
    for row in rows:
        assert sum(row["areas_by_band"].values()) == row["areas"]


def test_the_real_lsoas_add_up_to_the_census_count_of_people_aged_65_plus(real_geo):
    assert sum(r["population_65_plus"] for r in zones_summary(real_geo)) == 148_083
