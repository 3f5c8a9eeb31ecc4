"""Who may see what of period runs, invoices, queries and adjustments.

Each rule takes a :class:`~homecare.accounts.access.Scope`; the singular forms raise Http404
for a missing object and for one that is not the scope's alike.

- A council's finance officers see their council's period runs, invoices, queries and
  adjustments, and act on them (answer and close queries, issue credit notes).
- A provider's users see only their own provider's invoices (provisional and approved),
  the queries on them and the adjustments to them, and raise and reply to queries.
- Anyone else sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from homecare.accounts.access import FINANCE, Scope, as_scope
from homecare.delivery.models import Invoice
from homecare.finance.models import Adjustment, InvoiceQuery, PeriodRun

PROVIDER = "provider"
COUNCIL = "council"


def period_runs_for(scope: Scope) -> QuerySet[PeriodRun]:
    return PeriodRun.objects.filter(council__in=scope.councils(FINANCE)).select_related(
        "council", "created_by"
    )


def period_run_for(scope: Scope, pk: int) -> PeriodRun:
    return get_object_or_404(period_runs_for(scope), pk=pk)


def _invoice_rows(scope: Scope, prefix: str = "") -> Q:
    """Rows of the scope's providers' invoices, or of its finance councils' invoices."""
    wanted = Q(pk__in=[])
    if scope.provider_organisations:
        wanted |= Q(**{f"{prefix}run__provider__organisation__in": scope.provider_organisations})
    councils = scope.councils(FINANCE)
    if councils:
        wanted |= Q(**{f"{prefix}run__council__in": councils})
    return wanted


def provider_invoices_for(scope: Scope) -> QuerySet[Invoice]:
    """The invoices of the scope's providers, latest period first."""
    return (
        Invoice.objects.filter(run__provider__organisation__in=scope.provider_organisations)
        .select_related("run__provider", "run__council")
        .order_by("-run__period_start", "run__council__name", "pk")
    )


def provider_invoice_for(scope: Scope, pk: int) -> Invoice:
    return get_object_or_404(provider_invoices_for(scope), pk=pk)


def managed_invoices_for(scope: Scope) -> QuerySet[Invoice]:
    """The invoices of the councils where the scope is a finance officer."""
    return Invoice.objects.filter(run__council__in=scope.councils(FINANCE)).select_related(
        "run__provider", "run__council"
    )


def managed_invoice_for(scope: Scope, pk: int) -> Invoice:
    return get_object_or_404(managed_invoices_for(scope), pk=pk)


def queries_for(scope: Scope) -> QuerySet[InvoiceQuery]:
    """Queries on the scope's providers' invoices, or on its finance councils' invoices."""
    return InvoiceQuery.objects.filter(_invoice_rows(scope, "invoice__")).select_related(
        "invoice__run__provider", "invoice__run__council", "raised_by", "closed_by", "line"
    )


def query_for(scope: Scope, pk: int) -> InvoiceQuery:
    return get_object_or_404(queries_for(scope), pk=pk)


def adjustments_for(scope: Scope) -> QuerySet[Adjustment]:
    """Credit notes and re-invoices of the invoices the scope sees."""
    return Adjustment.objects.filter(_invoice_rows(scope, "invoice__")).select_related(
        "invoice__run__provider", "invoice__run__council", "created_by", "query"
    )


def adjustment_for(scope: Scope, pk: int) -> Adjustment:
    return get_object_or_404(adjustments_for(scope), pk=pk)


def side_of(who: Any, invoice: Invoice) -> str | None:
    """Which side of ``invoice`` a user (or scope) is on: its provider's, its council's
    finance team's, or neither (None). A user on both sides acts for the council."""
    scope = as_scope(who)
    run = invoice.run
    if any(council.pk == run.council_id for council in scope.councils(FINANCE)):
        return COUNCIL
    provider_organisation = run.provider.organisation_id
    if any(org.pk == provider_organisation for org in scope.provider_organisations):
        return PROVIDER
    return None
