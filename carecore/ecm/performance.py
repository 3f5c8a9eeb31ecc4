"""Provider performance: a monthly league table from a reconciliation's visits and logs.

One row per provider and calendar month (the London date of each visit's planned start;
a log belongs to the month of the visit it matched). Every share comes with the counts
behind it, so a reader can check each figure with a calculator:

* **Visits delivered**: visits with outcome ``delivered``, ``late`` or ``short`` out of the
  planned visits. Visits cancelled *with notice* (outcome ``cancelled``) are not counted as
  planned: the person did not want them. Missed, no-access, short-notice cancellations and
  visits whose only logs await approval count as planned and not delivered.
* **Punctuality**: delivered visits not flagged ``late`` (the first carer checked in within
  the contract's late threshold) out of delivered visits. A short visit can be late too.
* **Length of stay**: the delivered visits' actual minutes (the longest carer's time, whole
  minutes) out of their planned minutes. Each visit's actual minutes are **capped at its
  planned minutes**, so a long visit cannot hide a short one; 100% means every delivered
  visit lasted at least as long as planned. The uncapped sum is given too.
* **Continuity of carer**: of the carer logs on delivered visits (accepted logs without an
  exception code: one per carer who came), the share made by the person's *usual carers*.
  A person's usual carers, for one provider and month, are the :data:`USUAL_CARERS` carers
  with the most such logs for that person in that month; ties are broken by carer id (the
  smaller id first), so who they are never depends on row order (the figure could not
  change either way: tied carers have as many logs each). A person seen by at most
  that many carers in the month scores 100%. The provider's figure pools its people: the
  sum of usual-carer logs over the sum of logs (a person with more visits weighs more).
* **ECM compliance**: of the logs counted for a planned visit (status ``accepted`` or
  ``pending_approval``, cancellation and no-access records included), the share recorded
  electronically (method ``phone``, ``app`` or ``qr``; not ``manual``). Manual logs awaiting
  approval are counted: leaving them out would raise a provider's compliance exactly when
  it types in more logs by hand. Duplicate, extra-carer, unplanned and unmatched logs are
  not counted. ``meets_target`` compares the exact fraction with :data:`ECM_TARGET_PERCENT`
  (84.96% shows as 85.0% but does not meet 85%).

Shares are percentages to one decimal place (``Decimal``), computed from the integer counts
and rounded half up; a share with nothing to divide by is null. Pure Polars, no clock.

Each share counted in events (visits delivered, on time, usual carers' logs, electronic
logs) comes with its 95% Wilson score interval (:func:`carecore.stats.wilson_percent`,
rounded outwards), as ``<share>_low`` and ``<share>_high``: 3 of 4 visits on time is 75% but
could well be 30% to 95%. Length of stay has none: it counts minutes, which are not separate
yes-or-no events, so an interval over them would claim a precision the visits do not have.
Visits by the same person are not independent either, so the intervals are if anything too
narrow for a provider with few people.

The league (:func:`rank_providers`) ranks only providers with at least
:data:`MIN_RANKED_VISITS` planned visits in the month; the others are listed unranked.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import polars as pl

from carecore.ecm.schema import (
    ACCEPTED,
    CANCELLED,
    DELIVERED,
    LATE,
    LONDON_TZ,
    PENDING_APPROVAL,
    SHORT,
)
from carecore.errors import InputError
from carecore.stats import wilson_percent

ECM_TARGET_PERCENT = Decimal(85)
"""The share of logs to be recorded electronically (phone, app or QR), in percent."""
USUAL_CARERS = 3
"""How many of a person's most frequent carers in a month count as their usual carers."""
MIN_RANKED_VISITS = 100
"""The fewest planned visits in a month for a provider to be ranked. The league leads with
the share of planned visits delivered, so the floor is on planned visits (a floor on visits
delivered would let a provider that fails to deliver drop out of the league). 100 is about
one person's care for a month at three or four visits a day: at 100 visits the 95% interval
on a 90% share runs from 82.56% to 94.48%, already as wide as the gaps that separate most
providers; at 20 visits it runs from 69.90% to 97.21%, and a rank would mostly reflect
chance."""
ELECTRONIC_METHODS = ("phone", "app", "qr")
DELIVERED_OUTCOMES = (DELIVERED, LATE, SHORT)
PERCENT = pl.Decimal(4, 1)  # 0.0 to 100.0

VISIT_INPUT = (
    "planned_id",
    "provider_ref",
    "person_ref",
    "planned_start",
    "planned_minutes",
    "outcome",
    "late",
    "actual_minutes",
)
LOG_INPUT = ("provider_ref", "person_ref", "carer_id", "method", "exception_code", "log_status")
LOG_INPUT_PLAN = "planned_id"

