"""Finding invoice lines by person, day and visit: one filter for every page that lists them
(the council's lines page of a run, and the provider's own invoice page)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from carecore.units import LONDON
from homecare.delivery.models import InvoiceLine

UNPLANNED = "unplanned"


def filter_lines(
    queryset: QuerySet[InvoiceLine],
    *,
    person: str | None = None,
    day: date | None = None,
    visit: str | None = None,
) -> QuerySet[InvoiceLine]:
    """The lines of ``queryset`` for the person's reference (any case), the visits that
    started on the London ``day``, and the planned visit's reference (any case; "unplanned"
    finds the visits no plan matched). A criterion left empty does not narrow the lines."""
    if person:
        queryset = queryset.filter(person__reference__iexact=person.strip())
    if day is not None:
        first = datetime(day.year, day.month, day.day, tzinfo=LONDON)
        after = first + timedelta(days=1)
        after = datetime(after.year, after.month, after.day, tzinfo=LONDON)  # a 23 or 25-hour day
        queryset = queryset.filter(visit_start__gte=first, visit_start__lt=after)
    if visit:
        wanted = visit.strip()
        if wanted.lower() == UNPLANNED:
            queryset = queryset.filter(planned_id="")
        else:
            queryset = queryset.filter(planned_id__iexact=wanted)
    return queryset


def search_of(form: Any) -> dict[str, Any]:
    """The criteria of a valid :class:`~homecare.finance.forms_lines.LineSearchForm` (none
    for an unbound or invalid one), as :func:`filter_lines` takes them."""
    if not form.is_bound or not form.is_valid():
        return {"person": None, "day": None, "visit": None}
    data = form.cleaned_data
    day = date.fromisoformat(data["day"]) if data.get("day") else None
    return {"person": data.get("person") or None, "day": day, "visit": data.get("visit") or None}
