"""Pages of the period runs: every provider reconciled for a period at once, in the
background. Views only parse, ask ``invoice_access`` and call the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carecore.errors import InputError
from carecore.units import from_pence
from homecare.accounts import access
from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.finance import invoice_access
from homecare.finance.forms_periods import PeriodRunForm
from homecare.finance.period_runs import ALREADY_APPROVED, REFUSED, start_period_run

PAGE_SIZE = 25
REFRESH_SECONDS = 3


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


@require_http_methods(["GET", "POST"])
@access.require_role(access.Role.FINANCE)
def period_runs(request: HttpRequest) -> HttpResponse:
    """The council's period runs, latest first, and the form to start one."""
    scope = access.scope_of(request)
    councils = access.finance_councils_of(scope)
    if not councils:
        raise PermissionDenied("Only a council's finance officers run its periods.")
    form = PeriodRunForm(
        request.POST if request.method == "POST" else None, councils=councils, today=today()
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                period = start_period_run(
                    form.chosen_council(),
                    date.fromisoformat(form.cleaned_data["period_start"]),
                    now=timezone.now(),
                    acting_user=request.user,
                )
            except InputError as exc:
                form.add_input_error(exc, {"period_start": "period_start"}, "period_start")
            else:
                return redirect("finance:period-run", pk=period.pk)
        status = 400
    page = Paginator(invoice_access.period_runs_for(scope), PAGE_SIZE)
    return render(
        request,
        "finance/period_runs.html",
        {"form": form, "page": page.get_page(request.GET.get("page"))},
        status=status,
    )


@access.require_role(access.Role.FINANCE)
def period_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A period run's progress (the page updates itself while it runs) and its providers."""
    period = invoice_access.period_run_for(access.scope_of(request), pk)
    rows = provider_rows(period)
    return render(
        request,
        "finance/period_run.html",
        {
            "period": period,
            "rows": rows,
            "total": from_pence(sum(row["total_pence"] for row in rows)),
            "provisional": sum(1 for row in rows if row["status"] == "Provisional"),
            "approved": sum(1 for row in rows if row["status"] == "Approved"),
            "to_decide": sum(row["to_decide"] for row in rows),
            "refused": sum(1 for row in rows if row["outcome"] == REFUSED),
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


def provider_rows(period: Any) -> list[dict[str, Any]]:
    """One row a provider done so far: its run, invoice total and status, and how many of
    its exceptions are left to decide (read in one query for all)."""
    entries = list(period.results or [])
    ids = [entry["run"] for entry in entries if entry.get("run")]
    runs = {
        run.pk: run
        for run in ReconciliationRun.objects.filter(pk__in=ids, council=period.council)
        .select_related("invoice", "provider")
        .annotate(
            to_decide=Count(
                "exceptions", filter=Q(exceptions__status=VisitException.Status.PENDING)
            )
        )
    }
    rows = []
    for entry in entries:
        run = runs.get(entry.get("run"))
        invoice = getattr(run, "invoice", None) if run is not None else None
        rows.append(
            {
                "name": run.provider.name if run is not None else entry.get("name", ""),
                "run": run,
                "invoice": invoice,
                "total_pence": invoice.total_pence if invoice is not None else 0,
                "status": invoice.get_status_display() if invoice is not None else "",
                "to_decide": getattr(run, "to_decide", 0) if run is not None else 0,
                "outcome": entry.get("outcome", ""),
                "note": _note(entry),
                "stale": bool(run is not None and run.stale),
            }
        )
    return rows


def _note(entry: dict[str, Any]) -> str:
    if entry.get("outcome") == ALREADY_APPROVED:
        return "Already approved: left as it was"
    if entry.get("outcome") == REFUSED:
        return f"Not reconciled: {entry.get('error', '')}"
    return ""
