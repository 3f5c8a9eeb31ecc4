"""Prices per band from carers' rounds through the cost-of-care model, against the rate card."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.errors import InputError
from carecore.pricing import (
    Band,
    CostOfCareInputs,
    Mileage,
    Overheads,
    Surplus,
    TravelTime,
    load_cost_of_care,
    load_rate_card,
)
from carecore.reports.travel_charts import price_comparison_chart
from carecore.rostering.band_prices import (
    LEICESTERSHIRE_2020_21,
    BandComparison,
    compare_with_rate_card,
    load_leicestershire_2020_21,
    measured_inputs,
    price_bands_from_rounds,
)
from carecore.rostering.round_stats import RoundTotals

HCA_2020_21 = Path(__file__).resolve().parents[1] / "data" / "pricing" / "coc_hca_2020_21.toml"
BANDS = ("URBAN", "FRINGE", "RURAL", "ISOLATED")
SVG = "{http://www.w3.org/2000/svg}"


def simple_base(**changes: object) -> CostOfCareInputs:
    """£10 an hour, one on-cost of 20%, £5 overheads an hour, 10% surplus on cost, 45p a mile;
    its own travel (30 minutes, 10 miles a contact hour) is there to be replaced."""
    values: dict[str, object] = {
        "hourly_wage": Decimal(10),
        "time": TravelTime(minutes_per_contact_hour=Decimal(30)),
        "on_costs": (("employer_costs", Decimal(20)),),
        "mileage": Mileage(miles_per_contact_hour=Decimal(10), pence_per_mile=Decimal(45)),
        "overheads": Overheads(cost_per_contact_hour=Decimal(5)),
        "surplus": Surplus(percent=Decimal(10), of="cost"),
    }
    values.update(changes)
    return CostOfCareInputs(**values)  # type: ignore[arg-type]


def totals(
    band: str, *, contact: int = 2500, travel: int = 500, metres: int = 201_168
) -> RoundTotals:
    """Default: 12 travel minutes and 3 miles (201,168 m = 125 miles) per contact hour."""
    return RoundTotals(
        zone=f"{band}-zone",
        band=band,
        visits=50,
        contact_minutes=contact,
        travel_minutes=travel,
        travel_metres=metres,
        waiting_minutes=0,
        rounds=5,
    )


def test_measured_travel_and_miles_are_priced_by_hand() -> None:
    # 12 travel minutes and 3 miles a contact hour at 45p, on simple_base:
    #   contact pay 10.00; travel pay 10 x 12 / 60 = 2.00; gross 12.00
    #   on-cost 20% x 12.00 = 2.40; mileage 3 x 45 / 100 = 1.35
    #   direct 15.75; overheads 5.00; surplus 10% x 20.75 = 2.075
    #   price 22.825, shown half up as 22.83
    result = price_bands_from_rounds({"URBAN": totals("URBAN")}, simple_base())
    urban = result.bands["URBAN"]
    assert urban.exact["travel_pay"] == Decimal("2.00")
    assert urban.exact["mileage"] == Decimal("1.35")
    assert urban.exact["direct_cost"] == Decimal("15.75")
    assert urban.exact["price"] == Decimal("22.825")
    assert urban.price_per_contact_hour == Decimal("22.83")
    assert urban.travel_minutes_per_contact_hour == Decimal(12)


def test_the_bases_own_travel_is_replaced_not_added() -> None:
    # With the base's 30 minutes and 10 miles the price would be far higher; the measured
    # band carries exactly the rounds' figures.
    inputs = measured_inputs({"URBAN": totals("URBAN")}, simple_base())
    (band,) = inputs.bands
    assert band.time.per_contact_hour() == Decimal(12)
    assert band.mileage.miles_per_contact_hour == Decimal(3)
    assert band.mileage.pence_per_mile == Decimal(45)
    assert inputs.hourly_wage == Decimal(10)


def test_only_measured_bands_are_priced_in_the_bases_order() -> None:
    base = simple_base(
        bands=tuple(
            Band(name, TravelTime(minutes_per_contact_hour=Decimal(20)), simple_base().mileage)
            for name in BANDS
        )
    )
    result = price_bands_from_rounds(
        {"ISOLATED": totals("ISOLATED"), "URBAN": totals("URBAN")}, base
    )
    assert list(result.bands) == ["URBAN", "ISOLATED"]


def test_a_bands_own_pence_per_mile_is_kept() -> None:
    rural = Band(
        "RURAL",
        TravelTime(minutes_per_contact_hour=Decimal(20)),
        Mileage(miles_per_contact_hour=Decimal(5), pence_per_mile=Decimal(50)),
    )
    result = price_bands_from_rounds({"RURAL": totals("RURAL")}, simple_base(bands=(rural,)))
    # 3 miles at 50p.
    assert result.bands["RURAL"].exact["mileage"] == Decimal("1.50")


def test_mileage_in_pounds_per_hour_cannot_price_measured_miles() -> None:
    base = simple_base(mileage=Mileage(cost_per_contact_hour=Decimal("1.36")))
    with pytest.raises(InputError, match="pence per mile"):
        price_bands_from_rounds({"URBAN": totals("URBAN")}, base)


def test_totals_filed_under_another_bands_name_are_refused() -> None:
    with pytest.raises(InputError, match="for band 'RURAL'"):
        price_bands_from_rounds({"URBAN": totals("RURAL")}, simple_base())


def test_no_measured_band_is_refused() -> None:
    with pytest.raises(InputError, match="no bands measured"):
        price_bands_from_rounds({}, simple_base())


@settings(max_examples=60, deadline=None)
@given(
    travel=st.integers(0, 3000),
    more_travel=st.integers(0, 3000),
    metres=st.integers(0, 500_000),
    more_metres=st.integers(0, 500_000),
    contact=st.integers(1, 6000),
)
def test_more_travel_never_lowers_a_bands_price(
    travel: int, more_travel: int, metres: int, more_metres: int, contact: int
) -> None:
    base = load_leicestershire_2020_21()
    less = totals("RURAL", contact=contact, travel=travel, metres=metres)
    more = totals(
        "RURAL", contact=contact, travel=travel + more_travel, metres=metres + more_metres
    )
    low = price_bands_from_rounds({"RURAL": less}, base).bands["RURAL"]
    high = price_bands_from_rounds({"RURAL": more}, base).bands["RURAL"]
    assert high.exact["price"] >= low.exact["price"]
    assert high.price_per_contact_hour >= low.price_per_contact_hour


def test_the_leicestershire_inputs_are_the_real_living_wage_at_45p_with_hca_costs() -> None:
    leics = load_cost_of_care(LEICESTERSHIRE_2020_21)
    hca = load_cost_of_care(HCA_2020_21)
    assert leics.hourly_wage == Decimal("9.30")
    assert leics.mileage.pence_per_mile == Decimal(45)
    assert leics.on_costs == hca.on_costs
    assert leics.overheads == hca.overheads
    assert leics.surplus == hca.surplus
    card = load_rate_card("leicestershire-2020-21")
    assert tuple(band.name for band in leics.bands) == card.bands == BANDS


def test_leicestershire_bands_price_from_rounds_against_the_shipped_card() -> None:
    measured = {
        "URBAN": totals("URBAN", travel=250, metres=40_000),
        "ISOLATED": totals("ISOLATED", travel=1200, metres=400_000),
    }
    result = price_bands_from_rounds(measured, load_leicestershire_2020_21())
    card = load_rate_card("leicestershire-2020-21").periods[0]
    rows = compare_with_rate_card(result, card)
    assert [row.band for row in rows] == ["URBAN", "ISOLATED"]
    assert [row.card_price for row in rows] == [Decimal("18.75"), Decimal("26.15")]
    for row in rows:
        assert row.derived_price == result.bands[row.band].price_per_contact_hour
        assert row.difference == row.derived_price - row.card_price


def test_a_derived_price_above_the_card_means_the_card_under_pays() -> None:
    # 19.40 - 18.75 = 0.65; 0.65 / 18.75 = 3.4666...% shown as 3.47.
    (row,) = compare_with_rate_card({"URBAN": Decimal("19.40")}, {"URBAN": Decimal("18.75")})
    assert row == BandComparison(
        band="URBAN",
        card_price=Decimal("18.75"),
        derived_price=Decimal("19.40"),
        difference=Decimal("0.65"),
        difference_percent=Decimal("3.47"),
        verdict="under-pays",
        tolerance=Decimal("0.10"),
    )
    assert row.sentence() == "URBAN: card £18.75, rounds £19.40: under-pays by £0.65 (3.47%)"


@pytest.mark.parametrize(
    ("derived", "verdict"),
    [
        ("18.85", "matches"),  # exactly the tolerance above: still matches
        ("18.86", "under-pays"),
        ("18.65", "matches"),  # exactly the tolerance below
        ("18.64", "over-pays"),
        ("18.75", "matches"),
    ],
)
def test_the_tolerance_is_stated_and_its_ends_match(derived: str, verdict: str) -> None:
    (row,) = compare_with_rate_card(
        {"URBAN": Decimal(derived)}, {"URBAN": Decimal("18.75")}, tolerance=Decimal("0.10")
    )
    assert row.verdict == verdict
    assert row.tolerance == Decimal("0.10")


def test_bands_match_the_card_in_any_case_and_card_bands_without_rounds_are_skipped() -> None:
    card = load_rate_card("leicestershire-2020-21").periods[0]
    rows = compare_with_rate_card({"rural": Decimal("22.00")}, card)
    assert [(row.band, row.card_price, row.verdict) for row in rows] == [
        ("rural", Decimal("22.95"), "over-pays")
    ]
    assert rows[0].difference_percent == Decimal("-4.14")  # -0.95 / 22.95 = -4.139...%


def test_a_band_the_card_does_not_have_is_refused() -> None:
    with pytest.raises(InputError, match="no rate for REMOTE"):
        compare_with_rate_card({"REMOTE": Decimal(30)}, {"URBAN": Decimal("18.75")})


def test_the_price_chart_shows_the_four_bands_as_valid_svg() -> None:
    card = load_rate_card("leicestershire-2020-21").periods[0]
    derived = {
        "URBAN": Decimal("19.40"),
        "FRINGE": Decimal("19.95"),
        "RURAL": Decimal("22.00"),
        "ISOLATED": Decimal("27.10"),
    }
    svg = price_comparison_chart(compare_with_rate_card(derived, card))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and "Rate card" in (title.text or "")
    assert desc is not None
    words = desc.text or ""
    assert "URBAN: card £18.75, derived £19.40; derived minus card +£0.65: card under-pays" in words
    assert "RURAL: card £22.95, derived £22.00; derived minus card −£0.95: card over-pays" in words
    texts = " ".join(node.text or "" for node in root.iter(f"{SVG}text"))
    for band in BANDS:
        assert band in texts
    assert "+£0.65: card under-pays" in texts
