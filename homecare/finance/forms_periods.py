"""The form that starts a run of every provider for a four-week period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from homecare.commissioning.forms import GovukForm
from homecare.delivery.forms import recent_mondays


class PeriodRunForm(GovukForm):
    """Choose a four-week period that has ended (and the council, for an officer of two)."""

    council = forms.ChoiceField(label="Council", required=False)
    period_start = forms.ChoiceField(
        label="Four-week period", error_messages={"required": "Choose a period"}
    )

    def __init__(self, *args: Any, councils: list[Any], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.councils = {str(council.pk): council for council in councils}
        self.fields["council"].choices = [(pk, c.name) for pk, c in self.councils.items()]
        self.fields["period_start"].choices = [("", "Choose a period")] + [
            (
                start.isoformat(),
                f"{start:%-d %B %Y} to {start + timedelta(days=27):%-d %B %Y}",
            )
            for start in recent_mondays(today)
        ]

    @property
    def several_councils(self) -> bool:
        return len(self.councils) > 1

    def chosen_council(self) -> Any:
        """The council chosen (the officer's only council when there is one)."""
        return self.councils.get(self.cleaned_data.get("council") or "") or next(
            iter(self.councils.values())
        )
