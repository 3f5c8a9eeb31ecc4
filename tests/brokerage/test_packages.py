"""Packages of care: schedules checked field by field, hours derived from the visits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from carecore.brokerage import PackageSpec, Visit, parse_schedule, schedule_from_rows
from carecore.errors import InputError

MakePackage = Callable[..., PackageSpec]


def _key(excinfo: pytest.ExceptionInfo[InputError]) -> str | None:
    return excinfo.value.key


def test_hours_a_week_are_derived_exactly_from_the_visits(make_package: MakePackage) -> None:
    # 45 min x2 on Monday, 30 min on Tuesday, 15 min on Wednesday:
    # contact 90 min = 1.5 h; carer time 45x2 + 30 + 15 = 135 min = 2.25 h.
    package = make_package(visits=parse_schedule("Mon 07:30 45m x2; Tue 12:00 30m; Wed 18:00 15m"))
    assert package.contact_hours_per_week == Decimal("1.5")
    assert package.carer_hours_per_week == Decimal("2.25")
    assert package.visits_per_week == 3
    assert package.is_double_handed


def test_a_single_handed_package_is_not_double_handed(make_package: MakePackage) -> None:
    assert not make_package().is_double_handed
    assert make_package().carer_hours_per_week == Decimal(7)


@pytest.mark.parametrize(
    ("visit", "key"),
    [
        (Visit(0, time(8), 30, 0, 1), "visits[1].minutes"),
        (Visit(0, time(8), 30, -5, 1), "visits[1].minutes"),
        (Visit(0, time(8), 30, 30, 3), "visits[1].carers"),
        (Visit(0, time(8), 30, 30, 0), "visits[1].carers"),
        (Visit(7, time(8), 30, 30, 1), "visits[1].day"),
        (Visit(-1, time(8), 30, 30, 1), "visits[1].day"),
        (Visit(0, time(8), -1, 30, 1), "visits[1].window_minutes"),
    ],
)
def test_a_bad_visit_is_refused_naming_its_position_and_field(
    make_package: MakePackage, visit: Visit, key: str
) -> None:
    good = Visit(3, time(9), 30, 30, 1)
    with pytest.raises(InputError) as excinfo:
        make_package(visits=(good, visit))
    assert _key(excinfo) == key


def test_overlapping_visits_on_one_day_are_refused_naming_the_later_visit(
    make_package: MakePackage,
) -> None:
    # 07:30 + 45 minutes = 08:15, after the 08:00 start of the other visit.
    visits = (Visit(0, time(8, 0), 30, 30, 1), Visit(0, time(7, 30), 30, 45, 1))
    with pytest.raises(InputError, match="overlaps visits\\[1\\]") as excinfo:
        make_package(visits=visits)
    assert _key(excinfo) == "visits[0].window_start"


def test_back_to_back_visits_and_the_same_time_on_different_days_are_allowed(
    make_package: MakePackage,
) -> None:
    visits = (
        Visit(0, time(7, 30), 0, 30, 1),
        Visit(0, time(8, 0), 0, 30, 1),
        Visit(1, time(7, 30), 0, 30, 1),
    )
    assert make_package(visits=visits).visits_per_week == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cohort", "children"),
        ("funding", "self_funder"),
        ("source", "gp"),
        ("priority", "low"),
        ("zone_code", " "),
        ("visits", ()),
    ],
)
def test_unknown_choices_and_blanks_are_refused_naming_the_field(
    make_package: MakePackage, field: str, value: Any
) -> None:
    with pytest.raises(InputError) as excinfo:
        make_package(**{field: value})
    assert _key(excinfo) == field


def test_the_schedule_syntax_reads_ranges_windows_carers_and_critical_calls() -> None:
    visits = parse_schedule("Mon-Wed 07:30-08:15 45m x2 critical\nSun 21:00 20m")
    assert [v.day for v in visits] == [0, 1, 2, 6]
    assert visits[0] == Visit(0, time(7, 30), 45, 45, 2, True)
    assert visits[3] == Visit(6, time(21, 0), 30, 20, 1, False)
    assert len(parse_schedule("Daily 08:00 30m")) == 7
    assert [v.day for v in parse_schedule("Sat-Mon 08:00 30m")] == [5, 6, 0]


def test_a_package_writes_its_schedule_back_in_the_same_syntax(make_package: MakePackage) -> None:
    text = "Mon 07:30-08:15 45m x2 critical; Tue 12:00 30m"
    assert make_package(visits=parse_schedule(text)).schedule_text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon 07:30 45m; Funday 08:00 30m", "item 2 .*unknown day"),
        ("Mon 07:30 0m", "item 1 .*minutes must be more than 0"),
        ("Mon 25:00 30m", "item 1 .*expected a time"),
        ("Mon 07:30 30m x3", "item 1 .*carers must be 1 or 2"),
        ("Mon 08:00-07:00 30m", "item 1 .*window ends before it starts"),
        ("Mon breakfast", "item 1 .*expected e.g."),
        (" ; ", "no visits"),
    ],
)
def test_a_bad_schedule_item_is_named_by_its_position(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_schedule(text)


def test_rows_from_a_spreadsheet_become_visits_with_defaults() -> None:
    rows = [
        {"day": "Tue", "window_start": "07:30", "minutes": "45", "carers": 2, "critical": "yes"},
        {"day": 4, "window_start": time(18), "minutes": 30, "window_minutes": "15"},
    ]
    assert schedule_from_rows(rows) == (
        Visit(1, time(7, 30), 30, 45, 2, True),
        Visit(4, time(18), 15, 30, 1, False),
    )


@pytest.mark.parametrize(
    ("row", "key"),
    [
        ({"day": "Mon", "window_start": "07:30", "minutes": "0"}, "visits[1].minutes"),
        ({"day": "Mon", "window_start": "7.30", "minutes": "30"}, "visits[1].window_start"),
        ({"day": "Moon", "window_start": "07:30", "minutes": "30"}, "visits[1].day"),
        ({"day": "Mon", "window_start": "07:30", "minutes": "half"}, "visits[1].minutes"),
        ({"day": "Mon", "window_start": "07:30"}, "visits[1].minutes"),
        ({"day": "Mon", "window_start": "07:30", "minutes": 30, "crit": 1}, "visits[1].crit"),
        (
            {"day": "Mon", "window_start": "07:30", "minutes": 30, "critical": "maybe"},
            "visits[1].critical",
        ),
    ],
)
def test_a_bad_row_is_named_by_its_index_and_column(row: dict[str, object], key: str) -> None:
    good = {"day": "Sun", "window_start": "09:00", "minutes": 30}
    with pytest.raises(InputError) as excinfo:
        schedule_from_rows([good, row])
    assert _key(excinfo) == key
