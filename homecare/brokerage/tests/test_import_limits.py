"""The day-one import reads its file through the one CSV/XLSX reader, within the council's
upload limits: a file over the row limit is refused, naming the limit, before anything is
saved; rows keep the numbers a spreadsheet shows them with."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from homecare.accounts.models import Organisation
from homecare.brokerage.imports import FileError, import_file, read_rows
from homecare.brokerage.testing import NOW
from homecare.commissioning.models import Provider

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "imports"
PROVIDERS = (SAMPLES / "providers.csv").read_bytes()  # three providers under the header


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_file_over_the_row_limit_is_refused_on_the_page_and_nothing_is_saved(
    client: Any, commissioner: Any, settings: Any
) -> None:
    settings.HOMECARE_UPLOAD_MAX_ROWS = 2
    client.force_login(commissioner)
    upload = SimpleUploadedFile("providers.csv", PROVIDERS)
    page = client.post("/import/", {"kind": "providers", "mode": "good", "file": upload})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "the file has more than 2 rows, the most one file may hold" in text
    assert not Provider.objects.exists()
    assert not Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).exists()


@pytest.mark.parametrize("name", ["providers.csv", "providers.xlsx"])
def test_a_csv_or_workbook_over_the_row_limit_is_a_file_error(
    council: Any, settings: Any, name: str
) -> None:
    settings.HOMECARE_UPLOAD_MAX_ROWS = 2
    content = (SAMPLES / name).read_bytes()
    with pytest.raises(FileError, match="more than 2 rows"):
        import_file("providers", name, content=content, now=NOW, acting_user=None)
    assert not Provider.objects.exists()
    settings.HOMECARE_UPLOAD_MAX_ROWS = 3
    report = import_file("providers", name, content=content, now=NOW, acting_user=None)
    assert report.written == 3


def test_a_workbook_over_the_unpacked_size_limit_is_refused(settings: Any) -> None:
    content = _workbook([["name"], ["Harebell Home Care (sample)"]])
    settings.HOMECARE_UPLOAD_MAX_UNPACKED_BYTES = 1000
    with pytest.raises(FileError, match="unpacks to more than 1,000 bytes"):
        read_rows("providers.xlsx", content)


def test_rows_keep_their_spreadsheet_numbers_past_blank_rows(council: Any) -> None:
    content = b"name,quality_score\n\nHarebell (sample),82\n,\nOriel Court (sample),lots\n"
    assert [number for number, _row in read_rows("providers.csv", content)] == [3, 5]
    report = import_file("providers", "providers.csv", content=content, now=NOW, acting_user=None)
    assert [(e.row, e.column) for e in report.rejected] == [(5, "quality_score")]


def test_short_rows_read_their_missing_cells_as_blank() -> None:
    content = _workbook([["name", "cqc_rating", "quality_score"], ["Harebell (sample)"]])
    assert read_rows("providers.xlsx", content) == [
        (2, {"name": "Harebell (sample)", "cqc_rating": "", "quality_score": ""})
    ]
    csv_rows = read_rows("providers.csv", b"name,cqc_rating\nHarebell (sample)\n")
    assert csv_rows == [(2, {"name": "Harebell (sample)", "cqc_rating": ""})]


def test_an_empty_file_or_a_named_workbook_that_is_not_one_is_a_file_error() -> None:
    with pytest.raises(FileError, match="the file is empty"):
        read_rows("providers.csv", b"  \n")
    with pytest.raises(FileError, match="not an XLSX workbook"):
        read_rows("providers.xlsx", b"name\nHarebell\n")
