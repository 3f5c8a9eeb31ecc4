"""Tender evaluation: upload, see the ranked lots, download the workbook, come back later."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from homecare.commissioning.models import TenderEvaluation

DATA = Path(__file__).resolve().parent / "data"
URL = "/tenders/"


def _upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def _post(client: Any, **fields: Any) -> Any:
    data = {"bids": _upload("bids.csv"), "rules_source": "file", "rules": _upload("rules.toml")}
    data.update(fields)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


@pytest.mark.django_db
def test_an_upload_is_evaluated_ranked_per_lot_and_kept(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    response = _post(client)
    evaluation = TenderEvaluation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("commissioning:tender", args=[evaluation.pk])
    page = client.get(response.url).content.decode()
    assert "Testshire framework (test)" in page
    assert "Lot: North" in page and "Lot: South" in page
    north = page.split("Lot: North", 1)[1].split("Lot: South", 1)[0]
    order = [north.index(name) for name in ("Dunnock", "Alderbank", "Birchmoor", "Cobblestone")]
    assert order == sorted(order)  # ranked, then the excluded bid
    assert "rate £17.00 is below the floor of £17.50" in page
    assert evaluation.created_by == commissioner
    assert evaluation.bids_file_name == "bids.csv" and evaluation.rules_file_name == "rules.toml"
    assert bytes(evaluation.bids_content) == (DATA / "bids.csv").read_bytes()


@pytest.mark.django_db
def test_the_result_downloads_as_a_workbook_that_opens(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    evaluation_url = _post(client).url
    pk = int(evaluation_url.rstrip("/").rsplit("/", 1)[1])
    response = client.get(reverse("commissioning:tender-download", args=[pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Awards"
    assert {"North", "South", "Excluded"} <= set(book.sheetnames)
    awards = [row for row in book["Awards"].iter_rows(values_only=True) if any(row)]
    assert any("Dunnock Care (test)" in row for row in awards)


@pytest.mark.django_db
def test_past_evaluations_are_listed_with_their_downloads(
    signed_in: Any, commissioner: Any
) -> None:
    client = signed_in(commissioner)
    _post(client)
    _post(client)
    page = client.get(URL).content.decode()
    for evaluation in TenderEvaluation.objects.all():
        assert reverse("commissioning:tender", args=[evaluation.pk]) in page
        assert reverse("commissioning:tender-download", args=[evaluation.pk]) in page


@pytest.mark.django_db
def test_an_xlsx_bids_file_is_read_like_a_csv(signed_in: Any, commissioner: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (DATA / "bids.csv").read_text().splitlines():
        sheet.append(line.split(","))
    content = io.BytesIO()
    book.save(content)
    client = signed_in(commissioner)
    response = _post(client, bids=_upload("bids.xlsx", content.getvalue()))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Dunnock Care (test)" in page


@pytest.mark.django_db
def test_a_bad_cell_is_named_by_file_row_and_column(signed_in: Any, commissioner: Any) -> None:
    response = _post(signed_in(commissioner), bids=_upload("bad_bids.csv"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<a href="#bids">bad_bids.csv, row 3, &#x27;rate&#x27;: expected a number, '
        "got &#x27;eighteen&#x27;</a>"
    ) in page
    assert 'id="bids-error"' in page
    assert not TenderEvaluation.objects.exists()


@pytest.mark.django_db
def test_a_bids_file_without_a_needed_column_is_named(signed_in: Any, commissioner: Any) -> None:
    content = b"bidder,lot,quality\nAlderbank Care (test),North,80\n"
    page = _post(signed_in(commissioner), bids=_upload("bids.csv", content)).content.decode()
    assert '<a href="#bids">bids.csv' in page
    assert "rate" in page.split('<a href="#bids">', 1)[1].split("</a>", 1)[0]


@pytest.mark.django_db
def test_bad_rules_are_named_by_key(signed_in: Any, commissioner: Any) -> None:
    rules = (DATA / "rules.toml").read_text().replace("quality = 60", "quality = 50")
    page = _post(
        signed_in(commissioner), rules=_upload("rules.toml", rules.encode())
    ).content.decode()
    assert '<a href="#rules">rules.toml, &#x27;weights&#x27;: price and quality weights' in page


@pytest.mark.django_db
def test_rules_that_are_not_toml_are_refused(signed_in: Any, commissioner: Any) -> None:
    page = _post(
        signed_in(commissioner), rules=_upload("rules.toml", b"weights = [")
    ).content.decode()
    assert '<a href="#rules">rules.toml: not valid TOML' in page


@pytest.mark.django_db
def test_missing_files_are_asked_for(signed_in: Any, commissioner: Any) -> None:
    page = signed_in(commissioner).post(URL, {"rules_source": "file"}).content.decode()
    assert '<a href="#bids">Select a bids file (CSV or XLSX)</a>' in page
    assert '<a href="#rules">Select a rules file</a>' in page


@pytest.mark.django_db
def test_rules_can_be_given_by_answering_questions(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    response = _post(
        client,
        rules=None,
        rules_source="form",
        title="Answered rules",
        price_weight="40",
        quality_weight="60",
        formula="lowest",
        floor="17.50",
        ceiling="21",
        max_score="100",
        min_score="50",
        prime_places="1",
        supplementary_places="1",
    )
    assert response.status_code == 302
    evaluation = TenderEvaluation.objects.get()
    assert evaluation.rules_file_name == ""
    assert "[weights]" in evaluation.rules_text and "floor = 17.50" in evaluation.rules_text
    from_file = _post(client)
    assert from_file.status_code == 302
    latest = TenderEvaluation.objects.exclude(pk=evaluation.pk).get()
    assert _ranking(evaluation.result) == _ranking(latest.result)


def _ranking(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (lot["lot"], bid["bidder"], bid["rank"], bid["status"], bid["tier"], bid["total"])
        for lot in result["lots"]
        for bid in lot["bids"]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "anchor", "message"),
    [
        (
            {"price_weight": "50"},
            "price_weight",
            "Price and quality weights must add up to 100 (they add up to 110)",
        ),
        ({"price_weight": ""}, "price_weight", "Enter the price weight"),
        (
            {"floor": "22"},
            "floor",
            "Floor price must be no more than the ceiling price (£21.00)",
        ),
        ({"prime_places": "two"}, "prime_places", "Prime providers per lot must be a whole"),
        ({"ceiling": "lots"}, "ceiling", "Ceiling price must be an amount in pounds, like 18.50"),
    ],
)
def test_bad_answers_to_the_rules_questions_are_named(
    signed_in: Any, commissioner: Any, fields: dict[str, str], anchor: str, message: str
) -> None:
    answers = {
        "rules": None,
        "rules_source": "form",
        "price_weight": "40",
        "quality_weight": "60",
        "formula": "lowest",
        "floor": "17.50",
        "ceiling": "21",
        "prime_places": "1",
        **fields,
    }
    page = _post(signed_in(commissioner), **answers).content.decode()
    assert f'<a href="#{anchor}">{message}' in page
