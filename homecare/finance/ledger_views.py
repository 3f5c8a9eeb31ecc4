"""Payment batches and what leaves the platform: the ledger file, the council's layout of it,
the charging export and the NHS recharge. Views parse, ask ``ledger_access`` and call
actions; a finance officer acts for their council, a commissioner may read its batches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carecore.errors import InputError
from carecore.ledger import AMOUNT_FORMATS, VALUES, LayoutError
from carecore.units import from_pence
from homecare.accounts import access
from homecare.accounts.paging import query_without_page
from homecare.commissioning.forms import GovukForm
from homecare.finance import exports, ledger
from homecare.finance import ledger_access as finance_access
from homecare.finance.ledger_layout import (
    MAX_LAYOUT_CHARACTERS,
    default_layout_text,
    layout_text_for,
    stored_layout,
)
from homecare.finance.models import PaymentBatch
from homecare.insight.forms import PeriodForm

READ_ROLES = (access.Role.FINANCE, access.Role.COMMISSIONER)
PAGE_SIZE = 50
MAX_LISTED = 500  # documents offered for one batch: the oldest first


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


def _pounds(pence: int) -> Decimal:
    return from_pence(int(pence or 0))


# --- forms ---------------------------------------------------------------------------------


class BatchForm(GovukForm):
    invoices = forms.MultipleChoiceField(
        label="Invoices", required=False, widget=forms.CheckboxSelectMultiple
    )
    adjustments = forms.MultipleChoiceField(
        label="Credit notes and re-invoices", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, invoices: list[Any], adjustments: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["invoices"].choices = [(str(i.pk), i.number) for i in invoices]
        self.fields["adjustments"].choices = [(str(a.pk), a.number) for a in adjustments]
        self.fields["invoices"].error_anchor = f"invoice-{invoices[0].pk}" if invoices else ""  # type: ignore[attr-defined]
        self.fields["adjustments"].error_anchor = (  # type: ignore[attr-defined]
            f"adjustment-{adjustments[0].pk}" if adjustments else ""
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("invoices") and not cleaned.get("adjustments"):
            self.add_error("invoices", "Choose at least one invoice or correction to pay")
        return cleaned


class ReExportForm(GovukForm):
    reason = forms.CharField(
        label="Why it is exported again",
        max_length=ledger.MAX_REASON,
        strip=True,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for exporting the batch again"},
    )


class LayoutForm(GovukForm):
    text = forms.CharField(
        label="Layout",
        max_length=MAX_LAYOUT_CHARACTERS,
        strip=False,
        widget=forms.Textarea,
        error_messages={"required": "Write the layout, or copy the shipped one"},
    )


# --- payment batches -----------------------------------------------------------------------


@access.require_council_role(*READ_ROLES)
def batches(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    rows = (
        finance_access.batches_for(scope)
        .annotate(documents=Count("items", distinct=True), files=Count("exports", distinct=True))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page.object_list:
        batch.total = _pounds(batch.total_pence)  # type: ignore[attr-defined]
    return render(
        request,
        "finance/batches.html",
        {
            "page": page,
            "query": query_without_page(request),
            "can_make": bool(scope.councils(access.FINANCE)),
        },
    )


@require_http_methods(["GET", "POST"])
@access.require_council_role(access.Role.FINANCE)
def batch_new(request: HttpRequest) -> HttpResponse:
    council = finance_access.finance_council(access.scope_of(request))
    invoices = list(ledger.unbatched_invoices(council)[:MAX_LISTED])
    adjustments = list(ledger.unbatched_adjustments(council)[:MAX_LISTED])
    initial = {
        "invoices": [str(i.pk) for i in invoices],
        "adjustments": [str(a.pk) for a in adjustments],
    }
    form = BatchForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        invoices=invoices,
        adjustments=adjustments,
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = ledger.make_payment_batch(
                council,
                [int(pk) for pk in form.cleaned_data["invoices"]],
                [int(pk) for pk in form.cleaned_data["adjustments"]],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            field = "adjustments" if exc.key == "adjustments" else "invoices"
            form.add_error(field, exc.message[0].upper() + exc.message[1:])
        else:
            messages.success(request, f"Payment batch {batch.number} is made: export it below.")
            return redirect("finance:batch", pk=batch.pk)
    chosen = set(form["invoices"].value() or []), set(form["adjustments"].value() or [])
    invoice_rows = [
        {"item": i, "amount": _pounds(i.total_pence), "chosen": str(i.pk) in chosen[0]}
        for i in invoices
    ]
    adjustment_rows = [
        {
            "item": a,
            "amount": _pounds(ledger.signed_pence(a)),
            "chosen": str(a.pk) in chosen[1],
        }
        for a in adjustments
    ]
    total = sum(i.total_pence for i in invoices) + sum(ledger.signed_pence(a) for a in adjustments)
    return render(
        request,
        "finance/batch_new.html",
        {
            "council": council,
            "form": form,
            "invoices": invoice_rows,
            "adjustments": adjustment_rows,
            "total": _pounds(total),
            "invoices_total": _pounds(sum(i.total_pence for i in invoices)),
            "adjustments_total": _pounds(sum(ledger.signed_pence(a) for a in adjustments)),
            "max_listed": MAX_LISTED,
        },
        status=400 if form.errors else 200,
    )


def _items(batch: PaymentBatch) -> list[dict[str, Any]]:
    rows = []
    items = batch.items.select_related(
        "invoice__run__provider", "adjustment__invoice__run__provider"
    ).order_by("pk")
    for item in items:
        document = item.invoice or item.adjustment
        invoice = item.invoice or (item.adjustment.invoice if item.adjustment else None)
        if document is None or invoice is None:
            continue
        rows.append(
            {
                "kind": "Invoice" if item.invoice else item.adjustment.get_kind_display(),  # type: ignore[union-attr]
                "number": document.number,
                "provider": invoice.run.provider.name,
                "run": invoice.run,
                "amount": _pounds(item.amount_pence),
            }
        )
    return rows


def _batch_page(
    request: HttpRequest, batch: PaymentBatch, form: ReExportForm | None = None, status: int = 200
) -> HttpResponse:
    scope = access.scope_of(request)
    files = list(batch.exports.select_related("exported_by").order_by("exported_at", "pk"))
    return render(
        request,
        "finance/batch.html",
        {
            "batch": batch,
            "items": _items(batch),
            "total": _pounds(batch.total_pence),
            "files": files,
            "can_manage": batch.council in scope.councils(access.FINANCE),
            "form": form or ReExportForm(),
        },
        status=status,
    )


@access.require_council_role(*READ_ROLES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_page(request, finance_access.batch_for(access.scope_of(request), pk))


@require_POST
@access.require_council_role(access.Role.FINANCE)
def batch_make_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Export the batch; ``again`` with a reason exports it again, marked as a re-export."""
    batch = finance_access.batch_to_manage_for(access.scope_of(request), pk)
    again = request.POST.get("again") == "yes"
    form = ReExportForm(request.POST) if again else None
    if form is not None and not form.is_valid():
        return _batch_page(request, batch, form, status=400)
    try:
        made = ledger.export_batch(
            batch,
            again=again,
            reason=form.cleaned_data["reason"] if form is not None else "",
            now=timezone.now(),
            acting_user=request.user,
        )
    except InputError as exc:
        shown = form or ReExportForm()
        if not shown.is_bound:
            assert not shown.errors  # an unbound form's (empty) errors, made once
            shown.cleaned_data = {}
        shown.add_error(None, exc.message[0].upper() + exc.message[1:])
        return _batch_page(request, batch, shown, status=400)
    word = "exported again" if made.re_export else "exported"
    messages.success(
        request, f"Payment batch {batch.number} is {word}: {made.rows} row{'s' * (made.rows != 1)}."
    )
    return redirect(f"{batch_url(batch)}#files")


