"""Brokerage forms: they read what was typed; the engine (through the actions) judges it.

The weekly schedule is a number of visit rows, each a group of fields named ``visit-N-day``
and so on (N from 1, as the page numbers them). Blank rows are ignored, so a broker can leave
spare rows empty and press "Add another visit" for more without JavaScript. The engine's
errors name ``visits[i].field`` over the filled rows only; :meth:`RequestForm.add_input_error`
turns them back into "Visit N: ..." on the row the broker sees.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.brokerage.bids import BID_RATE_EXAMPLE, check_bid_rate
from homecare.brokerage.models import Cohort, Funding, Priority, Source
from homecare.commissioning.forms import GovukForm

DEFAULT_ROWS = 4
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_ROWS = 40  # 40 visits a week is more than any package; the cap bounds a forged count
VISIT_FIELDS = ("day", "window_start", "window_minutes", "minutes", "carers", "critical")
_VISIT_KEY = re.compile(r"^visits\[(\d+)\](?:\.(\w+))?$")
_OVERLAP = re.compile(r"overlaps visits\[(\d+)\]")
_FIELD_WORDS = {
    "day": "day",
    "window_start": "start time",
    "window_minutes": "window",
    "minutes": "minutes",
    "carers": "carers",
    "critical": "critical",
}


def _choice(label: str, choices: Any, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Select"), *choices],
        error_messages={"required": message, "invalid_choice": message},
    )


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


class RequestForm(GovukForm):
    """A new package and its request: who (a reference), where, how funded, when, what."""

    person_ref = forms.CharField(
        label="Person's reference",
        max_length=40,
        help_text="The pseudonymised reference from the case-management system, not a name.",
        error_messages={"required": "Enter the person's reference"},
    )
    area = forms.ChoiceField(
        label="Area",
        error_messages={"required": "Select an area", "invalid_choice": "Select an area"},
    )
    framework = forms.ChoiceField(
        label="Framework",
        error_messages={"required": "Select a framework", "invalid_choice": "Select a framework"},
    )
    funding = _choice("Funding", Funding.choices, "Select the funding")
    cohort = _choice("Cohort", Cohort.choices, "Select the cohort")
    source = _choice("Source", Source.choices, "Select where the request comes from")
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial="normal")
    start_day = forms.CharField(label="Day", required=False)
    start_month = forms.CharField(label="Month", required=False)
    start_year = forms.CharField(label="Year", required=False)
    needs = forms.CharField(
        label="Needs (optional)",
        required=False,
        max_length=500,
        help_text="Single words separated by commas, for example: medication, hoist, dementia.",
    )
    visit_rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS)

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, list[tuple[str, str]]]],
        frameworks: list[tuple[str, str]],
        rows: int = DEFAULT_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.area_groups = areas
        self.fields["area"].choices = [("", "Select"), *areas]  # type: ignore[attr-defined]
        self.fields["framework"].choices = frameworks  # type: ignore[attr-defined]
        self.fields["start_day"].error_anchor = "start_day"  # type: ignore[attr-defined]
        self.rows = max(1, min(rows, MAX_ROWS))
        self.initial.setdefault("visit_rows", self.rows)
        for n in range(1, self.rows + 1):
            self._add_row(n)

    def _add_row(self, n: int) -> None:
        days = [("", "Select")] + [(str(i), name) for i, name in enumerate(DAYS)]
        fields = {
            "day": forms.ChoiceField(label="Day", choices=days, required=False),
            "window_start": forms.CharField(label="Start time", required=False, max_length=5),
            "window_minutes": forms.CharField(
                label="Window, minutes", required=False, initial="30", max_length=4
            ),
            "minutes": forms.CharField(label="Minutes of care", required=False, max_length=4),
            "carers": forms.ChoiceField(
                label="Carers", choices=[("1", "1"), ("2", "2")], initial="1", required=False
            ),
            "critical": forms.BooleanField(label="Time-critical", required=False),
        }
        for name, field in fields.items():
            self.fields[f"visit-{n}-{name}"] = field

    def visit_groups(self) -> list[dict[str, Any]]:
        """Each row's number, its bound fields by name and its errors, for the template."""
        groups = []
        for n in range(1, self.rows + 1):
            fields = {name: self[f"visit-{n}-{name}"] for name in VISIT_FIELDS}
            errors = [str(e) for field in fields.values() for e in field.errors]
            groups.append({"number": n, "errors": errors, **fields})
        return groups

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.start_date = self._start_date(cleaned)
        self.visit_numbers: list[int] = []
        self.visits: list[dict[str, Any]] = []
        for n in range(1, self.rows + 1):
            row = {name: cleaned.get(f"visit-{n}-{name}") for name in VISIT_FIELDS}
            if not (row["day"] or row["window_start"] or row["minutes"]):
                continue  # a spare row
            row["critical"] = bool(row["critical"])
            self.visit_numbers.append(n)
            self.visits.append(row)
        if not self.visits and not self.has_error("visit-1-day"):
            self.add_error("visit-1-day", "Enter at least one visit")
        return cleaned

    def _start_date(self, cleaned: dict[str, Any]) -> date | None:
        parts = [str(cleaned.get(f"start_{p}") or "").strip() for p in ("day", "month", "year")]
        if not all(parts):
            self.add_error("start_day", "Enter the start date, including a day, month and year")
            return None
        try:
            day, month, year = (int(part) for part in parts)
            return date(year, month, day)
        except ValueError:
            self.add_error("start_day", "Start date must be a real date, like 9 3 2026")
            return None

    def needs_list(self) -> list[str]:
        text = self.cleaned_data.get("needs") or ""
        return [word.strip().lower() for word in text.split(",") if word.strip()]

    KEYS = {
        "person_ref": "person_ref",
        "area_code": "area",
        "funding": "funding",
        "cohort": "cohort",
        "source": "source",
        "priority": "priority",
        "start_date": "start_day",
        "needs": "needs",
        "visits": "visit-1-day",
    }

    def add_input_error(  # type: ignore[override]
        self, exc: InputError, fields: dict[str, str] | None = None, fallback: str = "person_ref"
    ) -> None:
        """The engine's error on the field or visit row it names, in the broker's numbering."""
        match = _VISIT_KEY.match(exc.key or "")
        if match is None:
            super().add_input_error(exc, fields or self.KEYS, fallback)
            return
        index, name = int(match.group(1)), match.group(2) or "day"
        number = self._number(index)
        overlap = _OVERLAP.search(exc.message)
        if overlap:
            first = self._number(int(overlap.group(1)))
            low, high = sorted((first, number))
            message = f"Visits {low} and {high} overlap"
        else:
            message = f"Visit {number}: {_FIELD_WORDS.get(name, name)} {exc.message}"
        field = f"visit-{number}-{name if name in VISIT_FIELDS else 'day'}"
        self.add_error(field if field in self.fields else fallback, message)

    def _number(self, index: int) -> int:
        numbers = getattr(self, "visit_numbers", [])
        return numbers[index] if 0 <= index < len(numbers) else index + 1


