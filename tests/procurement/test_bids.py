"""Reading bid files: CSV and XLSX, and errors that name the file, row and column."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from carecore.errors import InputError
from carecore.procurement import Bid, load_bids

HEADER = "bidder,lot,rate,quality\n"


def _csv(tmp_path: Path, text: str, name: str = "bids.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "bids.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _error(path: Path | io.BytesIO, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as caught:
        load_bids(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_single_rate_and_score_are_read_exactly(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "Bramblewick Homecare Ltd,North,£16.20,72.5\n")
    (bid,) = load_bids(path)
    assert bid == Bid(
        "Bramblewick Homecare Ltd",
        "North",
        hourly_rate=Decimal("16.20"),
        quality_score=Decimal("72.5"),
    )
    assert (bid.source, bid.row) == (str(path), 2)


def test_band_and_criterion_columns_become_tables(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Bidder,Lot,rate_URBAN,rate_Rural,quality_care,quality_workforce,contact\n"
        "Copperwick Care Ltd,Melton,18.50,22.95,4,3,someone@example.org\n",
    )
    (bid,) = load_bids(path, max_score=Decimal(5))
    assert bid.hourly_rate is None and bid.quality_score is None
    assert bid.band_rates == {"URBAN": Decimal("18.50"), "Rural": Decimal("22.95")}
    assert bid.quality_scores == {"care": Decimal(4), "workforce": Decimal(3)}


def test_blank_rows_are_skipped_but_row_numbers_stay_as_the_spreadsheet_shows(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path, HEADER + "A Ltd,North,16,70\n,,,\n\nB Ltd,North,x,70\n")
    error = _error(path)
    assert str(error) == f"{path}, row 5, 'rate': expected a number, got 'x'"


def test_a_missing_column_is_named_with_the_columns_found(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, "bidder,rate,quality\nA Ltd,16,70\n"))
    assert error.key == "lot" and error.row == 1
    assert "missing column (columns found: bidder, rate, quality)" in str(error)


def test_neither_rate_nor_band_rates_is_an_error(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, "bidder,lot,quality\nA Ltd,North,70\n"))
    assert error.key == "rate"
    assert "give 'rate' or rate_<name> columns" in error.message


def test_rate_and_band_rates_together_are_an_error(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, "bidder,lot,rate,rate_URBAN,quality\nA Ltd,North,16,16,70\n"))
    assert error.key == "rate"
    assert "not both" in error.message


def test_a_column_named_twice_is_an_error(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, "bidder,lot,rate,Rate,quality\nA Ltd,North,16,16,70\n"))
    assert "appears twice" in error.message


def test_a_rate_that_is_not_a_number_names_row_and_column(tmp_path: Path) -> None:
    rows = "".join(f"Bidder {n} Ltd,North,16.00,70\n" for n in range(5))
    path = _csv(tmp_path, HEADER + rows + "Bidder X Ltd,North,sixteen,70\n")
    assert str(_error(path)) == f"{path}, row 7, 'rate': expected a number, got 'sixteen'"


def test_a_zero_rate_and_a_part_penny_rate_are_refused(tmp_path: Path) -> None:
    assert "more than £0" in _error(_csv(tmp_path, HEADER + "A Ltd,North,0,70\n")).message
    error = _error(_csv(tmp_path, HEADER + "A Ltd,North,16.255,70\n"))
    assert "fractions of a penny" in error.message


def test_a_missing_rate_is_named(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, HEADER + "A Ltd,North,,70\n"))
    assert (error.row, error.key, error.message) == (2, "rate", "missing value")


def test_a_score_out_of_range_is_refused(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path, HEADER + "A Ltd,North,16,120\n"))
    assert (error.row, error.key) == (2, "quality")
    assert error.message == "score 120 is out of range 0 to 100"
    error = _error(_csv(tmp_path, HEADER + "A Ltd,North,16,-1\n"))
    assert "out of range" in error.message
    error = _error(_csv(tmp_path, HEADER + "A Ltd,North,16,6\n"), max_score=Decimal(5))
    assert error.message == "score 6 is out of range 0 to 5"


def test_a_duplicate_bidder_and_lot_names_the_first_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "A Ltd,North,16,70\nB Ltd,North,17,70\na ltd,north,18,75\n")
    error = _error(path)
    assert (error.row, error.key) == (4, "bidder")
    assert error.message == "duplicate bid: a ltd already bid for lot 'north' on row 2"


def test_the_same_bidder_may_bid_for_several_lots(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "A Ltd,North,16,70\nA Ltd,South,17,70\n")
    assert [bid.lot for bid in load_bids(path)] == ["North", "South"]


def test_an_empty_file_and_a_header_alone_are_errors(tmp_path: Path) -> None:
    assert _error(_csv(tmp_path, "")).message == "the file is empty"
    assert _error(_csv(tmp_path, "\n\n")).message == "the file is empty"
    assert "no bids" in _error(_csv(tmp_path, HEADER)).message


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    assert str(_error(tmp_path / "absent.csv")) == f"{tmp_path / 'absent.csv'}: file not found"


def test_a_windows_csv_with_a_pound_sign_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"
    path.write_bytes((HEADER + "A Ltd,North,£16.50,70\n").encode("cp1252"))
    assert load_bids(path)[0].hourly_rate == Decimal("16.50")


def test_a_utf8_csv_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"
    path.write_bytes((HEADER + "A Ltd,North,16.50,70\n").encode("utf-8-sig"))
    assert load_bids(path)[0].bidder == "A Ltd"


def test_an_excel_workbook_is_read_from_its_first_sheet(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["Bidder", "Lot", "rate_URBAN", "rate_RURAL", "quality"],
            ["Hollyfen Home Support Ltd", 3, 18.75, 22.95, 80],
            [None, None, None, None, None],
            ["Oxlip Visiting Care Ltd", 3, 18.5, 23, 75],
        ],
    )
    bids = load_bids(path)
    assert [bid.lot for bid in bids] == ["3", "3"]  # a lot numbered in Excel stays "3"
    assert bids[0].band_rates == {"URBAN": Decimal("18.75"), "RURAL": Decimal("22.95")}
    assert [bid.row for bid in bids] == [2, 4]


def test_an_excel_error_names_the_sheet_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [["bidder", "lot", "rate", "quality"], ["A Ltd", "North", "n/a", 70]])
    assert str(_error(path)) == f"{path}, row 2, 'rate': expected a number, got 'n/a'"


def test_an_upload_is_read_from_a_file_object_with_a_given_name(tmp_path: Path) -> None:
    data = (HEADER + "A Ltd,North,16,70\nB Ltd,North,,70\n").encode()
    error = _error(io.BytesIO(data), source="upload.csv")
    assert str(error) == "upload.csv, row 3, 'rate': missing value"
    book = _xlsx(tmp_path, [["bidder", "lot", "rate", "quality"], ["A Ltd", "North", 16, 70]])
    assert load_bids(io.BytesIO(book.read_bytes()), source="bids.xlsx")[0].bidder == "A Ltd"


def test_an_old_xls_or_broken_workbook_is_refused_clearly(tmp_path: Path) -> None:
    old = tmp_path / "bids.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert "save it as .xlsx" in _error(old).message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a readable Excel workbook" in _error(broken).message


def test_a_bid_built_in_code_checks_itself() -> None:
    with pytest.raises(InputError, match="either one hourly rate or a rate per band"):
        Bid("A Ltd", "North", quality_score=Decimal(50))
    with pytest.raises(InputError, match="either one quality score"):
        Bid("A Ltd", "North", hourly_rate=Decimal(16))
    with pytest.raises(InputError, match="must not be empty"):
        Bid(" ", "North", hourly_rate=Decimal(16), quality_score=Decimal(50))
    with pytest.raises(InputError, match="more than £0"):
        Bid("A Ltd", "North", band_rates={"URBAN": Decimal(0)}, quality_score=Decimal(50))
