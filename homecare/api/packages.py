"""A package after placement, for councils' and providers' systems: read it, change its
schedule from a date, review it, suspend it, end it.

A council's token sees the packages requested through its frameworks and makes variations,
decides reviews, records suspensions and endings; a provider's token sees the packages ever
placed with it (only its own placements and visits) and proposes reviews and answers
variations that add hours. Another's package or change is a 404. Paths carry package and
change ids only, never a person's reference. Writes are recorded under the token's service
user; bad input is a 400 naming the field and saves nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from carecore.errors import InputError
from carecore.units import as_london
from homecare.api import package_schemas as s
from homecare.api.auth import acting_user_of, scope_of_request
from homecare.api.common import NOT_FOUND, clock, council_of, only_query
from homecare.api.common import provider_organisation_of as provider_org
from homecare.api.schemas import Day, Id
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import changes, package_pages, schedules
from homecare.brokerage.package_pages import Viewer
from homecare.commissioning import access as commissioning_access

router = Router(tags=["packages"])
MAX_PLANNED_DAYS = 92


def _viewer(request: HttpRequest) -> Viewer:
    return brokerage_access.viewer_for(scope_of_request(request))


def _package(request: HttpRequest, package_id: int) -> Any:
    return brokerage_access.package_for(scope_of_request(request), package_id)


def _provider(request: HttpRequest) -> Any:
    """The calling provider (403 for a council's token, or one not on the market)."""
    provider_org(request)
    provider = commissioning_access.provider_of(scope_of_request(request))
    if provider is None:
        raise HttpError(403, "Your organisation is not a provider on the market")
    return provider


def _visits(rows: Any) -> list[dict[str, Any]]:
    return schedules.visits_to_json(rows)


def change_row(change: Any) -> dict[str, Any]:
    return {
        "id": change.pk,
        "package_id": change.package_id,
        "kind": change.kind,
        "status": change.status,
        "effective_from": change.effective_from,
        "carer_hours_before": change.carer_hours_before,
        "carer_hours_after": change.carer_hours_after,
        "reason": change.reason,
        "created_at": change.created_at,
        "decided_at": change.decided_at,
        "decision_reason": change.decision_reason,
        "new_request_id": change.new_request_id,
        "visits": change.visits,
    }


def package_row(package: Any, viewer: Viewer, on: date) -> dict[str, Any]:
    package = package_pages.loaded(package)
    span = schedules.span_on(package, on)
    ending = getattr(package, "ending", None)
    return {
        "id": package.pk,
        "person_reference": package.person.reference,
        "status": package.status,
        "start_date": package.start_date,
        "end_date": package.end_date,
        "on": on,
        "carer_hours_per_week": span.carer_hours,
        "contact_hours_per_week": span.contact_hours,
        "suspended": schedules.suspension_on(package, on) is not None,
        "schedules": [
            {
                "effective_from": v.first,
                "effective_to": v.last,
                "carer_hours_per_week": v.carer_hours,
                "contact_hours_per_week": v.contact_hours,
                "visits": _visits(v.visits),
            }
            for v in schedules.spans_of(package)
        ],
        "changes": [change_row(c) for c in package_pages.changes(package)],
        "suspensions": [
            {"id": x.pk, "start_date": x.start_date, "end_date": x.end_date, "reason": x.reason}
            for x in package.suspensions.all()
        ],
        "placements": [
            {
                "provider": p.provider.name,
                "rate": p.rate,
                "placed_at": p.at,
                "ended_at": p.ended_at,
            }
            for p in package_pages.placements(package, viewer)
        ],
        "ending": None
        if ending is None
        else {"ends_from": ending.ends_from, "reason": ending.reason, "note": ending.note},
    }


class OnQuery(Schema):
    on: Day | None = Field(None, description="the day whose schedule is shown; today when left out")


@router.get("/packages/{package_id}", response={200: s.PackageOut, **NOT_FOUND})
def package_detail(request: HttpRequest, package_id: Id, query: Query[OnQuery]) -> Any:
    """One package: its hours in force on a day, every schedule, change, suspension,
    placement (a provider's own only) and its ending."""
    only_query(request, frozenset({"on"}))
    package = _package(request, package_id)
    on = query.on or as_london(clock()).date()
    return package_row(package, _viewer(request), on)


class PeriodQuery(Schema):
    start: Day = Field(description="the first day")
    end: Day = Field(description="the last day, at most 92 days on")


@router.get(
    "/packages/{package_id}/planned-visits",
    response={200: list[s.PlannedVisitOut], **NOT_FOUND},
)
def planned_visits(request: HttpRequest, package_id: Id, query: Query[PeriodQuery]) -> Any:
    """The visits planned from ``start`` to ``end``, each day by the schedule in force that
    day, less suspensions (a provider's own placements only)."""
    only_query(request, frozenset({"start", "end"}))
    package = _package(request, package_id)
    if query.end < query.start:
        raise InputError("must be on or after start", key="end")
    if query.end - query.start > timedelta(days=MAX_PLANNED_DAYS - 1):
        raise InputError(f"a period is at most {MAX_PLANNED_DAYS} days", key="end")
    rows = package_pages.placements(package, _viewer(request))
    return package_pages.planned(package, rows, query.start, query.end)


def _visit_rows(payload: s.ScheduleIn) -> list[dict[str, Any]]:
    return [visit.dict() for visit in payload.visits]


@router.post("/packages/{package_id}/variations", response={201: s.ChangeOut, **NOT_FOUND})
def vary_package(request: HttpRequest, package_id: Id, payload: s.ScheduleIn) -> Status:
    """The council's new weekly schedule from a date. Fewer or the same hours apply at once
    (``applied``); more wait for the provider's answer (``awaiting_provider``)."""
    council_of(request)
    change = changes.vary_package(
        _package(request, package_id),
        _visit_rows(payload),
        effective_from=payload.effective_from,
        reason=payload.reason,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    return Status(201, change_row(change))


@router.post("/packages/{package_id}/reviews", response={201: s.ChangeOut, **NOT_FOUND})
def propose_review(request: HttpRequest, package_id: Id, payload: s.ScheduleIn) -> Status:
    """The placed provider's schedule after its review, for the council to decide."""
    provider = _provider(request)
    change = changes.propose_review(
        _package(request, package_id),
        _visit_rows(payload),
        provider=provider,
        effective_from=payload.effective_from,
        reason=payload.reason,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    return Status(201, change_row(change))


def _change(request: HttpRequest, change_id: int) -> Any:
    return brokerage_access.schedule_change_for(scope_of_request(request), change_id)


@router.post("/package-changes/{change_id}/answer", response={200: s.ChangeOut, **NOT_FOUND})
def answer_variation(request: HttpRequest, change_id: Id, payload: s.AnswerIn) -> Any:
    """The placed provider accepts more hours, or declines (a reason is required) and the
    package goes back to brokerage from the change's date."""
    provider = _provider(request)
    change = _change(request, change_id)
    placement = changes.live_placement(change.package)
    if placement is None or placement.provider_id != provider.pk:
        raise HttpError(403, "Only the provider the package is placed with may answer")
    done = changes.answer_variation(
        change,
        accepted=payload.accepted,
        reason=payload.reason,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    return change_row(done)


@router.post("/package-changes/{change_id}/decision", response={200: s.ChangeOut, **NOT_FOUND})
def decide_review(request: HttpRequest, change_id: Id, payload: s.DecisionIn) -> Any:
    """The council approves a provider's review (applied from its date) or rejects it (a
    reason is required)."""
    council_of(request)
    done = changes.decide_review(
        _change(request, change_id),
        approved=payload.approved,
        reason=payload.reason,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    return change_row(done)


@router.post("/packages/{package_id}/suspensions", response={201: s.SuspensionOut, **NOT_FOUND})
def suspend_package(request: HttpRequest, package_id: Id, payload: s.SuspensionIn) -> Status:
    """No visits planned or paid from ``start_date`` to ``end_date`` (both included)."""
    council_of(request)
    made = changes.suspend_package_from(
        _package(request, package_id),
        start_date=payload.start_date,
        end_date=payload.end_date,
        reason=payload.reason,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    row = {"id": made.pk, "start_date": made.start_date, "end_date": made.end_date}
    return Status(201, {**row, "reason": made.reason})


@router.post("/packages/{package_id}/ending", response={201: s.EndingOut, **NOT_FOUND})
def end_package(request: HttpRequest, package_id: Id, payload: s.EndingIn) -> Status:
    """Care ends from ``ends_from`` for a reason; the placement ends then."""
    council_of(request)
    ending = changes.end_package_from(
        _package(request, package_id),
        ends_from=payload.ends_from,
        reason=payload.reason,
        note=payload.note,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    return Status(
        201, {"ends_from": ending.ends_from, "reason": ending.reason, "note": ending.note}
    )