def batch_url(batch: PaymentBatch) -> str:
    from django.urls import reverse

    return reverse("finance:batch", args=[batch.pk])


@access.require_council_role(*READ_ROLES)
def batch_export(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse:
    """A kept payment file, byte for byte as it was made."""
    made = finance_access.export_for(access.scope_of(request), pk, export_pk)
    response = HttpResponse(bytes(made.content), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    return response


# --- the layout ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.require_council_role(access.Role.FINANCE)
def ledger_layout(request: HttpRequest) -> HttpResponse:
    council = finance_access.finance_council(access.scope_of(request))
    stored = stored_layout(council)
    form = LayoutForm(
        request.POST if request.method == "POST" else None,
        initial={"text": layout_text_for(council)},
    )
    error_line = None
    if request.method == "POST" and form.is_valid():
        try:
            ledger.save_ledger_layout(
                council, form.cleaned_data["text"], now=timezone.now(), acting_user=request.user
            )
        except LayoutError as exc:
            error_line = exc.line
            where = f"line {exc.line}, " if exc.line else ""
            form.add_error("text", f"Layout: {where}{exc.key}: {exc.message}")
        except InputError as exc:
            form.add_error("text", f"Layout: {exc.message}")
        else:
            messages.success(request, "The ledger layout is saved: the next export uses it.")
            return redirect("finance:ledger-layout")
    return render(
        request,
        "finance/ledger_layout.html",
        {
            "council": council,
            "form": form,
            "stored": stored,
            "error_line": error_line,
            "values": [(name, kind, words) for name, (kind, words) in VALUES.items()],
            "amount_formats": list(AMOUNT_FORMATS.items()),
            "default_text": default_layout_text(),
        },
        status=400 if form.errors else 200,
    )


# --- the charging export and the NHS recharge ----------------------------------------------


def _period_export(request: HttpRequest, kind: str) -> HttpResponse:
    council = finance_access.finance_council(access.scope_of(request))
    form = PeriodForm(request.GET or None, today=today())
    context: dict[str, Any] = {"council": council, "form": form, "query": ""}
    if form.is_bound and form.is_valid() and form.first and form.last:
        first, last = form.first, form.last
        if kind == "charging":
            rows = exports.charging_rows(council, first, last)
            text = exports.charging_csv(rows)
            context.update(
                people=len({r.person_ref for r in rows}),
                rows=len(rows),
                total=_pounds(sum(r.total_pence for r in rows)),
            )
            stem = f"charging-{first}-to-{last}"
        else:
            recharge = exports.recharge_rows(council, first, last)
            text = exports.recharge_csv(recharge)
            context.update(
                rows=len(recharge.rows),
                providers=[(name, _pounds(p)) for name, p in recharge.by_provider.items()],
                total=_pounds(recharge.total_pence),
            )
            stem = f"nhs-recharge-{first}-to-{last}"
        if request.GET.get("download") == "csv":
            response = HttpResponse(text, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
            return response
        context.update(first=first, last=last, query=request.GET.urlencode())
    return render(
        request,
        f"finance/exports_{kind}.html",
        context,
        status=400 if form.errors else 200,
    )


@access.require_council_role(access.Role.FINANCE)
def charging_export(request: HttpRequest) -> HttpResponse:
    return _period_export(request, "charging")


@access.require_council_role(access.Role.FINANCE)
def recharge_export(request: HttpRequest) -> HttpResponse:
    return _period_export(request, "recharge")
