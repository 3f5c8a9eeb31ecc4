"""Reading a survey table from CSV or XLSX into named cells, with errors naming file and row.

Column names are normalised ("Contact pay (£/hour)" becomes ``contact_pay``). A cell left
blank, or holding "n/a" or "-", is read as None: councils' templates use all three for "not
given", and a missing cost must never be read as zero.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from carecore.errors import InputError

BLANK_MARKERS = frozenset({"", "-", "n/a", "na", "n.a."})
Cell = object  # str, int, float or None from CSV or openpyxl; anything else is not a cost
Rows = list[tuple[int, dict[str, Cell]]]


def normalise_column(name: str) -> str:
    """``provider_ref`` from "Provider ref", dropping a unit in brackets: "Mileage (£/h)"."""
    without_units = re.sub(r"\(.*?\)", " ", name)
    return re.sub(r"[^a-z0-9]+", "_", without_units.lower()).strip("_")


def _clean(value: object) -> Cell:
    if isinstance(value, str):
        text = value.strip()
        return None if text.lower() in BLANK_MARKERS else text
    return value


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "").lstrip("£"))
    except InvalidOperation:
        return False
    return True


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, cells in enumerate(csv.reader(handle), start=1):
                yield number, list(cells)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text: save the sheet as 'CSV UTF-8'", source=path) from None


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[object]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only reads the values Excel saved for formulas rather than the formulas.
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})", source=path) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(
                f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})",
                source=path,
                key="sheet",
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        book.close()


def _raw_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[object]]]:
    if not path.is_file():
        raise InputError("file not found", source=path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, sheet)
    raise InputError("expected a .csv or .xlsx file", source=path)


def _header(number: int, cells: list[Cell], source: Path) -> list[str]:
    names: list[str] = []
    for position, cell in enumerate(cells, start=1):
        if cell is None:
            names.append("")
            continue
        name = normalise_column(cell) if isinstance(cell, str) and not _is_number(cell) else ""
        if not name:
            raise InputError(
                f"no header row: column {position} holds {cell!r} where a column name should be "
                "(the first row must name the columns, starting with provider_ref)",
                source=source,
                row=number,
            )
        if name in names:
            raise InputError("the same column appears twice", source=source, row=number, key=name)
        names.append(name)
    return names


def read_table(path: str | Path, *, sheet: str | None = None) -> tuple[list[str], Rows]:
    """The header (normalised names) and each non-blank data row as column to cell.

    Rows are numbered as in the file (the header is usually row 1). Raises InputError for an
    empty file, a header that is not one, a repeated column or a value under no column.
    """
    source = Path(path)
    header: list[str] | None = None
    rows: Rows = []
    for number, raw in _raw_rows(source, sheet):
        cells = [_clean(value) for value in raw]
        if all(cell is None for cell in cells):
            continue
        if header is None:
            header = _header(number, cells, source)
            continue
        row: dict[str, Cell] = {}
        for position, cell in enumerate(cells):
            name = header[position] if position < len(header) else ""
            if not name and cell is not None:
                raise InputError(
                    f"a value ({cell!r}) in column {position + 1}, which has no name",
                    source=source,
                    row=number,
                )
            if name:
                row[name] = cell
        rows.append((number, row))
    if header is None:
        raise InputError("the file is empty", source=source)
    return [name for name in header if name], rows
