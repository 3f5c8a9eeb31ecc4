"""Unit tests: reading cost-of-care inputs, and bad input named by its key."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.pricing.cost_of_care import (
    CostOfCareInputs,
    Overheads,
    Surplus,
    TravelTime,
    compute_cost_of_care,
    line_label,
    load_cost_of_care,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"

BASE: dict[str, Any] = {
    "pay": {"hourly_wage": 8.72},
    "time": {"travel_minutes_per_contact_hour": 11.7},
    "on_costs": {"employer_ni_and_pension": 10.9, "holiday_sickness_training_other": 18.9},
    "mileage": {"cost_per_contact_hour": 1.36},
    "overheads": {"share_of_price_percent": 25.1},
    "surplus": {"percent": 3.0, "of": "cost"},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """BASE with ``value`` at the dotted ``path`` (None deletes it)."""
    data = copy.deepcopy(BASE)
    *tables, last = path.split(".")
    target = data
    for table in tables:
        target = target.setdefault(table, {})
    if value is None:
        del target[last]
    else:
        target[last] = value
    return data


def _error(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        CostOfCareInputs.from_mapping(data, source="form")
    return caught.value


def test_a_web_form_dict_with_numbers_as_text_gives_the_same_price_as_the_toml_file() -> None:
    form = _with("pay.hourly_wage", "8.72")
    form["time"] = {"travel_minutes_per_contact_hour": "11.7"}
    from_form = compute_cost_of_care(CostOfCareInputs.from_mapping(form, source="form"))
    from_file = compute_cost_of_care(load_cost_of_care(DATA / "coc_hca_2020_21.toml"))
    assert from_form.bands["all"].lines == from_file.bands["all"].lines


def test_travel_per_visit_is_converted_to_minutes_per_contact_hour() -> None:
    data = _with("time", {"visit_minutes": 30, "travel_minutes_per_visit": 6})
    inputs = CostOfCareInputs.from_mapping(data)
    assert inputs.time.per_contact_hour() == Decimal(12)
    band = compute_cost_of_care(inputs).bands["all"]
    assert band.exact["travel_pay"] == Decimal("8.72") * 12 / 60


def test_mileage_in_miles_is_priced_at_pence_per_mile() -> None:
    data = _with("mileage", {"miles_per_contact_hour": 3.0, "pence_per_mile": 45})
    band = compute_cost_of_care(CostOfCareInputs.from_mapping(data)).bands["all"]
    assert band.lines["mileage"] == Decimal("1.35")


def test_on_costs_apply_to_contact_and_travel_pay_together() -> None:
    data = _with("on_costs", {"pension": 10})
    band = compute_cost_of_care(CostOfCareInputs.from_mapping(data)).bands["all"]
    assert band.exact["pension"] == (band.exact["contact_pay"] + band.exact["travel_pay"]) / 10


def test_surplus_of_price_is_that_share_of_the_price() -> None:
    data = _with("surplus", {"percent": 5, "of": "price"})
    band = compute_cost_of_care(CostOfCareInputs.from_mapping(data)).bands["all"]
    price = band.exact["price"]
    assert band.exact["surplus"] == price * Decimal("0.05")
    assert band.exact["overheads"] == price * Decimal("0.251")
    assert abs(
        band.exact["direct_cost"] + band.exact["overheads"] + band.exact["surplus"] - price
    ) < Decimal("1e-20")


def test_fixed_overheads_with_surplus_of_price_solve_for_the_price() -> None:
    data = _with("overheads", {"cost_per_contact_hour": 5})
    data["surplus"] = {"percent": 10, "of": "price"}
    band = compute_cost_of_care(CostOfCareInputs.from_mapping(data)).bands["all"]
    assert band.exact["surplus"] == band.exact["price"] / 10
    assert band.lines["overheads"] == Decimal("5.00")


def test_no_bands_gives_one_band_named_all() -> None:
    result = compute_cost_of_care(CostOfCareInputs.from_mapping(BASE))
    assert list(result.bands) == ["all"]


def test_named_bands_are_priced_in_file_order_without_an_all_band() -> None:
    result = compute_cost_of_care(load_cost_of_care(DATA / "coc_four_bands.toml"))
    assert list(result.bands) == ["URBAN", "FRINGE", "RURAL", "ISOLATED"]


def test_a_band_overrides_only_what_it_names() -> None:
    inputs = load_cost_of_care(DATA / "coc_four_bands.toml")
    bands = {band.name: band for band in inputs.bands}
    assert bands["URBAN"].time == inputs.time and bands["URBAN"].mileage == inputs.mileage
    # FRINGE changes travel per visit but keeps the 30-minute visit and 45p a mile.
    assert bands["FRINGE"].time.per_contact_hour() == Decimal(14)
    assert bands["FRINGE"].mileage.per_contact_hour() == Decimal("1.35")
    # RURAL switches to minutes per contact hour; ISOLATED to mileage in pounds.
    assert bands["RURAL"].time.per_contact_hour() == Decimal(20)
    assert bands["ISOLATED"].mileage.per_contact_hour() == Decimal("3.60")


def test_rural_band_costs_more_than_urban() -> None:
    prices = {
        name: band.price_per_contact_hour
        for name, band in compute_cost_of_care(
            load_cost_of_care(DATA / "coc_four_bands.toml")
        ).bands.items()
    }
    assert prices["URBAN"] < prices["FRINGE"] < prices["RURAL"] < prices["ISOLATED"]


def test_lines_have_readable_labels() -> None:
    assert line_label("employer_ni_and_pension") == "Employer NI and pension"
    assert line_label("travel_pay") == "Travel time pay"


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ("pay.hourly_wage", -1, "pay.hourly_wage"),
        ("pay.hourly_wage", 0, "pay.hourly_wage"),
        ("pay.hourly_wage", "eight", "pay.hourly_wage"),
        ("pay.hourly_wage", None, "pay.hourly_wage"),
        ("pay.bonus", 1, "pay.bonus"),
        ("time.travel_minutes_per_contact_hour", -5, "time.travel_minutes_per_contact_hour"),
        ("time.visit_minutes", 30, "time.visit_minutes"),
        ("time.travel_minutes_per_contact_hour", None, "time"),
        ("on_costs.employer_ni_and_pension", -1, "on_costs.employer_ni_and_pension"),
        ("on_costs.employer_ni_and_pension", True, "on_costs.employer_ni_and_pension"),
        ("on_costs.mileage", 3, "on_costs.mileage"),
        ("mileage.pence_per_mile", 45, "mileage.pence_per_mile"),
        ("mileage.cost_per_contact_hour", -0.5, "mileage.cost_per_contact_hour"),
        ("overheads.cost_per_contact_hour", 5.2, "overheads.cost_per_contact_hour"),
        ("overheads.share_of_price_percent", 100, "overheads.share_of_price_percent"),
        ("overheads.share_of_price_percent", -1, "overheads.share_of_price_percent"),
        ("surplus.of", "turnover", "surplus.of"),
        ("surplus.of", None, "surplus.of"),
        ("surplus.percent", None, "surplus.percent"),
        ("surplus.percent", -3, "surplus.percent"),
        ("surplus.margin", 3, "surplus.margin"),
        ("premium", {}, "premium"),
        ("on_costs", None, "on_costs"),
    ],
)
def test_bad_input_is_an_input_error_naming_the_key(path: str, value: Any, key: str) -> None:
    error = _error(_with(path, value))
    assert error.key == key
    assert error.source == "form"
    assert f"'{key}'" in str(error)


def test_half_a_visit_definition_names_the_missing_key() -> None:
    error = _error(_with("time", {"visit_minutes": 30}))
    assert error.key == "time.travel_minutes_per_visit"


def test_a_zero_length_visit_is_refused() -> None:
    error = _error(_with("time", {"visit_minutes": 0, "travel_minutes_per_visit": 5}))
    assert error.key == "time.visit_minutes"


def test_overheads_and_surplus_that_take_the_whole_price_are_refused() -> None:
    data = _with("overheads.share_of_price_percent", 60)
    data["surplus"] = {"percent": 40, "of": "price"}
    error = _error(data)
    assert error.key == "overheads.share_of_price_percent"
    assert "100%" in str(error)


def test_a_share_of_price_that_the_surplus_on_cost_pushes_past_100_percent_is_refused() -> None:
    data = _with("overheads.share_of_price_percent", 98)
    data["surplus"] = {"percent": 3, "of": "cost"}  # 0.98 * 1.03 > 1
    assert _error(data).key == "overheads.share_of_price_percent"


@pytest.mark.parametrize(
    ("band", "key"),
    [
        ({"travel_minutes_per_contact_hour": -1}, "bands.RURAL.travel_minutes_per_contact_hour"),
        ({"travel_minutes_per_contact_hour": 20, "visit_minutes": 30}, "bands.RURAL.visit_minutes"),
        ({"visit_minutes": 30}, "bands.RURAL.travel_minutes_per_visit"),
        ({"miles_per_contact_hour": 5}, "bands.RURAL.miles_per_contact_hour"),
        ({"mileage": {"miles_per_contact_hour": 5}}, "bands.RURAL.mileage.pence_per_mile"),
        ({"mileage": {"speed": 5}}, "bands.RURAL.mileage.speed"),
        ({"mileage": 5}, "bands.RURAL.mileage"),
        (
            {"mileage": {"cost_per_contact_hour": "lots"}},
            "bands.RURAL.mileage.cost_per_contact_hour",
        ),
    ],
)
def test_bad_band_overrides_name_the_band_and_key(band: dict[str, Any], key: str) -> None:
    assert _error(_with("bands", {"RURAL": band})).key == key


def test_a_band_that_is_not_a_table_is_refused() -> None:
    assert _error(_with("bands", {"RURAL": 3})).key == "bands.RURAL"


def test_a_missing_file_and_bad_toml_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_cost_of_care(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[pay\nhourly_wage = 8.72\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_cost_of_care(broken)


def test_errors_from_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    text = (DATA / "coc_hca_2020_21.toml").read_text().replace('of = "cost"', 'of = "sales"')
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_cost_of_care(path)
    assert str(path) in str(caught.value) and "'surplus.of'" in str(caught.value)


def test_the_parts_check_themselves_when_built_in_code() -> None:
    with pytest.raises(InputError):
        TravelTime()
    with pytest.raises(InputError):
        TravelTime(minutes_per_contact_hour=Decimal(10), visit_minutes=Decimal(30))
    with pytest.raises(InputError):
        Overheads(share_of_price_percent=Decimal(10), cost_per_contact_hour=Decimal(5))
    with pytest.raises(InputError):
        Surplus(percent=Decimal(3), of="turnover")  # type: ignore[arg-type]
    inputs = CostOfCareInputs.from_mapping(BASE)
    with pytest.raises(InputError) as caught:
        inputs.with_wage(Decimal(-1))
    assert caught.value.key == "pay.hourly_wage"
