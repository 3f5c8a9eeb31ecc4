"""The form for uplifting a rate card: it reads what was typed, then asks the action's checks.

Every error is found at once (what could not be read, then what the action would refuse) and
put on the field it concerns, so the error summary lists them all and links to each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts import bounds
from homecare.commissioning import actions
from homecare.commissioning.forms import GovukForm
from homecare.commissioning.models import RateCard

HOW = (
    ("percent", "Uplift every band by the same percentage"),
    ("rates", "Type a new rate for each band"),
)
WHERE = (
    ("new", "Make a new rate card"),
    ("this", "Add them to this card, from that date"),
)


def _number(text: str, strip: str) -> Decimal | None:
    """``text`` as a Decimal, ignoring ``strip`` characters and spaces; None if unreadable."""
    return bounds.decimal_or_none(text, strip=f"{strip},")


class UpliftForm(GovukForm):
    how = forms.ChoiceField(
        label="How the new rates are set",
        choices=HOW,
        error_messages={"required": "Select how the new rates are set"},
    )
    percent = forms.CharField(
        label="Uplift",
        required=False,
        max_length=20,
        error_messages={"max_length": "Uplift must be a number, like 3.5"},
    )
    # Day, month and year are read together in clean(); every date error goes on "day".
    day = forms.CharField(label="Date the new rates start", required=False, max_length=20)
    month = forms.CharField(label="Month", required=False, max_length=20)
    year = forms.CharField(label="Year", required=False, max_length=20)
    where = forms.ChoiceField(
        label="Where the new rates go",
        choices=WHERE,
        error_messages={"required": "Select where the new rates go"},
    )
    name = forms.CharField(
        label="Name of the new card",
        required=False,
        max_length=200,
        error_messages={"max_length": "Name of the new card must be 200 characters or fewer"},
    )
    illustrative = forms.BooleanField(label="Illustrative", required=False)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Notes must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, card: RateCard, bands: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.card, self.bands = card, bands
        for band in bands:
            self.fields[f"rate_{band}"] = forms.CharField(
                label=f"New {band.title()} rate",
                required=False,
                max_length=20,
                error_messages={
                    "max_length": f"New {band.title()} rate must be an amount in pounds, like 21.35"
                },
            )
        self.uplift: dict[str, Any] = {}

    def rate_fields(self) -> list[forms.BoundField]:
        return [self[f"rate_{band}"] for band in self.bands]

    def _effective_from(self, cleaned: dict[str, Any]) -> date | None:
        parts = [(cleaned.get(name) or "").strip() for name in ("day", "month", "year")]
        if not all(parts):
            return None  # the action's check says "Enter the date the new rates start"
        try:
            return bounds.read_date(*parts, example="1 4 2027")
        except InputError as exc:
            self.add_error("day", f"Date the new rates start {exc.message}")
            return None

    def _percent(self, cleaned: dict[str, Any]) -> Decimal | None:
        text = (cleaned.get("percent") or "").strip()
        if not text:
            return None
        value = _number(text, "%")
        if value is None:
            self.add_error("percent", "Uplift must be a number, like 3.5")
        return value

    def _rates(self, cleaned: dict[str, Any]) -> dict[str, Decimal]:
        rates = {}
        for band in self.bands:
            text = (cleaned.get(f"rate_{band}") or "").strip()
            if not text:
                continue
            value = _number(text, "£")
            if value is None:
                self.add_error(
                    f"rate_{band}",
                    f"New {band.title()} rate must be an amount in pounds, like 21.35",
                )
            else:
                rates[band] = value
        return rates

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        how, where = cleaned.get("how"), cleaned.get("where")
        effective_from = self._effective_from(cleaned)
        percent = self._percent(cleaned) if how == "percent" else None
        rates = self._rates(cleaned) if how == "rates" else None
        if how == "percent" and percent is None and not self.has_error("percent"):
            self.add_error("percent", "Enter the uplift as a percentage, like 3.5")
        name = (cleaned.get("name") or "").strip() if where == "new" else None
        problems = actions.uplift_problems(
            self.card,
            name=name,
            effective_from=effective_from,
            percent=percent,
            new_rates=rates,
        )
        for problem in problems:
            field = _field_of(problem.key or "")
            if field == "percent" and how != "percent":
                continue  # "how" is missing or the rates are typed: those fields say so
            if field and field in self.fields and not self.has_error(field):
                self.add_error(field, problem.message)
        if not self.errors:
            self.uplift = {
                "name": name,
                "effective_from": effective_from,
                "percent": percent,
                "new_rates": rates,
                "illustrative": bool(cleaned.get("illustrative")),
                "notes": cleaned.get("notes") or "",
            }
        return cleaned


def _field_of(key: str) -> str:
    if key.startswith("rates."):
        return f"rate_{key.removeprefix('rates.')}"
    return {"effective_from": "day"}.get(key, key)
