"""England and Wales bank holidays shipped for rate cards: 2014 to 2030, as GOV.UK lists them."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from carecore.errors import InputError
from carecore.pricing.bank_holidays import (
    FIRST_YEAR,
    LAST_YEAR,
    bank_holiday_name,
    bank_holidays,
    is_bank_holiday,
)


def _easter_sunday(year: int) -> date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def test_spring_bank_holiday_2021_is_monday_31_may() -> None:
    assert bank_holiday_name(date(2021, 5, 31)) == "Spring bank holiday"


def test_monday_7_june_2021_is_an_ordinary_working_day() -> None:
    assert not is_bank_holiday(date(2021, 6, 7))


@pytest.mark.parametrize(
    ("good_friday", "easter_monday"),
    [
        (date(2014, 4, 18), date(2014, 4, 21)),
        (date(2019, 4, 19), date(2019, 4, 22)),
        (date(2020, 4, 10), date(2020, 4, 13)),
        (date(2021, 4, 2), date(2021, 4, 5)),
        (date(2024, 3, 29), date(2024, 4, 1)),
        (date(2025, 4, 18), date(2025, 4, 21)),
        (date(2030, 4, 19), date(2030, 4, 22)),
    ],
)
def test_easter_holidays_fall_on_the_known_dates(good_friday: date, easter_monday: date) -> None:
    assert bank_holiday_name(good_friday) == "Good Friday"
    assert bank_holiday_name(easter_monday) == "Easter Monday"


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_YEAR + 1))
def test_every_year_has_good_friday_and_easter_monday_around_the_computed_easter(
    year: int,
) -> None:
    easter = _easter_sunday(year)
    assert bank_holiday_name(easter - timedelta(days=2)) == "Good Friday"
    assert bank_holiday_name(easter + timedelta(days=1)) == "Easter Monday"


def test_every_year_has_eight_bank_holidays_except_the_royal_years() -> None:
    per_year = Counter(day.year for day in bank_holidays())
    expected = {year: 8 for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    expected[2022] = 10  # Platinum Jubilee and the State Funeral of Queen Elizabeth II
    expected[2023] = 9  # Coronation of King Charles III
    assert dict(per_year) == expected


def test_bank_holidays_never_fall_at_a_weekend_because_gov_uk_lists_substitute_days() -> None:
    assert all(day.weekday() < 5 for day in bank_holidays())


def test_special_and_moved_holidays_are_present() -> None:
    assert bank_holiday_name(date(2020, 5, 8)) == "Early May bank holiday (VE day)"
    assert not is_bank_holiday(date(2020, 5, 4))
    assert bank_holiday_name(date(2022, 6, 2)) == "Spring bank holiday"
    assert bank_holiday_name(date(2022, 6, 3)) == "Platinum Jubilee bank holiday"
    assert not is_bank_holiday(date(2022, 5, 30))
    assert is_bank_holiday(date(2022, 9, 19))
    assert is_bank_holiday(date(2023, 5, 8))


def test_christmas_at_a_weekend_moves_to_the_substitute_days() -> None:
    # 2021: Christmas Saturday, Boxing Day Sunday -> Monday 27 and Tuesday 28 December.
    assert bank_holiday_name(date(2021, 12, 27)) == "Christmas Day (substitute day)"
    assert bank_holiday_name(date(2021, 12, 28)) == "Boxing Day (substitute day)"
    assert not is_bank_holiday(date(2021, 12, 25))
    # 2022: Christmas Sunday -> Boxing Day Monday 26, Christmas substitute Tuesday 27.
    assert bank_holiday_name(date(2022, 12, 26)) == "Boxing Day"
    assert bank_holiday_name(date(2022, 12, 27)) == "Christmas Day (substitute day)"
    # 2022: New Year's Day Saturday -> Monday 3 January.
    assert bank_holiday_name(date(2022, 1, 3)) == "New Year’s Day (substitute day)"


def test_a_year_outside_the_shipped_list_is_an_error_not_an_ordinary_day() -> None:
    with pytest.raises(InputError, match="2014 to 2030"):
        is_bank_holiday(date(2031, 1, 1))
    with pytest.raises(InputError, match="2014 to 2030"):
        is_bank_holiday(date(2013, 12, 25))
