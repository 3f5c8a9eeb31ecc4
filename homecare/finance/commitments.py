"""Commitments against budgets: for each of a council's zones and funding streams in a
financial year (April to March; a year is named by the year it starts in), what was budgeted,
what the purchase orders commit, what approved invoices have spent, and what is left.

The figures, in pence, each exact:

- **Budget**: the council's :class:`~homecare.finance.models.Budget` for the zone, stream
  and year (none set: no figure).
- **Committed for the year**: for each purchase order version in force on days of the year,
  its weekly value times those days over 7, rounded half up to the penny once a version.
  Every placement through the council's frameworks counts, for the days its order covers
  (an ended placement up to its end). People on a direct payment buy their own care: they
  are not committed.
- **Spent to date**: the lines of the council's approved invoices with visits in the year,
  by the zone on the line: ``council_pence`` to the council, ``nhs_pence`` to NHS continuing
  healthcare (a line from before the streams were recorded is the council's).
- **Still to invoice**: like committed, over the days of the year no approved invoice of the
  order's provider has covered yet.
- **Remaining**: budget, less spent to date, less still to invoice. Below zero it is the
  overspend the orders, as they stand, will make.

A joint-funded person's order is split between the streams by their NHS share: the NHS's part
rounded down to the penny, the remainder to the council.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from carecore.errors import InputError
from carecore.units import LONDON
from homecare.accounts.models import audited
from homecare.brokerage.models import Funding, Placement
from homecare.commissioning.models import Zone
from homecare.delivery.models import InvoiceLine, ReconciliationRun
from homecare.finance.models import Budget, Stream
from homecare.finance.purchase_orders import (
    PurchaseOrder,
    Version,
    purchase_orders,
    with_what_orders_read,
)

STREAMS = (Stream.COUNCIL, Stream.NHS_CHC)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
LARGEST_BUDGET_PENCE = 100_000_000_000  # £1 billion: no zone's home care budget is more
NO_ZONE = ""
# A line written before funding streams were recorded: the whole amount is the council's.
UNSPLIT = Q(funding="", council_pence=0, nhs_pence=0)


def financial_year(day: date) -> int:
    """The financial year ``day`` falls in, named by the year it starts in (April)."""
    return day.year if day.month >= 4 else day.year - 1


def year_days(year: int) -> tuple[date, date]:
    """The first and last day of financial year ``year``: 1 April to 31 March."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def year_words(year: int) -> str:
    return f"April {year} to March {year + 1}"


def london_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_joint(pence: int, nhs_share_percent: Any) -> tuple[int, int]:
    """(council, NHS) parts of ``pence`` for a joint-funded person: the NHS's share rounded
    down to the penny, the remainder to the council."""
    share = Decimal(str(nhs_share_percent or 0))
    nhs = int((Decimal(pence) * share / 100).quantize(Decimal(1), rounding=ROUND_DOWN))
    return pence - nhs, nhs


def by_stream(order: PurchaseOrder, pence: int) -> dict[str, int]:
    if order.funding == Funding.NHS_CHC:
        return {Stream.NHS_CHC: pence}
    if order.funding == Funding.JOINT:
        council, nhs = split_joint(pence, order.nhs_share_percent)
        return {Stream.COUNCIL: council, Stream.NHS_CHC: nhs}
    return {Stream.COUNCIL: pence}


# --- days ---------------------------------------------------------------------------------

Days = tuple[date, date]


def merged(spans: Iterable[Days]) -> list[Days]:
    """``spans`` (inclusive) sorted, with overlapping and touching ones joined."""
    out: list[Days] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def uncovered_days(first: date, last: date, covered: list[Days]) -> int:
    """Days of ``first``..``last`` outside ``covered`` (merged spans)."""
    if last < first:
        return 0
    total = (last - first).days + 1
    for a, b in covered:
        lo, hi = max(a, first), min(b, last)
        if lo <= hi:
            total -= (hi - lo).days + 1
    return total


def version_value(version: Version, days: int) -> int:
    """A version's weekly value over ``days`` days, half up to the penny."""
    weekly = version.weekly_pence or 0
    return half_up(Decimal(weekly * days) / 7)


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    zone_code: str
    zone_name: str
    stream: str
    budget_pence: int | None
    committed_pence: int
    spent_pence: int
    to_invoice_pence: int

    @property
    def stream_words(self) -> str:
        return str(Stream(self.stream).label)

    @property
    def remaining_pence(self) -> int | None:
        if self.budget_pence is None:
            return None
        return self.budget_pence - self.spent_pence - self.to_invoice_pence

    @property
    def forecast_pence(self) -> int:
        return self.spent_pence + self.to_invoice_pence


