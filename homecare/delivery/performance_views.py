"""The provider league table: a month's performance of each provider, its trends over six
months as charts (with the same figures in tables) and a CSV download.

Who sees what is decided by :func:`homecare.delivery.access.performance_scope_for`: a
council's commissioners and finance officers see every provider placed through the council,
ranked when it had enough planned visits in the month (``performance.MIN_RANKED_VISITS``)
and listed apart as "too few visits to rank" otherwise, each share with its 95% Wilson
interval; a provider's users see only their own provider's row and trends, without a rank
(it would tell them how many others there are and where they stand); everyone else gets a
403.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from carecore.ecm import ECM_TARGET_PERCENT
from carecore.ecm.performance import USUAL_CARERS
from carecore.reports.line_charts import Line, describe_lines, line_chart_svg
from carecore.spreadsheets import csv_text
from carecore.stats import wilson_percent
from homecare.accounts import access
from homecare.commissioning.forms import GovukForm
from homecare.delivery import access as delivery_access
from homecare.delivery import performance
from homecare.delivery.reconciliation import rules_name

ROLES = (access.Role.COMMISSIONER, access.Role.FINANCE, access.Role.PROVIDER)
MONTH_CHOICES = 24  # two years of months to choose from


def today() -> date:
    """The one place these pages read the date (tests replace it)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Measure:
    """One measure of the table: its share column, the counts behind it and its words."""

    key: str
    title: str
    share: str
    count: str
    of: str
    unit: str  # what the counts count
    none: str  # why a provider may have no figure
    interval: bool = True  # a 95% Wilson interval (not for minutes: they are not events)

    @property
    def low(self) -> str:
        return f"{self.share}_low"

    @property
    def high(self) -> str:
        return f"{self.share}_high"


MEASURES = (
    Measure(
        "delivered",
        "Visits delivered",
        "delivered_percent",
        "delivered_visits",
        "planned_visits",
        "visits",
        "no planned visits",
    ),
    Measure(
        "punctuality",
        "Punctuality",
        "punctual_percent",
        "on_time_visits",
        "delivered_visits",
        "visits on time",
        "no visits delivered",
    ),
    Measure(
        "stay",
        "Length of stay",
        "stay_percent",
        "stay_minutes",
        "planned_minutes",
        "minutes",
        "no visits delivered",
        interval=False,
    ),
    Measure(
        "continuity",
        "Continuity of carer",
        "continuity_percent",
        "usual_carer_logs",
        "carer_logs",
        "carer visits",
        "no visits delivered",
    ),
    Measure(
        "ecm",
        "ECM compliance",
        "ecm_percent",
        "electronic_logs",
        "counted_logs",
        "logs",
        "no logs",
    ),
)


class MonthForm(GovukForm):
    month = forms.ChoiceField(label="Month", error_messages={"required": "Choose a month"})

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_month = performance.first_of(today)
        months = [performance.add_months(this_month, -n) for n in range(MONTH_CHOICES)]
        self.fields["month"].choices = [
            (m.isoformat()[:7], f"{m:%B %Y}" + (" (so far)" if m == this_month else ""))
            for m in months
        ]
        self.fields["month"].error_messages["invalid_choice"] = (
            "Choose a month from the list (the last two years)"
        )


def _month(request: HttpRequest) -> tuple[MonthForm, date]:
    """The month asked for, or the last full month (also when the one asked for is not
    in the list: the form then carries the error to show)."""
    now = today()
    default = performance.last_full_month(now)
    data = request.GET if "month" in request.GET else {"month": default.isoformat()[:7]}
    form = MonthForm(data, today=now)
    if form.is_valid():
        return form, date.fromisoformat(form.cleaned_data["month"] + "-01")
    return form, default


def _chart(measure: Measure, result: performance.Performance) -> dict[str, Any]:
    months = [f"{m:%b %Y}" for m in result.months]
    lines = [Line(name, values) for name, values in result.trend(measure.share)]
    target = ECM_TARGET_PERCENT if measure.key == "ecm" else None
    title = f"{measure.title}, {months[0]} to {months[-1]}"
    svg = None
    if lines:
        svg = line_chart_svg(
            months,
            lines,
            title=title,
            description=describe_lines(months, lines, unit="%", target=target),
            chart_id=f"trend-{measure.key}",
            unit="%",
            y_max=Decimal(100),
            target=target,
            target_label="Target",
        )
    return {"measure": measure, "title": title, "svg": svg, "months": months, "lines": lines}


