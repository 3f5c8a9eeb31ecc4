"""Forms of the commitments, budget, fee uplift and purchase order pages (GOV.UK markup:
input ids are their names). They read what was typed; the actions' checks decide the rest,
and every problem lands on the field it concerns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from carecore.errors import InputError
from carecore.units import to_pence
from homecare.accounts import bounds
from homecare.commissioning.forms import GovukForm
from homecare.finance import uplifts
from homecare.finance.commitments import financial_year, year_words
from homecare.finance.models import Stream

HOW = (
    ("percent", "By the same percentage for every placement"),
    ("rates", "To a new rate for each band"),
)
YEARS_BACK, YEARS_ON = 5, 1


def year_choices(today: date, earliest: int | None = None) -> list[tuple[str, str]]:
    """Financial years to choose from, the latest first: from a few years back (or
    ``earliest``) to next year."""
    this = financial_year(today)
    first = min(this - YEARS_BACK, earliest) if earliest is not None else this - YEARS_BACK
    first = max(first, this - 20)
    return [(str(y), year_words(y)) for y in range(this + YEARS_ON, first - 1, -1)]


class YearForm(GovukForm):
    year = forms.ChoiceField(
        label="Financial year", error_messages={"required": "Choose a financial year"}
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(today)
        self.fields["year"].error_messages["invalid_choice"] = "Choose a financial year"


class BudgetForm(GovukForm):
    zone = forms.ChoiceField(label="Zone", error_messages={"required": "Choose a zone"})
    stream = forms.ChoiceField(
        label="Funding stream",
        choices=[("", "Choose who pays"), *Stream.choices],
        error_messages={"required": "Choose who pays"},
    )
    year = forms.ChoiceField(
        label="Financial year", error_messages={"required": "Choose a financial year"}
    )
    amount = forms.CharField(
        label="Budget",
        max_length=20,
        error_messages={
            "required": "Enter the budget in pounds, like 1250000",
            "max_length": "Budget must be an amount in pounds, like 1250000",
        },
    )

    def __init__(self, *args: Any, zones: list[Any], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = [("", "Choose a zone")] + [(z.code, z.name) for z in zones]
        self.fields["year"].choices = year_choices(today)
        for name in ("zone", "stream", "year"):
            message = self.fields[name].error_messages["required"]
            self.fields[name].error_messages["invalid_choice"] = message

    def clean_amount(self) -> int:
        text = (self.cleaned_data.get("amount") or "").strip()
        value = bounds.decimal_or_none(text, strip="£,")
        if value is None:
            raise forms.ValidationError("Budget must be an amount in pounds, like 1250000")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError("Budget must be to the penny at most, like 1250000.50")
        return to_pence(value)


class UpliftForm(GovukForm):
    how = forms.ChoiceField(
        label="How placements are uplifted",
        choices=HOW,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how placements are uplifted"},
    )
    percent = forms.CharField(label="Uplift", required=False, max_length=20)
    # Day, month and year are read together in clean(); every date error goes on "day".
    day = forms.CharField(label="Date the uplift starts", required=False, max_length=20)
    month = forms.CharField(label="Month", required=False, max_length=20)
    year = forms.CharField(label="Year", required=False, max_length=20)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=uplifts.REASON_LENGTH,
        widget=forms.Textarea,
        error_messages={"max_length": "Reason must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, framework: Any, bands: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework, self.bands = framework, bands
        for band in bands:
            self.fields[f"rate_{band}"] = forms.CharField(
                label=f"New {band.title()} rate", required=False, max_length=20
            )
        self.uplift: dict[str, Any] = {}

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[f"rate_{band}"] for band in self.bands]

    def _effective_from(self, cleaned: dict[str, Any]) -> date | None:
        parts = [(cleaned.get(name) or "").strip() for name in ("day", "month", "year")]
        if not any(parts):
            return None  # the action's check asks for the date
        try:
            return bounds.read_date(*parts, example="6 4 2026")
        except InputError as exc:
            self.add_error("day", f"Date the uplift starts {exc.message}")
            return None

    def _percent(self, cleaned: dict[str, Any]) -> Decimal | None:
        text = (cleaned.get("percent") or "").strip()
        if not text:
            self.add_error("percent", "Enter the uplift as a percentage, like 4.5")
            return None
        value = bounds.decimal_or_none(text, strip="%,")
        if value is None:
            self.add_error("percent", "Uplift must be a number, like 4.5")
        return value

    def _rates(self, cleaned: dict[str, Any]) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for band in self.bands:
            text = (cleaned.get(f"rate_{band}") or "").strip()
            if not text:
                continue
            value = bounds.decimal_or_none(text, strip="£,")
            if value is None:
                self.add_error(
                    f"rate_{band}", f"New {band.title()} rate must be an amount, like 21.35"
                )
            else:
                found[band] = value
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        how = cleaned.get("how")
        effective_from = self._effective_from(cleaned)
        percent = self._percent(cleaned) if how == "percent" else None
        rates = self._rates(cleaned) if how == "rates" else None
        problems = uplifts.uplift_problems(
            self.framework,
            effective_from=effective_from,
            percent=percent,
            band_rates=rates,
            reason=cleaned.get("reason") or "",
        )
        for problem in problems:
            field = self._field_of(problem.key or "", how)
            if field is None or self.has_error(field):
                continue
            self.add_error(field, problem.message)
        if not self.errors:
            self.uplift = {
                "effective_from": effective_from,
                "percent": percent,
                "band_rates": rates,
                "reason": cleaned.get("reason") or "",
            }
        return cleaned

    def _field_of(self, key: str, how: str | None) -> str | None:
        if key == "effective_from":
            return "day" if not self.has_error("day") else None
        if key.startswith("band_rates."):
            band = key.removeprefix("band_rates.")
            name = next((f"rate_{b}" for b in self.bands if b.upper() == band), None)
            return name or "how"
        if key == "band_rates":
            return f"rate_{self.bands[0]}" if self.bands else "how"
        if key == "percent":
            # No choice made: "how" already says so; typed rates need no percentage.
            return "percent" if how == "percent" else None
        if key == "reason":
            return "reason"
        return "how"


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label="Why the uplift is withdrawn",
        max_length=uplifts.WITHDRAW_REASON_LENGTH,
        error_messages={
            "required": "Enter why the uplift is withdrawn",
            "max_length": "Why the uplift is withdrawn must be 100 characters or fewer",
        },
    )


class FindOrderForm(GovukForm):
    q = forms.CharField(
        label="Purchase order number or person's reference",
        required=False,
        max_length=40,
        error_messages={"max_length": "Enter at most 40 characters"},
    )
