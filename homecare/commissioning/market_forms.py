"""Forms of the market's pages: they read what was typed; the market actions judge it.

Every form is a :class:`GovukForm` (an input's id is its name, so the error summary links to
it). Money is ``Decimal`` pounds; a score is ``Decimal`` points out of 100.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from homecare.accounts import bounds
from homecare.commissioning.forms import GovukForm
from homecare.commissioning.market_models import Provider, Tier

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a whole county's packages as CSV is a few MB at most
IMPORT_KINDS = (
    ("providers", "Providers", "Name, CQC location ID, CQC rating, quality score."),
    (
        "appointments",
        "Appointments",
        "Each provider's place in a framework's lot: tier, rank, rates.",
    ),
    ("people", "People", "Pseudonymised references with area, funding and cohort."),
    ("packages", "Packages", "The packages already in place, each with its current provider."),
)
MODES = (
    ("all", "All or nothing: if any row is wrong, load nothing"),
    ("good", "Load the good rows only, and list the rejected ones"),
)


def _required(label: str, message: str, **kwargs: Any) -> dict[str, Any]:
    return {"label": label, "error_messages": {"required": message}, **kwargs}


def _reason(label: str, message: str) -> forms.CharField:
    return forms.CharField(**_required(label, message, max_length=2000, widget=forms.Textarea))


def _money(text: str, label: str) -> Decimal:
    """Pounds an hour from "21.50" or "£21.50": more than 0, at most two places."""
    amount = bounds.decimal_or_none(text.strip().lstrip("£"), strip=",")
    if amount is None:
        raise ValidationError(f"{label} must be an amount in pounds, like 21.50")
    if amount <= 0:
        raise ValidationError(f"{label} must be more than £0")
    if amount >= Decimal("1000000") or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(f"{label} must be pounds and pence, like 21.50")
    return amount


class StatusForm(GovukForm):
    """Change a provider's status, with the reason recorded in its history."""

    status = forms.ChoiceField(
        label="New status",
        choices=Provider.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status", "invalid_choice": "Select a status"},
    )
    reason = _reason("Reason for the change", "Enter the reason for the change")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class QualityForm(GovukForm):
    """The council's quality score for a provider, 0 to 100 points."""

    quality_score = forms.CharField(
        **_required("Quality score, 0 to 100", "Enter the quality score", max_length=10)
    )

    def clean_quality_score(self) -> Decimal:
        score = bounds.decimal_or_none(self.cleaned_data["quality_score"].strip(), strip="")
        if score is None:
            raise ValidationError("Quality score must be a number, like 72.5")
        if not Decimal(0) <= score <= Decimal(100):
            raise ValidationError("Quality score must be between 0 and 100")
        if score != score.quantize(Decimal("0.01")):
            raise ValidationError("Quality score can have at most two decimal places")
        return score


class ApplyForm(GovukForm):
    """A provider's application to an open framework: which lots, at what hourly rate."""

    lots = forms.MultipleChoiceField(
        label="Lots",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one lot",
            "invalid_choice": "Select lots of this framework",
        },
    )
    hourly_rate = forms.CharField(
        **_required("Your hourly rate", "Enter your hourly rate, like 21.50", max_length=12)
    )

    def __init__(self, *args: Any, lots: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lots"].choices = lots  # type: ignore[attr-defined]

    def clean_hourly_rate(self) -> Decimal:
        return _money(self.cleaned_data["hourly_rate"], "Your hourly rate")


class ApproveForm(GovukForm):
    """Approve an application once the quality checks are made: a tier and a note of them."""

    tier = forms.ChoiceField(
        label="Tier",
        choices=Tier.choices,
        initial=Tier.SUPPLEMENTARY,
        error_messages={"required": "Select a tier", "invalid_choice": "Select a tier"},
    )
    checks = _reason("Quality checks made", "Enter the quality checks you made")


class RejectForm(GovukForm):
    reason = _reason("Reason for rejecting", "Enter the reason for rejecting the application")


class AwardsForm(GovukForm):
    """Which of the council's frameworks a tender's awards become appointments in."""

    framework = forms.ChoiceField(
        label="Framework",
        error_messages={"required": "Select a framework", "invalid_choice": "Select a framework"},
    )

    def __init__(self, *args: Any, frameworks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Select"), *frameworks]  # type: ignore[attr-defined]


class ImportForm(GovukForm):
    """A day-one import: what the file holds, the file, and all-or-nothing or good rows only."""

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[(value, text) for value, text, _ in IMPORT_KINDS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the file holds",
            "invalid_choice": "Select a kind",
        },
    )
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
        },
    )
    mode = forms.ChoiceField(
        label="If some rows are wrong",
        choices=MODES,
        initial="all",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to do with wrong rows"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError("The selected file must be a CSV or XLSX file")
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError("The selected file must be smaller than 20 MB")
        return upload
