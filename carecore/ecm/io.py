"""Writing a reconciliation: CSV for any size, and an Excel workbook where one fits.

CSV files are UTF-8 with a header; moments are ISO 8601 with their offset
(``2021-06-07T08:03:00+01:00``). The workbook holds the invoices, invoice lines and
exceptions on separate sheets, with moments as London wall-clock times (Excel has no time
zones) and pounds as numbers. A sheet holds at most 1,048,575 data rows under its header,
so a larger result is written as CSV only and the reason is given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from carecore.ecm.reconcile import Reconciliation
from carecore.errors import InputError

XLSX_MAX_ROWS = 1_048_575
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%:z"
WORKBOOK = "ecm-reconciliation.xlsx"


@dataclass(frozen=True)
class Written:
    """The files written and any note about what was not (say, a workbook too large)."""

    files: tuple[Path, ...]
    notes: tuple[str, ...]


def write_csv(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV with moments in ISO 8601 with their offset."""
    target = Path(path)
    frame.write_csv(target, datetime_format=DATETIME_FORMAT)
    return target


def _for_excel(frame: pl.DataFrame) -> pl.DataFrame:
    """Moments as naive London wall time; the pounds text as an exact number."""
    moments = [
        pl.col(name).dt.replace_time_zone(None)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    ]
    return frame.with_columns(moments)


def write_xlsx(sheets: Mapping[str, pl.DataFrame], path: str | Path) -> Path:
    """Write each frame to a sheet of a new workbook at ``path`` (openpyxl, write-only).

    A frame with more than 1,048,575 rows does not fit a sheet: that is an
    :class:`InputError` and nothing is written.
    """
    from openpyxl import Workbook

    for name, frame in sheets.items():
        if frame.height > XLSX_MAX_ROWS:
            raise InputError(
                f"{frame.height:,} rows do not fit an Excel sheet (at most {XLSX_MAX_ROWS:,}): "
                "use the CSV files",
                key=name,
            )
    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(frame.columns)
        money = [i for i, c in enumerate(frame.columns) if c == "amount_gbp"]
        for row in _for_excel(frame).iter_rows():
            values = list(row)
            for i in money:
                values[i] = Decimal(values[i]) if values[i] is not None else None
            sheet.append(values)
    target = Path(path)
    book.save(target)
    return target


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_outputs(result: Reconciliation, out_dir: str | Path, *, xlsx: bool = True) -> Written:
    """Write the reconciliation into ``out_dir`` (created if missing).

    CSV: ``invoice_lines.csv``, ``exceptions.csv``, ``invoices.csv``, ``visits.csv``,
    ``logs.csv``; ``summary.json``; and, when ``xlsx`` and every sheet fits,
    ``ecm-reconciliation.xlsx``.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder ({exc.strerror})", source=folder) from None
    frames = {
        "invoice_lines": result.invoice_lines,
        "exceptions": result.exceptions,
        "invoices": result.invoices,
        "visits": result.visits,
        "logs": result.logs,
    }
    files = [write_csv(frame, folder / f"{name}.csv") for name, frame in frames.items()]
    summary = folder / "summary.json"
    summary.write_text(
        json.dumps(result.summary.to_dict(), indent=2, default=_plain) + "\n", encoding="utf-8"
    )
    files.append(summary)
    notes: list[str] = []
    if xlsx:
        sheets = {
            "Invoices": result.invoices,
            "Invoice lines": result.invoice_lines,
            "Exceptions": result.exceptions,
        }
        biggest = max(frame.height for frame in sheets.values())
        if biggest > XLSX_MAX_ROWS:
            notes.append(
                f"no workbook written: {biggest:,} rows are more than an Excel sheet holds "
                f"({XLSX_MAX_ROWS:,}); the CSV files have everything"
            )
        else:
            files.append(write_xlsx(sheets, folder / WORKBOOK))
    return Written(tuple(files), tuple(notes))
