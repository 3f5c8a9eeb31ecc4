"""Forms of the delivery pages (GOV.UK markup: input ids are their names)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from homecare.commissioning.forms import GovukForm

PERIOD_CHOICES = 13  # about a year of four-week periods to choose from


class UploadForm(GovukForm):
    file = forms.FileField(
        label="File of visit logs",
        error_messages={"required": "Choose a file of visit logs"},
    )


def recent_mondays(today: date, count: int = PERIOD_CHOICES) -> list[date]:
    """Starts of the four-week periods that have ended by ``today``, most recent first."""
    this_monday = today - timedelta(days=today.weekday())
    last_start = this_monday - timedelta(days=28)
    return [last_start - timedelta(days=28 * n) for n in range(count)]


class RunForm(GovukForm):
    """Choose a provider and a four-week period (starting on a Monday)."""

    provider = forms.ChoiceField(label="Provider", error_messages={"required": "Choose a provider"})
    period_start = forms.ChoiceField(
        label="Four-week period", error_messages={"required": "Choose a period"}
    )

    def __init__(self, *args: Any, providers: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Choose a provider")] + [
            (str(p.pk), p.name) for p in providers
        ]
        self.fields["period_start"].choices = [
            (
                start.isoformat(),
                f"{start:%-d %B %Y} to {start + timedelta(days=27):%-d %B %Y}",
            )
            for start in recent_mondays(today)
        ]


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        strip=True,
        error_messages={"required": "Give a reason for the decision"},
    )
    # The exception's version when the page was loaded: a decision taken since by another
    # officer makes this one refused rather than put over theirs.
    version = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )


class BulkDecisionForm(DecisionForm):
    """One decision, with one reason, for every undecided exception of a kind."""

    kind = forms.ChoiceField(
        label="Exceptions",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which exceptions to decide"},
    )
    # How many times the period had been run when the page was loaded: a re-run since
    # brings exceptions the officer has not seen.
    times_run = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, waiting: list[tuple[str, str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, f"Every undecided {label} ({count})") for kind, label, count in waiting
        ]


KIND_CHOICES = [("pending_approval", "Manual log"), ("late", "Late call")]
DECISION_CHOICES = [
    ("pending", "Not decided yet"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
SORT_CHOICES = [("day", "Day"), ("person", "Person"), ("kind", "Kind")]


class ExceptionFilterForm(GovukForm):
    """Which of a run's exceptions to list (a GET form: every field may be left out)."""

    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any"), *KIND_CHOICES])
    person = forms.CharField(label="Person reference", required=False, max_length=40, strip=True)
    day = forms.ChoiceField(label="Day", required=False)
    decision = forms.ChoiceField(
        label="Decision", required=False, choices=[("", "Any"), *DECISION_CHOICES]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, period_start: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = [period_start + timedelta(days=n) for n in range(28)]
        self.fields["day"].choices = [("", "Any")] + [
            (day.isoformat(), f"{day:%A %-d %B}") for day in days
        ]


class ChosenDecisionForm(DecisionForm):
    """One decision, with one reason, for the exceptions chosen in the table; each chosen
    row carries its version ("pk.version") so a decision taken since is refused."""

    chosen = forms.CharField(label="Exceptions", required=False)  # cleaned from the list

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_versions: dict[int, int] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = self.data.getlist(self.add_prefix("chosen")) if self.data else []
        for value in values[:1000]:
            pk, _, version = str(value).partition(".")
            if not (pk.isascii() and pk.isdecimal() and version.isascii() and version.isdecimal()):
                self.add_error("chosen", "Choose exceptions from the table")
                return cleaned
            if len(pk) > 10 or len(version) > 10:
                self.add_error("chosen", "Choose exceptions from the table")
                return cleaned
            self.chosen_versions[int(pk)] = int(version)
        if not self.chosen_versions:
            self.add_error("chosen", "Choose at least one exception")
        return cleaned
