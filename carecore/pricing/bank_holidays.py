"""Bank holidays in England and Wales, 2014 to 2030, as shipped data (source: GOV.UK).

Rate cards pay a bank-holiday enhancement on these days. The list is GOV.UK's: when a holiday
falls on a weekend only its weekday substitute is a bank holiday. A date outside the years
covered is an error rather than a silent "not a holiday", so that a visit in 2031 is never
underpaid because the data ran out.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

from carecore.errors import InputError

DATA_FILE = Path(__file__).resolve().parent / "data" / "bank_holidays_england_wales.csv"
FIRST_YEAR = 2014
LAST_YEAR = 2030
SOURCE = "GOV.UK, UK bank holidays (https://www.gov.uk/bank-holidays), England and Wales"


@cache
def bank_holidays() -> dict[date, str]:
    """Every bank holiday in England and Wales from 2014 to 2030, date to GOV.UK's title."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    holidays: dict[date, str] = {}
    for row_number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            day = date.fromisoformat(row["date"])
        except ValueError:
            raise InputError("not a date", source=DATA_FILE, row=row_number, key="date") from None
        holidays[day] = row["title"].strip()
    return holidays


def check_covered(day: date, *, key: str = "date") -> None:
    """Raise when ``day`` falls in a year the shipped bank-holiday list does not cover."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(
            f"bank holidays are known for {FIRST_YEAR} to {LAST_YEAR} only, not {day.year}",
            key=key,
        )


def bank_holiday_name(day: date, *, key: str = "date") -> str | None:
    """GOV.UK's title of the bank holiday on ``day``, or None on an ordinary day."""
    check_covered(day, key=key)
    return bank_holidays().get(day)


def is_bank_holiday(day: date) -> bool:
    """Whether ``day`` is a bank holiday in England and Wales (2014 to 2030)."""
    return bank_holiday_name(day) is not None
