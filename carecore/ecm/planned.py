"""Planned visits: generated from packages' weekly schedules for a period, or read from a file.

Each planned visit gets a stable ``planned_id``, ``<package_ref>:<YYYY-MM-DD>:<HHMM>``, so
generating the same period again gives the same ids (a package cannot have two visits that
start at the same time on one day).

Clock changes: the schedule is London wall-clock time. A visit at 01:30 on the day the
clocks go forward (a time that does not exist) is kept, not dropped, because the person
still needs the care: it starts at 01:30 GMT, which the clocks show as 02:30 BST (Python's
``zoneinfo`` reading of such a time). A visit at 01:30 on the day the clocks go back (a time
that happens twice) is the first 01:30, in BST.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from carecore.brokerage.packages import Visit
from carecore.ecm.files import flag, read_table, require_columns, text
from carecore.ecm.schema import PLANNED_SCHEMA
from carecore.ecm.timeparse import (
    as_moment,
    london_wall_time,
    naive_moment,
    uniform_moments,
    whole_number,
)
from carecore.ecm.validation import Check, find_errors, shown, with_rows
from carecore.errors import InputError
from carecore.pricing.bank_holidays import bank_holidays, check_covered

MAX_PERIOD_DAYS = 366 * 5


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


@dataclass(frozen=True)
class PlannedPackage:
    """A package of care as ECM sees it: who, which provider, the band and the schedule.

    ``end_date`` (inclusive) is None for an open-ended package. ``suspensions`` are
    (first day, last day) spans, both inclusive, with no visits (say, while in hospital).
    ``rate_pence_per_hour`` is a tendered rate that replaces the rate card's band rate.
    """

    package_ref: str
    person_ref: str
    provider_ref: str
    band: str
    start_date: date
    visits: tuple[Visit, ...]
    end_date: date | None = None
    suspensions: tuple[tuple[date, date], ...] = ()
    rate_pence_per_hour: int | None = None

    def __post_init__(self) -> None:
        try:
            self._check()
        except InputError as exc:
            ref = self.package_ref if isinstance(self.package_ref, str) else "?"
            raise InputError(f"package {ref}: {exc.message}", key=exc.key) from None

    def _check(self) -> None:
        for name in ("package_ref", "person_ref", "provider_ref", "band"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError("must not be blank", key=name)
        if not _is_day(self.start_date):
            raise InputError(f"expected a date, got {self.start_date!r}", key="start_date")
        if self.end_date is not None and (
            not _is_day(self.end_date) or self.end_date < self.start_date
        ):
            raise InputError(
                f"expected a date on or after start_date, got {self.end_date!r}", key="end_date"
            )
        object.__setattr__(self, "visits", tuple(self.visits))
        starts: set[tuple[int, int]] = set()
        for index, visit in enumerate(self.visits):
            if not isinstance(visit, Visit):
                raise InputError(f"expected a visit, got {visit!r}", key=f"visits[{index}]")
            visit.check(f"visits[{index}]")
            if (visit.day, visit.start_minute) in starts:
                raise InputError(
                    "two visits start at the same time on the same day",
                    key=f"visits[{index}].window_start",
                )
            starts.add((visit.day, visit.start_minute))
        object.__setattr__(self, "suspensions", tuple(self.suspensions))
        for index, span in enumerate(self.suspensions):
            if not (
                isinstance(span, tuple)
                and len(span) == 2
                and all(_is_day(d) for d in span)
                and span[0] <= span[1]
            ):
                raise InputError(
                    f"expected (first day, last day), got {span!r}", key=f"suspensions[{index}]"
                )
        rate = self.rate_pence_per_hour
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0):
            raise InputError(
                f"expected whole pence above zero, got {rate!r}", key="rate_pence_per_hour"
            )


def _package_frames(
    packages: Sequence[PlannedPackage],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Three small frames: one row per package, per weekly visit and per suspension."""
    heads = pl.DataFrame(
        {
            "_pkg": range(len(packages)),
            "package_ref": [p.package_ref for p in packages],
            "provider_ref": [p.provider_ref for p in packages],
            "person_ref": [p.person_ref for p in packages],
            "band": [p.band for p in packages],
            "_from": [p.start_date for p in packages],
            "_to": [p.end_date for p in packages],
            "rate_pence_per_hour": [p.rate_pence_per_hour for p in packages],
        },
        schema_overrides={"_pkg": pl.Int64, "_to": pl.Date, "rate_pence_per_hour": pl.Int64},
    )
    rows = [(i, v) for i, p in enumerate(packages) for v in p.visits]
    visits = pl.DataFrame(
        {
            "_pkg": [i for i, _ in rows],
            "_weekday": [v.day + 1 for _, v in rows],  # Polars counts Monday as 1
            "_minute": [v.start_minute for _, v in rows],
            "planned_minutes": [v.minutes for _, v in rows],
            "carers": [v.carers for _, v in rows],
            "critical": [v.critical for _, v in rows],
        },
        schema={
            "_pkg": pl.Int64,
            "_weekday": pl.Int8,
            "_minute": pl.Int32,
            "planned_minutes": pl.Int32,
            "carers": pl.Int32,
            "critical": pl.Boolean,
        },
    )
    spans = [(i, a, b) for i, p in enumerate(packages) for a, b in p.suspensions]
    suspensions = pl.DataFrame(
        {
            "_pkg": [s[0] for s in spans],
            "_s_from": [s[1] for s in spans],
            "_s_to": [s[2] for s in spans],
        },
        schema={"_pkg": pl.Int64, "_s_from": pl.Date, "_s_to": pl.Date},
    )
    return heads, visits, suspensions


