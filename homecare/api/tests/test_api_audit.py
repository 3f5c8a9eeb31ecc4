"""What the API does is recorded under the token's own service user, never as nobody."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homecare.accounts import actions
from homecare.accounts.models import Organisation
from homecare.api.tests.brokerage_helpers import Caller, body
from homecare.brokerage.models import Offer, Placement, RequestTransition
from homecare.commissioning.models import CapacityDeclaration, Provider

pytestmark = pytest.mark.django_db


def caller_and_user(client: Client, organisation: Organisation) -> tuple[Caller, Any]:
    """A client with a new token of ``organisation``, and the user the token acts as."""
    token, plaintext = actions.issue_api_token(organisation, "Their system", acting_user=None)
    return Caller(client, plaintext), token.user


@pytest.fixture
def council_caller(client: Client, council: Organisation) -> tuple[Caller, Any]:
    return caller_and_user(client, council)


@pytest.fixture
def prime_caller(client: Client, framework: Any) -> tuple[Caller, Any]:
    return caller_and_user(client, Provider.objects.get(name="Prime 1 (test)").organisation)


def test_whoami_names_the_user_the_token_acts_as(council_caller: tuple[Caller, Any]) -> None:
    api, user = council_caller
    assert user.username == "api-testshire-county-council-1"
    assert api.get("/api/v1/whoami").json()["acting_as"] == user.username


def test_a_request_made_through_the_api_is_recorded_under_the_councils_token_user(
    council_caller: tuple[Caller, Any], framework: Any
) -> None:
    api, user = council_caller
    made = api.post("/api/v1/requests", body())
    assert made.status_code == 201
    transition = RequestTransition.objects.get(request_id=made.json()["id"])
    assert (transition.from_state, transition.to_state) == ("requested", "offered")
    assert transition.by == user
    assert transition.request.created_by == user
    assert transition.request.package.history.earliest().history_user == user
    assert Offer.history.get().history_user == user  # the round it sent


def test_an_accept_through_the_api_names_the_providers_token_user_everywhere(
    council_caller: tuple[Caller, Any], prime_caller: tuple[Caller, Any], framework: Any
) -> None:
    council_api, council_user = council_caller
    api, user = prime_caller
    request_id = council_api.post("/api/v1/requests", body()).json()["id"]
    offer_id = api.get("/api/v1/offers").json()[0]["id"]
    assert api.post(f"/api/v1/offers/{offer_id}/accept").json()["placed"] is True

    offer = Offer.objects.get(pk=offer_id)
    assert offer.answered_by == user
    latest = offer.history.latest("history_date")
    assert (latest.status, latest.history_user) == ("accepted", user)
    placed = RequestTransition.objects.get(request_id=request_id, to_state="placed")
    assert placed.by == user
    placement = Placement.objects.get()
    assert placement.by == user
    assert placement.history.get().history_user == user
    # and nothing the API did is anyone's but a token user's
    who = set(RequestTransition.objects.values_list("by__username", flat=True))
    assert who == {council_user.username, user.username}


def test_a_decline_through_the_api_names_the_token_user(
    council_caller: tuple[Caller, Any], prime_caller: tuple[Caller, Any], framework: Any
) -> None:
    council_api, _ = council_caller
    api, user = prime_caller
    council_api.post("/api/v1/requests", body())
    offer_id = api.get("/api/v1/offers").json()[0]["id"]
    api.post(f"/api/v1/offers/{offer_id}/decline", {"reason": "No carers free"})
    offer = Offer.objects.get(pk=offer_id)
    assert (offer.status, offer.answered_by) == ("declined", user)
    assert offer.history.latest("history_date").history_user == user


def test_capacity_declared_through_the_api_names_the_token_user(
    prime_caller: tuple[Caller, Any],
) -> None:
    api, user = prime_caller
    monday = date(2026, 3, 2)
    response = api.put(
        "/api/v1/capacity",
        [{"zone": "west-leicester", "week_starting": monday.isoformat(), "free_hours": "12"}],
    )
    assert response.status_code == 200
    assert CapacityDeclaration.objects.get().declared_by == user


def test_a_revoked_tokens_user_cannot_act(
    council_caller: tuple[Caller, Any], prime_caller: tuple[Caller, Any], framework: Any
) -> None:
    council_api, _ = council_caller
    api, user = prime_caller
    council_api.post("/api/v1/requests", body())
    offer_id = Offer.objects.get().pk
    actions.revoke_api_token(user.api_token, acting_user=None)
    user.refresh_from_db()
    assert not user.is_active
    refused = api.post(f"/api/v1/offers/{offer_id}/accept")
    assert refused.status_code == 401
    assert Offer.objects.get().status == "open"
    assert not Placement.objects.exists()


def test_a_token_whose_user_was_switched_off_cannot_act(
    council_caller: tuple[Caller, Any], prime_caller: tuple[Caller, Any], framework: Any
) -> None:
    council_api, _ = council_caller
    api, user = prime_caller
    council_api.post("/api/v1/requests", body())
    user.is_active = False  # an administrator switches the user off, not the token
    user.save()
    assert api.get("/api/v1/offers").status_code == 401
    assert api.post(f"/api/v1/offers/{Offer.objects.get().pk}/accept").status_code == 401
    assert not Placement.objects.exists()


def test_an_offer_timing_out_is_still_the_systems_doing(
    council_caller: tuple[Caller, Any], framework: Any
) -> None:
    from homecare.brokerage.actions import expire_offers

    council_caller[0].post("/api/v1/requests", body())
    expire_offers(timezone.now() + timedelta(days=2))
    expired = Offer.objects.get(status="expired")
    assert expired.history.latest("history_date").history_user is None
