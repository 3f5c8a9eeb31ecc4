"""Commitments against budgets (a page and a CSV), setting a budget, and purchase orders.

Views parse, ask the access rules and call :mod:`homecare.finance.commitments` and
:mod:`homecare.finance.purchase_orders`. Who may do what:

- a council's finance officers and commissioners read its commitments and its people's
  purchase orders; only its commissioners set budgets;
- a provider's users read the purchase orders of their own placements, nothing else here.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from carecore.errors import InputError
from carecore.spreadsheets import csv_text
from carecore.units import from_pence
from homecare.accounts import access
from homecare.accounts.paging import query_without_page
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.models import Zone
from homecare.finance import commitments as figures
from homecare.finance import purchase_orders as orders
from homecare.finance.forms_commitments import BudgetForm, FindOrderForm, YearForm
from homecare.finance.models import Budget, Stream

READERS = (access.Role.FINANCE, access.Role.COMMISSIONER)
ORDER_READERS = (access.Role.PROVIDER, access.Role.FINANCE, access.Role.COMMISSIONER)
PAGE_SIZE = 50


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


def _council(request: HttpRequest) -> Any:
    return access.first_council(
        request, access.DELIVERY_ROLES, "Only a council's finance officers and commissioners."
    )


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    """The form and the year asked for (this financial year when none is, or it is wrong)."""
    this = figures.financial_year(today())
    form = YearForm(request.GET if "year" in request.GET else {"year": str(this)}, today=today())
    if form.is_valid():
        return form, int(form.cleaned_data["year"])
    return form, this


def pounds_of(pence: int | None) -> Decimal | None:
    return None if pence is None else from_pence(pence)


def _shown(row: figures.Row) -> dict[str, Any]:
    return {
        "row": row,
        "budget": pounds_of(row.budget_pence),
        "committed": pounds_of(row.committed_pence),
        "spent": pounds_of(row.spent_pence),
        "to_invoice": pounds_of(row.to_invoice_pence),
        "remaining": pounds_of(row.remaining_pence),
        "over": row.remaining_pence is not None and row.remaining_pence < 0,
    }


def _tables(result: figures.Commitments) -> list[dict[str, Any]]:
    return [
        {
            "stream": stream,
            "title": Stream(stream).label,
            "rows": [_shown(row) for row in result.rows_of(stream)],
            "total": _shown(result.total(stream)),
        }
        for stream in figures.STREAMS
    ]


@access.require_council_role(*READERS)
def commitments(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form, year = _year(request)
    result = figures.commitments(council, year)
    frameworks = commissioning_access.frameworks_for(
        access.scope_of(request), access.DELIVERY_ROLES
    ).filter(council=council)
    return render(
        request,
        "finance/commitments.html",
        {
            "council": council,
            "form": form,
            "result": result,
            "year_words": figures.year_words(year),
            "tables": _tables(result),
            "all": _shown(result.total()),
            "query": urlencode({"year": year}),
            "can_set_budgets": council in access.councils_of(request, access.COMMISSIONERS),
            "frameworks": frameworks,
        },
        status=400 if form.errors else 200,
    )


CSV_HEADER = [
    "Financial year",
    "Zone code",
    "Zone",
    "Funding stream",
    "Budget (£)",
    "Committed for the year (£)",
    "Spent to date (£)",
    "Still to invoice (£)",
    "Remaining (£)",
]


def csv_rows(result: figures.Commitments) -> list[list[str]]:
    """A header, a row for each zone and stream, and a total for each stream and overall:
    plain amounts in pounds to the penny (empty where no budget is set)."""
    words = f"{result.year}-{(result.year + 1) % 100:02d}"

    def line(row: figures.Row, zone_name: str, stream_words: str) -> list[str]:
        def money(pence: int | None) -> str:
            return "" if pence is None else str(from_pence(pence))

        return [
            words,
            row.zone_code,
            zone_name,
            stream_words,
            money(row.budget_pence),
            money(row.committed_pence),
            money(row.spent_pence),
            money(row.to_invoice_pence),
            money(row.remaining_pence),
        ]

    rows = [CSV_HEADER]
    for stream in figures.STREAMS:
        rows += [line(row, row.zone_name, row.stream_words) for row in result.rows_of(stream)]
        rows.append(line(result.total(stream), "All zones", str(Stream(stream).label)))
    rows.append(line(result.total(), "All zones", "All streams"))
    return rows


@access.require_council_role(*READERS)
def commitments_csv(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form, year = _year(request)
    if form.errors:
        return commitments(request)
    result = figures.commitments(council, year)
    out = io.StringIO()
    csv.writer(out).writerows([[csv_text(v) for v in row] for row in csv_rows(result)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"commitments-{year}-{(year + 1) % 100:02d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access.require_council_role(access.Role.COMMISSIONER)
def budget(request: HttpRequest) -> HttpResponse:
    council = access.council_for_commissioner(request)
    zones = list(Zone.objects.filter(council=council).order_by("position", "code"))
    initial = {k: request.GET.get(k, "") for k in ("zone", "stream", "year")}
    if not initial["year"]:
        initial["year"] = str(figures.financial_year(today()))
    current = _current_budget(council, initial)
    if current is not None:
        initial["amount"] = str(from_pence(current.amount_pence))
    form = BudgetForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        zones=zones,
        today=today(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        zone = next(z for z in zones if z.code == data["zone"])
        try:
            saved = figures.set_budget(
                council,
                zone,
                data["stream"],
                int(data["year"]),
                data["amount"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {k: k for k in ("zone", "stream", "year", "amount")}, "zone")
        else:
            messages.success(
                request,
                f"The {saved.get_stream_display()} budget for {zone.name} in "
                f"{figures.year_words(saved.year)} is now £{from_pence(saved.amount_pence):,}.",
            )
            return redirect(f"{reverse('finance:commitments')}?year={saved.year}")
    return render(
        request,
        "finance/commitments_budget.html",
        {"council": council, "form": form, "current": current},
        status=400 if form.errors else 200,
    )


def _current_budget(council: Any, initial: dict[str, str]) -> Budget | None:
    if not (initial["zone"] and initial["stream"] and initial["year"].isdecimal()):
        return None
    year = int(initial["year"])
    if not figures.EARLIEST_YEAR <= year <= figures.LATEST_YEAR:
        return None
    return Budget.objects.filter(
        council=council, zone__code=initial["zone"], stream=initial["stream"], year=year
    ).first()


# --- purchase orders ----------------------------------------------------------------------


@access.require_role(*ORDER_READERS)
def purchase_orders(request: HttpRequest) -> HttpResponse:
    """The purchase orders the user may read, newest first; found by number or person."""
    scope = access.scope_of(request)
    placements = orders.placements_for(scope).select_related(
        "package__person", "provider", "request__framework"
    )
    form = FindOrderForm(request.GET or None)
    wanted = ""
    if form.is_valid():
        wanted = (form.cleaned_data.get("q") or "").strip()
    if wanted:
        pk = orders.placement_pk(wanted)
        match = Q(package__person__reference__iexact=wanted)
        if pk is not None:
            match |= Q(pk=pk)
        placements = placements.filter(match)
        if pk is not None and placements.count() == 1 and placements.first().pk == pk:  # type: ignore[union-attr]
            return redirect("finance:purchase-order", pk=pk)
    page = Paginator(placements.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/commitments_purchase_orders.html",
        {
            "form": form,
            "wanted": wanted,
            "page": page,
            "rows": [(p, orders.rates.purchase_order_number(p)) for p in page.object_list],
            "query": query_without_page(request),
            "provider_view": not scope.councils(access.DELIVERY_ROLES),
        },
        status=400 if form.errors else 200,
    )


@access.require_role(*ORDER_READERS)
def purchase_order(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.scope_of(request)
    placement = orders.placement_for(scope, pk)
    order = orders.purchase_order(placement)
    council_view = placement.request.framework.council in scope.councils(access.DELIVERY_ROLES)
    versions = [
        {
            "version": v,
            "number": index,
            "rate": pounds_of(v.rate_pence),
            "weekly": pounds_of(v.weekly_pence),
        }
        for index, v in enumerate(order.versions, start=1)
    ]
    return render(
        request,
        "finance/purchase_order.html",
        {
            "order": order,
            "placement": placement,
            "person": placement.package.person,
            "versions": versions,
            "council_view": council_view,
            "today": today(),
        },
    )
