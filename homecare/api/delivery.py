"""For providers' own systems: push one visit log; read your reconciliations and invoices.

Only a provider's token may call these (403 for a council's). A log is checked by the engine
as a file's row is; a bad value is a 400 naming the field; a person with no package placed
with the provider is a 400 naming ``person_ref``. The same log twice (same person, carer and
check-in) is a 200 with ``created: false`` and changes nothing. A provider reads only its
own runs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from carecore.units import from_pence
from homecare.api import delivery_schemas as s
from homecare.api.auth import acting_user_of, scope_of_request
from homecare.api.common import ERRORS, clock, only_query, provider_organisation_of
from homecare.api.schemas import Day
from homecare.commissioning import access as commissioning_access
from homecare.delivery import access as delivery_access
from homecare.delivery import actions

router = Router(tags=["delivery"])


def _log_row(log: Any, created: bool) -> dict[str, Any]:
    return {
        "id": log.pk,
        "created": created,
        "person_ref": log.person.reference,
        "carer_id": log.carer_id,
        "check_in": log.check_in,
        "check_out": log.check_out,
        "method": log.method,
        "exception_code": log.exception_code or None,
        "approval": log.approval,
    }


@router.post("/visit-logs", response={200: s.VisitLogOut, 201: s.VisitLogOut, **ERRORS})
def push_visit_log(request: HttpRequest, payload: s.VisitLogIn) -> Status[dict[str, Any]]:
    """Record one carer's log of one visit (201), or find it already recorded (200)."""
    provider_organisation_of(request)
    only_query(request)
    provider = commissioning_access.provider_of(scope_of_request(request))
    if provider is None:
        raise HttpError(403, "Your organisation is not a provider on the council's market")
    log, created = actions.record_visit_log(
        provider, payload.dict(), now=clock(), acting_user=acting_user_of(request)
    )
    return Status(201 if created else 200, _log_row(log, created))


def _run_row(run: Any) -> dict[str, Any]:
    invoice = getattr(run, "invoice", None)
    return {
        "id": run.pk,
        "council": run.council.slug,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "status": run.status,
        "rules": run.rules_name,
        "ran_at": run.ran_at,
        "planned_visits": run.planned_visits,
        "planned_carer_minutes": run.planned_carer_minutes,
        "payable_carer_minutes": run.payable_carer_minutes,
        "withheld_pence": run.withheld_pence,
        "outcomes": run.outcome_counts or {},
        "invoice": None
        if invoice is None
        else {
            "number": invoice.number,
            "status": invoice.status,
            "lines": invoice.lines_count,
            "total": from_pence(invoice.total_pence),
            "total_pence": invoice.total_pence,
        },
    }


class PeriodFilter(Schema):
    period_start: Day | None = Field(None, description="a Monday", examples=["2026-03-09"])


@router.get("/reconciliations", response={200: list[s.ReconciliationOut], **ERRORS})
def list_reconciliations(request: HttpRequest, query: Query[PeriodFilter]) -> list[dict[str, Any]]:
    """Your reconciliation runs and their invoice totals, latest period first; give
    ``period_start`` (a Monday) for one period."""
    provider_organisation_of(request)
    only_query(request, frozenset({"period_start"}))
    runs = delivery_access.runs_for(scope_of_request(request)).order_by("-period_start", "pk")
    if query.period_start is not None:
        runs = runs.filter(period_start=query.period_start)
    return [_run_row(run) for run in runs[:200]]