@dataclass
class Commitments:
    council: Any
    year: int
    rows: list[Row]
    direct_payment_orders: int = 0
    orders: int = 0
    unpriced_orders: int = 0
    zones: list[Zone] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        return year_days(self.year)[0]

    @property
    def last_day(self) -> date:
        return year_days(self.year)[1]

    def rows_of(self, stream: str) -> list[Row]:
        return [row for row in self.rows if row.stream == stream]

    def total(self, stream: str | None = None) -> Row:
        """The sum of the rows of ``stream`` (every stream: None). Its budget is None only
        when none of those rows has one."""
        rows = self.rows if stream is None else self.rows_of(stream)
        budgets = [r.budget_pence for r in rows if r.budget_pence is not None]
        return Row(
            "",
            "All zones",
            stream or "",
            sum(budgets) if budgets else None,
            sum(r.committed_pence for r in rows),
            sum(r.spent_pence for r in rows),
            sum(r.to_invoice_pence for r in rows),
        )


def _orders(council: Any, first: date, last: date) -> list[PurchaseOrder]:
    placements = (
        Placement.objects.filter(
            request__framework__council=council,
            package__person__council=council,
            package__start_date__lte=last,
        )
        .exclude(ended_at__lt=london_midnight(first))
        .exclude(package__end_date__lt=first)
        .order_by("pk")
    )
    return purchase_orders(with_what_orders_read(placements))


def approved_periods(council: Any) -> dict[int, list[Days]]:
    """Each provider's days covered by the council's approved invoices, merged."""
    spans: dict[int, list[Days]] = defaultdict(list)
    rows = ReconciliationRun.objects.filter(
        council=council, status=ReconciliationRun.Status.APPROVED
    ).values_list("provider_id", "period_start", "period_end")
    for provider_id, start, end in rows:
        spans[provider_id].append((start, end))
    return {provider: merged(days) for provider, days in spans.items()}


def committed(
    orders: Iterable[PurchaseOrder], first: date, last: date, invoiced: dict[int, list[Days]]
) -> tuple[dict[tuple[int | None, str], list[int]], int, int]:
    """Committed and still-to-invoice pence by (zone id, stream), and how many orders were
    left out for a direct payment and how many had days with no known rate."""
    sums: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    direct = unpriced = 0
    for order in orders:
        if order.direct_payment:
            direct += 1
            continue
        covered = invoiced.get(order.placement.provider_id, [])
        whole = still = 0
        priced = True
        for version in order.versions:
            days = version.days_between(first, last)
            if not days:
                continue
            priced = priced and version.rate_pence is not None
            whole += version_value(version, days)
            a = max(version.first, first)
            b = last if version.last is None else min(version.last, last)
            still += version_value(version, uncovered_days(a, b, covered))
        unpriced += 0 if priced else 1
        for stream, pence in by_stream(order, whole).items():
            sums[(order.zone_id, stream)][0] += pence
        for stream, pence in by_stream(order, still).items():
            sums[(order.zone_id, stream)][1] += pence
    return sums, direct, unpriced


def spent(council: Any, first: date, last: date) -> dict[tuple[str, str], int]:
    """Pence of approved invoice lines with visits from ``first`` to ``last`` (inclusive) by
    (zone code on the line, stream)."""
    lines = InvoiceLine.objects.filter(
        run__council=council,
        run__status=ReconciliationRun.Status.APPROVED,
        visit_start__gte=london_midnight(first),
        visit_start__lt=london_midnight(last + timedelta(days=1)),
    )
    out: dict[tuple[str, str], int] = defaultdict(int)
    rows = lines.values("zone_code").annotate(
        council=Sum("council_pence"),
        nhs=Sum("nhs_pence"),
        unsplit=Sum("amount_pence", filter=UNSPLIT),
    )
    for row in rows:
        zone = row["zone_code"] or NO_ZONE
        out[(zone, Stream.COUNCIL)] += int(row["council"] or 0) + int(row["unsplit"] or 0)
        out[(zone, Stream.NHS_CHC)] += int(row["nhs"] or 0)
    return out


