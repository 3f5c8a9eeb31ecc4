"""Planned visits generated from packages' weekly schedules."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from carecore.brokerage.packages import Visit
from carecore.ecm import PlannedPackage, planned_visits
from carecore.errors import InputError
from carecore.units import LONDON

MONDAY_8 = Visit(day=0, window_start=time(8, 0), window_minutes=30, minutes=45, carers=2)
SUNDAY_0130 = Visit(day=6, window_start=time(1, 30), window_minutes=30, minutes=30, carers=1)
DAILY_18 = [
    Visit(day=d, window_start=time(18, 0), window_minutes=30, minutes=30, carers=1, critical=True)
    for d in range(7)
]


def _package(**changes: object) -> PlannedPackage:
    values: dict[str, object] = {
        "package_ref": "PK1",
        "person_ref": "SU1",
        "provider_ref": "PRV-A",
        "band": "URBAN",
        "start_date": date(2021, 3, 1),
        "visits": (MONDAY_8, SUNDAY_0130),
    }
    values.update(changes)
    return PlannedPackage(**values)  # type: ignore[arg-type]


def test_visits_follow_the_weekly_schedule_within_the_package_dates() -> None:
    package = _package(start_date=date(2021, 3, 10), end_date=date(2021, 3, 22))
    planned = planned_visits([package], date(2021, 3, 1), date(2021, 3, 31))
    # Mondays 15 and 22 March; Sundays 14 and 21 March (the 28th is after the end date).
    assert planned["planned_id"].to_list() == [
        "PK1:2021-03-14:0130",
        "PK1:2021-03-15:0800",
        "PK1:2021-03-21:0130",
        "PK1:2021-03-22:0800",
    ]
    first_monday = planned.row(1, named=True)
    assert first_monday["planned_start"] == datetime(2021, 3, 15, 8, 0, tzinfo=LONDON)
    assert (first_monday["planned_minutes"], first_monday["carers"]) == (45, 2)


def test_no_visits_while_suspended_and_bank_holidays_are_marked() -> None:
    package = _package(visits=tuple(DAILY_18), suspensions=((date(2021, 4, 2), date(2021, 4, 4)),))
    planned = planned_visits([package], date(2021, 4, 1), date(2021, 4, 6))
    days = [d.day for d in planned["planned_start"].dt.date()]
    assert days == [1, 5, 6]  # 2-4 April suspended
    holidays = dict(zip(days, planned["bank_holiday"].to_list(), strict=True))
    assert holidays == {1: False, 5: True, 6: False}  # Easter Monday 2021 is 5 April
    assert planned["critical"].all()


def test_a_visit_in_the_spring_gap_moves_an_hour_later_and_the_autumn_hour_is_bst() -> None:
    planned = planned_visits([_package()], date(2021, 3, 28), date(2021, 10, 31))
    starts = dict(zip(planned["planned_id"], planned["planned_start"], strict=True))
    assert starts["PK1:2021-03-28:0130"] == datetime(2021, 3, 28, 2, 30, tzinfo=LONDON)
    autumn = starts["PK1:2021-10-31:0130"]
    assert autumn.utcoffset().total_seconds() == 3600


def test_generating_twice_gives_the_same_ids() -> None:
    first = planned_visits([_package()], date(2021, 3, 1), date(2021, 5, 1))
    again = planned_visits([_package()], date(2021, 3, 1), date(2021, 5, 1))
    assert first.equals(again)
    assert first["planned_id"].is_unique().all()


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"band": " "}, "band"),
        ({"end_date": date(2021, 1, 1)}, "end_date"),
        ({"suspensions": ((date(2021, 5, 2), date(2021, 5, 1)),)}, "suspensions[0]"),
        ({"rate_pence_per_hour": 0}, "rate_pence_per_hour"),
        ({"visits": (MONDAY_8, MONDAY_8)}, "visits[1].window_start"),
    ],
)
def test_a_bad_package_names_the_field(changes: dict[str, object], key: str) -> None:
    with pytest.raises(InputError) as caught:
        _package(**changes)
    assert caught.value.key == key
    assert "package PK1" in caught.value.message


def test_a_period_outside_the_bank_holiday_list_is_an_error() -> None:
    with pytest.raises(InputError, match="2014 to 2030"):
        planned_visits([_package()], date(2031, 1, 1), date(2031, 1, 7))
