"""Text that goes into a spreadsheet must stay text: never a formula.

A provider's carer id of ``=HYPERLINK(...)``, a bidder's name starting ``+`` or a person's
reference starting ``@`` would run as a formula when a council opens the file in Excel
(formula injection). Every workbook and CSV the platform writes passes its text through here:
in a workbook the cell is typed as text; in a CSV the text gains a leading apostrophe, which
Excel reads as "this is text" and does not show.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-3.4", "+12", "-1,250.00", "-2.5%") is a number to a spreadsheet, not a
# formula, and stays as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and PLAIN_NUMBER.fullmatch(value) is None
    )


def csv_text(value: object) -> str:
    """``value`` as a CSV field that a spreadsheet shows as text (``None`` is empty)."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def put_cell(cell: Any, value: object) -> None:
    """Set an openpyxl cell to ``value``; text that looks like a formula is kept as text."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"


def append_row(sheet: Any, values: list[Any] | tuple[Any, ...]) -> None:
    """``sheet.append(values)`` with every formula-like text kept as text. The row is made
    before it is appended (reading the sheet's last row back after each append costs time
    that grows with the rows: a thousand rows took a second and a half)."""
    row = list(values)
    if any(looks_like_formula(value) for value in row):
        from openpyxl.cell.cell import Cell

        for index, value in enumerate(row):
            if looks_like_formula(value):
                cell = Cell(sheet, row=1, column=1, value=value)  # append places it
                cell.data_type = "s"
                row[index] = cell
    sheet.append(row)
