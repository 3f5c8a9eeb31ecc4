"""Uploads cannot become bombs: a file is measured before it is unpacked and refused, naming
the limit, when it would hold more rows, columns or bytes than the limits allow."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from carecore.ecm.files import read_table
from carecore.errors import InputError
from carecore.limits import ReadLimits, check_parquet, parquet_shape
from carecore.procurement import load_bids
from carecore.tables import sheet_rows


def _parquet(path: Path, frame: pl.DataFrame, **options: object) -> Path:
    frame.write_parquet(path, **options)  # type: ignore[arg-type]
    return path


def test_a_parquet_file_s_metadata_gives_its_rows_bytes_and_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": ["x" * 20] * 300_000, "b": range(300_000)})
    path = _parquet(
        tmp_path / "f.parquet", frame, compression="uncompressed", row_group_size=50_000
    )
    rows, unpacked, columns = parquet_shape(path)
    assert (rows, columns) == (300_000, 2)
    # Uncompressed, the data pages hold at least the integers' 8 bytes a row.
    assert 300_000 * 8 < unpacked < path.stat().st_size * 2


def test_a_small_parquet_file_of_many_rows_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # 600,000 identical rows compress to a few kilobytes: the row count gives it away.
    path = _parquet(tmp_path / "bomb.parquet", pl.select(a=pl.repeat("x", 600_000)))
    assert path.stat().st_size < 64_000
    with pytest.raises(InputError, match="more than 500,000 rows"):
        read_table(path, limits=ReadLimits())
    frame, _ = read_table(path)  # without limits (a council's own file) it is read
    assert frame.height == 600_000


def test_a_parquet_file_that_unpacks_too_large_is_refused(tmp_path: Path) -> None:
    values = [f"{i:04d}" + "y" * 1000 for i in range(100)]  # distinct: no dictionary
    path = _parquet(tmp_path / "wide.parquet", pl.DataFrame({"a": values}))
    with pytest.raises(InputError, match="unpacks to more than 50,000 bytes"):
        check_parquet(path, ReadLimits(max_unpacked_bytes=50_000))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_footer_bytes_are_read_or_refused_never_a_crash(footer: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "odd.parquet"
        path.write_bytes(b"PAR1" + footer + len(footer).to_bytes(4, "little") + b"PAR1")
        try:
            check_parquet(path, ReadLimits())
        except InputError as exc:
            assert "Parquet" in exc.message or "more than" in exc.message


def test_a_csv_file_over_the_row_limit_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "logs.csv"
    path.write_text("a,b\n" + "1,2\n" * 11)
    with pytest.raises(InputError, match="more than 10 rows"):
        read_table(path, limits=ReadLimits(max_rows=10))
    assert read_table(path, limits=ReadLimits(max_rows=11))[0].height == 11


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bids(count: int) -> list[list[object]]:
    return [["bidder", "lot", "rate", "quality"]] + [
        [f"Bidder {i}", "North", 16.5, 70] for i in range(count)
    ]


def test_a_workbook_of_bids_over_the_limit_is_refused_by_its_declared_dimension() -> None:
    data = _workbook(_bids(5_001))
    with pytest.raises(InputError, match="more than 5,000 rows"):
        load_bids(io.BytesIO(data), source="bids.xlsx")
    assert len(load_bids(io.BytesIO(_workbook(_bids(5_000))), source="bids.xlsx")) == 5_000


def _rewrite_sheet(data: bytes, change: object) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            body = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = change(body)  # type: ignore[operator]
            new.writestr(item, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_sheet_that_skips_to_its_last_row_is_refused_as_it_is_read() -> None:
    # No dimension, and one cell on row 1,048,576: the reader would pass a million blank rows.
    def far_row(body: bytes) -> bytes:
        body = re.sub(rb"<dimension[^>]*>", b"", body)
        cell = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return body.replace(b"</sheetData>", cell + b"</sheetData>")

    data = _rewrite_sheet(_workbook(_bids(2)), far_row)
    with pytest.raises(InputError, match="more than 5,000 rows"):
        load_bids(io.BytesIO(data), source="bids.xlsx")


def test_a_sheet_declaring_sixteen_thousand_columns_is_refused() -> None:
    data = _rewrite_sheet(
        _workbook(_bids(2)),
        lambda body: body.replace(b'<dimension ref="A1:D3"', b'<dimension ref="A1:XFD3"'),
    )
    with pytest.raises(InputError, match="more than 200 columns"):
        load_bids(io.BytesIO(data), source="bids.xlsx")


def test_a_workbook_whose_parts_unzip_too_large_is_refused() -> None:
    data = _rewrite_sheet(
        _workbook(_bids(2)),
        lambda body: body.replace(
            b"</worksheet>", b"<!--" + b" " * 30_000_000 + b"--></worksheet>"
        ),
    )
    assert len(data) < 200_000  # thirty megabytes of spaces zip to almost nothing
    with pytest.raises(InputError, match="unpacks to more than 20 MB"):
        load_bids(io.BytesIO(data), source="bids.xlsx")


def test_a_csv_of_bids_is_counted_as_it_is_read() -> None:
    text = "bidder,lot,rate,quality\n" + "".join(f"B{i},North,16.50,70\n" for i in range(30))
    rows = sheet_rows(text.encode(), "bids.csv", ReadLimits(max_rows=29))
    with pytest.raises(InputError, match="more than 29 rows"):
        list(rows)
