"""The performance report's page, PDF and CSV, from the engine's figures.

``carecore.reports.performance_report`` computes; this module only words and draws: the
KPI table (this period, the previous one, the change), the "current position" paragraphs
a committee report opens with, a trend chart per KPI with the same figures in a table, and
the CSV rows. Every number shown is one of the engine's, formatted here, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from carecore.reports.line_charts import Line, describe_lines, line_chart_svg
from carecore.reports.performance_report import (
    BASE_RULE,
    Kpi,
    KpiRow,
    PerformanceReport,
    Period,
)

MINUS = "\u2212"  # a real minus sign: screen readers say "minus", not "hyphen"
NOT_MEANINGFUL = "not a meaningful percentage"
ARRANGE_METHOD = (
    "Time to arrange care follows every request for care made in the period, placed or not. "
    "Requests still waiting are counted up to today, so long waits are not hidden."
)
# What "no figure" means for a time to arrange care when requests were made: the curve of
# requests still unplaced never fell that far, or nobody made in the period is waiting.
NONE_WHEN_REQUESTS = {
    "arrange_median_days": "Not reached",
    "arrange_median_low_days": "Not reached",
    "arrange_median_high_days": "Not reached",
    "arrange_p90_days": "Not reached",
    "arrange_longest_open_days": "None waiting",
}


@dataclass(frozen=True)
class ChartSpec:
    """One trend chart: its id, title, the KPIs it draws (key, series name) and its axis."""

    key: str
    title: str
    series: tuple[tuple[str, str], ...]
    unit: str = ""
    y_max: Decimal | None = None


CHARTS = (
    ChartSpec(
        "hours",
        "Hours commissioned a week",
        (("hours_at_end", "At the end of the month"), ("hours_average", "Average over the month")),
    ),
    ChartSpec(
        "people", "People receiving care at the end of the month", (("people_at_end", "People"),)
    ),
    ChartSpec("per-person", "Hours a week per person", (("hours_per_person", "Hours a week"),)),
    ChartSpec("new-packages", "New packages of care", (("new_packages", "Packages"),)),
    ChartSpec(
        "new-hours", "New hours commissioned a week", (("new_hours_per_week", "Hours a week"),)
    ),
    ChartSpec(
        "arrange",
        "Time to arrange care, days",
        (("arrange_median_days", "Median"), ("arrange_p90_days", "90th percentile")),
    ),
    ChartSpec(
        "lead",
        "Share of packages with prime or lead providers",
        (("lead_share", "Share of packages"),),
        unit="%",
        y_max=Decimal(100),
    ),
    ChartSpec("rate", "Average hourly rate, pounds", (("average_rate", "£ an hour"),)),
    ChartSpec(
        "complaints",
        "Complaints received",
        (("complaints", "Received"), ("complaints_upheld", "Upheld or partly upheld")),
    ),
)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_words(period: Period) -> str:
    """The period in words, both days included: "1 July 2026 to 30 September 2026"."""
    return f"{long_date(period.first_day)} to {long_date(period.last_day)}"


def month_label(month: Period) -> str:
    """A trend point's name: "Jul 2026" for a whole month, "15 to 31 Jul 2026" for part."""
    if month.whole_months == 1:
        return f"{month.first_day:%b %Y}"
    return f"{month.first_day.day} to {month.last_day.day} {month.last_day:%b %Y}"


def show(value: Decimal | None, kpi: Kpi, *, requests: Decimal | None = None) -> str:
    """A figure as the table shows it, with its unit where the unit is a symbol.

    ``requests`` is the number of requests for care made in the same period: a time to
    arrange care with none is "Not reached" when there were some, not "No figure"."""
    if value is None:
        if requests and kpi.key in NONE_WHEN_REQUESTS:
            return NONE_WHEN_REQUESTS[kpi.key]
        return "No figure"
    if kpi.unit == "%":
        return f"{value}%"
    if kpi.unit.startswith("£"):
        return f"£{value:,}"
    return f"{value:,}"


def _signed(value: Decimal) -> str:
    return f"+{value:,}" if value > 0 else f"{MINUS}{-value:,}"


