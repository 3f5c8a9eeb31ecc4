"""Reporting every bad value in a file at once, found with vectorised checks.

A check is a column name, a boolean expression that is true on bad rows and a message
expression; :func:`find_errors` evaluates all checks over the whole frame in one pass and
brings only the bad rows into Python. :class:`InputErrors` carries the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecore.errors import InputError

ROW = "_row"
# How many bad values an error keeps (and its message lists); the count is always exact.
KEEP_ERRORS = 1000
LIST_IN_MESSAGE = 5


class InputErrors(InputError):
    """Several bad values in one input, each an :class:`InputError` naming row and column.

    ``errors`` holds up to the first 1,000 (in row order), ``total`` how many there were.
    The message names the first few so a one-line report is still useful.
    """

    def __init__(
        self,
        errors: Sequence[InputError],
        *,
        total: int | None = None,
        source: str | Path | None = None,
    ) -> None:
        self.errors = tuple(errors)
        self.total = len(self.errors) if total is None else total
        shown = "; ".join(_short(error) for error in self.errors[:LIST_IN_MESSAGE])
        more = self.total - min(len(self.errors), LIST_IN_MESSAGE)
        noun = "bad value" if self.total == 1 else "bad values"
        message = f"{self.total} {noun}: {shown}" + (f"; and {more} more" if more else "")
        super().__init__(message, source=source)


def _short(error: InputError) -> str:
    where = []
    if error.row is not None:
        where.append(f"row {error.row}")
    if error.key:
        where.append(f"'{error.key}'")
    return f"{' '.join(where)}: {error.message}" if where else error.message


@dataclass(frozen=True)
class Check:
    """A rule over a frame: ``bad`` is true on rows that break it; ``message`` says why."""

    column: str
    bad: pl.Expr
    message: pl.Expr


def with_rows(frame: pl.DataFrame, first_row: int) -> pl.DataFrame:
    """``frame`` with a ``_row`` column numbering its rows from ``first_row``.

    A frame that already has ``_row`` keeps it: a part of a file read on its own (see
    :mod:`carecore.ecm.partitioned`) carries the row numbers of the whole file.
    """
    if ROW in frame.columns:
        return frame
    return frame.with_row_index(ROW, offset=first_row)


def find_errors(frame: pl.DataFrame, checks: Sequence[Check], *, source: str) -> None:
    """Raise :class:`InputErrors` listing every row and column that fails a check.

    ``frame`` must have the ``_row`` column from :func:`with_rows`. Errors are ordered by
    row, then by the order of the checks.
    """
    if not checks or frame.height == 0:
        return
    # One pass computes every check's mask (sharing common parts such as a stripped column);
    # messages are formatted only for the checks that found something, which on good input
    # is none of them.
    counts = (
        frame.lazy()
        .select(check.bad.fill_null(False).sum().alias(str(i)) for i, check in enumerate(checks))
        .collect()
        .row(0)
    )
    failing = [(order, checks[order]) for order, count in enumerate(counts) if count]
    if not failing:
        return
    parts = [
        frame.lazy()
        .filter(check.bad.fill_null(False))
        .select(
            pl.col(ROW).cast(pl.Int64),
            pl.lit(order, dtype=pl.Int32).alias("_order"),
            pl.lit(check.column).alias("_column"),
            check.message.cast(pl.String).alias("_message"),
        )
        for order, check in failing
    ]
    found = pl.concat(parts).sort(ROW, "_order").collect()
    if found.height == 0:
        return
    errors = [
        InputError(message, source=source, row=row, key=column)
        for row, column, message in found.head(KEEP_ERRORS)
        .select(ROW, "_column", "_message")
        .iter_rows()
    ]
    raise InputErrors(errors, total=found.height, source=source)


def shown(column: str) -> pl.Expr:
    """The raw text of ``column`` quoted for a message (an empty cell shows as '')."""
    return pl.format("'{}'", pl.col(column).cast(pl.String).fill_null(""))
