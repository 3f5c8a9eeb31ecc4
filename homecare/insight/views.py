"""Insight pages. Views only parse, ask access and the KPI engine, and render."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from homecare.accounts import access
from homecare.commissioning.forms import GovukForm
from homecare.insight import access as insight_access
from homecare.insight import dashboard as presenter
from homecare.insight.records import market_records

PERIODS = (
    ("7", "Last 7 days"),
    ("28", "Last 28 days"),
    ("91", "Last 13 weeks"),
    ("365", "Last year"),
)
DEFAULT_DAYS = 28


class PeriodForm(GovukForm):
    days = forms.TypedChoiceField(
        choices=PERIODS,
        coerce=int,
        label="Period",
        error_messages={"invalid_choice": "Choose a period from the list"},
    )


@access.require_council_role(*access.DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    council = insight_access.dashboard_council_for(access.scope_of(request))
    form = PeriodForm(request.GET or {"days": str(DEFAULT_DAYS)})
    days = form.cleaned_data["days"] if form.is_valid() else DEFAULT_DAYS
    now = timezone.now()
    records = market_records(council, since=now - timedelta(days=days), now=now)
    context = presenter.build(records, now=now, days=days)
    context.update(
        {
            "council": council,
            "form": form,
            "can_read_report": access.has_role(request, access.REPORT_ROLES),
        }
    )
    return render(
        request, "insight/dashboard.html", context, status=200 if form.is_valid() else 400
    )