def change_words(row: KpiRow) -> str:
    """The change on the previous period: "+7.0 (+33.3%)", "+1.5 percentage points"."""
    change = row.change
    if change is None:
        return "No figure to compare"
    if change == 0:
        return "No change"
    if row.kpi.points:
        return f"{_signed(change)} percentage points"
    text = _signed(change)
    if row.kpi.unit.startswith("£"):
        text = f"{text[0]}£{text[1:]}"
    if row.percent_meaningless:
        return f"{text} ({NOT_MEANINGFUL})"
    percent = row.change_percent
    return f"{text} ({_signed(percent)}%)" if percent is not None else text


def _value(report: PerformanceReport, key: str) -> str:
    row = report.row(key)
    return show(row.this, row.kpi, requests=report.row("arrange_requests").this)


def _days(value: Decimal | None) -> str:
    if value is None:
        return ""
    rounded = value.quantize(Decimal("0.1"))
    return f"{rounded:,} {'day' if rounded == 1 else 'days'}"


def arranging(report: PerformanceReport) -> str:
    """The "time to arrange care" paragraph: who was counted, then the times."""
    row = report.row
    requests = row("arrange_requests").this or 0
    if not requests:
        return "No requests for care were made in the period, so there is no time to arrange care."
    placed, waiting = row("arrange_placed").this or 0, row("arrange_waiting").this or 0
    withdrawn = requests - placed - waiting
    text = (
        f"Of the {requests:,} {'request' if requests == 1 else 'requests'} for care made in "
        f"the period, {placed:,} {'has' if placed == 1 else 'have'} been placed and "
        f"{waiting:,} {'is' if waiting == 1 else 'are'} still waiting"
        + (f" ({withdrawn:,} withdrawn)" if withdrawn else "")
        + ". Counting the requests still waiting up to today, "
    )
    median, p90 = row("arrange_median_days").this, row("arrange_p90_days").this
    if median is None:
        text += "fewer than half have been placed, so the median time to arrange care is not "
        text += "reached: it is longer than any of them has yet waited."
    else:
        low, high = row("arrange_median_low_days").this, row("arrange_median_high_days").this
        limits = f"{_days(low)} to {_days(high) if high is not None else 'not reached'}"
        text += f"half were placed within {_days(median)} (95% confidence interval {limits})"
        text += (
            f" and nine in ten within {_days(p90)}."
            if p90 is not None
            else "; more than one in ten have not been placed, so the 90th percentile is not "
            "reached."
        )
    longest = row("arrange_longest_open_days").this
    if longest is not None:
        text += f" The longest-waiting of them has waited {_days(longest)} so far."
    return text


def still_waiting(report: PerformanceReport) -> str:
    """Every request still waiting today, whenever it was made."""
    if not report.waiting_now:
        return "No request for care is waiting today."
    count = report.waiting_now
    return (
        f"Today {count:,} {'request' if count == 1 else 'requests'} for care "
        f"{'is' if count == 1 else 'are'} waiting, whenever made; the longest has waited "
        f"{_days(report.longest_open_days)}."
    )


def _direction(row: KpiRow, *, unit: str = "") -> str:
    """The change in words (", up 7.0 on the previous period"), or nothing to compare."""
    change = row.change
    if change is None:
        return ""
    if change == 0:
        return ", the same as in the previous period"
    way = "up" if change > 0 else "down"
    amount = f"£{abs(change):,}" if row.kpi.unit.startswith("£") else f"{abs(change):,}"
    return f", {way} {amount}{unit} on the previous period"


def current_position(report: PerformanceReport) -> list[str]:
    """The paragraphs a committee report's "current position" gives, from the figures."""
    row = report.row
    people = row("people_at_end").this
    paragraphs = [
        f"At the end of the period {_value(report, 'hours_at_end')} carer hours a week were "
        f"commissioned{_direction(row('hours_at_end'))}, for {_value(report, 'people_at_end')} "
        + ("person" if people == 1 else "people")
        + (
            f": {_value(report, 'hours_per_person')} hours a week each on average."
            if people
            else "."
        )
    ]
    new = row("new_packages").this
    paragraphs.append(
        f"{_value(report, 'new_packages')} new "
        f"{'package' if new == 1 else 'packages'} of care "
        f"{'was' if new == 1 else 'were'} arranged, "
        f"{_value(report, 'new_hours_per_week')} new hours a week on average each week."
    )
    paragraphs.append(f"{arranging(report)} {still_waiting(report)}")
    share = row("lead_share")
    if share.this is not None:
        paragraphs.append(
            f"{show(share.this, share.kpi)} of the packages placed at the end of the period "
            f"were with a prime or lead provider{_direction(share, unit=' percentage points')}."
        )
    rate = row("average_rate")
    if rate.this is not None:
        paragraphs.append(
            f"The average hourly rate was {show(rate.this, rate.kpi)}{_direction(rate)}."
        )
    complaints = row("complaints").this
    paragraphs.append(
        f"{_value(report, 'complaints')} "
        f"{'complaint was' if complaints == 1 else 'complaints were'} received, "
        f"{_value(report, 'complaints_per_month')} a month; "
        f"{_value(report, 'complaints_upheld')} upheld or partly upheld."
    )
    return paragraphs


