"""The performance report's KPIs: each one's key, title, unit, places and definition, and
the smallest previous figure a change is given as a percentage of.

Split from :mod:`carecore.reports.performance_report` (which works the figures out and
re-exports these names); the page, PDF, CSV and ``docs/insight.md`` all read the
definitions from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COUNT_BASE = Decimal(20)  # counts below this move by chance as much as by anything else
HOURS_BASE = Decimal(100)  # hours a week: about a dozen people's packages
BASE_RULE = (
    "A change is also given as a percentage of the previous figure only when that figure "
    f"is at least {COUNT_BASE} for a count (packages, people, requests, complaints), "
    f"{HOURS_BASE} for hours a week, and 1 for days, hours a person or pounds; from a "
    "smaller or zero figure a "
    "percentage says more about how small the figure was than about the change (one "
    "package to 39 is \u201c+3,800%\u201d), so only the change itself is given, marked "
    "\u201cnot a meaningful percentage\u201d."
)


@dataclass(frozen=True)
class Kpi:
    """One KPI: its key, title, unit words, decimal places and definition.

    ``points`` marks a percentage, whose change is in percentage points (no percent change).
    ``min_base`` is the smallest previous figure a change is worked out as a percentage of.
    """

    key: str
    title: str
    unit: str
    places: int
    definition: str
    points: bool = False
    min_base: Decimal = Decimal(1)


KPIS = (
    Kpi(
        "hours_at_end",
        "Hours commissioned a week, at the end of the period",
        "hours a week",
        1,
        "Carer hours a week of every package placed with a provider at the close of the "
        "period (placed, started or suspended). A visit needing two carers counts twice.",
        min_base=HOURS_BASE,
    ),
    Kpi(
        "hours_average",
        "Hours commissioned a week, average over the period",
        "hours a week",
        1,
        "Each placed package's carer hours a week, weighted by the share of the period it "
        "was placed, added up: the hours commissioned on an average day of the period.",
        min_base=HOURS_BASE,
    ),
    Kpi(
        "people_at_end",
        "People receiving care at the end of the period",
        "people",
        0,
        "People with at least one package placed with a provider at the close of the period.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "hours_per_person",
        "Hours a week per person",
        "hours a week",
        2,
        "Hours commissioned a week at the end of the period divided by the people receiving "
        "care then.",
    ),
    Kpi(
        "new_packages",
        "New packages of care",
        "packages",
        0,
        "Packages placed with a provider for the first time in the period. A package moved "
        "to another provider, or placed again after its provider left, is not new.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "new_hours_per_week",
        "New hours commissioned a week, on average each week",
        "hours a week",
        1,
        "Carer hours a week of the new packages of care, divided by the weeks in the period "
        "(its days over 7): how much new weekly care was arranged each week.",
        min_base=HOURS_BASE,
    ),
    Kpi(
        "arrange_requests",
        "Requests for care made",
        "requests",
        0,
        "Requests for care made in the period (transfers to another provider, placed the "
        "moment they were made, are left out): the requests the times to arrange care follow.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "arrange_placed",
        "Requests made in the period and placed by today",
        "requests",
        0,
        "Of the requests for care made in the period, those placed with a provider by the day "
        "the report was made.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "arrange_waiting",
        "Requests made in the period and still waiting today",
        "requests",
        0,
        "Of the requests for care made in the period, those neither placed nor withdrawn by "
        "the day the report was made.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "arrange_median_days",
        "Time to arrange care, median",
        "days",
        1,
        "Days from a request for care to its placement, for the requests made in the period: "
        "half were placed sooner. Requests still waiting are counted up to today (and "
        "withdrawn ones up to their withdrawal), so long waits are not hidden (the "
        "Kaplan-Meier estimate). \u201cNot reached\u201d: fewer than half have been placed, "
        "so the median is longer than anyone has yet waited.",
    ),
    Kpi(
        "arrange_median_low_days",
        "Time to arrange care, median: lower 95% limit",
        "days",
        1,
        "The shortest median wait consistent with the requests (Brookmeyer and Crowley's 95% "
        "interval, with Greenwood's variance): with few requests the interval is wide.",
    ),
    Kpi(
        "arrange_median_high_days",
        "Time to arrange care, median: upper 95% limit",
        "days",
        1,
        "The longest median wait consistent with the requests (the same interval); "
        "\u201cnot reached\u201d when the requests so far cannot rule out a longer one.",
    ),
    Kpi(
        "arrange_p90_days",
        "Time to arrange care, 90th percentile",
        "days",
        1,
        "The same days counted the same way: nine in ten requests made in the period were "
        "placed within this time. \u201cNot reached\u201d: more than one in ten have not been "
        "placed.",
    ),
    Kpi(
        "arrange_longest_open_days",
        "Longest wait of a request made in the period and still waiting",
        "days",
        1,
        "Days from the request to today for the longest-waiting request made in the period "
        "that is neither placed nor withdrawn; no figure when none is waiting.",
    ),
    Kpi(
        "lead_share",
        "Share of packages with prime or lead providers",
        "%",
        1,
        "Packages placed at the close of the period whose provider is a prime or lead "
        "provider in the package's zone, as a percentage of all packages placed then.",
        points=True,
    ),
    Kpi(
        "average_rate",
        "Average hourly rate",
        "£ an hour",
        2,
        "The placements' hourly rates, weighted by carer hours a week and by the share of the "
        "period each was placed: what an average carer hour commissioned in the period cost.",
    ),
    Kpi(
        "complaints",
        "Complaints received",
        "complaints",
        0,
        "Complaints about home care the council received in the period, by the date received.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "complaints_per_month",
        "Complaints per month",
        "complaints a month",
        1,
        "Complaints received divided by the months in the period: calendar months when the "
        "period is whole months, otherwise its days over an average month of 30.44 days.",
        min_base=COUNT_BASE,
    ),
    Kpi(
        "complaints_upheld",
        "Complaints upheld or partly upheld",
        "complaints",
        0,
        "Complaints received in the period whose outcome is upheld or partly upheld (open "
        "complaints are not counted until decided).",
        min_base=COUNT_BASE,
    ),
)
KPI_BY_KEY = {kpi.key: kpi for kpi in KPIS}
