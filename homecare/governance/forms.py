"""The audit page's filters and the search for one person.

Every error names its field ("Person's reference: no person ..."), sits on the field's first
input and is shown in the error summary, as the other forms do.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from homecare.accounts.models import Organisation
from homecare.commissioning.forms import GovukForm
from homecare.governance.trail import LONDON, Filters, people_of
from homecare.insight.forms import read_date


def _text(label: str, max_length: int) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=True, max_length=max_length)


def _part() -> forms.CharField:
    return forms.CharField(required=False, strip=True, max_length=4)


def _optional_date(data: dict[str, Any], prefix: str, name: str) -> tuple[date | None, str]:
    if not any(str(data.get(f"{prefix}_{part}") or "").strip() for part in PARTS):
        return None, ""
    return read_date(data, prefix, name)


PARTS = ("day", "month", "year")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


class AuditFilterForm(GovukForm):
    """Narrow the audit list by person, by user and by date (all optional)."""

    person = _text("Person's reference", 40)
    user = _text("User", 254)
    from_day = _part()
    from_month = _part()
    from_year = _part()
    to_day = _part()
    to_month = _part()
    to_year = _part()

    def __init__(self, *args: Any, council: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.filters = Filters()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values: dict[str, Any] = {}
        reference = cleaned.get("person") or ""
        if reference:
            people = people_of(self.council).filter(reference__iexact=reference)
            if people.exists():
                values["people"] = people
            else:
                self.add_error(
                    "person", f"Person's reference: {self.council.name} has no person {reference}"
                )
        name = cleaned.get("user") or ""
        if name:
            users = get_user_model().objects.filter(
                Q(username__iexact=name) | Q(email__iexact=name)
            )
            ids = list(users.values_list("pk", flat=True))
            if ids:
                values["user_ids"] = ids
            else:
                self.add_error("user", "User: no user has that username or email address")
        first, first_error = _optional_date(cleaned, "from", "From date")
        last, last_error = _optional_date(cleaned, "to", "To date")
        if first_error:
            self.add_error("from_day", first_error)
        if last_error:
            self.add_error("to_day", last_error)
        if first and last and last < first:
            self.add_error("to_day", "To date must be the same as or after the from date")
        elif not self.errors:
            if first:
                values["since"] = _midnight(first)
            if last and last < date.max:
                values["before"] = _midnight(last + timedelta(days=1))
        if not self.errors:
            self.filters = Filters(**values)
        return cleaned


class FindPersonForm(GovukForm):
    """Find one of the council's people by their reference."""

    reference = forms.CharField(
        label="Person's reference",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the person's reference"},
    )

    def __init__(self, *args: Any, council: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.person: Any = None

    def clean_reference(self) -> str:
        reference: str = self.cleaned_data["reference"]
        self.person = people_of(self.council).filter(reference__iexact=reference).first()
        if self.person is None:
            raise forms.ValidationError(
                f"Person's reference: {self.council.name} has no person {reference}"
            )
        return reference