COLUMNS = (
    "provider_ref",
    "month",
    "planned_visits",
    "delivered_visits",
    "delivered_percent",
    "on_time_visits",
    "punctual_percent",
    "planned_minutes",
    "actual_minutes",
    "stay_minutes",
    "stay_percent",
    "carer_logs",
    "usual_carer_logs",
    "continuity_percent",
    "counted_logs",
    "electronic_logs",
    "ecm_percent",
    "meets_target",
)
COUNT_COLUMNS = tuple(
    c
    for c in COLUMNS
    if c not in {"provider_ref", "month", "meets_target"} and not c.endswith("_percent")
)
RANK_ORDER = (
    "delivered_percent",
    "punctual_percent",
    "stay_percent",
    "continuity_percent",
    "ecm_percent",
)
"""The league table's order: each share, highest first, as shown (one decimal place)."""
KEY = ("provider_ref", "month")
INTERVALS = (
    ("delivered_percent", "delivered_visits", "planned_visits"),
    ("punctual_percent", "on_time_visits", "delivered_visits"),
    ("continuity_percent", "usual_carer_logs", "carer_logs"),
    ("ecm_percent", "electronic_logs", "counted_logs"),
)
"""The shares given a Wilson interval: (share, its successes, its trials)."""
INTERVAL_COLUMNS = tuple(f"{share}_{end}" for share, _, _ in INTERVALS for end in ("low", "high"))


