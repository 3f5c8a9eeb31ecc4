"""Pay pages: a provider's pay return (its form and history) and the pay-floor audit of a
month (a page and a CSV).

Who sees what:

- The pay return page is the provider's own: its users file and see their own returns.
- The audit is a council's: its commissioners and finance officers see every provider
  placed through the council; a provider's users see only their own provider's figures (at
  the first council, by name, that placed packages with it), as on the performance page
  (:func:`homecare.delivery.access.performance_scope_for`).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from carecore.pay_audit import CarerDay, FloorSummary
from carecore.pricing.pay_floors import KINDS
from carecore.spreadsheets import csv_text
from carecore.units import from_pence
from homecare.accounts import access
from homecare.commissioning.models import Provider
from homecare.delivery import access as delivery_access
from homecare.finance import pay_audit_inputs as inputs
from homecare.finance.models import PayReturn
from homecare.finance.pay_forms import PayReturnForm, month_asked
from homecare.finance.pay_returns import describe_return, file_pay_return

AUDIT_ROLES = (access.Role.COMMISSIONER, access.Role.FINANCE, access.Role.PROVIDER)
PENNY = Decimal("0.01")


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


def _pounds(pence: int) -> Decimal:
    return from_pence(pence)


# --- the pay return -------------------------------------------------------------------------


def _own_provider(request: HttpRequest) -> Provider:
    organisations = access.scope_of(request).provider_organisations
    provider = Provider.objects.filter(organisation__in=organisations).order_by("name").first()
    if provider is None:
        raise Http404("Your organisation is not a provider the council pays")
    return provider


def _history(provider: Provider) -> list[dict[str, Any]]:
    returns = list(PayReturn.objects.filter(provider=provider).select_related("filed_by"))
    versions = dict(
        PayReturn.history.model.objects.filter(id__in=[r.pk for r in returns])
        .values("id")
        .annotate(count=Count("history_id"))
        .values_list("id", "count")
    )
    return [
        {"item": r, "words": describe_return(r), "corrections": max(0, versions.get(r.pk, 1) - 1)}
        for r in returns
    ]


@access.require_role(access.Role.PROVIDER)
def pay_return(request: HttpRequest) -> HttpResponse:
    """The provider's pay return: a form to file one from a day, and those filed."""
    organisations = access.scope_of(request).provider_organisations
    if not Provider.objects.filter(organisation__in=organisations).exists():
        # Not yet a provider any council pays: nothing to file, said in words.
        return render(request, "finance/pay_return.html", {"unregistered": True})
    provider = _own_provider(request)
    form = PayReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            file_pay_return(
                provider, **form.action_values(), now=timezone.now(), acting_user=request.user
            )
        except InputError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, "Your pay return is filed.")
            return redirect("finance:pay-return")
    return render(
        request,
        "finance/pay_return.html",
        {"form": form, "provider": provider, "history": _history(provider)},
    )


# --- the audit ------------------------------------------------------------------------------


def _floor_cell(summary: FloorSummary) -> dict[str, Any]:
    share = summary.share_below
    mean = summary.mean_shortfall_per_hour
    return {
        "kind": summary.kind,
        "title": inputs.FLOOR_TITLES[summary.kind],
        "days": summary.days,
        "below": summary.days_below,
        "percent": None if share is None else (share * 100).quantize(Decimal("0.1"), ROUND_HALF_UP),
        # Rounded up, so a shortfall is never understated.
        "mean_shortfall": None if mean is None else mean.quantize(PENNY, ROUND_CEILING),
        "shortfall": _pounds(summary.shortfall_pence),
    }


def _day_row(day: CarerDay) -> dict[str, Any]:
    return {
        "carer": day.carer_id,
        "day": day.day,
        "visits": day.visits,
        "hours": day.working_hours.quantize(PENNY, ROUND_HALF_UP),
        "contact": day.contact_minutes.quantize(Decimal(1), ROUND_HALF_UP),
        "travel": day.travel_minutes.quantize(Decimal(1), ROUND_HALF_UP),
        "waiting": day.waiting_minutes.quantize(Decimal(1), ROUND_HALF_UP),
        "paid": _pounds(day.paid_pence),
        # Rounded down, so effective pay is never overstated.
        "effective": day.effective_pay.quantize(PENNY, ROUND_FLOOR),
        "below": [
            inputs.SHORT_TITLES[kind]
            for kind in KINDS
            if (verdict := day.verdict(kind)) is not None and verdict.below
        ],
    }


