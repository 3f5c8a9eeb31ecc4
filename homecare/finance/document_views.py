"""Kept documents: a document's page (its progress while it is built, then its download),
its file, and the NHS recharge document of a range of days for finance officers.

Views parse, ask ``documents_kept.documents_for`` (a missing and a forbidden document both
give 404) and call its actions. A document's page refreshes its progress through htmx and
offers a plain link for the same without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carecore.errors import InputError
from homecare.accounts import access
from homecare.delivery.models import Invoice
from homecare.finance import documents_kept
from homecare.finance.models import KeptDocument
from homecare.insight.forms import PeriodForm

DOCUMENT_ROLES = (access.Role.PROVIDER, access.Role.FINANCE, access.Role.COMMISSIONER)
REFRESH_SECONDS = 2
RECENT = 10
Status = KeptDocument.Status
NOUNS = {"invoice": "invoice", "remittance": "remittance advice", "recharge": "NHS recharge"}


def _heading(kept: KeptDocument) -> str:
    if kept.kind == KeptDocument.Kind.RECHARGE:
        first, last = documents_kept.recharge_days(kept)
        return f"NHS recharge, {first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
    assert kept.invoice is not None
    if kept.kind == KeptDocument.Kind.REMITTANCE:
        return f"Remittance for invoice {kept.invoice.number}"
    return f"Invoice {kept.invoice.number}"


def _is_current(kept: KeptDocument) -> bool:
    """Whether the copy still shows what the platform holds now."""
    if kept.kind == KeptDocument.Kind.RECHARGE:
        first, last = documents_kept.recharge_days(kept)
        return kept.source_version == documents_kept.recharge_version(kept.council, first, last)
    assert kept.invoice is not None
    return kept.source_version == documents_kept.source_version(kept.invoice, kept.kind)


def file_response(kept: KeptDocument) -> HttpResponse:
    response = HttpResponse(bytes(kept.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kept.file_name}"'
    return response


def run_document(request: HttpRequest, run: Any, kind: str) -> HttpResponse:
    """A run's invoice or remittance PDF, for the run's download link (the caller checks
    access): the kept file at once when it is built, else the page that shows it being
    built."""
    invoice = Invoice.objects.filter(run=run).first()
    if invoice is None:
        raise Http404("This run has no invoice")
    kept = documents_kept.request_document(
        invoice, kind, now=timezone.now(), acting_user=request.user
    )
    if kept.status == Status.DONE:
        return file_response(kept)
    return redirect("finance:document", pk=kept.pk)


@access.require_role(*DOCUMENT_ROLES)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.scope_of(request)
    kept = get_object_or_404(documents_kept.documents_for(scope).defer("content"), pk=pk)
    recharge = kept.kind == KeptDocument.Kind.RECHARGE
    context: dict[str, Any] = {
        "kept": kept,
        "heading": _heading(kept),
        "noun": NOUNS.get(kept.kind, "document"),
        "current": kept.status != Status.DONE or _is_current(kept),
        "refresh_seconds": REFRESH_SECONDS,
        "recharge": recharge,
    }
    if recharge:
        first, last = documents_kept.recharge_days(kept)
        context["again"] = _date_fields(first, last)
    else:
        assert kept.invoice is not None
        context["run"] = kept.invoice.run
        context["file_name"] = f"{kept.kind}.pdf"
    return render(request, "finance/document.html", context)


def _date_fields(first: Any, last: Any) -> dict[str, int]:
    return {
        "from_day": first.day,
        "from_month": first.month,
        "from_year": first.year,
        "to_day": last.day,
        "to_month": last.month,
        "to_year": last.year,
    }


@access.require_role(*DOCUMENT_ROLES)
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    kept = get_object_or_404(documents_kept.documents_for(access.scope_of(request)), pk=pk)
    if kept.status != Status.DONE:
        return redirect("finance:document", pk=kept.pk)
    return file_response(kept)


@access.require_council_role(access.Role.FINANCE)
@require_http_methods(["GET", "POST"])
def recharge_document(request: HttpRequest) -> HttpResponse:
    """The form for the NHS recharge document of a range of days, and the latest made."""
    council = access.scope_of(request).first_council(
        access.FINANCE, "Only a council's finance officers may do this."
    )
    now = timezone.now()
    form = PeriodForm(request.POST or None, today=timezone.localdate(now))
    if request.method == "POST" and form.is_valid() and form.first and form.last:
        try:
            kept = documents_kept.request_recharge(
                council, form.first, form.last, now=now, acting_user=request.user
            )
        except InputError as exc:
            form.add_error("to_day", f"To date: {exc.message}")
        else:
            return redirect("finance:document", pk=kept.pk)
    recent = (
        KeptDocument.objects.filter(council=council, kind=KeptDocument.Kind.RECHARGE)
        .defer("content")
        .select_related("created_by")[:RECENT]
    )
    context = {
        "council": council,
        "form": form,
        "recent": [(kept, _heading(kept)) for kept in recent],
    }
    status = 400 if form.errors else 200
    return render(request, "finance/recharge_document.html", context, status=status)
