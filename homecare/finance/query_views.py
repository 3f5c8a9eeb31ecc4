"""A provider's own invoices (provisional and approved), its queries on their lines, and the
query threads both sides write in. Views only parse, ask ``invoice_access`` and call the
actions in :mod:`homecare.finance.queries`."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carecore.errors import InputError
from carecore.units import from_pence
from homecare.accounts import access
from homecare.accounts.paging import query_without_page
from homecare.finance import invoice_access, queries
from homecare.finance.forms_lines import LineSearchForm
from homecare.finance.forms_queries import CloseForm, QueryForm, ReplyForm
from homecare.finance.line_search import filter_lines, search_of
from homecare.finance.models import Adjustment, InvoiceQuery

PAGE_SIZE = 50
QUERY_ROLES = (access.Role.PROVIDER, access.Role.FINANCE)
OPEN_FIRST = Case(
    When(status=InvoiceQuery.Status.OPEN, then=Value(0)),
    When(status=InvoiceQuery.Status.ANSWERED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@access.require_role(access.Role.PROVIDER)
def my_invoices(request: HttpRequest) -> HttpResponse:
    """The provider's own invoices, latest period first, with their open queries."""
    invoices = invoice_access.provider_invoices_for(access.scope_of(request)).annotate(
        open_queries=Count("queries", filter=~Q(queries__status=InvoiceQuery.Status.CLOSED))
    )
    page = Paginator(invoices, PAGE_SIZE)
    return render(
        request, "finance/my_invoices.html", {"page": page.get_page(request.GET.get("page"))}
    )


@access.require_role(access.Role.PROVIDER)
def my_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the provider's invoices: its lines, found by person, day and visit, each with
    a link to query it; its queries and its credit notes and re-invoices."""
    invoice = invoice_access.provider_invoice_for(access.scope_of(request), pk)
    run = invoice.run
    form = LineSearchForm(request.GET or None, period_start=run.period_start)
    lines = filter_lines(
        invoice.lines.select_related("person").order_by("position"), **search_of(form)
    )
    open_lines = dict(
        InvoiceQuery.objects.filter(invoice=invoice, line__isnull=False)
        .exclude(status=InvoiceQuery.Status.CLOSED)
        .values_list("line_id", "pk")
    )
    return render(
        request,
        "finance/my_invoice.html",
        {
            "invoice": invoice,
            "run": run,
            "total": from_pence(invoice.total_pence),
            "form": form,
            "page": Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "open_lines": open_lines,
            "queries": invoice.queries.select_related("raised_by").order_by(OPEN_FIRST, "-pk"),
            "adjustments": Adjustment.objects.filter(invoice=invoice),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@access.require_role(access.Role.PROVIDER)
def query_line(request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
    """The form to query one line of the provider's invoice (or the invoice as a whole)."""
    invoice = invoice_access.provider_invoice_for(access.scope_of(request), pk)
    line = None
    if line_pk is not None:
        line = get_object_or_404(invoice.lines.select_related("person"), pk=line_pk)
    form = QueryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = queries.raise_query(
                invoice,
                line,
                form.cleaned_data["text"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {"text": "text"}, "text")
        else:
            messages.success(request, "Your query is sent to the council's finance team.")
            return redirect("finance:query", pk=made.pk)
    return render(
        request,
        "finance/query_new.html",
        {
            "invoice": invoice,
            "line": line,
            "line_text": queries.line_words(line) if line is not None else "",
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@access.require_role(*QUERY_ROLES)
def query_list(request: HttpRequest) -> HttpResponse:
    """Queries the user's side takes part in: those waiting for the council first."""
    scope = access.scope_of(request)
    rows = invoice_access.queries_for(scope).order_by(OPEN_FIRST, "raised_at", "pk")
    counts = {
        row["status"]: row["n"]
        for row in invoice_access.queries_for(scope).values("status").annotate(n=Count("pk"))
    }
    return render(
        request,
        "finance/query_list.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "counts": counts,
            "council": bool(access.finance_councils_of(scope)),
        },
    )


@access.require_role(*QUERY_ROLES)
def query_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """A query's thread, and the forms the user's side may use on it."""
    query = invoice_access.query_for(access.scope_of(request), pk)
    return _thread(request, query)


def _thread(
    request: HttpRequest,
    query: InvoiceQuery,
    *,
    reply: ReplyForm | None = None,
    close: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    side = invoice_access.side_of(request.user, query.invoice)
    council = side == invoice_access.COUNCIL
    is_open = query.status != InvoiceQuery.Status.CLOSED
    return render(
        request,
        "finance/query.html",
        {
            "query": query,
            "invoice": query.invoice,
            "council": council,
            "thread": query.messages.select_related("author"),
            "reply_form": (reply or ReplyForm(prefix="reply")) if is_open else None,
            "close_form": (close or CloseForm(prefix="close", council=council))
            if is_open
            else None,
            "can_correct": council and query.invoice.status == "approved",
            "history": query.history.select_related("history_user").order_by("history_date"),
            "adjustments": Adjustment.objects.filter(query=query),
        },
        status=status,
    )


@require_POST
@access.require_role(*QUERY_ROLES)
def query_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Add to the thread (the council's message answers it)."""
    query = invoice_access.query_for(access.scope_of(request), pk)
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            queries.reply_to_query(
                query, form.cleaned_data["text"], now=timezone.now(), acting_user=request.user
            )
        except InputError as exc:
            form.add_input_error(exc, {"text": "text"}, "text")
        else:
            messages.success(request, "Your message is added to the query.")
            return redirect("finance:query", pk=query.pk)
    return _thread(request, query, reply=form, status=400)


@require_POST
@access.require_role(*QUERY_ROLES)
def query_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the query: upheld or not upheld (the council), withdrawn (the provider)."""
    query = invoice_access.query_for(access.scope_of(request), pk)
    council = invoice_access.side_of(request.user, query.invoice) == invoice_access.COUNCIL
    form = CloseForm(request.POST, prefix="close", council=council)
    if form.is_valid():
        try:
            queries.close_query(
                query,
                form.cleaned_data["outcome"],
                form.cleaned_data["note"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {"outcome": "outcome", "note": "note"}, "note")
        else:
            messages.success(request, "The query is closed.")
            return redirect("finance:query", pk=query.pk)
    return _thread(request, query, close=form, status=400)
