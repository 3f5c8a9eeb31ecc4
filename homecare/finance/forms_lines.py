"""The search form of a list of invoice lines (a GET form: every field may be left out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from homecare.commissioning.forms import GovukForm

PERIOD_DAYS = 28


class LineSearchForm(GovukForm):
    """Find lines by person reference, day of the period and planned visit."""

    person = forms.CharField(label="Person reference", required=False, max_length=40, strip=True)
    day = forms.ChoiceField(label="Day", required=False)
    visit = forms.CharField(label="Visit reference", required=False, max_length=80, strip=True)

    def __init__(self, *args: Any, period_start: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = [period_start + timedelta(days=n) for n in range(PERIOD_DAYS)]
        self.fields["day"].choices = [("", "Any")] + [
            (day.isoformat(), f"{day:%A %-d %B}") for day in days
        ]

    @property
    def searching(self) -> bool:
        """True when the form was sent with at least one criterion."""
        return self.is_bound and any(
            str(self.data.get(name, "")).strip() for name in ("person", "day", "visit")
        )
