"""The outcome of each planned visit and of each log, with a reason a person can read.

Per planned visit, from its accepted logs:

* a visit with at least one accepted delivery log is ``short`` if its longest carer's time
  is under the short threshold, else ``late`` if the first carer checked in more than the
  late threshold after the planned start (the critical threshold for time-critical
  visits), else ``delivered``; fewer carers than planned marks it ``single_handed`` (it is
  paid for the carers who came);
* otherwise an accepted exception log makes it ``no_access``, ``cancelled_short_notice`` or
  ``cancelled`` (in that priority if carers disagree);
* otherwise a manual log awaiting approval makes it ``pending_approval``;
* otherwise it is ``missed``: planned, no log and no cancellation.
"""

from __future__ import annotations

import polars as pl

from carecore.ecm.rules import ContractRules, ratio
from carecore.ecm.schema import (
    ACCEPTED,
    CANCELLED,
    CANCELLED_SHORT_NOTICE,
    DELIVERED,
    DUPLICATE,
    EXCEPTION_CODES,
    EXTRA_CARER,
    LATE,
    MISSED,
    MOMENT,
    NO_ACCESS,
    PENDING_APPROVAL,
    SHORT,
    UNMATCHED,
    UNPLANNED,
)

SINGLE_HANDED = "single_handed"
SECONDS = pl.col("check_out") - pl.col("check_in")
ACTIONS = {
    MISSED: "ask the provider why the call was missed and check the person is safe",
    LATE: "review punctuality with the provider",
    SHORT: "review the short call with the provider",
    SINGLE_HANDED: "check why fewer carers attended than planned",
    NO_ACCESS: "check the person is safe and why the carer could not get in",
    CANCELLED_SHORT_NOTICE: "none: paid under the contract's cancellation rule",
    PENDING_APPROVAL: "approve or reject the manual log",
    UNPLANNED: "confirm the visit was needed; pay it by approval or change the plan",
    UNMATCHED: "check the person and provider references",
    DUPLICATE: "none unless the first log is wrong: only the first check-in counts",
    EXTRA_CARER: "none unless the plan should have had more carers",
}


def _clock(moment: pl.Expr) -> pl.Expr:
    return moment.dt.strftime("%H:%M")


def _whole_minutes(span: pl.Expr) -> pl.Expr:
    return span.dt.total_seconds() // 60


def visit_outcomes(planned: pl.LazyFrame, logs: pl.LazyFrame, rules: ContractRules) -> pl.LazyFrame:
    """Planned visits with ``outcome``, ``reason``, ``late``, ``short``, ``single_handed``,
    ``carers_logged``, ``first_check_in`` and ``actual_minutes`` (longest carer, whole
    minutes). ``logs`` come from :func:`~carecore.ecm.match.match_logs`."""
    accepted = logs.filter(pl.col("log_status") == ACCEPTED)
    delivered = (
        accepted.filter(pl.col("exception_code").is_null())
        .group_by("_plan")
        .agg(
            carers_logged=pl.len().cast(pl.Int32),
            first_check_in=pl.col("check_in").min(),
            _longest=SECONDS.dt.total_seconds().max(),
        )
    )
    rank = {code: i for i, code in enumerate(EXCEPTION_CODES)}
    coded = (
        accepted.filter(pl.col("exception_code").is_not_null())
        .group_by("_plan")
        .agg(_code_rank=pl.col("exception_code").replace_strict(rank, return_dtype=pl.Int32).min())
        .with_columns(
            _code=pl.col("_code_rank").replace_strict(
                {i: c for c, i in rank.items()}, return_dtype=pl.String
            )
        )
    )
    others = (
        logs.filter(pl.col("_plan").is_not_null())
        .group_by("_plan")
        .agg(
            _pending=(pl.col("log_status") == PENDING_APPROVAL).sum().cast(pl.Int32),
            _ignored=pl.col("log_status").is_in([DUPLICATE, EXTRA_CARER]).sum().cast(pl.Int32),
        )
    )
    visits = (
        planned.join(delivered, on="_plan", how="left", maintain_order="left")
        .join(coded.select("_plan", "_code"), on="_plan", how="left", maintain_order="left")
        .join(others, on="_plan", how="left", maintain_order="left")
        .with_columns(
            pl.col("carers_logged").fill_null(0),
            pl.col("_pending").fill_null(0),
            pl.col("_ignored").fill_null(0),
        )
    )
    return _decide(visits, rules)