def _provider_view(item: inputs.ProviderAudit) -> dict[str, Any]:
    audit = item.audit
    return {
        "item": item,
        "provider": item.provider,
        "status": item.status,
        "first_return": item.returns[-1] if item.returns else None,
        "applied": [(r, describe_return(r)) for r in item.applied],
        "floors": [_floor_cell(s) for s in audit.floors] if audit else [],
        "worst": [_day_row(d) for d in audit.worst] if audit else [],
        "days": len(audit.days) if audit else 0,
    }


def _scope(request: HttpRequest) -> tuple[Any, list[Provider] | None]:
    return delivery_access.performance_scope_for(access.scope_of(request))


@access.require_role(*AUDIT_ROLES)
def pay_audit(request: HttpRequest) -> HttpResponse:
    council, only = _scope(request)
    form, month = month_asked(request.GET, today())
    result = inputs.audit_month(council, month, only=only)
    rows = [_provider_view(item) for item in result.providers]
    return render(
        request,
        "finance/pay_audit.html",
        {
            "form": form,
            "council": council,
            "month": month,
            "month_value": month.isoformat()[:7],
            "result": result,
            "rows": rows,
            "audited": [row for row in rows if row["status"] == "audited"],
            "own_only": only is not None,
            "floor_titles": [inputs.FLOOR_TITLES[kind] for kind in KINDS],
            "floors": [(inputs.FLOOR_TITLES[kind], rates) for kind, rates in result.floors],
        },
    )


CSV_HEADER = (
    "provider",
    "month",
    "pay_return",
    "carer_id",
    "date",
    "visits",
    "overlapping_logs_merged",
    "contact_minutes",
    "travel_minutes",
    "waiting_minutes",
    "break_minutes",
    "working_hours",
    "paid_pounds",
    "effective_pay_per_hour",
    *(
        f"{name}_{part}"
        for name in ("nlw", "rlw", "llw")
        for part in ("per_hour", "below", "shortfall_per_hour", "shortfall_pounds")
    ),
)


def _minutes(seconds: int) -> Decimal:
    return (Decimal(seconds) / 60).quantize(PENNY, ROUND_HALF_UP)


def _csv_day(day: CarerDay) -> list[Any]:
    cells: list[Any] = [
        day.carer_id,
        day.day.isoformat(),
        day.visits,
        day.merged_logs,
        _minutes(day.contact_seconds),
        _minutes(day.travel_seconds),
        _minutes(day.waiting_seconds),
        _minutes(day.break_seconds),
        day.working_hours.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        _pounds(day.paid_pence),
        day.effective_pay.quantize(Decimal("0.0001"), ROUND_FLOOR),
    ]
    for kind in KINDS:
        verdict = day.verdict(kind)
        if verdict is None:
            cells += ["", "", "", ""]
            continue
        cells += [
            verdict.floor.amount,
            "yes" if verdict.below else "no",
            verdict.shortfall_per_hour.quantize(Decimal("0.0001"), ROUND_CEILING),
            _pounds(verdict.shortfall_pence),
        ]
    return cells


@access.require_role(*AUDIT_ROLES)
def pay_audit_csv(request: HttpRequest) -> HttpResponse:
    """One row a carer-day; a provider with no return in force (or no logs) has one row
    saying so, with the figures empty."""
    council, only = _scope(request)
    _form, month = month_asked(request.GET, today())
    result = inputs.audit_month(council, month, only=only)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    blanks = [""] * (len(CSV_HEADER) - 3)
    for item in result.providers:
        head = [item.provider.name, month.isoformat()[:7]]
        if item.audit is None:
            words = "no pay return filed" if item.status == "no_return" else "no visits logged"
            writer.writerow([csv_text(v) for v in [*head, words, *blanks]])
            continue
        filed = "; ".join(
            f"from {r.effective_from.isoformat()}: {describe_return(r)}" for r in item.applied
        )
        text = [csv_text(v) for v in (*head, filed)]
        for day in item.audit.days:
            # Only the carer id is text from outside; the rest are numbers and words made here.
            cells = _csv_day(day)
            writer.writerow([*text, csv_text(cells[0]), *cells[1:]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pay-floor-audit-{month:%Y-%m}.csv"'
    return response
