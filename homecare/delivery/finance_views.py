"""Reconciliation pages: runs, a run with its exceptions and invoice, downloads and the
audit trail from an invoice line to its visit log and upload. Views only parse, ask
``access`` and call actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carecore.ecm.summary import hours
from carecore.errors import InputError
from carecore.units import from_pence
from homecare.accounts import access
from homecare.accounts.paging import query_without_page
from homecare.delivery import access as delivery_access
from homecare.delivery import documents, reconciliation
from homecare.delivery.forms import (
    BulkDecisionForm,
    ChosenDecisionForm,
    DecisionForm,
    ExceptionFilterForm,
    RunForm,
)
from homecare.delivery.models import VisitException
from homecare.finance.forms_lines import LineSearchForm
from homecare.finance.line_search import filter_lines, search_of

RUN_ROLES = (access.Role.PROVIDER, access.Role.FINANCE, access.Role.COMMISSIONER)
PAGE_SIZE = 50
OUTCOME_ORDER = (
    "delivered",
    "late",
    "short",
    "missed",
    "cancelled_short_notice",
    "cancelled",
    "no_access",
    "pending_approval",
)


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


@access.require_role(*RUN_ROLES)
def runs(request: HttpRequest) -> HttpResponse:
    """Runs the user may see; a finance officer also gets the form to run a period."""
    scope = access.scope_of(request)
    councils = access.finance_councils_of(scope)
    form = None
    if councils:
        form = RunForm(
            request.POST or None,
            providers=delivery_access.placed_providers_for(scope),
            today=today(),
        )
    if request.method == "POST" and form is not None and form.is_valid():
        provider = get_object_or_404(
            delivery_access.placed_providers_for(scope), pk=form.cleaned_data["provider"]
        )
        council = _council_for(councils, provider)
        try:
            run = reconciliation.run_reconciliation(
                council,
                provider,
                date.fromisoformat(form.cleaned_data["period_start"]),
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {"period_start": "period_start"}, "provider")
        else:
            messages.success(request, "The period is reconciled.")
            return redirect("delivery:run", pk=run.pk)
    page = Paginator(delivery_access.runs_for(scope), PAGE_SIZE)
    return render(
        request,
        "delivery/runs.html",
        {"form": form, "page": page.get_page(request.GET.get("page"))},
    )


def _council_for(councils: list[Any], provider: Any) -> Any:
    """The first of the officer's councils that placed packages with the provider."""
    for council in councils:
        if provider.placements.filter(request__framework__council=council).exists():
            return council
    return councils[0]


def _outcomes(run: Any) -> list[tuple[str, int]]:
    counts = run.outcome_counts or {}
    return [(name.replace("_", " "), counts[name]) for name in OUTCOME_ORDER if name in counts]


SORTS = {
    "day": ("planned_start", "check_in", "pk"),
    "person": ("person_ref", "planned_start", "pk"),
    "kind": ("kind", "planned_start", "pk"),
}


@access.require_role(*RUN_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.scope_of(request)
    run = delivery_access.run_for(scope, pk)
    can_manage = run.council in access.finance_councils_of(scope) and not run.frozen
    decidable = run.exceptions.exclude(status=VisitException.Status.NOTED)
    noted = run.exceptions.filter(status=VisitException.Status.NOTED)
    waiting = _waiting_kinds(decidable.filter(status=VisitException.Status.PENDING))
    form = ExceptionFilterForm(request.GET or None, period_start=run.period_start)
    page = None
    if not request.GET or form.is_valid():
        rows = _filtered(decidable.select_related("decided_by"), form)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "delivery/run.html",
        {
            "run": run,
            "invoice": getattr(run, "invoice", None),
            "can_manage": can_manage,
            "can_correct": run.frozen and run.council in access.finance_councils_of(scope),
            "adjustments": list(run.invoice.adjustments.all()) if hasattr(run, "invoice") else [],
            "outcomes": _outcomes(run),
            "planned_hours": hours(run.planned_carer_minutes),
            "payable_hours": hours(run.payable_carer_minutes),
            "total": from_pence(run.total_pence),
            "withheld": from_pence(run.withheld_pence),
            "streams": stream_totals(run),
            "block": from_pence(run.block_pence),
            "pending_count": sum(n for _kind, _words, n in _all_waiting(decidable)),
            "decidable_count": decidable.count(),
            "filter_form": form,
            "page": page,
            "query": query_without_page(request),
            "bulk_form": BulkDecisionForm(prefix="bulk", waiting=waiting) if waiting else None,
            "noted_counts": _kind_counts(noted),
            "noted": noted[:100],
        },
        status=400 if form.errors else 200,
    )


