"""A round's pay against the legal floor: travel and waiting between visits are working time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecore.rostering.pay import check_round_pay, round_time
from carecore.rostering.schedule import RoundMeasures

HOUR = 3600
# Six hours with people, 90 minutes of travel of which 30 is the commute, 30 minutes waiting.
ROUND = RoundMeasures(
    carer=0,
    travel_time=90 * 60,
    distance=60_000,
    waiting=30 * 60,
    contact=6 * HOUR,
    start=7 * HOUR,
    end=15 * HOUR,
    overtime=0,
    commute_time=30 * 60,
    commute_distance=20_000,
)
APRIL_2024 = date(2024, 4, 1)  # National Living Wage £11.44 for 21 and over


def test_the_commute_is_not_working_time_but_travel_between_visits_and_waiting_are():
    time = round_time(ROUND)
    assert time.contact_hours == 6
    assert time.travel_hours == 1
    assert time.waiting_hours == Decimal("0.5")
    assert time.working_hours == Decimal("7.5")


def test_a_contact_rate_above_the_floor_can_pay_below_it_over_the_round():
    check = check_round_pay(ROUND, hourly_pay=Decimal("12.50"), day=APRIL_2024)
    # £75 for 7.5 working hours is £10 an hour, under £11.44.
    assert check.floor.amount == Decimal("11.44")
    assert check.effective_hourly_pay == Decimal(10)
    assert not check.meets_floor
    assert check.shortfall == Decimal("10.80")


def test_paying_travel_time_can_lift_the_round_over_the_floor():
    check = check_round_pay(ROUND, hourly_pay=Decimal("12.50"), day=APRIL_2024, travel_paid=True)
    # £87.50 over 7.5 hours is £11.67 an hour.
    assert check.meets_floor
    assert check.headroom == Decimal("1.70")


def test_a_problem_in_minutes_converts_with_seconds_per_unit():
    in_minutes = RoundMeasures(0, 90, 0, 30, 360, 0, 0, 0, commute_time=30)
    assert round_time(in_minutes, seconds_per_unit=60) == round_time(ROUND)
