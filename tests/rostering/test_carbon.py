"""Carbon from carers' driving per zone, over a year, and saved by a change of zones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from carecore.errors import InputError
from carecore.rostering.carbon import (
    EmissionFactor,
    annual_tonnes,
    carbon_by_zone,
    load_emission_factor,
    zone_change_saving,
)
from carecore.rostering.round_stats import RoundTotals

# A made-up factor so the arithmetic is easy to follow by hand.
QUARTER_KG = EmissionFactor(
    name="test", kg_co2e_per_mile=Decimal("0.25"), year=2020, vehicle="test car", source="test"
)
METRES_PER_125_MILES = 201_168  # 125 x 1,609.344: the fewest whole miles in whole metres


def zone(name: str, miles: int, *, band: str = "RURAL", visits: int = 100) -> RoundTotals:
    """A week of rounds driving ``miles`` (a multiple of 125, so the metres are whole)."""
    assert miles % 125 == 0
    return RoundTotals(
        zone=name,
        band=band,
        visits=visits,
        contact_minutes=3000,
        travel_minutes=600,
        travel_metres=METRES_PER_125_MILES * miles // 125,
        waiting_minutes=0,
        rounds=10,
    )


def test_the_shipped_factor_says_what_it_is_and_where_it_comes_from() -> None:
    factor = load_emission_factor()
    assert factor.kg_co2e_per_mile == Decimal("0.28276")
    assert factor.year == 2020
    assert "GHG Conversion Factors for Company Reporting" in factor.source
    assert "unknown fuel" in factor.vehicle
    # Read from a secondary copy and standing in for the average car: it must say so.
    assert factor.checked_against_publication is False
    assert "not checked" in factor.citation()


def test_a_zones_weekly_miles_become_kg_a_week_and_tonnes_a_year() -> None:
    # 1,000 miles x 0.25 kg = 250 kg a week; x 52 weeks = 13,000 kg = 13 tonnes a year.
    # 500 miles: 125 kg a week, 6.5 tonnes a year.
    rows = carbon_by_zone([zone("Melton", 1000), zone("Lutterworth", 500)], QUARTER_KG)
    melton, lutterworth = rows
    assert (melton.zone, melton.band) == ("Melton", "RURAL")
    assert melton.miles_per_week == Decimal(1000)
    assert melton.kg_co2e_per_week == Decimal(250)
    assert melton.tonnes_co2e_per_year == Decimal(13)
    assert lutterworth.tonnes_co2e_per_year == Decimal("6.5")
    assert annual_tonnes(rows) == Decimal("19.5")


def test_totals_of_several_weeks_are_turned_into_a_week() -> None:
    (row,) = carbon_by_zone([zone("Melton", 1000)], QUARTER_KG, weeks_covered=4)
    assert row.miles_per_week == Decimal(250)
    assert row.tonnes_co2e_per_year == Decimal("3.25")


def test_a_shorter_year_of_weeks_scales_the_tonnes() -> None:
    (row,) = carbon_by_zone([zone("Melton", 1000)], QUARTER_KG, weeks_per_year=26)
    assert row.tonnes_co2e_per_year == Decimal("6.5")


def test_a_zone_change_that_removes_miles_saves_carbon() -> None:
    # Two zones, 1,000 + 500 miles a week, merged into one that drives 1,125: 375 miles a
    # week fewer, 19,500 a year, x 0.25 kg = 4,875 kg = 4.875 tonnes a year saved.
    current = [zone("Melton", 1000, visits=60), zone("Lutterworth", 500, visits=40)]
    merged = [zone("Melton+Lutterworth", 1125, visits=100)]
    saving = zone_change_saving(current, merged, QUARTER_KG)
    assert saving.current_miles_per_year == Decimal(78_000)
    assert saving.alternative_miles_per_year == Decimal(58_500)
    assert saving.miles_per_year_saved == Decimal(19_500)
    assert saving.current_tonnes_per_year == Decimal("19.5")
    assert saving.tonnes_per_year_saved == Decimal("4.875")
    assert saving.tonnes_per_year_saved > 0


def test_a_zone_change_that_adds_miles_shows_a_negative_saving() -> None:
    current = [zone("Melton", 1000, visits=100)]
    split = [zone("Melton North", 750, visits=50), zone("Melton South", 500, visits=50)]
    # 1,000 against 1,250 miles a week: 13,000 more a year, 3.25 tonnes more.
    saving = zone_change_saving(current, split, QUARTER_KG)
    assert saving.miles_per_year_saved == Decimal(-13_000)
    assert saving.tonnes_per_year_saved == Decimal("-3.25")


def test_rounds_that_serve_different_visits_are_not_compared() -> None:
    with pytest.raises(InputError, match="same visits"):
        zone_change_saving([zone("A", 125, visits=10)], [zone("B", 125, visits=9)], QUARTER_KG)


def test_weeks_must_be_above_zero() -> None:
    with pytest.raises(InputError) as caught:
        carbon_by_zone([zone("A", 125)], QUARTER_KG, weeks_covered=0)
    assert caught.value.key == "weeks_covered"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "factors.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
default = "car"
[factors.car]
kg_co2e_per_mile = 0.3
year = 2021
vehicle = "Average car, unknown fuel"
source = "test source"
"""


def test_a_factor_file_loads_with_its_default(tmp_path: Path) -> None:
    factor = load_emission_factor(write(tmp_path, GOOD))
    assert factor.kg_co2e_per_mile == Decimal("0.3")  # through the float's repr, not 0.2999...
    assert factor.name == "car"
    assert factor.checked_against_publication is False


def test_an_unknown_key_in_a_factor_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown key") as caught:
        load_emission_factor(write(tmp_path, GOOD + "kg_per_km = 0.2\n"))
    assert caught.value.key == "factors.car.kg_per_km"


def test_a_factor_of_zero_or_less_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="above zero") as caught:
        load_emission_factor(write(tmp_path, GOOD.replace("0.3", "-0.3")))
    assert caught.value.key == "factors.car.kg_co2e_per_mile"


def test_asking_for_a_factor_the_file_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no factor named 'van'"):
        load_emission_factor(write(tmp_path, GOOD), name="van")
