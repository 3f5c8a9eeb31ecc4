"""Reading timestamps, dates and clock times from text as Europe/London moments.

A timestamp with an offset (``+01:00``, ``+0100`` or ``Z``) is honoured as written. A naive
one is London wall-clock time: in the autumn hour that happens twice, the first (BST)
reading is taken; a wall time in the spring gap (01:00 to 01:59 on the day the clocks go
forward) never happened, so a *log* stamped then is bad input. Accepted layouts: ISO
(``2021-06-07T08:03:00``, ``2021-06-07 08:03``, with optional fractions of a second) and UK
(``07/06/2021 08:03``, ``07/06/2021 08:03:00``).
"""

from __future__ import annotations

import polars as pl

from carecore.ecm.schema import LONDON_TZ

NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M")
_OFFSET = r"(Z|[+-]\d\d:?\d\d)$"


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().str.replace("T", " ", literal=True)


def naive_moment(expr: pl.Expr) -> pl.Expr:
    """A naive ``Datetime`` from text without an offset, or null where it is not one."""
    text = _text(expr)
    return pl.coalesce(
        [text.str.to_datetime(f, strict=False, time_unit="us") for f in NAIVE_FORMATS]
    )


def london_wall_time(naive: pl.Expr) -> pl.Expr:
    """A naive London wall time as an aware moment; null for a time in the spring gap."""
    return naive.dt.replace_time_zone(LONDON_TZ, ambiguous="earliest", non_existent="null")


def parse_moment(expr: pl.Expr) -> pl.Expr:
    """A London-aware moment from text (see the module docstring), null if unreadable."""
    text = _text(expr)
    aware = pl.coalesce(
        [
            text.str.to_datetime(f, strict=False, time_unit="us", time_zone=LONDON_TZ)
            for f in AWARE_FORMATS
        ]
    )
    return (
        pl.when(text.str.contains(_OFFSET))
        .then(aware)
        .otherwise(london_wall_time(naive_moment(expr)))
    )


def moment_problem(raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """Why ``raw`` (text) did not give ``parsed``; null where it did or where raw is empty."""
    text = raw.cast(pl.String)
    in_gap = naive_moment(raw).is_not_null() & ~_text(raw).str.contains(_OFFSET)
    return (
        pl.when(text.is_null() | parsed.is_not_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(in_gap)
        .then(pl.format("'{}' never happened in London (the clocks went forward an hour)", text))
        .otherwise(pl.format("expected a date and time like 2021-06-07 08:03, got '{}'", text))
    )


def as_moment(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``expr`` of type ``dtype`` as a London-aware moment: text is parsed, naive datetimes
    are London wall time (spring-gap times become null), aware ones are converted."""
    if isinstance(dtype, pl.Datetime):
        moment = expr.cast(pl.Datetime("us", dtype.time_zone))
        if dtype.time_zone is None:
            return london_wall_time(moment)
        return moment.dt.convert_time_zone(LONDON_TZ)
    return parse_moment(expr)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """A ``Date`` from ISO or UK (dd/mm/yyyy) text, null if unreadable."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS])


def parse_clock(expr: pl.Expr) -> pl.Expr:
    """A ``Time`` from ``HH:MM`` or ``HH:MM:SS`` text, null if unreadable."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.coalesce([text.str.to_time(f, strict=False) for f in TIME_FORMATS])


def whole_number(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """An ``Int64`` from text such as ``45`` or ``45.0``; null for ``45.5`` or words.

    ``dtype`` is the column's type when known: an integer column is taken as it is (a
    typed Parquet file needs no parsing, which would cost far more than the read).
    """
    if dtype is not None and dtype.is_integer():
        return expr.cast(pl.Int64)
    if dtype is not None and dtype.is_float():
        number = expr.cast(pl.Float64)
    else:
        number = expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(number == number.floor()).then(number.cast(pl.Int64, strict=False))


def uniform_moments(frame: pl.DataFrame, column: str) -> pl.Series | None:
    """Text ``column`` parsed with the one layout its first value has, if every value has it.

    Trying every layout on every value (:func:`parse_moment`) costs several times a single
    parse, and real files hold one layout throughout. No string reads in two layouts, so
    when every non-blank value reads with the first value's layout the result equals
    :func:`parse_moment`'s. Returns None (parse as usual) when some value does not, and for
    columns that are not text.
    """
    if frame.schema[column] != pl.String:
        return None
    first = frame.get_column(column).drop_nulls().head(1)
    if first.len() == 0:
        return None
    text = _text(pl.col(column))
    layouts = [
        text.str.to_datetime(f, strict=False, time_unit="us", time_zone=LONDON_TZ)
        for f in AWARE_FORMATS
    ]
    layouts += [
        london_wall_time(text.str.to_datetime(f, strict=False, time_unit="us"))
        for f in NAIVE_FORMATS
    ]
    probe = pl.DataFrame({column: first})
    for parse in layouts:
        if probe.select(parse).item() is None:
            continue
        parsed, blank = frame.select(
            parse.alias(column), (text.is_null() | (text == "")).sum().alias("_blank")
        ).get_columns()
        return parsed if parsed.null_count() == blank[0] else None
    return None
