"""The insight forms: the report's period (two GOV.UK date inputs) and a complaint.

Every error starts with the name of the field at fault ("From date must be a real date")
and sits on the field's first input, so the error summary links straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts import bounds
from homecare.commissioning.forms import GovukForm
from homecare.insight.models import Complaint

MAX_YEARS = 3  # a committee compares years, not decades; longer trends get unreadable
PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class QuickPeriod:
    """A ready-made period: its name ("Last month"), first and last day (inclusive)."""

    name: str
    first: date
    last: date

    @property
    def query(self) -> dict[str, int]:
        """The report's GET parameters for this period."""
        return date_query("from", self.first) | date_query("to", self.last)


def date_query(prefix: str, day: date) -> dict[str, int]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def first_of_month(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def quick_periods(today: date) -> list[QuickPeriod]:
    """Last month, last quarter (the last complete calendar quarter, which is also a
    financial quarter) and the last 12 complete months, as of ``today``."""
    this_month = first_of_month(today)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_day = this_month - timedelta(days=1)
    return [
        QuickPeriod("Last month", first_of_month(today, 1), last_day),
        QuickPeriod(
            "Last quarter",
            first_of_month(quarter_start, 3),
            quarter_start - timedelta(days=1),
        ),
        QuickPeriod("Last 12 months", first_of_month(today, 12), last_day),
    ]


def _part_field() -> forms.CharField:
    return forms.CharField(required=False, strip=True)


def read_date(data: dict[str, Any], prefix: str, name: str) -> tuple[date | None, str]:
    """The date typed into the three inputs ``<prefix>_day``, ``_month`` and ``_year``, or
    the error to show ("From date must be a real date")."""
    parts = [str(data.get(f"{prefix}_{part}") or "").strip() for part in PARTS]
    if not any(parts):
        return None, f"Enter the {name.lower()}"
    missing = [part for part, text in zip(PARTS, parts, strict=True) if not text]
    if missing:
        return None, f"{name} must include a {' and a '.join(missing)}"
    if not all(text.isdecimal() and text.isascii() for text in parts):
        return None, f"{name} must be a real date, in numbers"
    if len(parts[2]) != 4:
        return None, f"{name} must have a year with 4 numbers, like 2026"
    try:
        return bounds.read_date(*parts), ""
    except InputError as exc:
        if exc.message.startswith("must be between"):
            return None, f"{name} {exc.message}"
        return None, f"{name} must be a real date"


class PeriodForm(GovukForm):
    """From and to dates (both included). ``first`` and ``last`` hold them once valid."""

    from_day = _part_field()
    from_month = _part_field()
    from_year = _part_field()
    to_day = _part_field()
    to_month = _part_field()
    to_year = _part_field()

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.first: date | None = None
        self.last: date | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, first_error = read_date(cleaned, "from", "From date")
        last, last_error = read_date(cleaned, "to", "To date")
        if first_error:
            self.add_error("from_day", first_error)
        if last_error:
            self.add_error("to_day", last_error)
        if first is None or last is None:
            return cleaned
        if first > self.today:
            self.add_error("from_day", "From date must be today or in the past")
        elif last < first:
            self.add_error("to_day", "To date must be the same as or after the from date")
        elif last > self.today:
            self.add_error("to_day", "To date must be today or in the past")
        elif last >= _years_after(first, MAX_YEARS):
            self.add_error("to_day", f"To date must be within {MAX_YEARS} years of the from date")
        else:
            self.first, self.last = first, last
        return cleaned


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ComplaintForm(GovukForm):
    """A complaint as a commissioner logs it; the providers are the council's."""

    received_day = _part_field()
    received_month = _part_field()
    received_year = _part_field()
    provider = forms.TypedChoiceField(
        label="Provider",
        coerce=int,
        error_messages={
            "required": "Select the provider the complaint is about",
            "invalid_choice": "Select the provider the complaint is about from the list",
        },
    )
    person = forms.CharField(
        label="Person's reference (optional)",
        required=False,
        strip=True,
        max_length=40,
        error_messages={"max_length": "Person's reference must be 40 characters or fewer"},
    )
    category = forms.ChoiceField(
        label="What the complaint is about",
        choices=Complaint.Category.choices,
        error_messages={
            "required": "Select what the complaint is about",
            "invalid_choice": "Select what the complaint is about from the list",
        },
    )
    summary = forms.CharField(
        label="Summary",
        max_length=2000,
        strip=True,
        error_messages={
            "required": "Enter a summary of the complaint",
            "max_length": "Summary must be 2,000 characters or fewer",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Complaint.Outcome.choices,
        initial=Complaint.Outcome.OPEN,
        error_messages={
            "required": "Select the outcome, or open if it is not yet decided",
            "invalid_choice": "Select an outcome from the list",
        },
    )
    # A ValidationError from the action names a model field; this is the input it shows on.
    FIELD_OF = {"received_on": "received_day", "provider": "provider", "person": "person"}
    FIELD_OF |= {"category": "category", "summary": "summary", "outcome": "outcome"}

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Select a provider"), *providers]  # type: ignore[attr-defined]
        self.received_on: date | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.received_on, error = read_date(cleaned, "received", "Date received")
        if error:
            self.add_error("received_day", error)
        return cleaned


class OutcomeForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Complaint.Outcome.choices,
        error_messages={
            "required": "Select the outcome",
            "invalid_choice": "Select an outcome from the list",
        },
    )