def commitments(council: Any, year: int) -> Commitments:
    """The council's budgets, commitments and spend for financial year ``year``."""
    first, last = year_days(year)
    zones = list(Zone.objects.filter(council=council).order_by("position", "code"))
    budgets = {
        (b.zone_id, b.stream): b.amount_pence
        for b in Budget.objects.filter(council=council, year=year)
    }
    orders = _orders(council, first, last)
    sums, direct, unpriced = committed(orders, first, last, approved_periods(council))
    paid = spent(council, first, last)
    rows = []
    codes = {zone.code for zone in zones}
    for stream in STREAMS:
        for zone in zones:
            whole, still = sums.get((zone.pk, stream), [0, 0])
            rows.append(
                Row(
                    zone.code,
                    zone.name,
                    stream,
                    budgets.get((zone.pk, stream)),
                    whole,
                    paid.get((zone.code, stream), 0),
                    still,
                )
            )
        other = sum(p for (code, s), p in paid.items() if s == stream and code not in codes)
        if other:
            rows.append(Row(NO_ZONE, "Lines with no zone", stream, None, 0, other, 0))
    return Commitments(
        council,
        year,
        rows,
        direct_payment_orders=direct,
        orders=len(orders) - direct,
        unpriced_orders=unpriced,
        zones=zones,
    )


@dataclass(frozen=True)
class StreamSpend:
    """Approved spend in a period by funding stream (pence), and the joint-funded lines'
    parts of it."""

    council_pence: int
    nhs_pence: int
    joint_council_pence: int
    joint_nhs_pence: int
    lines: int

    @property
    def total_pence(self) -> int:
        return self.council_pence + self.nhs_pence


def spend_by_stream(council: Any, first: date, last: date) -> StreamSpend:
    """The council's approved invoice lines with visits from ``first`` to ``last``
    (inclusive), by funding stream: joint-funded lines split as they were invoiced."""
    lines = InvoiceLine.objects.filter(
        run__council=council,
        run__status=ReconciliationRun.Status.APPROVED,
        visit_start__gte=london_midnight(first),
        visit_start__lt=london_midnight(last + timedelta(days=1)),
    )
    joint = Q(funding=Funding.JOINT)
    sums = lines.aggregate(
        council=Sum("council_pence"),
        nhs=Sum("nhs_pence"),
        unsplit=Sum("amount_pence", filter=UNSPLIT),
        joint_council=Sum("council_pence", filter=joint),
        joint_nhs=Sum("nhs_pence", filter=joint),
    )
    return StreamSpend(
        council_pence=int(sums["council"] or 0) + int(sums["unsplit"] or 0),
        nhs_pence=int(sums["nhs"] or 0),
        joint_council_pence=int(sums["joint_council"] or 0),
        joint_nhs_pence=int(sums["joint_nhs"] or 0),
        lines=lines.count(),
    )


# --- budgets ------------------------------------------------------------------------------


@transaction.atomic
def set_budget(
    council: Any,
    zone: Zone,
    stream: str,
    year: int,
    amount_pence: int,
    *,
    now: datetime,
    acting_user: Any,
) -> Budget:
    """Set (or change) the council's budget for ``zone``, ``stream`` and financial year
    ``year``; the budget's history keeps every amount and who set it."""
    if zone is None or zone.council_id != council.pk:
        raise InputError("Choose one of the council's zones", key="zone")
    if stream not in Stream.values:
        raise InputError("Choose the council or NHS continuing healthcare", key="stream")
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError("Choose a financial year", key="year")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InputError(f"The year must be from {EARLIEST_YEAR} to {LATEST_YEAR}", key="year")
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        raise InputError("The budget must be an amount in pounds, like 250000", key="amount")
    if amount_pence < 0:
        raise InputError("The budget cannot be less than £0", key="amount")
    if amount_pence > LARGEST_BUDGET_PENCE:
        raise InputError("The budget must be at most £1,000,000,000", key="amount")
    budget = (
        Budget.objects.select_for_update()
        .filter(council=council, zone=zone, stream=stream, year=year)
        .first()
    )
    if budget is None:
        budget = Budget(council=council, zone=zone, stream=stream, year=year)
    budget.amount_pence, budget.set_by, budget.set_at = amount_pence, acting_user, now
    audited(budget, acting_user).save()
    return budget