def percent(numerator: str, denominator: str) -> pl.Expr:
    """``numerator / denominator`` in percent, to one decimal place rounded half up, as a
    ``Decimal``; null when the denominator is 0. Integer arithmetic only (no float drift)."""
    num, den = pl.col(numerator).cast(pl.Int64), pl.col(denominator).cast(pl.Int64)
    tenths = (2000 * num + den) // (2 * den)
    return pl.when(den > 0).then(pl.format("{}.{}", tenths // 10, tenths % 10)).cast(PERCENT)


def _require(frame: pl.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", source=name, key=missing[0])


def _visits(visits: pl.DataFrame) -> pl.LazyFrame:
    _require(visits, VISIT_INPUT, "visits")
    return (
        visits.lazy()
        .select(VISIT_INPUT)
        .with_columns(
            month=pl.col("planned_start")
            .dt.convert_time_zone(LONDON_TZ)
            .dt.date()
            .dt.truncate("1mo")
        )
    )


def _visit_counts(visits: pl.LazyFrame) -> pl.LazyFrame:
    came = pl.col("outcome").is_in(DELIVERED_OUTCOMES)
    capped = pl.min_horizontal("actual_minutes", "planned_minutes")
    return (
        visits.filter(pl.col("outcome") != CANCELLED)
        .group_by(KEY)
        .agg(
            planned_visits=pl.len(),
            delivered_visits=came.sum(),
            on_time_visits=(came & ~pl.col("late").fill_null(False)).sum(),
            planned_minutes=pl.col("planned_minutes").filter(came).sum(),
            actual_minutes=pl.col("actual_minutes").filter(came).sum(),
            stay_minutes=capped.filter(came).sum(),
        )
    )


def _logs(logs: pl.DataFrame, visits: pl.LazyFrame) -> pl.LazyFrame:
    """Logs matched to a planned visit, with that visit's month and outcome."""
    _require(logs, (*LOG_INPUT, LOG_INPUT_PLAN), "logs")
    plans = visits.select("provider_ref", "planned_id", "month", "outcome")
    return (
        logs.lazy()
        .select(*LOG_INPUT, LOG_INPUT_PLAN)
        .filter(pl.col("planned_id").is_not_null())
        .join(plans, on=["provider_ref", "planned_id"], how="inner")
    )


def _continuity(logs: pl.LazyFrame, usual_carers: int) -> pl.LazyFrame:
    per_carer = (
        logs.filter(
            (pl.col("log_status") == ACCEPTED)
            & pl.col("exception_code").is_null()
            & pl.col("outcome").is_in(DELIVERED_OUTCOMES)
        )
        .group_by(*KEY, "person_ref", "carer_id")
        .agg(n=pl.len())
        # Most logs first, then the smaller carer id: the usual carers are the first k.
        .sort(*KEY, "person_ref", pl.col("n"), "carer_id", descending=[False] * 3 + [True, False])
        .with_columns(place=pl.int_range(pl.len()).over(*KEY, "person_ref"))
    )
    return per_carer.group_by(KEY).agg(
        carer_logs=pl.col("n").sum(),
        usual_carer_logs=pl.col("n").filter(pl.col("place") < usual_carers).sum(),
    )


def _compliance(logs: pl.LazyFrame) -> pl.LazyFrame:
    counted = logs.filter(pl.col("log_status").is_in([ACCEPTED, PENDING_APPROVAL]))
    electronic = pl.col("method").str.to_lowercase().is_in(ELECTRONIC_METHODS)
    return counted.group_by(KEY).agg(counted_logs=pl.len(), electronic_logs=electronic.sum())


def provider_performance(
    visits: pl.DataFrame, logs: pl.DataFrame, *, usual_carers: int = USUAL_CARERS
) -> pl.DataFrame:
    """The performance of each provider in each month, counts and shares (see the module).

    ``visits`` and ``logs`` are a :class:`~carecore.ecm.reconcile.Reconciliation`'s frames
    (only the columns named in ``VISIT_INPUT`` and ``LOG_INPUT`` are read; ``planned_start``
    must be time-zone aware). A provider and month appear when the provider had a planned
    visit that month, even with no logs at all. Minutes are whole minutes; shares are
    percent (``Decimal``, one place). Sorted by month, then provider.
    """
    if usual_carers < 1:
        raise InputError(f"expected at least 1, got {usual_carers}", key="usual_carers")
    plans = _visits(visits)
    matched = _logs(logs, plans)
    table = (
        _visit_counts(plans)
        .join(plans.select(KEY).unique(), on=list(KEY), how="full", coalesce=True)
        .join(_continuity(matched, usual_carers), on=list(KEY), how="left")
        .join(_compliance(matched), on=list(KEY), how="left")
        .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLUMNS])
    )
    target_num, target_den = ECM_TARGET_PERCENT.as_integer_ratio()
    electronic, counted = pl.col("electronic_logs"), pl.col("counted_logs")
    return (
        table.with_columns(
            delivered_percent=percent("delivered_visits", "planned_visits"),
            punctual_percent=percent("on_time_visits", "delivered_visits"),
            stay_percent=percent("stay_minutes", "planned_minutes"),
            continuity_percent=percent("usual_carer_logs", "carer_logs"),
            ecm_percent=percent("electronic_logs", "counted_logs"),
            meets_target=pl.when(counted > 0).then(
                electronic * 100 * target_den >= counted * target_num
            ),
        )
        .select(COLUMNS)
        .sort("month", "provider_ref")
        .collect()
        .pipe(with_intervals)
    )


def with_intervals(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` with each share of :data:`INTERVALS` given its 95% Wilson score interval in
    percent (``<share>_low``, ``<share>_high``; null with nothing to divide by)."""
    columns = []
    for share, successes, trials in INTERVALS:
        pairs = [
            wilson_percent(int(x), int(n))
            for x, n in zip(table[successes].to_list(), table[trials].to_list(), strict=True)
        ]
        for index, end in enumerate(("low", "high")):
            values = [None if pair is None else pair[index] for pair in pairs]
            columns.append(pl.Series(f"{share}_{end}", values, dtype=PERCENT))
    return table.with_columns(columns)


def rank_providers(table: pl.DataFrame, *, min_visits: int = MIN_RANKED_VISITS) -> pl.DataFrame:
    """``table`` (from :func:`provider_performance`) ranked within each month.

    Only providers with at least ``min_visits`` planned visits that month are ranked
    (:data:`MIN_RANKED_VISITS`); the others get a null ``rank`` and are listed after the
    ranked ones, by provider reference. Highest share of visits delivered first; ties go
    to punctuality, then length of stay, then continuity, then ECM compliance, each as shown
    to one decimal place, a missing share counting below 0. Providers equal on all five
    share a rank (1, 2, 2, 4); within a rank they are listed by provider reference. Adds
    ``rank``; sorted by month, then rank (unranked last), then provider reference.
    """
    if min_visits < 1:
        raise InputError(f"expected at least 1, got {min_visits}", key="min_visits")
    keys = [pl.col(c).cast(pl.Float64).fill_null(-1.0) for c in RANK_ORDER]
    enough = pl.col("planned_visits") >= min_visits
    # The shares have one decimal place, so as floats they compare exactly as shown.
    ranked = table.filter(enough).with_columns(
        rank=pl.struct(keys).rank("min", descending=True).over("month").cast(pl.Int64)
    )
    unranked = table.filter(~enough).with_columns(rank=pl.lit(None, dtype=pl.Int64))
    return (
        pl.concat([ranked, unranked])
        .sort("month", "rank", "provider_ref", nulls_last=True)
        .select("rank", *table.columns)
    )