def _chart(spec: ChartSpec, report: PerformanceReport, labels: list[str]) -> dict[str, Any]:
    lines = [Line(name, report.row(key).trend) for key, name in spec.series]
    kpis = [report.row(key).kpi for key, _ in spec.series]
    places = kpis[0].places
    title = f"{spec.title}, {labels[0]} to {labels[-1]}" if len(labels) > 1 else spec.title
    # Month labels need about 44 px each; longer trends widen the chart (it scrolls).
    width = max(620, 132 + 44 * (len(labels) - 1))
    svg = line_chart_svg(
        labels,
        lines,
        title=title,
        description=describe_lines(labels, lines, unit=spec.unit, places=places),
        chart_id=f"trend-{spec.key}",
        width=width,
        unit=spec.unit,
        places=places,
        y_max=spec.y_max,
    )
    requests = report.row("arrange_requests").trend
    rows = [
        (
            label,
            [
                show(line.values[index], kpi, requests=requests[index])
                for line, kpi in zip(lines, kpis, strict=True)
            ],
        )
        for index, label in enumerate(labels)
    ]
    return {
        "spec": spec,
        "title": title,
        "svg": svg,
        "names": [n for _, n in spec.series],
        "rows": rows,
    }


def build(report: PerformanceReport) -> dict[str, Any]:
    """The context the page and the PDF share."""
    labels = [month_label(month) for month in report.months]
    requests = report.row("arrange_requests")
    return {
        "report": report,
        "period_words": period_words(report.period),
        "previous_words": period_words(report.previous),
        "rows": [
            {
                "kpi": row.kpi,
                "unit": "percent" if row.kpi.unit == "%" else row.kpi.unit,
                "this": show(row.this, row.kpi, requests=requests.this),
                "previous": show(row.previous, row.kpi, requests=requests.previous),
                "change": change_words(row),
            }
            for row in report.rows
        ],
        "arrange_method": ARRANGE_METHOD,
        "base_rule": BASE_RULE,
        "paragraphs": current_position(report),
        # One point is no trend: the page says so rather than draw lone dots.
        "charts": [_chart(spec, report, labels) for spec in CHARTS] if len(labels) > 1 else [],
        "month_labels": labels,
    }


def _csv_number(
    value: Decimal | None, kpi: Kpi | None = None, requests: Decimal | None = None
) -> str:
    """A plain number; empty for no figure, "not reached" for a time to arrange care the
    requests made have not yet reached."""
    if value is None:
        reached = kpi is not None and requests and NONE_WHEN_REQUESTS.get(kpi.key) == "Not reached"
        return "not reached" if reached else ""
    return str(value)


def csv_rows(report: PerformanceReport) -> list[list[str]]:
    """A header and one row a KPI: plain numbers (no units or separators), empty for no
    figure ("not reached" for a time to arrange care not yet reached); the change in percent
    says "not a meaningful percentage" when the previous figure is below the base the next
    column gives; the months' columns are named by their first day."""
    months = [f"{month.first_day:%Y-%m-%d}" for month in report.months]
    header = [
        "Key",
        "KPI",
        "Unit",
        f"This period ({report.period.first_day} to {report.period.last_day})",
        f"Previous period ({report.previous.first_day} to {report.previous.last_day})",
        "Change",
        "Change (%)",
        "Change (%) given from",
        *[f"Month from {month}" for month in months],
        "Definition",
    ]
    rows = [header]
    requests = report.row("arrange_requests")
    for row in report.rows:
        kpi = row.kpi
        rows.append(
            [
                kpi.key,
                kpi.title,
                kpi.unit,
                _csv_number(row.this, kpi, requests.this),
                _csv_number(row.previous, kpi, requests.previous),
                _csv_number(row.change),
                NOT_MEANINGFUL if row.percent_meaningless else _csv_number(row.change_percent),
                "" if kpi.points else str(kpi.min_base),
                *[
                    _csv_number(value, kpi, asked)
                    for value, asked in zip(row.trend, requests.trend, strict=True)
                ],
                kpi.definition,
            ]
        )
    return rows


