"""The cost-of-care and tender forms: every problem shown at once, each naming its field in
words, and money on their pages to the penny with a pound sign and thousands separators."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homecare.commissioning.forms import HCA_2020_21, CostOfCareForm, TenderForm
from homecare.commissioning.models import TenderEvaluation

DATA = Path(__file__).resolve().parent / "data"


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_the_cost_of_care_form_names_every_bad_field_at_once() -> None:
    form = CostOfCareForm(
        {
            **HCA_2020_21,
            "hourly_wage": "abc",
            "mileage": "",
            "surplus_percent": "-3",
            "overheads_percent": "120",
            "travel_RURAL": "lots",
        }
    )
    assert not form.is_valid()
    assert form.errors == {
        "hourly_wage": ["Care worker's hourly wage must be a number, like 8.72"],
        "mileage": ["Enter mileage"],
        "overheads_percent": ["Business overheads must be less than 100%"],
        "surplus_percent": ["Surplus must be 0 or more"],
        "travel_RURAL": ["Rural travel time must be a number, like 15"],
    }
    assert form.inputs is None


def test_good_cost_of_care_inputs_reach_the_engine() -> None:
    form = CostOfCareForm({**HCA_2020_21, "hourly_wage": "£1,010.50"})
    assert form.is_valid(), form.errors
    assert str(form.inputs.hourly_wage) == "1010.50"


@pytest.mark.django_db
def test_the_cost_of_care_page_lists_every_error_linked_to_its_field(
    signed_in: Any, broker: Any
) -> None:
    page = (
        signed_in(broker)
        .post("/cost-of-care/", {**HCA_2020_21, "hourly_wage": "0", "surplus_percent": "x"})
        .content.decode()
    )
    assert _summary_links(page) == [
        ("hourly_wage", "Care worker&#x27;s hourly wage must be more than 0"),
        ("surplus_percent", "Surplus must be a number, like 3"),
    ]
    assert 'id="hourly_wage-error"' in page and 'id="surplus_percent-error"' in page


@pytest.mark.django_db
def test_cost_of_care_prices_are_pounds_to_the_penny_with_thousands_separators(
    signed_in: Any, broker: Any
) -> None:
    page = signed_in(broker).post("/cost-of-care/", {**HCA_2020_21, "hourly_wage": "900"})
    prices = re.findall(r'data-band="URBAN">([^<]+)<', page.content.decode())
    assert prices and re.fullmatch(r"£\d{1,3}(,\d{3})+\.\d{2}", prices[0]), prices


def _tender(**answers: Any) -> TenderForm:
    bids = SimpleUploadedFile("bids.csv", (DATA / "bids.csv").read_bytes())
    data = {
        "rules_source": "form",
        "price_weight": "40",
        "quality_weight": "60",
        "formula": "lowest",
        "floor": "17.50",
        "ceiling": "21",
        "prime_places": "1",
        **answers,
    }
    return TenderForm(data, {"bids": bids})


def test_the_tender_questions_name_every_bad_answer_at_once() -> None:
    form = _tender(
        price_weight="50",
        floor="£22",
        max_score="0",
        min_score="-1",
        prime_places="two",
        supplementary_places="1.5",
    )
    assert not form.is_valid()
    assert form.errors == {
        "price_weight": ["Price and quality weights must add up to 100 (they add up to 110)"],
        "floor": ["Floor price must be no more than the ceiling price (£21.00)"],
        "max_score": ["Highest quality score must be more than 0"],
        "min_score": ["Lowest acceptable quality score must be 0 or more"],
        "prime_places": ["Prime providers per lot must be a whole number of providers, like 2"],
        "supplementary_places": [
            "Supplementary providers per lot must be a whole number of providers, like 2"
        ],
    }


def test_the_tender_questions_ask_for_what_the_price_formula_needs() -> None:
    form = _tender(formula="linear", floor="", ceiling="")
    assert not form.is_valid()
    assert form.errors["ceiling"] == ["Enter the ceiling price: the way price is scored needs it"]
    assert form.errors["floor"] == ["Enter the floor price: the straight-line scoring needs it"]


def test_a_missing_file_and_missing_weights_are_reported_together() -> None:
    form = TenderForm({"rules_source": "form"}, {})
    assert not form.is_valid()
    assert set(form.errors) == {"bids", "price_weight", "quality_weight", "prime_places"}


@pytest.mark.django_db
def test_the_tender_page_shows_prices_to_the_penny(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    bids = "bidder,lot,rate,quality\nAcorn (test),North,1234.56,80\nBeech (test),North,18,70\n"
    response = client.post(
        "/tenders/",
        {
            "bids": SimpleUploadedFile("bids.csv", bids.encode()),
            "rules_source": "form",
            "price_weight": "40",
            "quality_weight": "60",
            "prime_places": "2",
        },
    )
    assert response.status_code == 302, _summary_links(response.content.decode())
    evaluation = TenderEvaluation.objects.get()
    page = client.get(response.url).content.decode()
    assert "£1,234.56" in page and "£18.00" in page
    assert "£1234.56" not in page.split("How the scores")[0]
    assert evaluation.pk
