"""Provider performance for a council: the monthly league table and its trends.

For a range of calendar months, every provider with packages placed through the council's
frameworks gets its planned visits (``engine.planned_packages``, as a reconciliation run
builds them) and its unheld visit logs; the lot is reconciled once under the council's
rules (``HOMECARE_ECM_RULES``, as runs use) and measured by
:func:`carecore.ecm.provider_performance`, then ranked by :func:`carecore.ecm.rank_providers`
(only providers with at least :data:`MIN_RANKED_VISITS` planned visits in the month).
Nothing is stored: the table is worked out from the logs each time it is asked for, so it
always reflects approvals made since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from carecore.ecm import load_rules, planned_visits, provider_performance, rank_providers, reconcile
from carecore.ecm.performance import LOG_INPUT, VISIT_INPUT
from carecore.ecm.performance import MIN_RANKED_VISITS as ENGINE_MIN_RANKED_VISITS
from carecore.ecm.schema import MOMENT
from homecare.brokerage.models import Placement
from homecare.commissioning.models import Provider
from homecare.delivery import engine, reconciliation
from homecare.delivery.models import VisitLog

TREND_MONTHS = 6
MIN_RANKED_VISITS = ENGINE_MIN_RANKED_VISITS
"""The fewest planned visits in a month for a provider to be ranked (read when measuring,
so a test may lower it)."""


def first_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_full_month(today: date) -> date:
    """The first day of the last month that has ended by ``today``."""
    return add_months(first_of(today), -1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def council_providers(council: Any, only: list[Any] | None = None) -> list[Provider]:
    """Providers with packages placed through the council's frameworks, by name; ``only``
    narrows them (a provider's users see their own)."""
    providers = Provider.objects.filter(placements__request__framework__council=council)
    if only is not None:
        providers = providers.filter(pk__in=[p.pk for p in only])
    return list(providers.select_related("organisation").distinct().order_by("name"))


def _logs(
    council: Any, providers: list[Provider], start: date, end: date, window_minutes: int
) -> Any:
    """The providers' unheld logs for people placed through the council (a queryset). The
    range is widened by the matching window so a visit late on the last evening still finds
    a log made after midnight (and one early on the first morning a log made before)."""
    first, after = engine.period_bounds(start, end)
    window = timedelta(minutes=window_minutes)
    people = Placement.objects.filter(
        provider__in=providers, request__framework__council=council
    ).values("package__person_id")
    return VisitLog.objects.filter(
        provider__in=providers,
        held=False,
        person_id__in=people,
        check_in__gte=first - window,
        check_in__lt=after + window,
    )


@dataclass(frozen=True)
class Performance:
    """A council's providers' measures for ``months`` (oldest first), ranked per month."""

    council: Any
    months: tuple[date, ...]
    table: pl.DataFrame  # rank_providers(provider_performance(...)): one row a provider-month
    names: dict[str, str]  # provider reference (organisation slug) -> provider name

    def rows(self, month: date) -> list[dict[str, Any]]:
        """The month's rows in league order, each with the provider's ``name``."""
        rows = self.table.filter(pl.col("month") == month).to_dicts()
        return [
            {
                **row,
                "name": self.names.get(row["provider_ref"], row["provider_ref"]),
                "ranked": row["rank"] is not None,
            }
            for row in rows
        ]

    def trend(self, column: str) -> list[tuple[str, tuple[Decimal | None, ...]]]:
        """Each provider's ``column`` for every month (None where it has no figure), by name."""
        values: dict[tuple[str, date], Decimal | None] = {
            (row["provider_ref"], row["month"]): row[column]
            for row in self.table.select("provider_ref", "month", column).to_dicts()
        }
        refs = sorted({ref for ref, _ in values}, key=lambda ref: (self.names.get(ref, ref), ref))
        return [
            (self.names.get(ref, ref), tuple(values.get((ref, month)) for month in self.months))
            for ref in refs
        ]


def measure(
    council: Any,
    first_month: date,
    last_month: date,
    *,
    only: list[Any] | None = None,
    until: date | None = None,
) -> Performance:
    """Reconcile the council's providers (or ``only`` these) over the months from
    ``first_month`` to ``last_month`` (inclusive) and measure each provider in each month.

    ``until`` (inclusive) cuts the plan short: a month still running is measured on the
    visits planned so far, not against visits that have not happened yet."""
    start, end = first_of(first_month), month_end(last_month)
    if until is not None:
        end = min(end, until)
    months = []
    month = start
    while month <= month_end(last_month):
        months.append(month)
        month = add_months(month, 1)
    providers = council_providers(council, only)
    names = {engine.provider_ref(p): p.name for p in providers}
    empty = Performance(council, tuple(months), _empty(), names)
    if not providers or end < start:
        return empty
    packages = [pkg for p in providers for pkg in engine.planned_packages(council, p, start, end)]
    planned = planned_visits(packages, start, end)
    if planned.height == 0:
        return empty
    rules = load_rules(reconciliation.rules_name())
    logs, approved = engine.frames_of(
        _logs(council, providers, start, end, rules.match_window_minutes)
    )
    result = reconcile(planned, logs, rules, None, approvals=approved)
    table = rank_providers(
        provider_performance(result.visits, result.logs), min_visits=MIN_RANKED_VISITS
    )
    return Performance(council, tuple(months), table, names)


def _empty() -> pl.DataFrame:
    """The table with no rows, with the engine's own columns and types."""
    types = {"planned_start": MOMENT, "planned_minutes": pl.Int32, "late": pl.Boolean}
    visits = pl.DataFrame(
        schema={
            c: types.get(c, pl.Int32 if c == "actual_minutes" else pl.String) for c in VISIT_INPUT
        }
    )
    logs = pl.DataFrame(schema={c: pl.String for c in (*LOG_INPUT, "planned_id")})
    return rank_providers(provider_performance(visits, logs))
