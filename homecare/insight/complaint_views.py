"""Complaints: a council's commissioners log them, list them and record their outcomes.

Views parse, call :mod:`homecare.insight.actions` and render; a ``ValidationError`` from an
action is shown at the field it names.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from homecare.accounts import access
from homecare.insight import access as insight_access
from homecare.insight import actions
from homecare.insight.forms import ComplaintForm, OutcomeForm

PAGE_SIZE = 50
COMMISSIONER = access.Role.COMMISSIONER


def _show(form: Any, exc: ValidationError, fields: dict[str, str]) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(fields.get(name), errors)


@access.require_council_role(COMMISSIONER)
def complaints(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    council = access.council_for_commissioner(scope)
    rows = insight_access.complaints_for(scope).filter(council=council)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "insight/complaints.html",
        {"council": council, "page": page, "open_count": rows.filter(outcome="open").count()},
    )


@access.require_council_role(COMMISSIONER)
def new_complaint(request: HttpRequest) -> HttpResponse:
    council = access.council_for_commissioner(access.scope_of(request))
    providers = [(p.pk, p.name) for p in actions.council_providers(council)]
    form = ComplaintForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid() and form.received_on:
        try:
            data = form.cleaned_data
            person = actions.council_person(council, data["person"]) if data["person"] else None
            complaint = actions.record_complaint(
                council=council,
                received_on=form.received_on,
                provider=actions.council_providers(council).get(pk=data["provider"]),
                category=data["category"],
                summary=data["summary"],
                person=person,
                outcome=data["outcome"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            _show(form, exc, ComplaintForm.FIELD_OF)
        else:
            messages.success(request, f"Complaint {complaint.pk} recorded.")
            return redirect("insight:complaint", pk=complaint.pk)
    status = 400 if form.errors else 200
    return render(
        request, "insight/complaint_new.html", {"council": council, "form": form}, status=status
    )


@access.require_council_role(COMMISSIONER)
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    found = insight_access.complaint_for(access.scope_of(request), pk)
    form = OutcomeForm(request.POST or None, initial={"outcome": found.outcome})
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_complaint(
                found, outcome=form.cleaned_data["outcome"], acting_user=request.user
            )
        except ValidationError as exc:
            _show(form, exc, {"outcome": "outcome"})
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("insight:complaint", pk=found.pk)
    history = found.history.select_related("history_user").order_by("history_date")
    return render(
        request,
        "insight/complaint.html",
        {"complaint": found, "form": form, "history": history},
        status=400 if form.errors else 200,
    )
