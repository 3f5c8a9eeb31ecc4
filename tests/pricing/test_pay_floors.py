"""Pay floors as data: the published figures, their sources, and dates outside the data."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from carecore.errors import InputError
from carecore.pricing.pay_floors import COLUMNS, KINDS, floor_on, load_pay_floors, read_pay_floors

NLW_APRIL = {
    2016: "7.20", 2017: "7.50", 2018: "7.83", 2019: "8.21", 2020: "8.72", 2021: "8.91",
    2022: "9.50", 2023: "10.42", 2024: "11.44", 2025: "12.21", 2026: "12.71",
}  # fmt: skip
REAL_LIVING_WAGE = {  # announcement day: UK rate, London rate
    date(2019, 11, 11): ("9.30", "10.75"),
    date(2021, 11, 15): ("9.90", "11.05"),
    date(2022, 9, 22): ("10.90", "11.95"),
    date(2023, 10, 24): ("12.00", "13.15"),
    date(2024, 10, 22): ("12.60", "13.85"),
    date(2025, 10, 22): ("13.45", "14.80"),
}


@pytest.mark.parametrize(("year", "amount"), sorted(NLW_APRIL.items()))
def test_the_national_living_wage_from_each_april_is_the_published_rate(
    year: int, amount: str
) -> None:
    floor = floor_on(date(year, 4, 1))
    assert floor.amount == Decimal(amount)
    assert floor.name.startswith("National Living Wage")
    assert floor.effective_from == date(year, 4, 1)


@pytest.mark.parametrize(
    ("day", "amount"),
    [(date(2014, 4, 1), "6.31"), (date(2014, 10, 1), "6.50"), (date(2015, 10, 1), "6.70"),
     (date(2016, 3, 31), "6.70")],
)  # fmt: skip
def test_before_april_2016_the_floor_is_the_adult_minimum_wage(day: date, amount: str) -> None:
    floor = floor_on(day)
    assert floor.amount == Decimal(amount)
    assert "National Minimum Wage" in floor.name


@pytest.mark.parametrize(
    ("day", "age", "amount", "name_part"),
    [
        (date(2020, 6, 1), 24, "8.20", "21 to 24"),  # NLW was 25 and over until March 2021
        (date(2020, 6, 1), 25, "8.72", "25 and over"),
        (date(2021, 6, 1), 23, "8.91", "23 and over"),  # 23 and over from April 2021
        (date(2023, 6, 1), 22, "10.18", "21 to 22"),
        (date(2024, 6, 1), 21, "11.44", "21 and over"),  # 21 and over from April 2024
        (date(2024, 6, 1), 19, "8.60", "18 to 20"),
        (date(2025, 6, 1), 17, "7.55", "under 18"),
        (date(2016, 11, 1), 22, "6.95", "21 to 24"),  # October 2016 NMW rise, NLW unchanged
    ],
)
def test_the_legal_floor_follows_the_age_bands_of_the_day(
    day: date, age: int, amount: str, name_part: str
) -> None:
    floor = floor_on(day, age=age)
    assert floor.amount == Decimal(amount)
    assert name_part in floor.name


@pytest.mark.parametrize(("announced", "rates"), sorted(REAL_LIVING_WAGE.items()))
def test_living_wage_foundation_rates_apply_from_their_announcement(
    announced: date, rates: tuple[str, str]
) -> None:
    uk, london = rates
    assert floor_on(announced, "real_living_wage").amount == Decimal(uk)
    assert floor_on(announced, "london_living_wage").amount == Decimal(london)
    assert floor_on(announced, "real_living_wage").effective_from == announced


def test_leicestershire_priced_2020_21_on_the_real_living_wage_of_9_30() -> None:
    assert floor_on(date(2020, 4, 1), "real_living_wage").amount == Decimal("9.30")


def test_the_london_living_wage_of_11_95_starts_on_22_september_2022() -> None:
    assert floor_on(date(2022, 9, 21), "london_living_wage").amount == Decimal("11.05")
    assert floor_on(date(2022, 9, 22), "london_living_wage").amount == Decimal("11.95")


def test_every_row_has_a_source_and_a_positive_amount() -> None:
    table = load_pay_floors()
    assert len(table.floors) > 50
    for floor in table.floors:
        assert len(floor.source) > 20, floor
        assert floor.amount > 0


@pytest.mark.parametrize("kind", KINDS)
def test_dates_outside_the_data_are_input_errors(kind: str) -> None:
    first, last = load_pay_floors().coverage(kind)
    assert first <= date(2014, 4, 1)
    floor_on(first, kind)
    floor_on(last, kind)
    for day in (first - timedelta(days=1), last + timedelta(days=1)):
        with pytest.raises(InputError) as caught:
            floor_on(day, kind)
        assert caught.value.key == "date"


def test_an_age_with_no_rate_and_an_unknown_kind_are_input_errors() -> None:
    with pytest.raises(InputError, match="age 15"):
        floor_on(date(2023, 6, 1), age=15)
    with pytest.raises(InputError, match="age 17"):
        floor_on(date(2023, 6, 1), "real_living_wage", age=17)
    with pytest.raises(InputError, match="unknown pay floor"):
        floor_on(date(2023, 6, 1), "scottish_living_wage")


def test_national_minimum_wage_is_accepted_as_the_name_of_the_legal_floor() -> None:
    assert floor_on(date(2023, 6, 1), "national_minimum_wage").amount == Decimal("10.42")


def _csv(*rows: str) -> io.StringIO:
    header = ",".join(COLUMNS)
    good = [
        "real_living_wage,2020-01-01,2020-12-31,18,,9.30,RLW,a test source",
        "london_living_wage,2020-01-01,2020-12-31,18,,10.75,LLW,a test source",
    ]
    return io.StringIO("\n".join([header, *good, *rows]) + "\n")


def test_a_gap_in_the_age_bands_is_refused() -> None:
    with pytest.raises(InputError, match="gap"):
        read_pay_floors(_csv(
            "national_living_wage,2020-04-01,2021-03-31,25,,8.72,NLW,src",
            "national_living_wage,2020-04-01,2021-03-31,18,20,6.45,NMW,src",
        ))  # fmt: skip


def test_a_bad_row_is_named_by_row_and_column() -> None:
    with pytest.raises(InputError) as caught:
        read_pay_floors(_csv("national_living_wage,2020-13-01,2021-03-31,21,,8.72,NLW,src"))
    assert caught.value.row == 4 and caught.value.key == "effective_from"


def test_a_well_formed_table_answers_queries() -> None:
    table = read_pay_floors(_csv("national_living_wage,2020-04-01,2021-03-31,16,,8.72,NLW,src"))
    assert floor_on(date(2020, 5, 1), table=table).amount == Decimal("8.72")
