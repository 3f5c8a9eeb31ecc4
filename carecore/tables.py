"""Rows of a CSV file or an Excel workbook, read within limits: one reader for tables that
people type into spreadsheets (bids, market imports), where every cell is checked by its caller.

A CSV file is UTF-8 (with or without a byte-order mark) or, failing that, the Windows code
page Excel uses for "CSV". A workbook is the newer .xlsx format; its formulas are read as the
values Excel saved for them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from carecore.errors import InputError
from carecore.limits import ReadLimits, check_xlsx

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


def sheet_rows(data: bytes, label: str, limits: ReadLimits) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) of a CSV file or of an XLSX workbook's first sheet, in ``data``.

    The header is row 1, as a spreadsheet shows it; blank rows of a sheet are left out. A
    file larger than ``limits`` allow is refused before it is unpacked, and rows are counted
    as they are read. ``label`` names the file in errors.
    """
    if not data.strip():
        raise InputError("the file is empty", source=label)
    if data.startswith(_OLE_MAGIC):
        raise InputError("old .xls workbooks are not read: save it as .xlsx or .csv", source=label)
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_rows(data, label, limits)
    limits.check_unpacked(len(data), source=label)
    return limits.counted(_csv_rows(data), source=label)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page, where £ is one byte.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    for number, cells in enumerate(reader, start=1):
        yield number, list(cells)


def _xlsx_rows(data: bytes, label: str, limits: ReadLimits) -> Iterator[tuple[int, list[object]]]:
    from zipfile import BadZipFile, ZipFile

    from openpyxl import load_workbook

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            check_xlsx(archive, limits, source=label)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InputError:
        raise
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"not a readable Excel workbook ({exc})", source=label) from None
    try:
        sheet = book.worksheets[0]
        # Every row counts, blank ones too: a sheet can skip to row 1,048,576.
        for cells in limits.counted(sheet.iter_rows(), source=label):
            values: list[object] = [cell.value for cell in cells]
            number = next((cell.row for cell in cells if getattr(cell, "row", None)), None)
            if number is not None:
                yield int(number), values
    finally:
        book.close()
