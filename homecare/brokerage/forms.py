"""Brokerage forms: they read what was typed; the engine (through the actions) judges it.

The new-request form and its weekly pattern live in :mod:`homecare.brokerage.request_form`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts import bounds
from homecare.brokerage.bids import BID_RATE_EXAMPLE, check_bid_rate
from homecare.brokerage.models import Funding
from homecare.brokerage.request_form import DAYS, RequestForm, clean_funding, share_field
from homecare.brokerage.tenancy import REASON_LENGTH
from homecare.commissioning.forms import GovukForm

MAX_RATE = Decimal(1000)  # pounds an hour: more is a typing mistake, and the column holds less

__all__ = [
    "DAYS",
    "AnswerForm",
    "CapacityForm",
    "FundingForm",
    "PlaceForm",
    "ReasonForm",
    "RequestForm",
]


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


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
        amount = bounds.decimal_or_none(text, strip="")
        if amount is None:
            self.add_error(
                "bid_rate", f"Your hourly rate must be an amount in pounds, like {BID_RATE_EXAMPLE}"
            )
            return None
        try:
            return check_bid_rate(amount)
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
        text = (self.cleaned_data.get("rate") or "").strip()
        if not text:
            return None
        rate = bounds.decimal_or_none(text, strip="£")
        if rate is None:
            raise forms.ValidationError("Hourly rate must be an amount, like 21.50")
        if rate <= 0:
            raise forms.ValidationError("Hourly rate must be more than £0")
        if rate != rate.quantize(Decimal("0.01")) or rate >= MAX_RATE:
            raise forms.ValidationError(
                f"Hourly rate must be pounds and pence under £{MAX_RATE:,}, like 21.50"
            )
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
            hours = bounds.decimal_or_none(text, strip=",")
            if hours is None:
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


class FundingForm(GovukForm):
    """Change who pays for a person's care: the funding, the NHS share when joint, and why."""

    funding = forms.ChoiceField(
        label="Who pays for the person's care",
        choices=Funding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who pays", "invalid_choice": "Select who pays"},
    )
    nhs_share_percent = share_field()
    reason = forms.CharField(
        label="Reason for the change",
        max_length=REASON_LENGTH,
        widget=forms.Textarea,
        help_text=f"In {REASON_LENGTH} characters or fewer, for example: continuing healthcare "
        "assessment agreed joint funding from 1 April.",
        error_messages={
            "required": "Enter the reason for the change",
            "max_length": f"Reason for the change must be {REASON_LENGTH} characters or fewer",
        },
    )

    KEYS = {"funding": "funding", "nhs_share_percent": "nhs_share_percent", "reason": "reason"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_funding(self, cleaned)
        return cleaned
