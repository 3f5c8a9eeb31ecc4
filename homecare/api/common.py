"""What the brokerage routers share: the clock, the kind of caller, and a package's shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination

from carecore.errors import InputError
from homecare.accounts.models import Organisation
from homecare.api import schemas
from homecare.api.auth import organisation_of, scope_of_request
from homecare.brokerage.engine import visit_rows as engine_rows

ERRORS: dict[int, Any] = {
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
}
NOT_FOUND: dict[int, Any] = {**ERRORS, 404: schemas.ErrorOut}


def clock() -> datetime:
    """The one place the API reads the time (tests replace it)."""
    return timezone.now()


def council_of(request: HttpRequest) -> Organisation:
    """The calling council, or 403: only a council's systems make and read requests."""
    organisation = organisation_of(request)
    if organisation not in scope_of_request(request).councils():
        raise HttpError(403, "Only a council's API token may use this endpoint")
    return organisation


def provider_organisation_of(request: HttpRequest) -> Organisation:
    """The calling provider organisation, or 403 for a council's (or any other) token."""
    organisation = organisation_of(request)
    if organisation not in scope_of_request(request).provider_organisations:
        raise HttpError(403, "Only a provider's API token may use this endpoint")
    return organisation


def visit_rows(package: Any) -> list[dict[str, Any]]:
    """The package's visits (prefetched as ``visits`` when listing many)."""
    return [
        {
            "day": visit.day,
            "window_start": f"{visit.window_start:%H:%M}",
            "window_minutes": visit.window_minutes,
            "minutes": visit.minutes,
            "carers": visit.carers,
            "critical": visit.critical,
        }
        for visit in package.visits.all()
    ]


def schedule_text(package: Any) -> str:
    ordered = sorted(engine_rows(package), key=lambda v: (v.day, v.start_minute))
    return "; ".join(visit.describe() for visit in ordered)


def where(package: Any) -> dict[str, Any]:
    """Where and what a package is, without who it is for."""
    person = package.person
    return {
        "area_code": person.area.code,
        "zone": person.area.zone.code,
        "band": person.area.band.code,
        "cohort": person.cohort,
        "funding": person.funding,
        "source": package.source,
        "priority": package.priority,
        "start_date": package.start_date,
        "needs": list(package.needs or []),
        "schedule": schedule_text(package),
        "visits": visit_rows(package),
        "hours_per_week": package.contact_hours_per_week,
        "carer_hours_per_week": package.carer_hours_per_week,
    }


def placed_package(placement: Any) -> dict[str, Any]:
    """A package placed with the calling provider, with its person reference."""
    package = placement.package
    return {
        **where(package),
        "id": package.pk,
        "person_reference": package.person.reference,
        "status": package.status,
        "rate": placement.rate,
        "placed_at": placement.at,
    }


class MappedRows:
    """A query set whose rows are shaped by ``shape`` only for the page that is sent, so the
    paginator counts in the database and builds 50 rows, not all of them."""

    def __init__(self, rows: Any, shape: Any) -> None:
        self.rows, self.shape = rows, shape

    def __len__(self) -> int:
        return int(self.rows.count())

    def __getitem__(self, page: slice) -> list[Any]:
        return [self.shape(row) for row in self.rows[page]]


PAGE_QUERY = frozenset({"page", "page_size"})


def only_query(request: HttpRequest, allowed: frozenset[str] = frozenset()) -> None:
    """An unknown query parameter is a 400 naming it, not silently ignored (a misspelt
    filter would otherwise return everything)."""
    expected = ", ".join(sorted(allowed)) or "none"
    for name in request.GET:
        if name not in allowed:
            raise InputError(f"unknown query parameter (expected: {expected})", key=name)


MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbering with upper bounds.

    An unbounded page number multiplies into an OFFSET the database cannot hold (SQLite fails
    with "datatype mismatch"); a page past any real list is refused as a 400 naming the field.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
