"""Golden tests: the model reproduces the Homecare Association's 2020-21 minimum price.

The association's minimum price for 2020-21 was £20.69 per contact hour: contact 8.72, travel
1.70, employer NI and pension 1.14, other on-costs 1.97, mileage 1.36 (direct cost 14.89),
overheads 5.20, surplus 0.60. Rounding rule: every line is computed exactly and rounded half up
to the penny on its own; the price is the EXACT price rounded, not the sum of rounded lines.

With overheads given as 25.1% of the price (the association's share, itself rounded from
5.20 / 20.69 = 25.13%) the exact price is £20.6782, shown as £20.68, and overheads £5.1902,
shown as £5.19: each 1p under the published figures. With overheads given as £5.20 an hour the
exact price is £20.6883 and every line matches to the penny.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from carecore.pricing.cost_of_care import compute_cost_of_care, load_cost_of_care

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"
TWO_PENCE = Decimal("0.02")

PUBLISHED = {
    "contact_pay": Decimal("8.72"),
    "travel_pay": Decimal("1.70"),
    "employer_ni_and_pension": Decimal("1.14"),
    "holiday_sickness_training_other": Decimal("1.97"),
    "mileage": Decimal("1.36"),
    "direct_cost": Decimal("14.89"),
    "overheads": Decimal("5.20"),
    "surplus": Decimal("0.60"),
    "price": Decimal("20.69"),
}


def _band(name: str):  # type: ignore[no-untyped-def]
    return compute_cost_of_care(load_cost_of_care(DATA / name)).bands["all"]


@pytest.mark.parametrize("line", list(PUBLISHED))
def test_hca_minimum_price_2020_21_is_reproduced_line_by_line_within_two_pence(line: str) -> None:
    band = _band("coc_hca_2020_21.toml")
    assert abs(band.lines[line] - PUBLISHED[line]) <= TWO_PENCE


def test_hca_lines_come_in_the_display_order_of_the_published_table() -> None:
    assert list(_band("coc_hca_2020_21.toml").lines) == list(PUBLISHED)


def test_with_overheads_as_a_share_of_price_the_exact_figures_are_as_documented() -> None:
    band = _band("coc_hca_2020_21.toml")
    assert band.exact["travel_pay"] == Decimal("1.7004")
    assert band.exact["direct_cost"] == Decimal("14.8856792")
    assert band.exact["price"].quantize(Decimal("0.0001")) == Decimal("20.6782")
    assert band.price_per_contact_hour == Decimal("20.68")
    assert band.lines["overheads"] == Decimal("5.19")


def test_with_overheads_in_pounds_every_published_line_matches_to_the_penny() -> None:
    band = _band("coc_hca_2020_21_overheads_in_pounds.toml")
    assert band.lines == PUBLISHED
    assert band.price_per_contact_hour == Decimal("20.69")


@pytest.mark.parametrize(
    "name", ["coc_hca_2020_21.toml", "coc_hca_2020_21_overheads_in_pounds.toml"]
)
def test_the_rounded_lines_add_up_to_the_rounded_price_in_the_hca_example(name: str) -> None:
    band = _band(name)
    assert sum(band.components().values()) == band.price_per_contact_hour


def test_the_price_is_the_rounded_exact_price_not_the_sum_of_rounded_lines() -> None:
    band = _band("coc_hca_2020_21.toml")
    assert band.price_per_contact_hour == band.exact["price"].quantize(Decimal("0.01"))
    assert band.exact["price"] == sum(
        value for key, value in band.exact.items() if key not in ("direct_cost", "price")
    ).quantize(band.exact["price"])
