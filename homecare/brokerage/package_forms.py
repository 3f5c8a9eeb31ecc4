"""Forms for a package after placement: new schedules, suspensions, endings and answers.

Dates are typed as day, month and year (the GOV.UK date input): three fields named
``<name>_day``, ``<name>_month`` and ``<name>_year``, whose errors link to the day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts import bounds
from homecare.brokerage.package_models import PackageEnding
from homecare.commissioning.forms import GovukForm


def _reason(label: str, *, required: bool = True, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": message or f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be 2,000 characters or fewer",
        },
    )


class DatesForm(GovukForm):
    """A form with GOV.UK date inputs: ``DATES`` maps each date's name to its words."""

    DATES: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, words in self.DATES.items():
            for part in ("day", "month", "year"):
                self.fields[f"{name}_{part}"] = forms.CharField(
                    label=part.title(), required=False, max_length=4
                )
            self.fields[f"{name}_day"].error_anchor = f"{name}_day"  # type: ignore[attr-defined]
            self.fields[f"{name}_day"].date_words = words  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.dates: dict[str, date | None] = {
            name: self._date(cleaned, name, words) for name, words in self.DATES.items()
        }
        return cleaned

    def _date(self, cleaned: dict[str, Any], name: str, words: str) -> date | None:
        parts = [str(cleaned.get(f"{name}_{p}") or "").strip() for p in ("day", "month", "year")]
        if not all(parts):
            self.add_error(f"{name}_day", f"Enter {words}, including a day, month and year")
            return None
        try:
            return bounds.read_date(*parts)
        except InputError as exc:
            words = words[0].upper() + words[1:]
            self.add_error(f"{name}_day", f"{words} {exc.message}")
            return None

    def put_error(self, exc: InputError, keys: dict[str, str], fallback: str) -> None:
        """The action's error on the field its key names, in the field's own words."""
        field = keys.get(exc.key or "", fallback)
        words = getattr(self.fields[field], "date_words", None)
        label = words[0].upper() + words[1:] if words else self.fields[field].label
        self.add_error(field, f"{label} {exc.message}")


class ScheduleForm(DatesForm):
    """A new weekly schedule from a date (a council's variation or a provider's review)."""

    DATES = {"effective_from": "the date the new schedule starts"}
    schedule = forms.CharField(
        label="New weekly schedule",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the new weekly schedule"},
    )
    reason = _reason("Reason for the change")

    KEYS = {"effective_from": "effective_from_day", "reason": "reason", "package": "schedule"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        text = cleaned.get("schedule")
        if text:  # read here too, so its errors show with the others at once
            from homecare.brokerage.engine import engine_visits

            try:
                engine_visits(text)
            except InputError as exc:
                self.add_action_error(exc)
        return cleaned

    def add_action_error(self, exc: InputError) -> None:
        key = exc.key or ""
        if key == "schedule" or key.startswith("visits"):
            self.add_error("schedule", f"The weekly schedule is not right: {exc.message}")
        else:
            self.put_error(exc, self.KEYS, "schedule")


class SuspensionForm(DatesForm):
    DATES = {
        "start_date": "the first day with no visits",
        "end_date": "the last day with no visits",
    }
    reason = _reason("Reason for the suspension")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = self.dates["start_date"], self.dates["end_date"]
        if first and last and last < first:
            self.add_error("end_date_day", "The last day must be on or after the first day")
        return cleaned

    def add_action_error(self, exc: InputError) -> None:
        keys = {"start_date": "start_date_day", "end_date": "end_date_day", "reason": "reason"}
        if exc.key == "package":
            self.add_error("start_date_day", f"The package cannot be suspended: {exc.message}")
            return
        self.put_error(exc, keys, "start_date_day")


class EndingForm(DatesForm):
    DATES = {"ends_from": "the first day with no care"}
    reason = forms.ChoiceField(
        label="Why the package ends",
        choices=PackageEnding.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the package ends",
            "invalid_choice": "Select why the package ends",
        },
    )
    note = _reason("Notes (optional)", required=False)

    def add_action_error(self, exc: InputError) -> None:
        if exc.key == "package":
            self.add_error("ends_from_day", f"The package cannot be ended: {exc.message}")
            return
        self.put_error(exc, {"ends_from": "ends_from_day", "reason": "reason"}, "ends_from_day")


class AnswerChangeForm(GovukForm):
    """The provider's answer to more hours, or the council's decision on a review."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("yes", "Accept"), ("no", "Decline")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select accept or decline",
            "invalid_choice": "Select accept or decline",
        },
    )
    reason = _reason("Reason", required=False)

    def __init__(self, *args: Any, council: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        if council:
            words = "Select approve or reject"
            self.fields["answer"].label = "Your decision"
            self.fields["answer"].choices = [("yes", "Approve"), ("no", "Reject")]  # type: ignore[attr-defined]
            self.fields["answer"].error_messages.update(required=words, invalid_choice=words)
        self.fields["reason"].label = (
            "Reason (required if you reject)" if council else "Reason (required if you decline)"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == "no" and not (cleaned.get("reason") or "").strip():
            word = "rejecting" if self.council else "declining"
            self.add_error("reason", f"Enter the reason you are {word}")
        return cleaned


class FindPersonForm(GovukForm):
    reference = forms.CharField(
        label="Person's reference",
        max_length=40,
        error_messages={
            "required": "Enter the person's reference",
            "max_length": "A person's reference is 40 characters or fewer",
        },
    )