STREAM_WORDS = (
    ("council", "The council"),
    ("nhs_chc", "The NHS (continuing healthcare, recharged to the integrated care board)"),
)


def stream_totals(run: Any) -> list[tuple[str, Any]]:
    """Who pays how much of the run's invoice, in words; empty when the council pays all."""
    totals = run.stream_totals or {}
    if not totals.get("nhs_chc"):
        return []
    return [(words, from_pence(totals.get(key, 0))) for key, words in STREAM_WORDS]


def _filtered(rows: Any, form: ExceptionFilterForm) -> Any:
    """The exceptions the filter form asks for, in the order it asks for (day by default)."""
    data = form.cleaned_data if form.is_bound else {}
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("person"):
        rows = rows.filter(person_ref__iexact=data["person"])
    if data.get("day"):
        day = date.fromisoformat(data["day"])
        rows = rows.filter(
            Q(planned_start__date=day) | Q(planned_start__isnull=True, check_in__date=day)
        )
    if data.get("decision"):
        rows = rows.filter(status=data["decision"])
    return rows.order_by(*SORTS[data.get("sort") or "day"])


def _all_waiting(exceptions: Any) -> list[tuple[str, str, int]]:
    """(kind, words, count) of every kind with an exception awaiting a decision."""
    return [
        (row["kind"], KIND_WORDS.get(row["kind"], row["kind"]), row["n"])
        for row in exceptions.filter(status=VisitException.Status.PENDING)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    ]


# What a finance officer calls the kinds of exception that wait for a decision.
KIND_WORDS = {"pending_approval": "manual log", "late": "late call"}


def _waiting_kinds(exceptions: Any) -> list[tuple[str, str, int]]:
    """(kind, words, count) of the kinds with more than one exception awaiting a decision:
    deciding them together saves a finance officer a form per call."""
    return [row for row in _all_waiting(exceptions) if row[2] > 1]


@require_POST
@access.require_role(access.Role.FINANCE)
def decide_all(request: HttpRequest, pk: int) -> HttpResponse:
    run = delivery_access.run_to_manage_for(access.scope_of(request), pk)
    if "chosen-decision" in request.POST or "chosen-chosen" in request.POST:
        return _decide_chosen(request, run)
    waiting = _waiting_kinds(run.exceptions.all())
    form = BulkDecisionForm(request.POST, prefix="bulk", waiting=waiting)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, f"The decisions were not recorded: {errors}.")
        return redirect(f"{run.get_absolute_url()}#decide-all")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        count = reconciliation.decide_exceptions(
            run,
            kind=form.cleaned_data["kind"],
            approve=approve,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
            acting_user=request.user,
            times_run=form.cleaned_data["times_run"],
        )
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        word = "approved" if approve else "rejected"
        messages.success(
            request,
            f"{count} exception{'' if count == 1 else 's'} {word}. "
            "Re-run the period to apply your decisions.",
        )
    return redirect(f"{run.get_absolute_url()}#exceptions")


def _decide_chosen(request: HttpRequest, run: Any) -> HttpResponse:
    """The table's form: one decision and one reason for the rows chosen."""
    form = ChosenDecisionForm(request.POST, prefix="chosen")
    query = QueryDict(request.POST.get("query", "")[:2000]).urlencode()
    back = f"{run.get_absolute_url()}?{query}#exceptions"
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, f"The decisions were not recorded: {errors}.")
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        count = reconciliation.decide_chosen_exceptions(
            run,
            chosen=form.chosen_versions,
            approve=approve,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
            acting_user=request.user,
        )
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        word = "approved" if approve else "rejected"
        messages.success(
            request,
            f"{count} exception{'' if count == 1 else 's'} {word}. "
            "Re-run the period to apply your decisions.",
        )
    return redirect(back)


def _kind_counts(rows: Any) -> list[tuple[str, int]]:
    return [
        (row["kind"].replace("_", " "), row["n"])
        for row in rows.values("kind").annotate(n=Count("pk")).order_by("kind")
    ]