def _decide(visits: pl.LazyFrame, rules: ContractRules) -> pl.LazyFrame:
    came = pl.col("carers_logged") > 0
    threshold = (
        pl.when(pl.col("critical")).then(rules.critical_late_minutes).otherwise(rules.late_minutes)
    )
    lateness = (pl.col("first_check_in") - pl.col("planned_start")).dt.total_seconds()
    num, den = ratio(rules.short_percent)
    short = came & (pl.col("_longest") * den < pl.col("planned_minutes") * 60 * num)
    outcome = (
        pl.when(came & pl.col("short"))
        .then(pl.lit(SHORT))
        .when(came & pl.col("late"))
        .then(pl.lit(LATE))
        .when(came)
        .then(pl.lit(DELIVERED))
        .when(pl.col("_code").is_not_null())
        .then(pl.col("_code"))
        .when(pl.col("_pending") > 0)
        .then(pl.lit(PENDING_APPROVAL))
        .otherwise(pl.lit(MISSED))
    )
    return (
        visits.with_columns(
            late=(came & (lateness > threshold * 60)).fill_null(False),
            short=short.fill_null(False),
            single_handed=came & (pl.col("carers_logged") < pl.col("carers")),
            actual_minutes=(pl.col("_longest") // 60).cast(pl.Int32),
            _late_by=lateness // 60,
            _threshold=threshold,
        )
        .with_columns(outcome=outcome)
        .pipe(_with_reasons, rules)
        .drop("_longest", "_code", "_pending", "_ignored", "_late_by", "_threshold")
    )


def _with_reasons(visits: pl.LazyFrame, rules: ContractRules) -> pl.LazyFrame:
    """Each visit's reason: its outcome's text and any remarks.

    Each outcome's text is formatted only on that outcome's rows, then joined back by row
    number: a ``when``/``then`` chain formats every branch for every row (about a second
    per million visits for the eight templates).
    """
    numbered = visits.with_row_index("_reason_row")
    parts = [
        numbered.filter(pl.col("outcome") == outcome).select(
            "_reason_row", reason=pl.concat_str([expr, *_reason_suffix()], ignore_nulls=True)
        )
        for outcome, expr in _reason_texts(rules).items()
    ]
    return numbered.join(
        pl.concat(parts), on="_reason_row", how="left", maintain_order="left"
    ).drop("_reason_row")


def with_log_reasons(logs: pl.LazyFrame, rules: ContractRules) -> pl.LazyFrame:
    """``logs`` with ``log_reason`` (:func:`log_reason`), formatted only on the few logs
    that are not accepted and joined back by row number, in the same order."""
    numbered = logs.with_row_index("_log_row")
    reasons = numbered.filter(pl.col("log_status") != ACCEPTED).select(
        "_log_row", log_reason=log_reason(rules)
    )
    return numbered.join(reasons, on="_log_row", how="left", maintain_order="left").drop("_log_row")


def _reason_texts(rules: ContractRules) -> dict[str, pl.Expr]:
    """The main text of each outcome's reason."""
    planned_at = _clock(pl.col("planned_start"))
    late = pl.format(
        "checked in {} min after the planned {} (late threshold {} min)",
        pl.col("_late_by"),
        planned_at,
        pl.col("_threshold"),
    )
    short = pl.format(
        "{} of {} planned min delivered (short threshold {}%)",
        pl.col("actual_minutes"),
        pl.col("planned_minutes"),
        pl.lit(str(rules.short_percent)),
    )
    return {
        DELIVERED: pl.format(
            "checked in at {} for the planned {}; {} of {} planned min",
            _clock(pl.col("first_check_in")),
            planned_at,
            pl.col("actual_minutes"),
            pl.col("planned_minutes"),
        ),
        LATE: late,
        SHORT: pl.concat_str(
            [short, pl.when(pl.col("late")).then(pl.concat_str([pl.lit("; "), late]))],
            ignore_nulls=True,
        ),
        MISSED: pl.format(
            "no log within {} min of the planned {} and no cancellation",
            pl.lit(rules.match_window_minutes),
            planned_at,
        ),
        CANCELLED_SHORT_NOTICE: pl.format(
            "cancelled at short notice: {}% of the planned {} min paid",
            pl.lit(str(rules.short_notice_percent)),
            pl.col("planned_minutes"),
        ),
        NO_ACCESS: pl.format(
            "the carer could not get in: {}% of the planned {} min paid",
            pl.lit(str(rules.no_access_percent)),
            pl.col("planned_minutes"),
        ),
        CANCELLED: pl.lit("cancelled with notice: not paid"),
        PENDING_APPROVAL: pl.format(
            "{} manual log(s) awaiting approval: not paid until approved", pl.col("_pending")
        ),
    }


def _reason_suffix() -> list[pl.Expr]:
    """Remarks added to any outcome: too few carers, logs not paid."""
    single = pl.when(pl.col("single_handed")).then(
        pl.format(
            "; only {} of {} planned carers logged (paid for those who came)",
            pl.col("carers_logged"),
            pl.col("carers"),
        )
    )
    ignored = pl.when(pl.col("_ignored") > 0).then(
        pl.format("; {} duplicate or extra log(s) not paid", pl.col("_ignored"))
    )
    return [single, ignored]


def log_reason(rules: ContractRules) -> pl.Expr:
    """Why a log that is not simply paid was treated as it was (null for accepted logs)."""
    status = pl.col("log_status")
    unplanned_pay = "paid as delivered" if rules.pay_unplanned else "held, not paid"
    return (
        pl.when(status == UNMATCHED)
        .then(
            pl.format(
                "no planned visit for person {} with provider {}",
                pl.col("person_ref"),
                pl.col("provider_ref"),
            )
        )
        .when(status == UNPLANNED)
        .then(
            pl.format(
                "no planned visit within {} min of the check-in at {} (nearest planned {}): {}",
                pl.lit(rules.match_window_minutes),
                pl.col("check_in").dt.strftime("%Y-%m-%d %H:%M"),
                pl.col("nearest_planned_start").dt.strftime("%Y-%m-%d %H:%M"),
                pl.lit(unplanned_pay),
            )
        )
        .when(status == PENDING_APPROVAL)
        .then(pl.lit("manual log awaiting approval: not paid until approved"))
        .when(status == DUPLICATE)
        .then(
            pl.format(
                "carer {} already logged planned visit {}: only the first check-in counts",
                pl.col("carer_id"),
                pl.col("planned_id"),
            )
        )
        .when(status == EXTRA_CARER)
        .then(
            pl.format(
                "planned for {} carer(s); this was carer {} to check in: not paid",
                pl.col("carers"),
                pl.col("carer_index"),
            )
        )
    )


EXCEPTION_COLUMNS = (
    "kind",
    "provider_ref",
    "person_ref",
    "planned_id",
    "planned_start",
    "carer_id",
    "check_in",
    "check_out",
    "method",
    "reason",
    "action",
)


def exceptions(visits: pl.LazyFrame, logs: pl.LazyFrame) -> pl.LazyFrame:
    """Everything a finance or contracts officer should look at, one row per visit or log.

    Visits: every outcome but ``delivered`` and ``cancelled`` (with notice), plus delivered
    visits that were single-handed. Logs: unmatched, unplanned, pending approval, duplicate
    and extra-carer logs, named by provider, person, carer and check-in (the key an
    approvals file uses).
    """
    visit_kind = (
        pl.when((pl.col("outcome") == DELIVERED) & pl.col("single_handed"))
        .then(pl.lit(SINGLE_HANDED))
        .otherwise(pl.col("outcome"))
    )
    from_visits = (
        visits.with_columns(kind=visit_kind)
        .filter(pl.col("kind").is_not_null() & ~pl.col("kind").is_in([DELIVERED, CANCELLED]))
        .select(
            "kind",
            "provider_ref",
            "person_ref",
            "planned_id",
            "planned_start",
            pl.lit(None, dtype=pl.String).alias("carer_id"),
            pl.col("first_check_in").alias("check_in"),
            pl.lit(None, dtype=MOMENT).alias("check_out"),
            pl.lit(None, dtype=pl.String).alias("method"),
            "reason",
        )
    )
    from_logs = logs.filter(pl.col("log_status") != ACCEPTED).select(
        pl.col("log_status").alias("kind"),
        "provider_ref",
        "person_ref",
        "planned_id",
        pl.coalesce("planned_start", "nearest_planned_start").alias("planned_start"),
        "carer_id",
        "check_in",
        "check_out",
        "method",
        pl.col("log_reason").alias("reason"),
    )
    return (
        pl.concat([from_visits, from_logs], how="vertical_relaxed")
        .with_columns(
            action=pl.col("kind").replace_strict(ACTIONS, default=None, return_dtype=pl.String)
        )
        .sort(
            "provider_ref",
            pl.coalesce("planned_start", "check_in"),
            "kind",
            "planned_id",
            "carer_id",
            "check_in",
            # Two people's unplanned logs can tie on everything above.
            "person_ref",
            nulls_last=True,
        )
        .select(EXCEPTION_COLUMNS)
    )
