"""What leaves the platform beside the ledger file: the charging export and the NHS recharge.

- :func:`charging_rows`: for the council's client-contribution (charging) team, per person
  (by reference only) and per four-week period, the visits, carer hours and pence the council
  paid for them on approved invoices, and the credit notes and re-invoices on those visits.
- :func:`recharge_rows`: for the integrated care board (ICB), each NHS-funded share of a line
  of an approved invoice, with the person's reference, the visit's day, the purchase order
  and the provider, then totals per provider and in all. Credit notes and re-invoices of the
  NHS stream are rows too (credits negative).

Both take the days of the visits, from ``first`` to ``last`` inclusive (London days), and
both are written as CSV with every cell formula-escaped. A line whose funding is blank (a run
made before funding streams) is the council's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Q, Sum, When

from carecore.spreadsheets import csv_text
from carecore.units import LONDON, as_london, from_pence
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance.models import Adjustment, AdjustmentLine, Stream

FUNDING_WORDS = {
    "": "Council",
    "council": "Council",
    "nhs_chc": "NHS continuing healthcare",
    "joint": "Joint-funded (council and NHS)",
}


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time(0), tzinfo=LONDON),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON),
    )


def _approved_lines(council: Any, first: date, last: date) -> Any:
    start, after = _bounds(first, last)
    return InvoiceLine.objects.filter(
        run__council=council,
        invoice__status=Invoice.Status.APPROVED,
        visit_start__gte=start,
        visit_start__lt=after,
    )


def _adjustment_lines(council: Any, first: date, last: date, stream: str) -> Any:
    """The stream's correction lines on visits in the days (a line with no visit counts on
    the day the correction was made)."""
    start, after = _bounds(first, last)
    on_visit = Q(invoice_line__visit_start__gte=start, invoice_line__visit_start__lt=after)
    made_in = Q(
        invoice_line__isnull=True,
        adjustment__created_at__gte=start,
        adjustment__created_at__lt=after,
    )
    return AdjustmentLine.objects.filter(
        on_visit | made_in, adjustment__invoice__run__council=council, stream=stream
    ).select_related(
        "adjustment__invoice__run__provider", "invoice_line__person", "invoice_line__run"
    )


def _signed(line: AdjustmentLine) -> int:
    sign = -1 if line.adjustment.kind == Adjustment.Kind.CREDIT else 1
    return sign * abs(line.amount_pence)


# --- charging ------------------------------------------------------------------------------


@dataclass
class ChargingRow:
    person_ref: str
    period_start: date
    period_end: date
    funding: str
    visits: int = 0
    carer_minutes: int = 0
    council_pence: int = 0
    corrections_pence: int = 0

    @property
    def total_pence(self) -> int:
        return self.council_pence + self.corrections_pence


def charging_rows(council: Any, first: date, last: date) -> list[ChargingRow]:
    """Per person and period, what the council paid for their care (never an NHS share)."""
    council_pence = Case(When(funding="", then=F("amount_pence")), default=F("council_pence"))
    groups = (
        _approved_lines(council, first, last)
        .filter(person__isnull=False)
        .exclude(funding=Stream.NHS_CHC)
        .values("person__reference", "run__period_start", "run__period_end", "funding")
        .annotate(
            visits=Count("visit_start", distinct=True),
            minutes=Sum("billable_minutes"),
            pence=Sum(council_pence),
        )
    )
    rows: dict[tuple[str, date, str], ChargingRow] = {}
    for group in groups:
        funding = FUNDING_WORDS.get(group["funding"], group["funding"])
        key = (group["person__reference"], group["run__period_start"], funding)
        row = rows.setdefault(
            key, ChargingRow(key[0], group["run__period_start"], group["run__period_end"], funding)
        )
        row.visits += group["visits"]
        row.carer_minutes += group["minutes"] or 0
        row.council_pence += group["pence"] or 0
    for line in _adjustment_lines(council, first, last, Stream.COUNCIL):
        source = line.invoice_line
        if source is None or source.person is None:
            continue  # a correction of no one's visit is not charged to anyone
        funding = FUNDING_WORDS.get(source.funding, source.funding)
        key = (source.person.reference, source.run.period_start, funding)
        row = rows.setdefault(
            key, ChargingRow(key[0], source.run.period_start, source.run.period_end, funding)
        )
        row.corrections_pence += _signed(line)
    return [rows[key] for key in sorted(rows)]


CHARGING_HEADERS = (
    "Person reference",
    "Period start",
    "Period end",
    "Funding",
    "Visits",
    "Carer hours",
    "Council paid for the visits (£)",
    "Credit notes and re-invoices (£)",
    "Council paid in all (£)",
)


def _hours(minutes: int) -> str:
    return f"{(Decimal(minutes) / 60).quantize(Decimal('0.01'))}"


def _pounds(pence: int) -> str:
    return str(from_pence(pence))


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[csv_text(v) for v in r] for r in rows])
    return out.getvalue()


def charging_csv(rows: list[ChargingRow]) -> str:
    body: list[list[Any]] = [list(CHARGING_HEADERS)]
    for row in rows:
        body.append(
            [
                row.person_ref,
                row.period_start.isoformat(),
                row.period_end.isoformat(),
                row.funding,
                row.visits,
                _hours(row.carer_minutes),
                _pounds(row.council_pence),
                _pounds(row.corrections_pence),
                _pounds(row.total_pence),
            ]
        )
    return _csv(body)


# --- NHS recharge --------------------------------------------------------------------------


@dataclass(frozen=True)
class RechargeRow:
    person_ref: str
    visit_day: date
    visit_time: str
    purchase_order: str
    provider: str
    document: str
    funding: str
    nhs_pence: int


@dataclass
class Recharge:
    rows: list[RechargeRow] = field(default_factory=list)
    by_provider: dict[str, int] = field(default_factory=dict)

    @property
    def total_pence(self) -> int:
        return sum(self.by_provider.values())


def recharge_rows(council: Any, first: date, last: date) -> Recharge:
    """Every NHS share of the council's approved invoices and corrections in the days."""
    recharge = Recharge()
    lines = (
        _approved_lines(council, first, last)
        .exclude(nhs_pence=0)
        .select_related("person", "run__provider", "invoice")
        .order_by("visit_start", "run__provider__name", "pk")
    )
    for line in lines.iterator(chunk_size=2000):
        visit = as_london(line.visit_start)
        recharge.rows.append(
            RechargeRow(
                person_ref=line.person.reference if line.person else "",
                visit_day=visit.date(),
                visit_time=f"{visit:%H:%M}",
                purchase_order=line.purchase_order,
                provider=line.run.provider.name,
                document=line.invoice.number,
                funding=FUNDING_WORDS.get(line.funding, line.funding),
                nhs_pence=line.nhs_pence,
            )
        )
    for item in _adjustment_lines(council, first, last, Stream.NHS_CHC):
        source = item.invoice_line
        adjustment = item.adjustment
        when = as_london(source.visit_start if source else adjustment.created_at)
        recharge.rows.append(
            RechargeRow(
                person_ref=source.person.reference if source and source.person else "",
                visit_day=when.date(),
                visit_time=f"{when:%H:%M}" if source else "",
                purchase_order=source.purchase_order if source else "",
                provider=adjustment.invoice.run.provider.name,
                document=f"{adjustment.get_kind_display()} {adjustment.number}",
                funding=FUNDING_WORDS.get(source.funding, "") if source else "",
                nhs_pence=_signed(item),
            )
        )
    recharge.rows.sort(key=lambda r: (r.visit_day, r.visit_time, r.provider, r.person_ref))
    for row in recharge.rows:
        recharge.by_provider[row.provider] = recharge.by_provider.get(row.provider, 0) + (
            row.nhs_pence
        )
    recharge.by_provider = dict(sorted(recharge.by_provider.items()))
    return recharge


RECHARGE_HEADERS = (
    "Person reference",
    "Visit date",
    "Visit time",
    "Purchase order",
    "Provider",
    "Invoice or correction",
    "Funding",
    "NHS pays (£)",
)


def recharge_csv(recharge: Recharge) -> str:
    body: list[list[Any]] = [list(RECHARGE_HEADERS)]
    for row in recharge.rows:
        body.append(
            [
                row.person_ref,
                row.visit_day.isoformat(),
                row.visit_time,
                row.purchase_order,
                row.provider,
                row.document,
                row.funding,
                _pounds(row.nhs_pence),
            ]
        )
    body.append([])
    for provider, pence in recharge.by_provider.items():
        body.append([f"Total for {provider}", "", "", "", "", "", "", _pounds(pence)])
    body.append(["Total", "", "", "", "", "", "", _pounds(recharge.total_pence)])
    return _csv(body)