@require_http_methods(["GET", "POST"])
@access.require_role(access.Role.FINANCE)
def decide(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    """One exception and the form to decide it alone (GET shows it, POST records it)."""
    run = delivery_access.run_to_manage_for(access.scope_of(request), pk)
    exception = (
        run.exceptions.exclude(status=VisitException.Status.NOTED)
        .select_related("decided_by")
        .filter(pk=exception_pk)
        .first()
    )
    if exception is None:  # a re-run replaced the run's exceptions after the page was loaded
        if request.method == "GET":
            raise Http404("No such exception in this run")
        messages.error(
            request,
            "The period was re-run while you were looking, so that exception has been "
            "replaced: nothing was decided. Decide it again below.",
        )
        return redirect(f"{run.get_absolute_url()}#exceptions")
    here = reverse("delivery:decide", args=[run.pk, exception.pk])
    if request.method == "GET":
        return render(
            request,
            "delivery/exception.html",
            {"run": run, "exception": exception, "form": DecisionForm(prefix=f"e{exception.pk}")},
        )
    form = DecisionForm(request.POST, prefix=f"e{exception.pk}")
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, f"The decision was not recorded: {errors}.")
        return redirect(here)
    try:
        reconciliation.decide_exception(
            exception,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
            acting_user=request.user,
            version=form.cleaned_data["version"],
        )
    except InputError as exc:
        messages.error(request, exc.message)
        return redirect(here)
    word = "approved" if form.cleaned_data["decision"] == "approve" else "rejected"
    messages.success(request, f"Exception {word}. Re-run the period to apply your decisions.")
    return redirect(f"{run.get_absolute_url()}#exceptions")


@require_POST
@access.require_role(access.Role.FINANCE)
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    run = delivery_access.run_to_manage_for(access.scope_of(request), pk)
    try:
        reconciliation.run_reconciliation(
            run.council,
            run.provider,
            run.period_start,
            now=timezone.now(),
            acting_user=request.user,
        )
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The period is reconciled again with your decisions.")
    return redirect("delivery:run", pk=run.pk)


@require_POST
@access.require_role(access.Role.FINANCE)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = delivery_access.run_to_manage_for(access.scope_of(request), pk)
    try:
        reconciliation.approve_invoice(run, now=timezone.now(), acting_user=request.user)
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The invoice is approved; the run is frozen.")
    return redirect("delivery:run", pk=run.pk)


DOCUMENTS = {
    "invoice.xlsx": (
        documents.invoice_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "invoice.pdf": (documents.invoice_pdf, "application/pdf"),
    "remittance.xlsx": (
        documents.remittance_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "remittance.pdf": (documents.remittance_pdf, "application/pdf"),
}


@access.require_role(*RUN_ROLES)
def download(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    run = delivery_access.run_for(access.scope_of(request), pk)
    if name.endswith(".pdf"):  # kept once made; a long one is made in the background
        from homecare.finance.document_views import run_document

        return run_document(request, run, name.removesuffix(".pdf"))
    build, content_type = DOCUMENTS[name]
    response = HttpResponse(build(run), content_type=content_type)
    stem = run.invoice.number if hasattr(run, "invoice") else f"run-{run.pk}"
    response["Content-Disposition"] = f'attachment; filename="{stem}-{name}"'
    return response


@access.require_role(*RUN_ROLES)
def lines(request: HttpRequest, pk: int) -> HttpResponse:
    run = delivery_access.run_for(access.scope_of(request), pk)
    form = LineSearchForm(request.GET or None, period_start=run.period_start)
    rows = filter_lines(run.lines.select_related("person").order_by("position"), **search_of(form))
    page = Paginator(rows, PAGE_SIZE)
    return render(
        request,
        "delivery/lines.html",
        {
            "run": run,
            "page": page.get_page(request.GET.get("page")),
            "line_form": form,
            "query": query_without_page(request),
        },
        status=400 if form.errors else 200,
    )


@access.require_role(*RUN_ROLES)
def line_detail(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """The audit trail of one line: the line, its visit log (and the log's history) and the
    upload or API push it came from."""
    run = delivery_access.run_for(access.scope_of(request), pk)
    line = get_object_or_404(
        run.lines.select_related("person", "log__upload", "log__created_by"), pk=line_pk
    )
    log = line.log
    return render(
        request,
        "delivery/line.html",
        {
            "run": run,
            "line": line,
            "log": log,
            "log_history": log.history.select_related("history_user")[:20] if log else [],
        },
    )
