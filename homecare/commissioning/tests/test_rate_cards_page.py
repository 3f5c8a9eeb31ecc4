"""Rate cards: the list, a card, and pricing a visit with the engine."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from carecore.pricing.rate_cards import load_rate_card
from carecore.pricing.visit_price import price_visit


def _visit(**changes: Any) -> dict[str, Any]:
    return {
        "band": "RURAL",
        "minutes": "45",
        "carers": "2",
        "day": "7",
        "month": "6",
        "year": "2021",
        "start_time": "08:00",
        **changes,
    }


@pytest.mark.django_db
def test_the_list_shows_each_cards_period_and_band_rates(
    signed_in: Any, provider_b_user: Any, leicestershire_card: Any
) -> None:
    page = signed_in(provider_b_user).get(reverse("commissioning:rate-cards")).content.decode()
    assert "Leicestershire 2020-21" in page  # the card's name in words, not its code
    assert "From 1 April 2020 to 5 November 2021" in page
    for rate in ("£18.75", "£19.95", "£22.95", "£26.15"):
        assert rate in page


@pytest.mark.django_db
def test_a_priced_visit_shows_the_engines_total_and_lines(
    signed_in: Any, provider_a_user: Any, leicestershire_card: Any
) -> None:
    url = reverse("commissioning:rate-card", args=[leicestershire_card.pk])
    page = signed_in(provider_a_user).get(f"{url}?{urlencode(_visit())}").content.decode()
    expected = price_visit(
        load_rate_card("leicestershire-2020-21"),
        band="RURAL",
        minutes=45,
        carers=2,
        start=datetime(2021, 6, 7, 8, 0),
    )
    total = re.search(r'id="visit-total">£([\d,.]+)<', page)
    assert total is not None and Decimal(total.group(1)) == expected.total
    lines = page.split('id="visit-lines"', 1)[1].split("</table>", 1)[0]
    for line in expected.lines:
        assert line.description in lines
        assert f"£{line.amount:,.2f}" in lines


@pytest.mark.django_db
def test_a_bank_holiday_visit_is_priced_with_its_uplift(
    signed_in: Any, broker: Any, leicestershire_card: Any
) -> None:
    url = reverse("commissioning:rate-card", args=[leicestershire_card.pk])
    query = urlencode(_visit(day="31", month="5", year="2021", carers="1"))
    page = signed_in(broker).get(f"{url}?{query}").content.decode()
    assert "Spring bank holiday" in page
    assert "bank holiday +50" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        ({"minutes": "ten"}, "minutes", "Length of the visit must be a whole number"),
        ({"day": "31", "month": "2"}, "day", "Date of the visit must be a real date"),
        ({"day": ""}, "day", "Enter the date of the visit"),
        ({"start_time": "8 o&#x27;clock"}, "start_time", "Start time must be a time"),
        ({"year": "2030"}, "day", "Date of the visit: card leicestershire-2020-21 has no rates"),
        ({"band": "COASTAL"}, "band", "Select one of this card&#x27;s bands"),
    ],
)
def test_a_bad_visit_is_named_in_the_error_summary(
    signed_in: Any,
    broker: Any,
    leicestershire_card: Any,
    changes: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    url = reverse("commissioning:rate-card", args=[leicestershire_card.pk])
    changes = {key: value.replace("&#x27;", "'") for key, value in changes.items()}
    response = signed_in(broker).get(f"{url}?{urlencode(_visit(**changes))}")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#{anchor}">{message}' in page
    assert 'id="visit-total"' not in page


@pytest.mark.django_db
def test_the_visit_form_starts_on_a_day_the_card_covers(
    signed_in: Any, broker: Any, leicestershire_card: Any
) -> None:
    url = reverse("commissioning:rate-card", args=[leicestershire_card.pk])
    page = signed_in(broker).get(url).content.decode()
    assert 'id="day" name="day" type="text" inputmode="numeric" value="1"' in page
    assert 'name="year" type="text" inputmode="numeric" value="2020"' in page
