"""The waiting list's filters: zone, priority and what the request is waiting for.

Filters travel in the query string (zone codes and words only: nothing about a person). An
unknown value is ignored with the form's error shown, never a server error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from homecare.brokerage.models import Priority, State
from homecare.commissioning.forms import GovukForm

WAITING_FOR = [
    ("", "Anything"),
    ("offers", "Answers to offers"),
    ("round", "A new round of offers"),
    ("spot", "A spot purchase"),
]


class WaitingListFilters(GovukForm):
    zone = forms.ChoiceField(required=False, label="Zone")
    priority = forms.ChoiceField(
        required=False, label="Priority", choices=[("", "Any priority"), *Priority.choices]
    )
    waiting_for = forms.ChoiceField(required=False, label="Waiting for", choices=WAITING_FOR)

    def __init__(self, data: Any = None, *, zones: QuerySet[Any] | None = None) -> None:
        """``zones``: those the broker may filter by (their councils' own); none when not
        given."""
        super().__init__(data)
        if zones is None:
            from homecare.commissioning.models import Zone

            zones = Zone.objects.none()
        choices = dict(zones.order_by("council_id", "position", "name").values_list("code", "name"))
        self.fields["zone"].choices = [("", "All zones"), *choices.items()]

    def apply(self, requests: QuerySet[Any]) -> QuerySet[Any]:
        """The requests narrowed by the valid filters (an invalid one narrows nothing)."""
        if not self.is_bound or not self.is_valid():
            return requests
        data = self.cleaned_data
        if data["zone"]:
            requests = requests.filter(package__person__area__zone__code=data["zone"])
        if data["priority"]:
            requests = requests.filter(package__priority=data["priority"])
        if data["waiting_for"] == "offers":
            requests = requests.filter(state=State.OFFERED)
        elif data["waiting_for"] == "round":
            requests = requests.filter(state=State.REQUESTED, needs_spot_purchase=False)
        elif data["waiting_for"] == "spot":
            requests = requests.filter(needs_spot_purchase=True)
        return requests

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    @property
    def summary(self) -> str:
        """The active filters in words: "zone: West Leicester; priority: Urgent"."""
        data, parts = self.cleaned_data, []
        for name in ("zone", "priority", "waiting_for"):
            if data.get(name):
                label = dict(self.fields[name].choices)[data[name]]  # type: ignore[attr-defined]
                parts.append(f"{self.fields[name].label.lower()}: {label}")
        return "; ".join(parts)