# --- spend, budgets and commitments (from the finance records) ---------------------------

SPEND_METHOD = (
    "Spend is what the council's approved invoices pay for visits in the period, by who pays: "
    "the council, or the NHS for continuing healthcare. A joint-funded visit is split between "
    "them as it was invoiced. Invoices not yet approved are not counted."
)
BUDGET_METHOD = (
    "Committed is what the purchase orders order for the days of the financial year; spent to "
    "date is what approved invoices have paid for visits in it; still to invoice is what the "
    "orders order for its days no approved invoice has covered yet. Remaining is the budget "
    "less spent to date less still to invoice."
)


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else (Decimal(pence) / 100).quantize(Decimal("0.01"))


def _spend_rows(this: Any, before: Any) -> list[dict[str, Any]]:
    rows = [
        ("council", "Council", "council_pence", False),
        ("joint-council", "of which for joint-funded people", "joint_council_pence", True),
        ("nhs", "NHS continuing healthcare", "nhs_pence", False),
        ("joint-nhs", "of which for joint-funded people", "joint_nhs_pence", True),
        ("total", "All streams", "total_pence", False),
    ]
    return [
        {
            "key": key,
            "label": label,
            "part": part,
            "this": _pounds(getattr(this, name)),
            "previous": _pounds(getattr(before, name)),
        }
        for key, label, name, part in rows
    ]


def _budget_row(key: str, label: str, row: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "budget": _pounds(row.budget_pence),
        "committed": _pounds(row.committed_pence),
        "spent": _pounds(row.spent_pence),
        "to_invoice": _pounds(row.to_invoice_pence),
        "remaining": _pounds(row.remaining_pence),
    }


def money(council: Any, report: PerformanceReport, today: date) -> dict[str, Any]:
    """The spend in the period and the one before by funding stream, and the budgets,
    commitments and spend to date of the financial year the period ends in (or today's,
    for a period running to today)."""
    from homecare.finance import commitments as figures

    this = figures.spend_by_stream(council, report.period.first_day, report.period.last_day)
    before = figures.spend_by_stream(council, report.previous.first_day, report.previous.last_day)
    year = figures.financial_year(min(report.period.last_day, today))
    result = figures.commitments(council, year)
    return {
        "spend_rows": _spend_rows(this, before),
        "spend_method": SPEND_METHOD,
        "budget_year": year,
        "budget_year_words": figures.year_words(year),
        "budget_rows": [
            _budget_row("council", "Council", result.total(figures.Stream.COUNCIL)),
            _budget_row("nhs", "NHS continuing healthcare", result.total(figures.Stream.NHS_CHC)),
            _budget_row("total", "All streams", result.total()),
        ],
        "budget_method": BUDGET_METHOD,
    }


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def money_csv_rows(context: dict[str, Any], report: PerformanceReport) -> list[list[str]]:
    """A header and one row a figure of :func:`money`'s: plain amounts in pounds (empty where
    no budget is set)."""
    this = f"{report.period.first_day} to {report.period.last_day}"
    before = f"{report.previous.first_day} to {report.previous.last_day}"
    year = context["budget_year"]
    year_text = f"{year}-{(year + 1) % 100:02d}"
    rows = [["Figure", "Funding stream", "Period or financial year", "Amount (£)"]]
    for row in context["spend_rows"]:
        figure = "Spend, joint-funded part" if row["part"] else "Spend"
        stream = (
            row["label"]
            if not row["part"]
            else ("Council" if row["key"] == "joint-council" else "NHS continuing healthcare")
        )
        rows.append([figure, stream, this, _money_text(row["this"])])
        rows.append([figure, stream, before, _money_text(row["previous"])])
    names = (
        ("budget", "Budget"),
        ("committed", "Committed for the year"),
        ("spent", "Spent to date"),
        ("to_invoice", "Still to invoice"),
        ("remaining", "Remaining"),
    )
    for row in context["budget_rows"]:
        for key, figure in names:
            rows.append([figure, row["label"], year_text, _money_text(row[key])])
    return rows
