"""Pay over all working time against the floor: the engine and `homecare pay-check`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carecore.errors import InputError
from carecore.pricing.pay_check import PayCheck, check_pay
from homecare.cli import app

runner = CliRunner()
JUNE_2023 = date(2023, 6, 1)


def _check(
    pay: str,
    paid: str,
    unpaid: str,
    *,
    kind: str = "national_living_wage",
    age: int | None = None,
) -> PayCheck:
    return check_pay(
        hourly_pay=Decimal(pay),
        paid_hours=Decimal(paid),
        unpaid_hours=Decimal(unpaid),
        day=JUNE_2023,
        kind=kind,
        age=age,
    )


def test_11_50_for_30_contact_hours_and_3_unpaid_meets_the_2023_floor_with_1_14_to_spare() -> None:
    verdict = _check("11.50", "30", "3")
    assert verdict.meets_floor
    assert verdict.total_pay == Decimal("345.00")
    assert verdict.all_working_hours == Decimal(33)
    assert verdict.floor.amount == Decimal("10.42")
    assert verdict.headroom == Decimal("1.14")
    assert verdict.to_dict()["effective_hourly_pay"] == Decimal("10.4545")


def test_a_contact_rate_above_the_floor_can_fall_below_it_once_travel_is_counted() -> None:
    verdict = _check("10.80", "30", "3")  # 10.80 > 10.42, but 324.00 / 33 = 9.82
    assert not verdict.meets_floor
    assert verdict.shortfall == Decimal("19.86")  # 33 * 10.42 - 324.00
    assert "shortfall" in verdict.to_dict() and "headroom" not in verdict.to_dict()


def test_pay_exactly_at_the_floor_meets_it_with_nothing_to_spare() -> None:
    verdict = _check("10.42", "33", "0")
    assert verdict.meets_floor and verdict.headroom == Decimal("0.00")


def test_a_shortfall_is_rounded_up_so_paying_it_is_always_enough() -> None:
    verdict = _check("10.419", "1", "0")  # 0.1p short
    assert not verdict.meets_floor
    assert verdict.shortfall == Decimal("0.01")


def test_the_age_and_the_floor_kind_choose_the_rate() -> None:
    assert _check("10.20", "30", "0", age=22).meets_floor  # 21-22 rate was 10.18
    assert not _check("10.20", "30", "0").meets_floor  # the adult NLW was 10.42
    real = _check("11.50", "30", "3", kind="real_living_wage")
    assert real.floor.amount == Decimal("10.90") and not real.meets_floor


@pytest.mark.parametrize(
    ("pay", "paid", "unpaid", "key"),
    [("-1", "30", "3", "hourly_pay"), ("11", "-30", "3", "contact_hours"),
     ("11", "30", "-3", "unpaid_hours"), ("11", "0", "0", "contact_hours")],
)  # fmt: skip
def test_impossible_pay_and_hours_are_input_errors(
    pay: str, paid: str, unpaid: str, key: str
) -> None:
    with pytest.raises(InputError) as caught:
        _check(pay, paid, unpaid)
    assert caught.value.key == key


@settings(max_examples=100, deadline=None)
@given(
    st.decimals(Decimal("5"), Decimal("20"), places=2),
    st.decimals(Decimal("1"), Decimal("60"), places=2),
    st.decimals(Decimal("0"), Decimal("20"), places=2),
    st.decimals(Decimal("0"), Decimal("10"), places=2),
)
def test_more_unpaid_time_never_turns_a_failing_check_into_a_pass(
    pay: Decimal, paid: Decimal, unpaid: Decimal, more: Decimal
) -> None:
    before = check_pay(hourly_pay=pay, paid_hours=paid, unpaid_hours=unpaid, day=JUNE_2023)
    after = check_pay(hourly_pay=pay, paid_hours=paid, unpaid_hours=unpaid + more, day=JUNE_2023)
    assert after.effective_hourly_pay <= before.effective_hourly_pay
    assert before.meets_floor or not after.meets_floor
    assert before.meets_floor == (before.effective_hourly_pay >= before.floor.amount)


def test_pay_check_json_has_the_documented_keys_and_figures() -> None:
    args = ["pay-check", "--hourly-pay", "11.50", "--contact-hours", "30", "--unpaid-hours", "3",
            "--date", "2023-06-01", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["meets_floor"] is True
    assert data["floor_name"] == "National Living Wage (23 and over)"
    assert data["floor_per_hour"] == 10.42
    assert data["effective_hourly_pay"] == 10.4545
    assert data["total_pay"] == 345.0
    assert data["paid_hours"] == 30 and data["all_working_hours"] == 33
    assert data["headroom"] == 1.14
    assert data["date"] == "2023-06-01"
    assert "gov.uk" in data["source"].lower()


def test_pay_check_text_reports_a_shortfall() -> None:
    args = ["pay-check", "--hourly-pay", "10.80", "--contact-hours", "30", "--unpaid-hours", "3",
            "--date", "2023-06-01"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Below the floor: £19.86 short." in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--date", "2023-13-01"], "'--date': expected a date"),
        (["--date", "2010-06-01"], "the data covers"),
        (["--date", "2023-06-01", "--floor", "fair_wage"], "unknown pay floor"),
        (["--date", "2023-06-01", "--hourly-pay", "ten"], "'--hourly-pay': expected a number"),
    ],
)
def test_pay_check_bad_input_is_an_error_line_not_a_traceback(
    extra: list[str], message: str
) -> None:
    args = ["pay-check", "--hourly-pay", "11.50", "--contact-hours", "30", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
