"""Matching logs to planned visits, and deciding what becomes of each log.

A log matches the planned visit of the same provider and person whose planned start is
nearest its check-in, if that is within the rules' window either way (one as-of join,
``strategy="nearest"``). Then, per log, in this order:

* ``unmatched``: the provider has no planned visit at all for the person (a wrong
  reference, or care the council did not commission from this provider);
* ``pending_approval``: a manual log, when the rules want manual logs approved and this
  one is not in the approvals;
* ``unplanned``: there are planned visits, but none within the window;
* ``duplicate``: the same carer already has an earlier log for this planned visit (only
  the first check-in counts);
* ``extra_carer``: more carers logged than the visit was planned for (carers are counted
  in order of check-in, then carer id);
* ``accepted``: everything else, to be paid under the rules.

``carer_index`` numbers the accepted carers of a visit 1, 2... in check-in order: the first
is paid as the first carer, the others at the rate card's further-carer percent. Logs with
an exception code (cancellations, no access) are numbered the same way among themselves.
"""

from __future__ import annotations

import polars as pl

from carecore.ecm.refcodes import CODED_LOG_KEY, pair_code
from carecore.ecm.rules import ContractRules
from carecore.ecm.schema import (
    ACCEPTED,
    DUPLICATE,
    EXTRA_CARER,
    LOG_KEY,
    PENDING_APPROVAL,
    UNMATCHED,
    UNPLANNED,
)

PLAN_COLUMNS = (
    "_plan",
    "planned_id",
    "planned_start",
    "band",
    "planned_minutes",
    "carers",
    "critical",
    "rate_pence_per_hour",
)
DELIVERY, EXCEPTION, OTHER, REPEAT = 0, 1, 2, 3  # kinds of log, as small integers


def _nearest_plans(planned: pl.LazyFrame, logs: pl.LazyFrame) -> pl.LazyFrame:
    """Each log with the columns of the nearest planned visit (any distance) or nulls.

    Both frames carry reference codes (:mod:`carecore.ecm.refcodes`); the as-of join is by
    one whole number per provider and person (much faster than two text keys). A pair with
    no plan matches nothing.
    """
    plans = planned.select(pair_code(), *PLAN_COLUMNS, _plan_at=pl.col("planned_start")).sort(
        "_plan_at"
    )
    return (
        logs.with_columns(pair_code())
        .sort("check_in")
        .join_asof(
            plans,
            left_on="check_in",
            right_on="_plan_at",
            by="_who",
            strategy="nearest",
            check_sortedness=False,
        )
        .drop("_who")
    )


def _approved(logs: pl.LazyFrame, approvals: pl.LazyFrame | None) -> pl.LazyFrame:
    if approvals is None:
        return logs.with_columns(_approved=pl.lit(False))
    marks = approvals.select(*LOG_KEY).unique().with_columns(_approved=pl.lit(True))
    return logs.join(marks, on=list(LOG_KEY), how="left").with_columns(
        pl.col("_approved").fill_null(False)
    )


def match_logs(
    planned: pl.LazyFrame,
    logs: pl.LazyFrame,
    rules: ContractRules,
    approvals: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Every (de-duplicated) log with its planned visit, ``log_status`` and ``carer_index``.

    ``planned`` is in the planned schema plus ``_plan``, an integer id per planned visit;
    ``logs`` in the actual schema; both with reference codes from
    :func:`~carecore.ecm.refcodes.with_ref_codes`; ``approvals`` names approved manual logs
    by provider, person, carer and check-in. The nearest planned start is kept in
    ``nearest_planned_start`` even outside the window (an unplanned log's reason quotes
    it); ``_plan``, ``planned_id`` and the plan's minutes and carers are null unless the log
    matched. Band and tendered rate come from the nearest plan either way, so an unplanned
    log can be priced if the rules pay it.
    """
    window = pl.duration(minutes=rules.match_window_minutes)
    offset = pl.col("check_in") - pl.col("planned_start")
    has_plan = pl.col("planned_id").is_not_null()
    within = has_plan & (offset <= window) & (offset >= -window)
    pending = (pl.col("method") == "manual") & ~pl.col("_approved")
    if not rules.manual_needs_approval:
        pending = pl.lit(False)
    matched = (
        _approved(_nearest_plans(planned, logs), approvals)
        .with_columns(
            _status=pl.when(~has_plan)
            .then(pl.lit(UNMATCHED))
            .when(pending)
            .then(pl.lit(PENDING_APPROVAL))
            .when(~within)
            .then(pl.lit(UNPLANNED)),
            _within=within,
            nearest_planned_start=pl.col("planned_start"),
        )
        .with_columns(
            [
                pl.when(pl.col("_within")).then(pl.col(c)).alias(c)
                for c in ("_plan", "planned_id", "planned_start", "planned_minutes", "carers")
            ]
        )
    )
    return _rank_carers(matched)


def _rank_carers(logs: pl.LazyFrame) -> pl.LazyFrame:
    """Decide duplicates, extra carers and the order of carers within each planned visit.

    Sorted by plan, check-in and carer, the first log of each carer for a plan is the one
    that counts; the position of a log among its plan's counted logs is its carer index.
    """
    kind = (
        pl.when(pl.col("_status").is_not_null())
        .then(OTHER)
        .when(pl.col("exception_code").is_null())
        .then(DELIVERY)
        .otherwise(EXCEPTION)
        .cast(pl.Int8)
    )
    first_of_carer = pl.struct("_plan", "_kind", "_carer").is_first_distinct()
    # Rank within runs of (plan, kind) in sorted order: a running count minus the count at
    # the start of the run (a window over 'over' groups is several times slower).
    counts = pl.col("_kind").is_in([DELIVERY, EXCEPTION]).cast(pl.Int64).cum_sum()
    run_start = (pl.col("_plan") != pl.col("_plan").shift(1)).fill_null(True) | (
        pl.col("_kind0") != pl.col("_kind0").shift(1)
    ).fill_null(True)
    before_run = pl.when(run_start).then(counts.shift(1).fill_null(0)).forward_fill()
    ranked = (
        logs.with_columns(_kind=kind)
        .with_columns(_kind0=pl.col("_kind"))
        # Codes sort as their references do (carer, then person, then provider).
        .sort("_plan", "_kind", "check_in", "_carer", "_person", "_prov", nulls_last=True)
        .with_columns(
            _kind=pl.when((pl.col("_kind") == DELIVERY) & ~first_of_carer)
            .then(pl.lit(REPEAT, dtype=pl.Int8))
            .otherwise(pl.col("_kind"))
        )
        .with_columns(carer_index=counts - before_run)
    )
    status = (
        pl.when(pl.col("_status").is_not_null())
        .then(pl.col("_status"))
        .when(pl.col("_kind") == REPEAT)
        .then(pl.lit(DUPLICATE))
        .when((pl.col("_kind") == DELIVERY) & (pl.col("carer_index") > pl.col("carers")))
        .then(pl.lit(EXTRA_CARER))
        .otherwise(pl.lit(ACCEPTED))
    )
    counted = pl.col("_kind").is_in([DELIVERY, EXCEPTION])
    return ranked.with_columns(
        log_status=status,
        carer_index=pl.when(counted).then(pl.col("carer_index").cast(pl.Int32)),
    ).select(
        *LOG_KEY,
        *CODED_LOG_KEY[:3],
        "check_out",
        "method",
        "exception_code",
        "log_status",
        "carer_index",
        "nearest_planned_start",
        *PLAN_COLUMNS,
    )