def _measure(council: Any, month: date, only: list[Any] | None) -> performance.Performance:
    # The page and its CSV reconcile the same six months, so their figures always agree
    # (a visit late on the evening before the month could otherwise match differently).
    first = performance.add_months(month, 1 - performance.TREND_MONTHS)
    # A month still running counts the visits planned up to yesterday.
    return performance.measure(council, first, month, only=only, until=today() - timedelta(days=1))


def _rank_examples(min_visits: int) -> dict[str, Any]:
    """The 95% intervals of a 90% share at 20 visits and at the minimum: why the minimum."""
    return {
        "few": wilson_percent(18, 20),
        "floor": wilson_percent(9 * min_visits // 10, min_visits),
    }


@access.require_role(*ROLES)
def league(request: HttpRequest) -> HttpResponse:
    council, only = delivery_access.performance_scope_for(access.scope_of(request))
    form, month = _month(request)
    result = _measure(council, month, only)
    rows = result.rows(month)
    return render(
        request,
        "delivery/performance.html",
        {
            "form": form,
            "council": council,
            "month": month,
            "month_value": month.isoformat()[:7],
            "ranked": only is None,
            "rows": rows,
            "ranked_rows": [row for row in rows if row["ranked"]],
            "unranked_rows": [row for row in rows if not row["ranked"]],
            "min_visits": performance.MIN_RANKED_VISITS,
            "rank_examples": _rank_examples(performance.MIN_RANKED_VISITS),
            "measures": MEASURES,
            "charts": [_chart(m, result) for m in MEASURES],
            "target": ECM_TARGET_PERCENT,
            "usual_carers": USUAL_CARERS,
            "rules": rules_name(),
        },
    )


CSV_COLUMNS = (
    ("rank", "rank"),
    ("ranked", "ranked"),
    ("provider", "name"),
    ("provider_ref", "provider_ref"),
    ("month", "month"),
    ("planned_visits", "planned_visits"),
    ("delivered_visits", "delivered_visits"),
    ("delivered_percent", "delivered_percent"),
    ("delivered_percent_95_low", "delivered_percent_low"),
    ("delivered_percent_95_high", "delivered_percent_high"),
    ("on_time_visits", "on_time_visits"),
    ("punctual_percent", "punctual_percent"),
    ("punctual_percent_95_low", "punctual_percent_low"),
    ("punctual_percent_95_high", "punctual_percent_high"),
    ("planned_minutes_of_delivered_visits", "planned_minutes"),
    ("actual_minutes", "actual_minutes"),
    ("actual_minutes_capped_at_planned", "stay_minutes"),
    ("stay_percent", "stay_percent"),
    ("carer_logs_on_delivered_visits", "carer_logs"),
    ("usual_carer_logs", "usual_carer_logs"),
    ("continuity_percent", "continuity_percent"),
    ("continuity_percent_95_low", "continuity_percent_low"),
    ("continuity_percent_95_high", "continuity_percent_high"),
    ("counted_logs", "counted_logs"),
    ("electronic_logs", "electronic_logs"),
    ("ecm_percent", "ecm_percent"),
    ("ecm_percent_95_low", "ecm_percent_low"),
    ("ecm_percent_95_high", "ecm_percent_high"),
    ("meets_ecm_target", "meets_target"),
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    # Provider names come from people: never let one become a formula in a spreadsheet.
    return csv_text(value)


@access.require_role(*ROLES)
def league_csv(request: HttpRequest) -> HttpResponse:
    """The month's table as CSV: one row a provider, every count and share with its 95%
    interval; ``rank`` is empty and ``ranked`` "no" for a provider with too few visits to
    rank (a provider's users get their own row, without either)."""
    council, only = delivery_access.performance_scope_for(access.scope_of(request))
    _form, month = _month(request)
    rows = _measure(council, month, only).rows(month)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [c for c in CSV_COLUMNS if only is None or c[0] not in ("rank", "ranked")]
    writer.writerow([title for title, _ in columns])
    for row in rows:
        writer.writerow([_cell(row[key]) for _, key in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="provider-performance-{month:%Y-%m}.csv"'
    )
    return response
