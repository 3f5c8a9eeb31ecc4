"""A mini-competition on a dynamic purchasing system (Rotherham, seed 004 §8.2), end to end.

A council's case-management system asks for a package through the API; every provider on the
framework is invited to bid; two bid through their own systems (the API), a third declines on
its offer page, a fourth stays silent. When the bidding window closes (``expire_offers``) the
bids are scored on quality and price, 60/40, and the best score wins at its own bid.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import actions as accounts
from homecare.api.tests.brokerage_helpers import Caller, body
from homecare.brokerage.actions import expire_offers
from homecare.brokerage.models import BrokerageRequest, Offer, Placement, RequestTransition
from homecare.brokerage.testing import make_market
from homecare.commissioning import market_actions
from homecare.commissioning.models import Provider

pytestmark = pytest.mark.django_db

POLICY = {"quality_weight": 60, "price_weight": 40, "ceiling": "24.50", "bid_window_hours": 2}
# Quality scores set for the journey, so that quality can beat price.
QUALITY = {"Prime 1 (test)": 90, "Prime 2 (test)": 60}


def _api(client: Client, organisation: Any) -> tuple[Caller, Any]:
    token, plaintext = accounts.issue_api_token(organisation, "Bidding system", acting_user=None)
    return Caller(client, plaintext), token.user


@pytest.fixture
def dps(geography: Any, council: Any) -> Any:
    """Two primes and two supplementary providers on a mini-competition framework."""
    framework = make_market(
        council,
        primes=2,
        supplementary=2,
        policy_kind="mini_competition",
        policy_settings=POLICY,
        name="Home care DPS (test)",
    )
    for name, quality in QUALITY.items():
        provider = Provider.objects.get(name=name)
        market_actions.create_provider(
            name,
            cqc_location_id=provider.cqc_location_id,
            quality_score=quality,
            council=council,
            acting_user=None,
        )
    return framework


def test_two_bids_through_the_api_and_a_decline_on_the_page_are_scored_when_the_window_closes(
    client: Client, council: Any, dps: Any
) -> None:
    council_api, _ = _api(client, council)
    made = council_api.post("/api/v1/requests", body(framework_id=dps.pk))
    assert made.status_code == 201, made.json()
    request = BrokerageRequest.objects.get(pk=made.json()["id"])

    # Every provider on the framework is invited at once, to bid.
    invited = {o.provider.name: o for o in request.offers.select_related("provider")}
    assert sorted(invited) == [
        "Prime 1 (test)",
        "Prime 2 (test)",
        "Supplementary 1 (test)",
        "Supplementary 2 (test)",
    ]
    assert {(o.round_number, o.kind) for o in invited.values()} == {(1, "bid")}
    sent_at = invited["Prime 1 (test)"].sent_at
    assert invited["Prime 1 (test)"].deadline == sent_at + timedelta(hours=2)  # the window

    # Two providers' own systems bid through the API.
    bids = {"Prime 1 (test)": "21.00", "Prime 2 (test)": "18.00"}
    bidders = {}
    for name, rate in bids.items():
        api, user = _api(client, invited[name].provider.organisation)
        listed = api.get("/api/v1/offers").json()
        assert [(o["id"], o["kind"]) for o in listed] == [(invited[name].pk, "bid")]
        answer = api.post(f"/api/v1/offers/{invited[name].pk}/accept", {"bid_rate": rate})
        assert answer.status_code == 200, answer.json()
        assert (answer.json()["status"], answer.json()["placed"]) == ("accepted", False)
        bidders[name] = user

    # A third declines on its offer page (no rate needed to decline).
    declined = invited["Supplementary 1 (test)"]
    person = accounts.create_persona(
        "supplementary_1_user",
        password="x" * 12,
        organisation=declined.provider.organisation,
        role="provider",
        acting_user=None,
    )
    client.force_login(person)
    page = client.post(
        reverse("brokerage:offer", args=[declined.pk]),
        {"answer": "decline", "reason": "No carers free in the mornings"},
    )
    assert page.status_code == 302
    client.logout()

    # Supplementary 2 is silent, so the round waits for its window to close.
    assert not Placement.objects.exists()
    request.refresh_from_db()
    assert request.state == "offered"

    # The window closes: the silent offer expires and the bids are scored.
    closed_at = timezone.now() + timedelta(hours=3)
    assert expire_offers(closed_at) == 1

    # By hand, with weights quality 60 and price 40, over the two valid bids
    # (lowest bid £18.00, best quality among them 90):
    #   Prime 1: 40 x 18.00/21.00 = 34.29 + 60 x 90/90 = 60.00 -> 94.29
    #   Prime 2: 40 x 18.00/18.00 = 40.00 + 60 x 60/90 = 40.00 -> 80.00
    # Prime 1 wins, at its own bid, though it bid more.
    placement = Placement.objects.select_related("provider").get()
    assert placement.provider.name == "Prime 1 (test)"
    assert placement.rate == Decimal("21.00")
    assert placement.offer_id == invited["Prime 1 (test)"].pk
    request.refresh_from_db()
    assert (request.state, request.placed_rate) == ("placed", Decimal("21.00"))
    placed = RequestTransition.objects.get(request=request, to_state="placed")
    assert "highest score 94.29 of 2 valid bids" in placed.reason
    assert placed.by is None and placed.at == closed_at  # the window closing, not a person

    # Who did what is on record: each bid under its token's user, the decline under the person.
    statuses = {o.provider.name: o for o in request.offers.select_related("provider")}
    for name, user in bidders.items():
        offer = statuses[name]
        assert (offer.status, offer.answered_by, str(offer.bid_rate)) == (
            "accepted",
            user,
            bids[name],
        )
    assert statuses["Supplementary 1 (test)"].answered_by == person
    assert statuses["Supplementary 1 (test)"].status == "declined"
    assert statuses["Supplementary 2 (test)"].status == "expired"

    # The winner's system now sees the package, with who it is for, at its bid.
    winner, _ = _api(client, statuses["Prime 1 (test)"].provider.organisation)
    packages = winner.get("/api/v1/packages").json()["items"]
    assert [(p["person_reference"], p["rate"]) for p in packages] == [("P-API-0001", "21.00")]
    loser, _ = _api(client, statuses["Prime 2 (test)"].provider.organisation)
    assert loser.get("/api/v1/packages").json()["count"] == 0


def test_a_bid_above_the_ceiling_never_wins(client: Client, council: Any, dps: Any) -> None:
    council_api, _ = _api(client, council)
    request_id = council_api.post("/api/v1/requests", body(framework_id=dps.pk)).json()["id"]
    offers = {o.provider.name: o for o in Offer.objects.select_related("provider")}
    # Prime 1 has the best quality, but £24.51 is over the £24.50 ceiling: excluded.
    for name, rate in (("Prime 1 (test)", "24.51"), ("Prime 2 (test)", "19.00")):
        api, _ = _api(client, offers[name].provider.organisation)
        answer = api.post(f"/api/v1/offers/{offers[name].pk}/accept", {"bid_rate": rate})
        assert answer.status_code == 200, answer.json()
    expire_offers(timezone.now() + timedelta(hours=3))
    placement = Placement.objects.select_related("provider").get(request_id=request_id)
    assert (placement.provider.name, placement.rate) == ("Prime 2 (test)", Decimal("19.00"))
