"""Text written to a spreadsheet stays text: a formula from a provider's file never runs."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from carecore.spreadsheets import append_row, csv_text, looks_like_formula, put_cell

ATTACKS = ['=HYPERLINK("http://x","Click")', "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1)"]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_is_kept_as_text_in_a_workbook(text: str) -> None:
    book = Workbook()
    sheet = book.active
    append_row(sheet, ["Carer", text])
    put_cell(sheet.cell(row=2, column=2), text)
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).active
    for cell in (read.cell(row=1, column=2), read.cell(row=2, column=2)):
        assert cell.data_type == "s" and cell.value == text


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_gains_an_apostrophe_in_a_csv(text: str) -> None:
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["-3.4", "+12", "-1,250.00", "-2.5%", "Quillfield", "", 7])
def test_numbers_and_plain_words_are_left_alone(value: object) -> None:
    assert not looks_like_formula(value)
    assert csv_text(value) == str(value)


def test_nothing_is_an_empty_field() -> None:
    assert csv_text(None) == ""
