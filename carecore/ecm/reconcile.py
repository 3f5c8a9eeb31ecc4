"""Reconciliation: planned visits and call-monitoring logs in, payments and exceptions out.

:func:`reconcile` works on frames in memory; :func:`reconcile_lazy` builds the same query
on ``LazyFrame`` scans (say ``pl.scan_parquet``) so that Polars can run it with its
streaming engine, or sink each output to a file, without the inputs in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from carecore.ecm.actuals import dedupe_logs
from carecore.ecm.match import match_logs
from carecore.ecm.outcomes import exceptions, visit_outcomes, with_log_reasons
from carecore.ecm.payment import (
    PriceTables,
    check_priced,
    counted_minutes,
    payable_minutes,
    price_lines,
    price_tables,
    share_of_planned,
)
from carecore.ecm.planned import bank_holiday_expr
from carecore.ecm.refcodes import CODED_LOG_KEY, with_ref_codes
from carecore.ecm.rules import ContractRules
from carecore.ecm.schema import (
    ACCEPTED,
    ACTUAL_SCHEMA,
    APPROVAL_SCHEMA,
    CANCELLED_SHORT_NOTICE,
    NO_ACCESS,
    PLANNED_SCHEMA,
    UNPLANNED,
    conform,
)
from carecore.ecm.summary import Summary, summarise
from carecore.errors import InputError
from carecore.pricing.rate_cards import RateCard, load_rate_card

Frame = pl.DataFrame | pl.LazyFrame
Engine = Literal["auto", "in-memory", "streaming"]
SECONDS = (pl.col("check_out") - pl.col("check_in")).dt.total_seconds()

VISIT_COLUMNS = (
    *PLANNED_SCHEMA,
    "outcome",
    "reason",
    "late",
    "short",
    "single_handed",
    "carers_logged",
    "first_check_in",
    "actual_minutes",
    "payable_minutes",
    "amount_pence",
)
LOG_COLUMNS = (
    *ACTUAL_SCHEMA,
    "log_status",
    "log_reason",
    "planned_id",
    "carer_index",
    "nearest_planned_start",
)
LINE_COLUMNS = (
    "provider_ref",
    "person_ref",
    "planned_id",
    "visit_start",
    "visit_date",
    "band",
    "outcome",
    "carer_index",
    "carer_id",
    "check_in",
    "check_out",
    "method",
    "actual_minutes",
    "planned_minutes",
    "payable_minutes",
    "billable_minutes",
    "rate_per_hour",
    "day_type",
    "enhancements",
    "amount_pence",
    "amount_gbp",
)


@dataclass(frozen=True)
class Reconciliation:
    """The result: one row per planned visit, per log, per invoice line, per provider's
    invoice and per exception, and a summary. Money is integer pence (``amount_pence``)
    with the same in pounds as text (``amount_gbp``) on lines and invoices."""

    visits: pl.DataFrame
    logs: pl.DataFrame
    invoice_lines: pl.DataFrame
    invoices: pl.DataFrame
    exceptions: pl.DataFrame
    summary: Summary


@dataclass(frozen=True)
class LazyReconciliation:
    """The reconciliation as lazy queries; :meth:`collect` runs them together."""

    visits: pl.LazyFrame
    logs: pl.LazyFrame
    invoice_lines: pl.LazyFrame
    invoices: pl.LazyFrame
    exceptions: pl.LazyFrame
    duplicate_rows: pl.LazyFrame
    card: RateCard | None

    def collect(self, *, engine: Engine = "auto") -> Reconciliation:
        """Run every query (sharing their common parts) and check every line was priced."""
        visits, logs, lines, invoices, found, duplicates = pl.collect_all(
            [
                self.visits,
                self.logs,
                self.invoice_lines,
                self.invoices,
                self.exceptions,
                self.duplicate_rows,
            ],
            engine=engine,
        )
        check_priced(lines, self.card)
        summary = summarise(visits, logs, lines, duplicate_rows=int(duplicates.item()))
        return Reconciliation(visits, logs, lines, invoices, found, summary)


def _lazy(frame: Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def _card(rates: RateCard | str | Path | None) -> RateCard | None:
    if rates is None or isinstance(rates, RateCard):
        return rates
    return load_rate_card(rates)


def _prepared_planned(planned: Frame) -> pl.LazyFrame:
    frame = conform(_lazy(planned), PLANNED_SCHEMA, name="planned")
    return frame.with_columns(
        pl.col("critical").fill_null(False),
        pl.col("bank_holiday").fill_null(bank_holiday_expr(pl.col("planned_start").dt.date())),
    )


def _date_span(plans: pl.LazyFrame, logs: pl.LazyFrame) -> tuple[object, object]:
    """The first and last London dates any line could be priced on."""
    spans = pl.concat(
        [
            plans.select(pl.col("planned_start").dt.date().alias("d")),
            logs.select(pl.col("check_in").dt.date().alias("d")),
        ]
    ).select(pl.col("d").min().alias("first"), pl.col("d").max().alias("last"))
    first, last = spans.collect().row(0)
    return first, last


def _delivered_lines(
    logs: pl.LazyFrame, outcomes: pl.LazyFrame, rules: ContractRules
) -> pl.LazyFrame:
    return (
        logs.filter((pl.col("log_status") == ACCEPTED) & pl.col("exception_code").is_null())
        .join(outcomes, on="_plan", how="left")
        .with_columns(
            visit_start=pl.col("planned_start"),
            actual_minutes=SECONDS // 60,
            payable_minutes=payable_minutes(SECONDS, pl.col("planned_minutes"), rules),
        )
    )


def _cancellation_lines(
    visits: pl.LazyFrame, logs: pl.LazyFrame, rules: ContractRules
) -> pl.LazyFrame:
    """One line per planned carer for a visit cancelled at short notice or with no access,
    paid the rules' percent of planned minutes; the carer id is the k-th logging carer's."""
    planned = pl.col("planned_minutes")
    paid = (
        pl.when(pl.col("outcome") == CANCELLED_SHORT_NOTICE)
        .then(share_of_planned(planned, rules.short_notice_percent))
        .otherwise(share_of_planned(planned, rules.no_access_percent))
    )
    coded = logs.filter(
        (pl.col("log_status") == ACCEPTED) & pl.col("exception_code").is_not_null()
    ).select("_plan", "carer_index", "carer_id", "_carer", "check_in", "check_out", "method")
    return (
        visits.filter(pl.col("outcome").is_in([CANCELLED_SHORT_NOTICE, NO_ACCESS]))
        .select(
            "_plan",
            "provider_ref",
            "person_ref",
            "_prov",
            "_person",
            "planned_id",
            "band",
            "rate_pence_per_hour",
            "planned_minutes",
            "outcome",
            pl.col("planned_start").alias("visit_start"),
            payable_minutes=paid,
            carer_index=pl.int_ranges(1, pl.col("carers") + 1, dtype=pl.Int32),
        )
        .filter(pl.col("payable_minutes") > 0)
        .explode("carer_index")
        .join(coded, on=["_plan", "carer_index"], how="left")
    )


def _unplanned_lines(logs: pl.LazyFrame, rules: ContractRules) -> pl.LazyFrame:
    return logs.filter(
        (pl.col("log_status") == UNPLANNED) & pl.col("exception_code").is_null()
    ).with_columns(
        outcome=pl.lit(UNPLANNED),
        visit_start=pl.col("check_in"),
        carer_index=pl.lit(1, dtype=pl.Int32),
        actual_minutes=SECONDS // 60,
        payable_minutes=counted_minutes(SECONDS, rules),
    )


def invoice_lines(
    visits: pl.LazyFrame, logs: pl.LazyFrame, rules: ContractRules, tables: PriceTables
) -> pl.LazyFrame:
    """One priced line per paid carer per visit: delivered carers, cancellation and no-access
    pay, and unplanned logs if the rules pay them."""
    outcomes = visits.select("_plan", "outcome")
    parts = [
        _delivered_lines(logs, outcomes, rules),
        _cancellation_lines(visits, logs, rules),
    ]
    if rules.pay_unplanned:
        parts.append(_unplanned_lines(logs, rules))
    wanted = [c for c in LINE_COLUMNS if c not in PRICED]
    unpriced = pl.concat(
        [
            part.with_columns(visit_date=pl.col("visit_start").dt.date()).select(
                "_plan",
                *[c for c in wanted if c != "amount_gbp"],
                "rate_pence_per_hour",
                *CODED_LOG_KEY[:3],
            )
            for part in (p.with_columns(*_missing(p)) for p in parts)
        ],
        how="vertical_relaxed",
    )
    pence = pl.col("amount_pence")
    return (
        price_lines(unpriced, tables)
        .with_columns(
            amount_gbp=pl.format("{}.{}", pence // 100, (pence % 100).cast(pl.String).str.zfill(2))
        )
        # Reference codes sort as the references do (see carecore.ecm.refcodes).
        .sort("visit_start", "_plan", "carer_index", *CODED_LOG_KEY[:3], nulls_last=True)
        .select("_plan", *LINE_COLUMNS)
    )


PRICED = ("billable_minutes", "rate_per_hour", "day_type", "enhancements", "amount_pence")
LINE_TYPES: dict[str, pl.DataType] = {
    "check_in": ACTUAL_SCHEMA["check_in"],
    "check_out": ACTUAL_SCHEMA["check_out"],
    "method": pl.String(),
    "carer_id": pl.String(),
    "actual_minutes": pl.Int64(),
    "planned_minutes": pl.Int32(),
    "planned_id": pl.String(),
    "_carer": pl.UInt32(),
}


def _missing(part: pl.LazyFrame) -> list[pl.Expr]:
    have = part.collect_schema()
    return [pl.lit(None, dtype=t).alias(c) for c, t in LINE_TYPES.items() if c not in have]


Stage = Callable[[pl.LazyFrame], pl.LazyFrame]


def _cached(frame: pl.LazyFrame) -> pl.LazyFrame:
    # Several outputs read each stage; caching it lets Polars run it once per collect.
    return frame.cache()


def reconcile_lazy(
    planned: Frame,
    actual: Frame,
    rules: ContractRules,
    rates: RateCard | str | Path | None = None,
    *,
    approvals: Frame | None = None,
    stage: Stage = _cached,
) -> LazyReconciliation:
    """The reconciliation as lazy queries over ``planned`` and ``actual`` (see :func:`reconcile`).

    Only two small aggregates are computed now (the first and last dates, to build the
    rate-card tables); everything else runs when the result is collected or sunk. ``stage``
    is applied to each intermediate result that several outputs share (by default
    ``LazyFrame.cache``; :func:`reconcile` collects each one instead).
    """
    if not isinstance(rules, ContractRules):
        raise InputError(f"expected ContractRules, got {type(rules).__name__}", key="rules")
    card = _card(rates)
    raw = conform(_lazy(actual), ACTUAL_SCHEMA, name="actual")
    coded_plans, coded_logs = with_ref_codes([_prepared_planned(planned), raw], stage)
    plans = stage(coded_plans.sort("planned_start", "planned_id").with_row_index("_plan"))
    logs = stage(dedupe_logs(coded_logs, CODED_LOG_KEY))
    marks = (
        None if approvals is None else conform(_lazy(approvals), APPROVAL_SCHEMA, name="approvals")
    )
    matched = stage(with_log_reasons(match_logs(plans, logs, rules, marks), rules))
    visits = stage(visit_outcomes(plans, matched, rules))
    first, last = _date_span(plans, raw)
    if first is None or last is None:
        raise InputError("there are no planned visits and no logs to reconcile", key="planned")
    tables = price_tables(card, first, last)  # type: ignore[arg-type]
    lines = stage(invoice_lines(visits, matched, rules, tables))
    paid = (
        lines.filter(pl.col("_plan").is_not_null())
        .group_by("_plan")
        .agg(pl.col("payable_minutes").sum(), pl.col("amount_pence").sum())
    )
    visits_out = (
        # Plans are numbered in (planned start, planned_id) order and every join keeps the
        # left order, so the visits come out in that order without another sort.
        visits.join(paid, on="_plan", how="left", maintain_order="left")
        .with_columns(pl.col("payable_minutes").fill_null(0), pl.col("amount_pence").fill_null(0))
        .select(VISIT_COLUMNS)
    )
    visits_out = stage(visits_out)
    pence = pl.col("amount_pence")
    invoices = (
        lines.group_by("provider_ref")
        .agg(
            lines=pl.len(),
            payable_minutes=pl.col("payable_minutes").sum(),
            amount_pence=pence.sum(),
        )
        .with_columns(
            amount_gbp=pl.format("{}.{}", pence // 100, (pence % 100).cast(pl.String).str.zfill(2))
        )
        .sort("provider_ref")
    )
    duplicates = pl.concat(
        [raw.select(n=pl.len().cast(pl.Int64)), logs.select(n=-pl.len().cast(pl.Int64))]
    ).select(pl.col("n").sum())
    return LazyReconciliation(
        visits=visits_out,
        logs=matched.select(LOG_COLUMNS),  # by planned visit, then check-in
        invoice_lines=lines.select(LINE_COLUMNS),
        invoices=invoices,
        exceptions=exceptions(visits_out, matched),
        duplicate_rows=duplicates,
        card=card,
    )


def reconcile(
    planned: Frame,
    actual: Frame,
    rules: ContractRules,
    rates: RateCard | str | Path | None = None,
    *,
    approvals: Frame | None = None,
    engine: Engine = "auto",
) -> Reconciliation:
    """Reconcile call-monitoring logs against planned visits and price what is payable.

    ``planned`` is in :data:`~carecore.ecm.schema.PLANNED_SCHEMA` (from
    :func:`~carecore.ecm.planned.planned_visits` or a file), ``actual`` in
    :data:`~carecore.ecm.schema.ACTUAL_SCHEMA` (from :func:`~carecore.ecm.actuals.read_logs`).
    ``rates`` is a rate card, a shipped card's name or a card file; it may be None when
    every planned visit carries a tendered rate. ``approvals`` (provider_ref, person_ref,
    carer_id, check_in) names manual logs approved for payment. Repeated rows count once and
    the order of rows does not matter. A line with no rate raises :class:`InputError`.
    """

    def collected(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.collect(engine=engine).lazy()

    lazy = reconcile_lazy(planned, actual, rules, rates, approvals=approvals, stage=collected)
    return lazy.collect(engine=engine)
