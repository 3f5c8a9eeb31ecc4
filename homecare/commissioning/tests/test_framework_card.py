"""A commissioner names the rate card a framework's placements are paid under."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from homecare.brokerage.testing import make_market, other_council


def test_a_commissioner_chooses_the_card_and_the_framework_page_says_so(
    council: Any, geography: Any, leicestershire_card: Any, commissioner: Any, signed_in: Any
) -> None:
    framework = make_market(council)
    client = signed_in(commissioner)
    url = reverse("commissioning:framework-card", args=[framework.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Leicestershire 2020-21" in page.content.decode()
    answer = client.post(url, {"rate_card": leicestershire_card.pk, "pay_at_card": "yes"})
    assert answer.status_code == 302
    framework.refresh_from_db()
    assert framework.rate_card == leicestershire_card and framework.pay_at_card
    assert framework.history.first().history_user == commissioner
    shown = client.get(reverse("commissioning:framework", args=[framework.pk])).content.decode()
    assert "its band rate on the day of each visit is paid" in shown


def test_paying_at_no_card_is_refused_naming_the_choice(
    council: Any, geography: Any, commissioner: Any, signed_in: Any
) -> None:
    framework = make_market(council)
    url = reverse("commissioning:framework-card", args=[framework.pk])
    answer = signed_in(commissioner).post(url, {"rate_card": "", "pay_at_card": "yes"})
    assert answer.status_code == 200
    assert "choose the card whose rates are paid" in answer.content.decode()


def test_another_councils_card_cannot_be_chosen_and_a_broker_cannot_choose(
    council: Any, geography: Any, commissioner: Any, broker: Any, signed_in: Any
) -> None:
    from carecore.pricing.rate_cards import load_rate_card
    from homecare.commissioning.actions import import_rate_card

    framework = make_market(council)
    theirs = import_rate_card(
        load_rate_card("leeds-illustrative"), council=other_council(), acting_user=None
    )
    url = reverse("commissioning:framework-card", args=[framework.pk])
    answer = signed_in(commissioner).post(url, {"rate_card": theirs.pk, "pay_at_card": "no"})
    assert answer.status_code == 200  # not a choice offered: the form refuses it
    framework.refresh_from_db()
    assert framework.rate_card is None
    assert signed_in(broker).get(url).status_code == 403
