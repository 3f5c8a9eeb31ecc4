"""Bids in a mini-competition through the API: ``bid_rate`` required, checked, and named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from homecare.api.tests.brokerage_helpers import Caller, body, token_for
from homecare.brokerage.models import Offer
from homecare.brokerage.testing import make_market
from homecare.commissioning.models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def bid_offer(client: Client, council_api: Caller, geography: Any, council: Any) -> Any:
    """A mini-competition's open bid offer to Prime 1, and Prime 1's API."""
    framework = make_market(
        council, primes=2, supplementary=0, policy_kind="mini_competition", name="DPS"
    )
    assert council_api.post("/api/v1/requests", body(framework_id=framework.pk)).status_code == 201
    api = Caller(client, token_for(Provider.objects.get(name="Prime 1 (test)").organisation))
    offers = api.get("/api/v1/offers").json()
    assert [offer["kind"] for offer in offers] == ["bid"]
    return api, offers[0]["id"]


def _error(response: Any) -> tuple[int, str]:
    errors = response.json().get("errors") or [{}]
    return response.status_code, errors[0].get("field", "")


@pytest.mark.parametrize(
    "payload",
    [
        {},  # no rate at all
        {"bid_rate": None},
        {"bid_rate": "-1.00"},  # negative
        {"bid_rate": "0"},  # nothing
        {"bid_rate": "18.555"},  # more than 2 decimal places
        {"bid_rate": "1850"},  # absurd: a weekly price, say
        {"bid_rate": "250.01"},  # just past the most an hour can be
        {"bid_rate": "eighteen"},
        {"bid_rate": "NaN"},
        {"bid_rate": "Infinity"},
    ],
)
def test_a_bid_without_a_good_rate_is_a_400_naming_bid_rate_and_saves_nothing(
    bid_offer: Any, payload: dict[str, Any]
) -> None:
    api, offer_id = bid_offer
    response = api.post(f"/api/v1/offers/{offer_id}/accept", payload)
    assert _error(response) == (400, "bid_rate"), response.json()
    offer = Offer.objects.get(pk=offer_id)
    assert (offer.status, offer.bid_rate, offer.answered_by) == ("open", None, None)


def test_a_missing_rate_is_explained_with_an_example(bid_offer: Any) -> None:
    api, offer_id = bid_offer
    detail = api.post(f"/api/v1/offers/{offer_id}/accept", {}).json()["detail"]
    assert detail == "bid_rate: this offer is a mini-competition: bid your hourly rate, like 21.50"


@pytest.mark.parametrize(
    ("sent", "kept"), [("18.5", "18.50"), ("250.00", "250.00"), ("0.01", "0.01"), (19.75, "19.75")]
)
def test_a_good_bid_is_kept_to_the_penny(bid_offer: Any, sent: Any, kept: str) -> None:
    api, offer_id = bid_offer
    response = api.post(f"/api/v1/offers/{offer_id}/accept", {"bid_rate": sent})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["placed"] is False  # the other invited provider may still bid
    assert Offer.objects.get(pk=offer_id).bid_rate == Decimal(kept)


def test_declining_a_bid_offer_needs_no_rate(bid_offer: Any) -> None:
    api, offer_id = bid_offer
    response = api.post(f"/api/v1/offers/{offer_id}/decline", {"reason": "Full this month"})
    assert response.status_code == 200
    assert Offer.objects.get(pk=offer_id).status == "declined"


def test_the_openapi_document_says_what_a_bid_rate_may_be(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["AcceptIn"]
    text = str(schema["properties"]["bid_rate"])
    assert "at most 250.00" in text and "required for a bid" in text
