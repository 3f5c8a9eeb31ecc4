"""The cost-of-care calculator shows the engine's numbers, by GET or POST, and names bad fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from carecore.pricing.cost_of_care import CostOfCareInputs, compute_cost_of_care
from homecare.commissioning.forms import HCA_2020_21

URL = "/cost-of-care/"
BANDS = ("URBAN", "FRINGE", "RURAL", "ISOLATED")


def _engine(**changes: Any) -> Any:
    form = {**HCA_2020_21, **changes}
    bands = {}
    for band in BANDS:
        table: dict[str, Any] = {}
        if form.get(f"travel_{band}"):
            table["travel_minutes_per_contact_hour"] = form[f"travel_{band}"]
        if form.get(f"mileage_{band}"):
            table["mileage"] = {"cost_per_contact_hour": form[f"mileage_{band}"]}
        bands[band] = table
    mapping = {
        "pay": {"hourly_wage": form["hourly_wage"]},
        "time": {"travel_minutes_per_contact_hour": form["travel_minutes"]},
        "on_costs": {
            "employer_ni_and_pension": form["employer_ni_and_pension"],
            "holiday_sickness_training_other": form["holiday_sickness_training_other"],
        },
        "mileage": {"cost_per_contact_hour": form["mileage"]},
        "overheads": {"share_of_price_percent": form["overheads_percent"]},
        "surplus": {"percent": form["surplus_percent"], "of": "cost"},
        "bands": bands,
    }
    return compute_cost_of_care(CostOfCareInputs.from_mapping(mapping))


def _prices(page: str) -> dict[str, Decimal]:
    found = re.findall(r'data-band="([A-Z]+)">£([\d,.]+)<', page)
    return {band: Decimal(value.replace(",", "")) for band, value in found}


def _lines(page: str, band: str) -> dict[str, Decimal]:
    table = page.split(f'id="band-{band}"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'data-line="([a-z_]+)">(?:<strong>)?£([\d,.]+)<', table)
    return {name: Decimal(value.replace(",", "")) for name, value in found}


@pytest.mark.django_db
def test_the_calculator_opens_with_the_2020_21_inputs_and_their_prices(
    signed_in: Any, broker: Any
) -> None:
    page = signed_in(broker).get(URL).content.decode()
    result = _engine()
    assert _prices(page) == {b: result.bands[b].price_per_contact_hour for b in BANDS}
    assert 'value="8.72"' in page and 'value="25.1"' in page


@pytest.mark.django_db
def test_every_line_on_the_page_matches_the_engine(signed_in: Any, broker: Any) -> None:
    changes = {"hourly_wage": "10.50", "travel_RURAL": "20", "mileage_ISOLATED": "3.10"}
    page = signed_in(broker).get(f"{URL}?{urlencode({**HCA_2020_21, **changes})}").content.decode()
    result = _engine(**changes)
    for band in BANDS:
        assert _lines(page, band) == result.bands[band].lines, band


@pytest.mark.django_db
def test_a_higher_wage_posted_raises_every_price(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    before = _prices(client.get(URL).content.decode())
    after = _prices(client.post(URL, {**HCA_2020_21, "hourly_wage": "11.00"}).content.decode())
    assert all(after[band] > before[band] for band in BANDS)
    assert after == {b: _engine(hourly_wage="11.00").bands[b].price_per_contact_hour for b in BANDS}


@pytest.mark.django_db
def test_more_rural_travel_raises_only_the_rural_price(signed_in: Any, broker: Any) -> None:
    client = signed_in(broker)
    base = _prices(client.get(URL).content.decode())
    query = urlencode({**HCA_2020_21, "travel_RURAL": "25"})
    changed = _prices(client.get(f"{URL}?{query}").content.decode())
    assert changed["RURAL"] > base["RURAL"]
    assert {b: changed[b] for b in ("URBAN", "FRINGE", "ISOLATED")} == {
        b: base[b] for b in ("URBAN", "FRINGE", "ISOLATED")
    }


@pytest.mark.django_db
def test_the_results_link_reproduces_the_results(signed_in: Any, broker: Any) -> None:
    client = signed_in(broker)
    posted = client.post(URL, {**HCA_2020_21, "hourly_wage": "9.50"}).content.decode()
    link = re.search(r'href="(/cost-of-care/\?[^"]+)">Link to these results', posted)
    assert link is not None
    shared = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert _prices(shared) == _prices(posted)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hourly_wage", "abc", "Care worker&#x27;s hourly wage must be a number, like 8.72"),
        ("hourly_wage", "0", "Care worker&#x27;s hourly wage must be more than 0"),
        ("surplus_percent", "-3", "Surplus must be 0 or more"),
        ("travel_ISOLATED", "lots", "Isolated travel time must be a number, like 15"),
        ("overheads_percent", "99", "Business overheads and surplus together take 100% or more"),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_at_its_field(
    signed_in: Any, broker: Any, field: str, value: str, message: str
) -> None:
    response = signed_in(broker).post(URL, {**HCA_2020_21, field: value})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#{field}">{message}' in page
    assert f'id="{field}-error"' in page
    assert "<title>Error: Cost of care calculator" in page
    assert "Price per contact hour</h2>" not in page


@pytest.mark.django_db
def test_a_missing_input_asks_for_it(signed_in: Any, broker: Any) -> None:
    page = signed_in(broker).post(URL, {**HCA_2020_21, "mileage": ""}).content.decode()
    assert '<a href="#mileage">Enter mileage</a>' in page


@pytest.mark.django_db
def test_the_chart_is_an_accessible_image_with_the_same_prices(signed_in: Any, broker: Any) -> None:
    page = signed_in(broker).get(URL).content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="cost-chart-title cost-chart-desc"' in svg
    result = _engine()
    for band in BANDS:
        assert f"£{result.bands[band].price_per_contact_hour}" in svg
    assert "Business overheads" in svg  # the legend