def planned_start_expr(day: pl.Expr, minute: pl.Expr) -> pl.Expr:
    """The London moment of wall-clock ``minute`` (from midnight) on ``day``; a time in the
    spring gap is read as GMT, i.e. one hour later on the clock (see the module docstring)."""
    naive = day.cast(pl.Datetime("us")) + pl.duration(minutes=minute)
    shifted = london_wall_time(naive + pl.duration(hours=1))
    return pl.coalesce(london_wall_time(naive), shifted)


def bank_holiday_expr(day: pl.Expr) -> pl.Expr:
    """Whether the London date ``day`` is an England and Wales bank holiday (GOV.UK list)."""
    return day.is_in(sorted(bank_holidays()))


def planned_visits(packages: Iterable[PlannedPackage], start: date, end: date) -> pl.DataFrame:
    """Every planned visit of ``packages`` from ``start`` to ``end`` (London dates, inclusive).

    Honours each package's start and end dates and suspensions and marks bank holidays.
    Returns a frame in :data:`~carecore.ecm.schema.PLANNED_SCHEMA`, sorted by planned start
    then ``planned_id``. A period outside the bank-holiday list (2014 to 2030) is an error.
    """
    if not (_is_day(start) and _is_day(end)) or end < start:
        raise InputError(f"expected a period start <= end, got {start!r} to {end!r}", key="period")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InputError(f"a period is at most {MAX_PERIOD_DAYS} days", key="period")
    check_covered(start, key="period")
    check_covered(end, key="period")
    items = list(packages)
    for index, item in enumerate(items):
        if not isinstance(item, PlannedPackage):
            raise InputError(f"expected a PlannedPackage, got {item!r}", key=f"packages[{index}]")
    heads, visits, suspensions = _package_frames(items)
    days = pl.DataFrame({"_date": pl.date_range(start, end, timedelta(days=1), eager=True)})
    days = days.with_columns(_weekday=pl.col("_date").dt.weekday())
    rows = (
        visits.lazy()
        .join(days.lazy(), on="_weekday")
        .join(heads.lazy(), on="_pkg")
        .filter(
            (pl.col("_date") >= pl.col("_from"))
            & (pl.col("_to").is_null() | (pl.col("_date") <= pl.col("_to")))
        )
    )
    suspended = (
        rows.select("_pkg", "_date", "_minute")
        .join(suspensions.lazy(), on="_pkg")
        .filter(pl.col("_date").is_between(pl.col("_s_from"), pl.col("_s_to")))
        .select("_pkg", "_date", "_minute")
        .unique()
    )
    clock = pl.format(
        "{}{}",
        (pl.col("_minute") // 60).cast(pl.String).str.zfill(2),
        (pl.col("_minute") % 60).cast(pl.String).str.zfill(2),
    )
    result = (
        rows.join(suspended, on=["_pkg", "_date", "_minute"], how="anti")
        .with_columns(
            planned_id=pl.format("{}:{}:{}", "package_ref", pl.col("_date").cast(pl.String), clock),
            planned_start=planned_start_expr(pl.col("_date"), pl.col("_minute")),
            bank_holiday=bank_holiday_expr(pl.col("_date")),
        )
        .select([pl.col(name).cast(dtype) for name, dtype in PLANNED_SCHEMA.items()])
        .sort("planned_start", "planned_id")
    )
    return result.collect()


# --- reading planned visits from a file ---------------------------------------------------

PLANNED_REQUIRED = (
    "planned_id",
    "provider_ref",
    "person_ref",
    "band",
    "planned_start",
    "planned_minutes",
    "carers",
)
MAX_CARERS = 4


def _planned_moment(column: str, dtype: pl.DataType) -> pl.Expr:
    """A planned start read like a log's time, except that a naive time in the spring gap
    is kept and read as GMT, as generated schedules are (see the module docstring)."""
    value = as_moment(pl.col(column), dtype)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return value
    naive = naive_moment(pl.col(column)) if dtype == pl.String else pl.col(column)
    shifted = london_wall_time(naive.cast(pl.Datetime("us")) + pl.duration(hours=1))
    return pl.coalesce(value, shifted)


def _planned_start(frame: pl.DataFrame) -> pl.Expr | pl.Series:
    # A column of one layout throughout reads the same through the faster uniform parse
    # (a naive time in the spring gap fails it, and is then read as below).
    uniform = uniform_moments(frame, "planned_start")
    if uniform is not None:
        return uniform
    return _planned_moment("planned_start", frame.schema["planned_start"])


def _whole(column: str, low: int, high: int | None, dtype: pl.DataType) -> tuple[pl.Expr, Check]:
    value = whole_number(pl.col(column), dtype)
    bad = value.is_null() | (value < low)
    if high is not None:
        bad = bad | (value > high)
    span = f"from {low} to {high}" if high is not None else f"of {low} or more"
    return value, Check(
        column, bad, pl.format(f"expected a whole number {span}, got {{}}", shown(column))
    )


def validate_planned(
    frame: pl.DataFrame, *, source: str = "planned", first_row: int = 1
) -> pl.DataFrame:
    """Check planned visits in the :data:`PLANNED_SCHEMA` layout and return them typed.

    ``package_ref``, ``critical`` (default false), ``bank_holiday`` (default: from the
    GOV.UK list on the London date) and ``rate_pence_per_hour`` may be left out. Every bad
    value raises :class:`~carecore.ecm.validation.InputErrors` naming row and column.
    """
    require_columns(frame, PLANNED_REQUIRED, source=source)
    schema = frame.schema
    minutes, minutes_check = _whole("planned_minutes", 1, 24 * 60, schema["planned_minutes"])
    carers, carers_check = _whole("carers", 1, MAX_CARERS, schema["carers"])
    extra: dict[str, pl.Expr | pl.Series] = {
        "_start": _planned_start(frame),
        "_minutes": minutes,
        "_carers": carers,
    }
    checks = [
        *(
            Check(c, text(c).is_null(), pl.lit("must not be blank"))
            for c in ("planned_id", "provider_ref", "person_ref", "band")
        ),
        Check(
            "planned_id",
            text("planned_id").is_not_null() & text("planned_id").is_duplicated(),
            pl.format("{} appears more than once", shown("planned_id")),
        ),
        Check(
            "planned_start",
            pl.col("_start").is_null(),
            pl.format(
                "expected a date and time like 2021-06-07 08:00, got {}", shown("planned_start")
            ),
        ),
        minutes_check,
        carers_check,
    ]
    for column in ("critical", "bank_holiday"):
        if column in frame.columns:
            extra[f"_{column}"] = flag(column, schema[column])
            checks.append(
                Check(
                    column,
                    pl.col(f"_{column}").is_null(),
                    pl.format("expected true or false, got {}", shown(column)),
                )
            )
    if "rate_pence_per_hour" in frame.columns:
        rate, rate_check = _whole("rate_pence_per_hour", 1, None, schema["rate_pence_per_hour"])
        extra["_rate"] = rate
        checks.append(
            Check(
                rate_check.column,
                text("rate_pence_per_hour").is_not_null() & rate_check.bad,
                rate_check.message,
            )
        )
    rows = with_rows(frame, first_row).with_columns(**extra)
    find_errors(rows, checks, source=source)
    day = pl.col("_start").dt.date()
    return rows.select(
        text("planned_id").alias("planned_id"),
        (text("package_ref") if "package_ref" in frame.columns else pl.lit(None, pl.String)).alias(
            "package_ref"
        ),
        text("provider_ref").alias("provider_ref"),
        text("person_ref").alias("person_ref"),
        text("band").alias("band"),
        pl.col("_start").alias("planned_start"),
        pl.col("_minutes").alias("planned_minutes"),
        pl.col("_carers").alias("carers"),
        (pl.col("_critical") if "critical" in frame.columns else pl.lit(False)).alias("critical"),
        (
            pl.col("_bank_holiday") if "bank_holiday" in frame.columns else bank_holiday_expr(day)
        ).alias("bank_holiday"),
        (pl.col("_rate") if "rate_pence_per_hour" in frame.columns else pl.lit(None)).alias(
            "rate_pence_per_hour"
        ),
    ).cast(PLANNED_SCHEMA)  # type: ignore[arg-type]


def read_planned(path: str | Path) -> pl.DataFrame:
    """Planned visits from a CSV or Parquet file in the layout of :data:`PLANNED_SCHEMA`."""
    frame, first_row = read_table(path)
    return validate_planned(frame, source=str(path), first_row=first_row)
