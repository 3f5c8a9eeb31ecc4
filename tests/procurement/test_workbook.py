"""The result workbook: awards sheet, a sheet per lot with workings, excluded bids."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carecore.procurement import (
    Bid,
    TenderResult,
    TenderRules,
    evaluate_tender,
    load_bids,
    load_tender_rules,
    write_tender_xlsx,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "procurement"


@pytest.fixture(scope="module")
def result() -> TenderResult:
    rules = load_tender_rules(DATA / "leicestershire_rules.toml")
    return evaluate_tender(load_bids(DATA / "leicestershire_bids.csv", max_score=Decimal(5)), rules)


def test_the_workbook_has_awards_one_sheet_per_lot_and_exclusions(
    result: TenderResult, tmp_path: Path
) -> None:
    target = tmp_path / "tender.xlsx"
    write_tender_xlsx(result, target)
    book = load_workbook(target)
    assert book.sheetnames == [
        "Awards",
        "Hinckley",
        "Melton",
        "Lutterworth",
        "Harborough",
        "Excluded",
    ]
    awards = list(book["Awards"].iter_rows(min_row=4, values_only=True))
    assert len(awards) == len(result.awards) == 14
    assert awards[0][:4] == ("Hinckley", 1, "prime", "Quillmoor Home Support Ltd")
    assert awards[0][5:] == (18.75, 19.95, 22.95, 26.15)
    excluded = list(book["Excluded"].iter_rows(min_row=2, values_only=True))
    assert len(excluded) == len(result.excluded) == 7


def test_a_lot_sheet_carries_each_working(result: TenderResult) -> None:
    buffer = io.BytesIO()
    write_tender_xlsx(result, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Melton"]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Rank")
    first = dict(zip(rows[header_at], rows[header_at + 1], strict=True))
    assert first["Bidder"] == "Wrenfold Community Care Ltd"
    assert first["Price score working"] == "£20.15 lowest ÷ £22.05 × 40 = 36.55"
    assert first["Total"] == 90.55
    assert ("Band shares of hours", "URBAN 35, FRINGE 30, RURAL 25, ISOLATED 10") in [
        row[:2] for row in rows[:header_at]
    ]


def test_a_bidder_name_never_becomes_a_formula(tmp_path: Path) -> None:
    rules = TenderRules.from_mapping(
        {"weights": {"quality": 60, "price": 40}, "appointment": {"tiers": ["prime"]}}
    )
    bid = Bid(
        '=HYPERLINK("http://example.invalid","x")',
        "Lot/1: [A]",
        hourly_rate=Decimal(16),
        quality_score=Decimal(70),
    )
    target = tmp_path / "tender.xlsx"
    write_tender_xlsx(evaluate_tender([bid], rules), target)
    book = load_workbook(target)
    assert book.sheetnames[1] == "Lot-1- -A-"
    cell = book["Awards"]["D4"]
    assert cell.data_type == "s" and cell.value == bid.bidder
