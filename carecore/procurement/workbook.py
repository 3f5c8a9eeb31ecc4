"""The tender result as an Excel workbook: awards, one sheet per lot with workings, exclusions."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from carecore.procurement.evaluate import LotResult, TenderResult
from carecore.procurement.exact import money, plain
from carecore.spreadsheets import put_cell

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MONEY = "£#,##0.00##"
_POINTS = "0.00"
_LOT_COLUMNS = (
    ("Rank", 7),
    ("Bidder", 32),
    ("Status", 12),
    ("Tier", 16),
    ("Price used (£/h)", 14),
    ("Price used working", 48),
    ("Lowest valid price (£/h)", 14),
    ("Price score", 10),
    ("Price score working", 56),
    ("Quality score", 10),
    ("Quality points", 10),
    ("Quality working", 56),
    ("Total", 10),
    ("Reasons for exclusion", 56),
)


def write_tender_xlsx(result: TenderResult, target: str | Path | BinaryIO) -> None:
    """Write the result as a workbook to a path or a binary file object (for a download).

    Sheets: "Awards" (every award), one sheet per lot (rules, then the ranked table with each
    score's working) and "Excluded" (every excluded bid with its reasons). Rates are pounds per
    hour; scores are marks out of 100 rounded to 2 places.
    """
    from openpyxl import Workbook

    book = Workbook()
    awards = book.active
    assert awards is not None
    awards.title = "Awards"
    _write_awards(awards, result)
    used = {"awards", "excluded"}
    for lot in result.lots:
        _write_lot(book.create_sheet(_sheet_name(lot.lot, used)), lot)
    _write_excluded(book.create_sheet("Excluded"), result)
    book.save(target)


def _sheet_name(lot: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("-", lot).strip("'").strip() or "Lot"
    name = base[:31]
    counter = 2
    while name.casefold() in used:
        suffix = f" ({counter})"
        name = base[: 31 - len(suffix)] + suffix
        counter += 1
    used.add(name.casefold())
    return name


def _put(sheet: Worksheet, row: int, column: int, value: object, number_format: str = "") -> None:
    cell = sheet.cell(row=row, column=column)
    # Bidder names come from uploads: never let one become a formula in the council's Excel.
    put_cell(cell, value)
    if number_format:
        cell.number_format = number_format


def _header(sheet: Worksheet, row: int, titles: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for column, (title, width) in enumerate(titles, start=1):
        _put(sheet, row, column, title)
        sheet.cell(row=row, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{row + 1}"


def _bands(result: TenderResult) -> list[str]:
    bands: dict[str, str] = {}
    for award in result.awards:
        for band in award.band_rates:
            bands.setdefault(band.casefold(), band)
    return list(bands.values())


def _write_awards(sheet: Worksheet, result: TenderResult) -> None:
    from openpyxl.styles import Font

    _put(sheet, 1, 1, result.title or "Tender evaluation: awards")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    bands = _bands(result)
    titles = [("Lot", 28), ("Rank", 7), ("Tier", 16), ("Bidder", 32), ("Hourly rate (£)", 14)]
    titles += [(f"rate_{band} (£)", 14) for band in bands]
    _header(sheet, 3, titles)
    row = 4
    for award in result.awards:
        values: list[object] = [award.lot, award.rank, award.tier, award.bidder, award.hourly_rate]
        values += [_band_rate(award.band_rates, band) for band in bands]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value, _MONEY if column >= 5 else "")
        row += 1
    unfilled = [(lot.lot, tier) for lot in result.lots for tier in lot.unfilled_tiers]
    if unfilled:
        row += 1
        _put(sheet, row, 1, "Places left unfilled (too few valid bids)")
        for lot_name, tier in unfilled:
            row += 1
            _put(sheet, row, 1, lot_name)
            _put(sheet, row, 3, tier)


def _band_rate(rates: dict[str, Decimal], band: str) -> Decimal | None:
    for name, rate in rates.items():
        if name.casefold() == band.casefold():
            return rate
    return None


def _rules_lines(lot: LotResult) -> list[tuple[str, object]]:
    rules = lot.rules
    lines: list[tuple[str, object]] = [
        ("Lot", lot.lot),
        ("Weights", f"quality {rules.quality_weight}, price {rules.price_weight}"),
        ("Price formula", rules.price_formula),
        ("Floor (£/h)", rules.floor if rules.floor is not None else _per_band(rules.band_floors)),
        (
            "Ceiling (£/h)",
            rules.ceiling if rules.ceiling is not None else _per_band(rules.band_ceilings),
        ),
        (
            "Band shares of hours",
            _per_band(rules.band_shares, pounds=False) or "plain mean of band rates",
        ),
        ("Quality", f"scores out of {rules.max_score}; minimum {rules.min_quality or 'none'}"),
        ("Tiers in rank order", ", ".join(rules.tiers) or "none"),
        ("Lowest valid price (£/h)", lot.lowest_valid_price),
    ]
    if rules.remaining_tier:
        lines.append(("Every further valid bid", rules.remaining_tier))
    if lot.unfilled_tiers:
        lines.append(("Unfilled places", ", ".join(lot.unfilled_tiers)))
    return lines


def _per_band(table: dict[str, Decimal], *, pounds: bool = True) -> str:
    return ", ".join(
        f"{band} {money(value) if pounds else plain(value)}" for band, value in table.items()
    )


def _write_lot(sheet: Worksheet, lot: LotResult) -> None:
    from openpyxl.styles import Font

    lines = _rules_lines(lot)
    for row, (label, value) in enumerate(lines, start=1):
        _put(sheet, row, 1, label)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        _put(sheet, row, 2, "none" if value in (None, "") else value)
    header_row = len(lines) + 2
    _header(sheet, header_row, list(_LOT_COLUMNS))
    for offset, scored in enumerate(lot.rows, start=1):
        values: list[tuple[object, str]] = [
            (scored.rank, ""),
            (scored.bidder, ""),
            (scored.status, ""),
            (scored.tier, ""),
            (scored.price_used, _MONEY),
            (scored.price_used_working, ""),
            (scored.lowest_valid_price, _MONEY),
            (scored.price_score, _POINTS),
            (scored.price_working, ""),
            (scored.quality_score, _POINTS),
            (scored.quality_points, _POINTS),
            (scored.quality_working, ""),
            (scored.total, _POINTS),
            (scored.reason, ""),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            _put(sheet, header_row + offset, column, value, number_format)


def _write_excluded(sheet: Worksheet, result: TenderResult) -> None:
    titles = [("Lot", 28), ("Bidder", 32), ("Row in bid file", 10), ("Price used (£/h)", 14)]
    titles += [("Quality score", 10), ("Reasons", 80)]
    _header(sheet, 1, titles)
    for row, scored in enumerate(result.excluded, start=2):
        values: list[tuple[object, str]] = [
            (scored.bid.lot, ""),
            (scored.bidder, ""),
            (scored.bid.row, ""),
            (scored.price_used, _MONEY),
            (scored.quality_score, _POINTS),
            (scored.reason, ""),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            _put(sheet, row, column, value, number_format)
