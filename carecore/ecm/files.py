"""Reading a table from CSV or Parquet for the ECM readers, with readable errors.

CSV is read with every column as text (nothing guessed), so each reader parses and checks
values itself and can name the row and column of every bad one. Row numbers: in a CSV the
header is row 1 and the first data row is row 2, as a spreadsheet shows it; in a Parquet
file (no header line) the first record is row 1.

Given :class:`~carecore.limits.ReadLimits` (the platform passes them for uploads), a file is
measured before it is read: a Parquet file by its metadata, a CSV file by its size, and a
CSV file's rows are read no further than one past the limit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carecore.errors import InputError
from carecore.limits import ReadLimits, check_parquet

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0", "")


def read_table(
    path: str | Path, *, limits: ReadLimits | None = None, source: str | None = None
) -> tuple[pl.DataFrame, int]:
    """The table in ``path`` and the row number of its first record (2 for CSV, 1 else).

    With ``limits``, a file holding more than they allow is an :class:`InputError` raised
    before its rows are held in memory. ``source`` names the file in errors (default: path).
    """
    file = Path(path)
    label = source if source is not None else file
    suffix = file.suffix.lower()
    if not file.is_file():
        raise InputError("file not found", source=label)
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(file, limits, label), 2
        if suffix in PARQUET_SUFFIXES:
            if limits is not None:
                check_parquet(file, limits, source=label)
            return pl.read_parquet(file), 1
    except pl.exceptions.NoDataError:
        raise InputError("the file is empty", source=label) from None
    except (pl.exceptions.ComputeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read the file ({first})", source=label) from None
    raise InputError(
        f"expected a .csv or .parquet file, got {file.suffix or 'no suffix'}", source=label
    )


def _read_csv(file: Path, limits: ReadLimits | None, label: str | Path) -> pl.DataFrame:
    """Every column as text; with ``limits``, at most one row past the limit is read."""
    if limits is None:
        frame = pl.read_csv(file, infer_schema=False, raise_if_empty=True)
    else:
        limits.check_unpacked(file.stat().st_size, source=label)
        frame = pl.read_csv(
            file, infer_schema=False, raise_if_empty=True, n_rows=limits.max_rows + 1
        )
        limits.check_rows(frame.height, source=label)
        limits.check_columns(frame.width, source=label)
    return frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})


def require_columns(frame: pl.DataFrame, names: tuple[str, ...], *, source: str) -> None:
    """Raise naming the first of ``names`` missing from ``frame``."""
    for name in names:
        if name not in frame.columns:
            have = ", ".join(frame.columns)
            raise InputError(f"missing column (the file has: {have})", source=source, key=name)


def text(name: str) -> pl.Expr:
    """Column ``name`` as stripped text; empty cells are null."""
    value = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(value != "").then(value)


def flag(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``name`` as a boolean (true/false, yes/no, 1/0; empty is false); null if not."""
    if dtype == pl.Boolean:
        return pl.col(name).fill_null(False)
    word = pl.col(name).cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)
