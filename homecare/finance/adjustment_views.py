"""Credit notes and re-invoices: the forms on an approved invoice (the council's finance
officers) and each adjustment's page (both sides). Views only parse, ask
``invoice_access`` and call the actions in :mod:`homecare.finance.adjustments`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carecore.errors import InputError
from carecore.units import from_pence
from homecare.accounts import access
from homecare.delivery.models import Invoice
from homecare.finance import adjustments, invoice_access
from homecare.finance.forms_queries import ROWS, CreditNoteForm, ReinvoiceForm, _RowsForm
from homecare.finance.models import Adjustment, InvoiceQuery, Stream

CREDIT = Adjustment.Kind.CREDIT
REINVOICE = Adjustment.Kind.REINVOICE


@require_http_methods(["GET", "POST"])
@access.require_role(access.Role.FINANCE)
def credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _adjust(request, pk, CREDIT)


@require_http_methods(["GET", "POST"])
@access.require_role(access.Role.FINANCE)
def reinvoice(request: HttpRequest, pk: int) -> HttpResponse:
    return _adjust(request, pk, REINVOICE)


def _query_of(request: HttpRequest, invoice: Invoice, raw: Any) -> InvoiceQuery | None:
    """The query (of this invoice, seen by the user) the correction answers, if any."""
    text = str(raw or "")
    if not (text.isascii() and text.isdecimal() and len(text) <= 10):
        return None
    return (
        invoice_access.queries_for(access.scope_of(request))
        .filter(pk=int(text), invoice=invoice)
        .first()
    )


def _adjust(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    invoice = invoice_access.managed_invoice_for(access.scope_of(request), pk)
    source = request.POST if request.method == "POST" else request.GET
    query = _query_of(request, invoice, source.get("query"))
    form = _form(request, invoice, kind, query)
    if request.method == "POST" and invoice.status == Invoice.Status.APPROVED and form.is_valid():
        try:
            made = _issue(invoice, kind, form, query, request)
        except InputError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, f"{made.get_kind_display()} {made.number} is issued.")
            return redirect("finance:adjustment", pk=made.pk)
    refused = invoice.status != Invoice.Status.APPROVED
    status = 400 if request.method == "POST" and (refused or form.errors) else 200
    return render(
        request,
        "finance/adjustment_form.html",
        {
            "invoice": invoice,
            "run": invoice.run,
            "kind": kind,
            "kind_words": Adjustment.Kind(kind).label,
            "form": form,
            "rows": _rows(form, kind),
            "query": query,
            "refusal": adjustments.PROVISIONAL_REFUSAL if refused else "",
            "total": from_pence(invoice.total_pence),
            "earlier": Adjustment.objects.filter(invoice=invoice),
            "streams": Stream.choices,
        },
        status=status,
    )


def _form(request: HttpRequest, invoice: Invoice, kind: str, query: Any) -> _RowsForm:
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"query": query.pk if query is not None else None}
    if kind == CREDIT:
        if query is not None and query.line is not None:
            initial["line_1"] = query.line.position

        def line_at(position: int) -> Any:
            return invoice.lines.filter(position=position).first()

        return CreditNoteForm(data, initial=initial, lines=line_at)
    return ReinvoiceForm(data, initial=initial)


def _issue(
    invoice: Invoice, kind: str, form: _RowsForm, query: Any, request: HttpRequest
) -> Adjustment:
    rows = [row[1:] for row in form.rows]
    if kind == CREDIT:
        return adjustments.issue_credit_note(
            invoice,
            rows,
            form.cleaned_data["reason"],
            query,
            now=timezone.now(),
            acting_user=request.user,
        )
    return adjustments.issue_reinvoice(
        invoice,
        rows,
        form.cleaned_data["reason"],
        query,
        now=timezone.now(),
        acting_user=request.user,
    )


def _put_error(form: _RowsForm, exc: InputError) -> None:
    """The action's error on the field it concerns: a row's amount (or line), the reason."""
    if exc.key == "lines" and exc.row is not None and 0 < exc.row <= len(form.rows):
        number = form.rows[exc.row - 1][0]
        field = f"line_{number}" if "not on this invoice" in exc.message else f"amount_{number}"
        form.add_error(field, f"Row {number}: {exc.message}")
    elif exc.key == "reason":
        form.add_error("reason", f"Reason: {exc.message}")
    else:
        form.add_error(None, exc.message[:1].upper() + exc.message[1:])


def _rows(form: _RowsForm, kind: str) -> list[dict[str, Any]]:
    """Each row's bound fields, for the template's table of inputs."""
    names = ("line", "amount", "why") if kind == CREDIT else ("description", "amount", "stream")
    return [
        {"number": n, "fields": [form[f"{name}_{n}"] for name in names]} for n in range(1, ROWS + 1)
    ]


@access.require_role(access.Role.FINANCE, access.Role.PROVIDER)
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A credit note or re-invoice: its lines, total, reason and the query it answers."""
    adjustment = invoice_access.adjustment_for(access.scope_of(request), pk)
    council = invoice_access.side_of(request.user, adjustment.invoice) == invoice_access.COUNCIL
    return render(
        request,
        "finance/adjustment.html",
        {
            "adjustment": adjustment,
            "invoice": adjustment.invoice,
            "run": adjustment.invoice.run,
            "lines": adjustment.lines.select_related("invoice_line"),
            "total": from_pence(adjustment.total_pence),
            "council": council,
        },
    )
