"""Actual visit logs: one row per carer per visit, read from CSV or Parquet and checked.

Two layouts are read. The ECM layout has the columns of
:data:`~carecore.ecm.schema.ACTUAL_SCHEMA` (``exception_code`` optional). The provider-return
layout of council finance systems has ``ServiceUserRef, VisitDate, StartTimeClaimed,
DurationClaimed, ActualStartTime, ActualDuration, NumberOfCarers``; the provider comes from
an argument, each row becomes ``NumberOfCarers`` logs, and the carers are named
``return-carer-1``, ``return-carer-2``... (the return does not name them, and these names are
the same every time the return is read, so re-reading it never pays a visit twice). The
claimed start and duration are not trusted for payment: the plan and the actual times are.

Every bad value in a file is reported at once (:class:`~carecore.ecm.validation.InputErrors`).
Exact re-reads of a log (same provider, person, carer and check-in) count once: see
:func:`dedupe_logs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from carecore.ecm.files import read_table, require_columns, text
from carecore.ecm.schema import (
    ACTUAL_SCHEMA,
    APPROVAL_SCHEMA,
    EXCEPTION_CODES,
    LOG_KEY,
    METHODS,
)
from carecore.ecm.timeparse import (
    as_moment,
    london_wall_time,
    moment_problem,
    parse_clock,
    parse_date,
    uniform_moments,
    whole_number,
)
from carecore.ecm.validation import Check, find_errors, shown, with_rows
from carecore.errors import InputError

RETURN_COLUMNS = (
    "ServiceUserRef",
    "VisitDate",
    "StartTimeClaimed",
    "DurationClaimed",
    "ActualStartTime",
    "ActualDuration",
    "NumberOfCarers",
)
REQUIRED = ("provider_ref", "person_ref", "carer_id", "check_in", "check_out", "method")
MAX_VISIT_MINUTES = 24 * 60
MAX_CARERS = 4


def _blank(column: str) -> Check:
    return Check(column, text(column).is_null(), pl.lit("must not be blank"))


def _moment_checks(frame: pl.DataFrame, column: str, *, optional: pl.Expr) -> list[Check]:
    """Checks that ``column`` holds a readable moment; it may be empty where ``optional``."""
    raw = pl.col(column)
    parsed = pl.col(f"_{column}")
    missing = text(column).is_null() if frame.schema[column] == pl.String else raw.is_null()
    if isinstance(frame.schema[column], pl.Datetime):
        unreadable = pl.format("{} never happened in London (the clocks went forward)", raw)
    else:
        unreadable = moment_problem(raw, parsed)
    return [
        Check(column, missing & ~optional, pl.lit("missing")),
        Check(column, ~missing & parsed.is_null(), unreadable),
    ]


def _moments(frame: pl.DataFrame, column: str) -> pl.Expr | pl.Series:
    uniform = uniform_moments(frame, column)
    return as_moment(pl.col(column), frame.schema[column]) if uniform is None else uniform


def _key_columns() -> list[pl.Expr]:
    """The log key (provider, person, carer, check-in) of checked rows, as logs hold it.

    A carer id is folded to capitals here, once, as it is read: ``cr-0012 `` and ``CR-0012``
    are one carer, who must never be paid as a second carer on a double-handed visit.
    """
    return [
        *(text(column).alias(column) for column in ("provider_ref", "person_ref")),
        text("carer_id").str.to_uppercase().alias("carer_id"),
        pl.col("_check_in").alias("check_in"),
    ]


def _word_check(column: str, allowed: tuple[str, ...], *, optional: bool) -> Check:
    word = text(column).str.to_lowercase()
    bad = ~word.is_in(allowed)
    bad = word.is_not_null() & bad if optional else bad.fill_null(True)
    return Check(
        column, bad, pl.format(f"expected one of {', '.join(allowed)}, got {{}}", shown(column))
    )


def validate_logs(frame: pl.DataFrame, *, source: str = "logs", first_row: int = 1) -> pl.DataFrame:
    """Check logs in the ECM layout and return them typed as ``ACTUAL_SCHEMA``.

    Raises :class:`~carecore.ecm.validation.InputErrors` naming every bad row (numbered from
    ``first_row``) and column: blank references, unreadable or missing times (check-out may
    be empty only on a log with an exception code), check-out before check-in, a visit over
    24 hours, an unknown method or exception code. Naive times are London wall-clock time.
    """
    require_columns(frame, REQUIRED, source=source)
    if "exception_code" not in frame.columns:
        frame = frame.with_columns(exception_code=pl.lit(None, dtype=pl.String))
    has_code = text("exception_code").is_not_null()
    rows = with_rows(frame, first_row).with_columns(
        _check_in=_moments(frame, "check_in"),
        _check_out=_moments(frame, "check_out"),
    )
    span = pl.col("_check_out") - pl.col("_check_in")
    checks = [
        *(_blank(c) for c in ("provider_ref", "person_ref", "carer_id")),
        *_moment_checks(frame, "check_in", optional=pl.lit(False)),
        *_moment_checks(frame, "check_out", optional=has_code),
        Check(
            "check_out",
            span < pl.duration(seconds=0),
            pl.format("{} is before check-in {}", shown("check_out"), shown("check_in")),
        ),
        Check(
            "check_out",
            span > pl.duration(minutes=MAX_VISIT_MINUTES),
            pl.format(
                "{} is more than 24 hours after check-in {}", shown("check_out"), shown("check_in")
            ),
        ),
        _word_check("method", METHODS, optional=False),
        _word_check("exception_code", EXCEPTION_CODES, optional=True),
    ]
    find_errors(rows, checks, source=source)
    return rows.select(
        *_key_columns(),
        pl.col("_check_out").alias("check_out"),
        text("method").str.to_lowercase().alias("method"),
        text("exception_code").str.to_lowercase().alias("exception_code"),
    ).cast(ACTUAL_SCHEMA)  # type: ignore[arg-type]


def _whole_check(
    column: str, low: int, high: int, what: str, dtype: pl.DataType
) -> tuple[Check, pl.Expr]:
    value = whole_number(pl.col(column), dtype)
    bad = value.is_null() | (value < low) | (value > high)
    message = pl.format(f"expected {what} from {low} to {high}, got {{}}", shown(column))
    return Check(column, bad, message), value


def logs_from_return(
    frame: pl.DataFrame,
    *,
    provider_ref: str,
    method: str = "manual",
    source: str = "return",
    first_row: int = 1,
) -> pl.DataFrame:
    """Logs from a provider return (see the module docstring), one per carer per visit.

    ``method`` says how the return's times were recorded: "manual" (the default: typed by
    the provider, so rules that hold manual logs for approval hold them) or the ECM method.
    """
    require_columns(frame, RETURN_COLUMNS, source=source)
    if not isinstance(provider_ref, str) or not provider_ref.strip():
        raise InputError("a provider return needs the provider's reference", key="provider")
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(METHODS)}, got {method!r}", key="method")
    day = parse_date(pl.col("VisitDate"))
    clock = parse_clock(pl.col("ActualStartTime"))
    naive = day.cast(pl.Datetime("us")) + clock.cast(pl.Duration("us"))
    duration_check, minutes = _whole_check(
        "ActualDuration", 0, MAX_VISIT_MINUTES, "minutes", frame.schema["ActualDuration"]
    )
    carers_check, carers = _whole_check(
        "NumberOfCarers", 1, MAX_CARERS, "carers", frame.schema["NumberOfCarers"]
    )
    rows = with_rows(frame, first_row).with_columns(
        _day=day, _clock=clock, _check_in=london_wall_time(naive), _minutes=minutes, _carers=carers
    )
    checks = [
        _blank("ServiceUserRef"),
        Check(
            "VisitDate",
            pl.col("_day").is_null(),
            pl.format("expected a date like 2021-06-07 or 07/06/2021, got {}", shown("VisitDate")),
        ),
        Check(
            "ActualStartTime",
            pl.col("_clock").is_null(),
            pl.format("expected a time like 08:03, got {}", shown("ActualStartTime")),
        ),
        Check(
            "ActualStartTime",
            pl.col("_day").is_not_null()
            & pl.col("_clock").is_not_null()
            & pl.col("_check_in").is_null(),
            pl.format(
                "{} never happened in London (the clocks went forward)", shown("ActualStartTime")
            ),
        ),
        duration_check,
        carers_check,
    ]
    find_errors(rows, checks, source=source)
    return (
        rows.with_columns(_carer=pl.int_ranges(1, pl.col("_carers") + 1))
        .explode("_carer")
        .select(
            pl.lit(provider_ref.strip()).alias("provider_ref"),
            text("ServiceUserRef").alias("person_ref"),
            pl.format("return-carer-{}", pl.col("_carer")).alias("carer_id"),
            pl.col("_check_in").alias("check_in"),
            (pl.col("_check_in") + pl.duration(minutes=pl.col("_minutes"))).alias("check_out"),
            pl.lit(method).alias("method"),
            pl.lit(None, dtype=pl.String).alias("exception_code"),
        )
        .cast(ACTUAL_SCHEMA)  # type: ignore[arg-type]
    )


def read_logs(
    path: str | Path, *, provider_ref: str | None = None, return_method: str = "manual"
) -> pl.DataFrame:
    """Logs from a CSV or Parquet file in either layout (told apart by the columns).

    A provider return needs ``provider_ref``; see :func:`logs_from_return` for
    ``return_method``. Bad values raise :class:`~carecore.ecm.validation.InputErrors`.
    """
    frame, first_row = read_table(path)
    source = str(path)
    if "ServiceUserRef" in frame.columns:
        if provider_ref is None:
            raise InputError(
                "this is a provider return: say which provider sent it",
                source=source,
                key="provider",
            )
        return logs_from_return(
            frame,
            provider_ref=provider_ref,
            method=return_method,
            source=source,
            first_row=first_row,
        )
    logs = validate_logs(frame, source=source, first_row=first_row)
    if provider_ref is not None:
        logs = logs.filter(pl.col("provider_ref") == provider_ref)
    return logs


def dedupe_logs(logs: pl.LazyFrame, key: Sequence[str] = LOG_KEY) -> pl.LazyFrame:
    """One row per log key (provider, person, carer, check-in), whatever the input order.

    Exact duplicates collapse to one. If copies disagree (say, on check-out), the one with
    the earliest check-out is kept (then by method and exception code, in the order of
    their vocabularies), so the result never depends on row order. ``key`` may name code
    columns standing for the references (see :mod:`carecore.ecm.refcodes`).
    """
    method = pl.col("method").replace_strict(
        {m: i for i, m in enumerate(METHODS)}, default=len(METHODS), return_dtype=pl.Int8
    )
    code = pl.col("exception_code").replace_strict(
        {c: i for i, c in enumerate(EXCEPTION_CODES)}, default=-1, return_dtype=pl.Int8
    )
    # Only keys that occur more than once need choosing between (rare, so the sort that
    # chooses runs on a few rows, not on every log). Numeric sort keys only: the other
    # columns are the key itself, so rows that tie on these are identical and it does not
    # matter which one is kept.
    marked = logs.with_columns(_repeated=pl.struct(*key).is_duplicated())
    repeated = (
        marked.filter(pl.col("_repeated"))
        .with_columns(_method=method, _code=code)
        .sort("check_out", "_method", "_code", nulls_last=True)
        .unique(subset=list(key), keep="first", maintain_order=False)
        .drop("_method", "_code")
    )
    return pl.concat([marked.filter(~pl.col("_repeated")), repeated]).drop("_repeated")


def read_approvals(path: str | Path) -> pl.DataFrame:
    """Approved manual logs: a file with ``provider_ref, person_ref, carer_id, check_in``
    naming each approved log as it appears in the exceptions list."""
    frame, first_row = read_table(path)
    source = str(path)
    require_columns(frame, tuple(APPROVAL_SCHEMA), source=source)
    rows = with_rows(frame, first_row).with_columns(
        _check_in=as_moment(pl.col("check_in"), frame.schema["check_in"])
    )
    checks = [
        *(_blank(c) for c in ("provider_ref", "person_ref", "carer_id")),
        *_moment_checks(frame, "check_in", optional=pl.lit(False)),
    ]
    find_errors(rows, checks, source=source)
    return rows.select(_key_columns()).cast(APPROVAL_SCHEMA)  # type: ignore[arg-type]