class AnswerForm(GovukForm):
    """A provider's answer to one offer: accept, or decline with a reason.

    An offer of kind ``bid`` (a mini-competition) also asks for an hourly rate, required to
    accept; an ordinary offer has no rate field at all, so a forged rate is never read.
    """

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or decline"},
    )
    reason = forms.CharField(label="Reason", required=False, max_length=2000, widget=forms.Textarea)
    bid_rate = forms.CharField(
        label="Your hourly rate",
        required=False,
        max_length=12,
        error_messages={
            "max_length": f"Your hourly rate must be an amount in pounds, like {BID_RATE_EXAMPLE}"
        },
    )

    def __init__(self, *args: Any, bid: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bid = bid
        if not bid:
            del self.fields["bid_rate"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == "decline" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason you are declining")
        text = (cleaned.get("bid_rate") or "").strip().lstrip("£").strip()
        cleaned["bid_rate"] = None
        # A decline needs no rate; a rate the field already refused (too long) is not judged
        # twice.
        if self.bid and cleaned.get("answer") == "accept" and not self.has_error("bid_rate"):
            cleaned["bid_rate"] = self._bid_rate(text)
        return cleaned

    def _bid_rate(self, text: str) -> Decimal | None:
        if not text:
            self.add_error("bid_rate", f"Enter your hourly rate, like {BID_RATE_EXAMPLE}")
            return None
        try:
            return check_bid_rate(Decimal(text))
        except InvalidOperation:
            message = f"must be an amount in pounds, like {BID_RATE_EXAMPLE}"
        except InputError as exc:
            message = exc.message
        self.add_error("bid_rate", f"Your hourly rate {message}")
        return None


class ReasonForm(GovukForm):
    """Withdraw a request, or send the next round (no reason needed there)."""

    reason = _reason("Reason")


class PlaceForm(GovukForm):
    """Place a request with a provider by hand (manual placement or transfer)."""

    provider = forms.ChoiceField(
        label="Provider",
        error_messages={"required": "Select a provider", "invalid_choice": "Select a provider"},
    )
    reason = _reason("Reason")
    rate = forms.CharField(
        label="Hourly rate (optional)",
        required=False,
        max_length=12,
        help_text="Leave empty to use the provider's appointed rate for this band.",
    )

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Select"), *providers]  # type: ignore[attr-defined]

    def clean_rate(self) -> Decimal | None:
        text = (self.cleaned_data.get("rate") or "").strip().lstrip("£")
        if not text:
            return None
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("Hourly rate must be an amount, like 21.50") from None
        if rate <= 0:
            raise forms.ValidationError("Hourly rate must be more than £0")
        return rate


class CapacityForm(GovukForm):
    """Free hours per zone for one week: one input per zone, empty means no change."""

    week_starting = forms.ChoiceField(
        label="Week starting", error_messages={"invalid_choice": "Select a week"}
    )

    def __init__(
        self, *args: Any, zones: list[Any], weeks: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zones = zones
        self.fields["week_starting"].choices = weeks  # type: ignore[attr-defined]
        for zone in zones:
            self.fields[f"zone-{zone.code}"] = forms.CharField(
                label=f"Free hours in {zone.name}", required=False, max_length=10
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.hours: list[tuple[Any, Decimal]] = []
        for zone in self.zones:
            name = f"zone-{zone.code}"
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            try:
                hours = Decimal(text)
            except InvalidOperation:
                self.add_error(name, f"Free hours in {zone.name} must be a number, like 40")
                continue
            if hours < 0 or hours > 10000:
                self.add_error(name, f"Free hours in {zone.name} must be 0 to 10,000")
                continue
            self.hours.append((zone, hours))
        if not self.hours and not self.errors:
            self.add_error(None, "Enter free hours for at least one zone")
        return cleaned

    def zone_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(zone, self[f"zone-{zone.code}"]) for zone in self.zones]
