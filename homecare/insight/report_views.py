"""The performance report: the page, its PDF and its CSV, for any period.

Who may read it is decided by :func:`homecare.insight.access.report_council_for` (a
council's commissioners and finance officers). The views parse the period, read the
council's records once and ask the engine; the page, PDF and CSV all show the same figures
because they share one computation.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from carecore.reports.performance_report import KPIS, london_midnight, performance_report
from carecore.spreadsheets import csv_text
from homecare.accounts import access
from homecare.accounts.models import Organisation
from homecare.insight import access as insight_access
from homecare.insight import report as presenter
from homecare.insight.forms import PeriodForm, QuickPeriod, date_query, quick_periods
from homecare.insight.records import live_data

SPEND = "spend"  # ?figures=spend: the CSV of spend, budgets and commitments
PARTS = ("from_day", "from_month", "from_year", "to_day", "to_month", "to_year")


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


def now() -> datetime:
    """The moment requests still waiting are counted up to (tests replace it with
    :func:`today`'s)."""
    return timezone.now()


def _period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    """The form and the period asked for; the last quarter when none is asked for (when the
    dates typed have errors the form carries them and the period is not to be used)."""
    now = today()
    default = quick_periods(now)[1]
    asked = any(request.GET.get(name) for name in PARTS)
    data = request.GET if asked else _as_data(default)
    form = PeriodForm(data, today=now)
    if form.is_valid() and form.first and form.last:
        return form, form.first, form.last
    return form, default.first, default.last


def _as_data(period: QuickPeriod) -> dict[str, str]:
    return {key: str(value) for key, value in period.query.items()}


def _report(council: Organisation, first: date, last: date) -> Any:
    return performance_report(
        live_data(council),
        start=london_midnight(first),
        end=london_midnight(last + timedelta(days=1)),
        now=now(),
    )


def _query(first: date, last: date) -> str:
    return urlencode(date_query("from", first) | date_query("to", last))


@access.require_council_role(*access.REPORT_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    council = insight_access.report_council_for(access.scope_of(request))
    form, first, last = _period(request)
    context: dict[str, Any] = {
        "council": council,
        "form": form,
        "quick": [
            (quick, f"{reverse('insight:report')}?{urlencode(quick.query)}")
            for quick in quick_periods(today())
        ],
    }
    if form.errors:
        # No figures for some other period than the one asked for: they would mislead.
        return render(request, "insight/report.html", context, status=400)
    result = _report(council, first, last)
    context.update(presenter.build(result))
    context.update(presenter.money(council, result, today()))
    context.update(
        {
            "query": _query(first, last),
            "kpis": KPIS,
            "can_log_complaints": access.has_role(request, access.COMMISSIONERS),
        }
    )
    return render(request, "insight/report.html", context)


def _download(request: HttpRequest) -> tuple[Organisation, Any, str] | HttpResponse:
    """The council, its report and the file name's stem; or the page with the errors (a
    download of some other period than the one asked for would mislead)."""
    council = insight_access.report_council_for(access.scope_of(request))
    form, first, last = _period(request)
    if form.errors:
        return report(request)
    return council, _report(council, first, last), f"performance-report-{first}-to-{last}"


@access.require_council_role(*access.REPORT_ROLES)
def report_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML

    found = _download(request)
    if isinstance(found, HttpResponse):
        return found
    council, result, stem = found
    context = presenter.build(result)
    context.update(presenter.money(council, result, today()))
    context.update({"council": council, "kpis": KPIS, "made_on": today()})
    html = render_to_string("insight/report_pdf.html", context)
    response = HttpResponse(bytes(HTML(string=html).write_pdf()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response


@access.require_council_role(*access.REPORT_ROLES)
def report_csv(request: HttpRequest) -> HttpResponse:
    found = _download(request)
    if isinstance(found, HttpResponse):
        return found
    council, result, stem = found
    out = io.StringIO()
    if request.GET.get("figures") == SPEND:
        # The spend and budget figures: a file of their own, one row a figure.
        rows = presenter.money_csv_rows(presenter.money(council, result, today()), result)
        stem = stem.replace("performance-report", "spend-and-budget", 1)
    else:
        rows = presenter.csv_rows(result)
    csv.writer(out).writerows([[csv_text(v) for v in row] for row in rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
