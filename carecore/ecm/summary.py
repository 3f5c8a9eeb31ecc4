"""The headline figures of a reconciliation: outcomes, hours and money per provider.

Hours are carer hours (a double-handed visit counts twice), as providers staff them and as
councils pay them. Planned hours are what was planned for the visits in the run; payable
hours what the invoice lines pay (including cancellation pay and any paid unplanned logs).
The variance is payable less planned; Rotherham reports about 10% below plan (seed 004,
paragraph 2.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from carecore.ecm.schema import LOG_STATUSES, VISIT_OUTCOMES
from carecore.units import from_pence

HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


def hours(minutes: int) -> Decimal:
    """Minutes as hours to two places, rounded half up."""
    return (Decimal(minutes) / 60).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProviderSummary:
    """One provider's planned and paid carer minutes and the amount of its invoice."""

    provider_ref: str
    planned_visits: int
    planned_carer_minutes: int
    payable_carer_minutes: int
    invoice_lines: int
    amount_pence: int

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)

    def to_dict(self) -> dict[str, object]:
        return {
            "provider_ref": self.provider_ref,
            "planned_visits": self.planned_visits,
            "planned_hours": hours(self.planned_carer_minutes),
            "payable_hours": hours(self.payable_carer_minutes),
            "variance_hours": hours(self.payable_carer_minutes - self.planned_carer_minutes),
            "invoice_lines": self.invoice_lines,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class Summary:
    """Counts by visit outcome and by log status, and totals per provider."""

    visit_outcomes: dict[str, int]
    single_handed: int
    log_statuses: dict[str, int]
    duplicate_rows: int
    providers: tuple[ProviderSummary, ...]

    @property
    def planned_carer_minutes(self) -> int:
        return sum(p.planned_carer_minutes for p in self.providers)

    @property
    def payable_carer_minutes(self) -> int:
        return sum(p.payable_carer_minutes for p in self.providers)

    @property
    def amount_pence(self) -> int:
        return sum(p.amount_pence for p in self.providers)

    @property
    def variance_percent(self) -> Decimal | None:
        """Payable against planned carer hours, in percent to one place (None if no plan)."""
        planned = self.planned_carer_minutes
        if planned == 0:
            return None
        change = Decimal(self.payable_carer_minutes - planned) * 100 / planned
        return change.quantize(TENTH, rounding=ROUND_HALF_UP)

    def to_dict(self) -> dict[str, object]:
        return {
            "visit_outcomes": dict(self.visit_outcomes),
            "single_handed": self.single_handed,
            "log_statuses": dict(self.log_statuses),
            "duplicate_rows": self.duplicate_rows,
            "planned_hours": hours(self.planned_carer_minutes),
            "payable_hours": hours(self.payable_carer_minutes),
            "variance_hours": hours(self.payable_carer_minutes - self.planned_carer_minutes),
            "variance_percent": self.variance_percent,
            "amount": from_pence(self.amount_pence),
            "providers": [p.to_dict() for p in self.providers],
        }


def _counts(frame: pl.DataFrame, column: str, names: tuple[str, ...]) -> dict[str, int]:
    found = dict(frame.group_by(column).len().iter_rows())
    return {name: int(found.get(name, 0)) for name in names}


def summarise(
    visits: pl.DataFrame, logs: pl.DataFrame, lines: pl.DataFrame, *, duplicate_rows: int
) -> Summary:
    """The summary of collected reconciliation frames."""
    planned = visits.group_by("provider_ref").agg(
        planned_visits=pl.len(),
        planned_carer_minutes=(pl.col("planned_minutes").cast(pl.Int64) * pl.col("carers")).sum(),
    )
    paid = lines.group_by("provider_ref").agg(
        payable_carer_minutes=pl.col("payable_minutes").sum(),
        invoice_lines=pl.len(),
        amount_pence=pl.col("amount_pence").sum(),
    )
    both = planned.join(paid, on="provider_ref", how="full", coalesce=True).fill_null(0)
    providers = tuple(
        ProviderSummary(
            provider_ref=row["provider_ref"],
            planned_visits=int(row["planned_visits"]),
            planned_carer_minutes=int(row["planned_carer_minutes"]),
            payable_carer_minutes=int(row["payable_carer_minutes"]),
            invoice_lines=int(row["invoice_lines"]),
            amount_pence=int(row["amount_pence"]),
        )
        for row in both.sort("provider_ref").iter_rows(named=True)
    )
    return Summary(
        visit_outcomes=_counts(visits, "outcome", VISIT_OUTCOMES),
        single_handed=int(visits["single_handed"].sum()),
        log_statuses=_counts(logs, "log_status", LOG_STATUSES),
        duplicate_rows=duplicate_rows,
        providers=providers,
    )


def combine_summaries(parts: list[Summary]) -> Summary:
    """One summary of several runs over disjoint data (say, one run per provider)."""

    def total(field: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for part in parts:
            for name, count in getattr(part, field).items():
                counts[name] = counts.get(name, 0) + count
        return counts

    return Summary(
        visit_outcomes=total("visit_outcomes"),
        single_handed=sum(part.single_handed for part in parts),
        log_statuses=total("log_statuses"),
        duplicate_rows=sum(part.duplicate_rows for part in parts),
        providers=tuple(
            sorted((p for part in parts for p in part.providers), key=lambda p: p.provider_ref)
        ),
    )
