"""Column names, types and vocabularies shared by the ECM engine's frames.

Every moment is a ``Datetime("us", "Europe/London")``: Polars stores it as UTC, so
comparisons and differences are exact across clock changes, while dates, weekdays and
clock times read off it are London's (bank holidays and rate-card periods go by the London
date). Minutes are whole ``Int32``; money is integer pence (``Int64``).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from carecore.errors import InputError

LONDON_TZ = "Europe/London"
MOMENT = pl.Datetime("us", LONDON_TZ)
MICROSECONDS_PER_SECOND = 1_000_000

PLANNED_SCHEMA: dict[str, pl.DataType] = {
    "planned_id": pl.String(),
    "package_ref": pl.String(),
    "provider_ref": pl.String(),
    "person_ref": pl.String(),
    "band": pl.String(),
    "planned_start": MOMENT,
    "planned_minutes": pl.Int32(),
    "carers": pl.Int32(),
    "critical": pl.Boolean(),
    "bank_holiday": pl.Boolean(),
    "rate_pence_per_hour": pl.Int64(),
}

ACTUAL_SCHEMA: dict[str, pl.DataType] = {
    "provider_ref": pl.String(),
    "person_ref": pl.String(),
    "carer_id": pl.String(),
    "check_in": MOMENT,
    "check_out": MOMENT,
    "method": pl.String(),
    "exception_code": pl.String(),
}

# The key that makes a log the same log: re-reading it never pays it twice.
LOG_KEY = ("provider_ref", "person_ref", "carer_id", "check_in")
APPROVAL_SCHEMA: dict[str, pl.DataType] = {name: ACTUAL_SCHEMA[name] for name in LOG_KEY}

METHODS = ("phone", "app", "qr", "manual")
CANCELLED_SHORT_NOTICE = "cancelled_short_notice"
CANCELLED = "cancelled"
NO_ACCESS = "no_access"
# Highest priority first: when carers' logs for one visit disagree, the first code found wins.
EXCEPTION_CODES = (NO_ACCESS, CANCELLED_SHORT_NOTICE, CANCELLED)

# Outcomes of a planned visit.
DELIVERED = "delivered"
LATE = "late"
SHORT = "short"
MISSED = "missed"
PENDING_APPROVAL = "pending_approval"
VISIT_OUTCOMES = (
    DELIVERED,
    LATE,
    SHORT,
    MISSED,
    CANCELLED_SHORT_NOTICE,
    CANCELLED,
    NO_ACCESS,
    PENDING_APPROVAL,
)
# What became of each log (after exact duplicates were dropped).
ACCEPTED = "accepted"
DUPLICATE = "duplicate"
EXTRA_CARER = "extra_carer"
UNPLANNED = "unplanned"
UNMATCHED = "unmatched"
LOG_STATUSES = (ACCEPTED, DUPLICATE, EXTRA_CARER, PENDING_APPROVAL, UNPLANNED, UNMATCHED)


def conform(frame: pl.LazyFrame, schema: Mapping[str, pl.DataType], *, name: str) -> pl.LazyFrame:
    """``frame`` with exactly ``schema``'s columns in order, cast to its types.

    A missing column is an :class:`InputError` naming it; optional columns (every column
    that may be null) may be absent and are then filled with nulls. This reads only the
    frame's schema, so it is cheap on a lazy scan of a large file.
    """
    present = frame.collect_schema()
    columns = []
    for column, dtype in schema.items():
        if column in present:
            columns.append(pl.col(column).cast(dtype))
        elif column in OPTIONAL_COLUMNS:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
        else:
            raise InputError("missing column", source=name, key=column)
    return frame.select(columns)


OPTIONAL_COLUMNS = frozenset(
    {"package_ref", "critical", "bank_holiday", "rate_pence_per_hour", "exception_code"}
)
