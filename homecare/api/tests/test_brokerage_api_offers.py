"""The API for providers' systems: offers, answers, packages, capacity; and who sees what."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from homecare.accounts import access
from homecare.api.tests.brokerage_helpers import Caller, body, token_for
from homecare.brokerage import access as brokerage_access
from homecare.brokerage.models import Offer, Placement
from homecare.brokerage.testing import make_market
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.models import CapacityDeclaration, Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(council_api: Caller, framework: Any) -> dict[str, Any]:
    """A request offered to Prime 1 (round 1 of the prime cascade)."""
    return council_api.post("/api/v1/requests", body()).json()


def _only_offer(api: Caller) -> dict[str, Any]:
    offers = api.get("/api/v1/offers").json()
    assert len(offers) == 1, offers
    return offers[0]


def test_a_provider_lists_its_open_offers_without_the_person_reference(
    offered: Any, prime_1: Caller, prime_2: Caller
) -> None:
    offer = _only_offer(prime_1)
    assert offer["zone"] == "west-leicester"
    assert offer["band"]
    assert offer["schedule"] == "Mon 07:30 45m x2; Mon 12:00 30m; Wed 07:30 45m critical"
    assert offer["hours_per_week"] == "2.00"
    assert offer["needs"] == ["dementia"]
    assert offer["kind"] == "offer"
    assert "P-API-0001" not in json.dumps(offer)
    assert "person_reference" not in offer
    assert prime_2.get("/api/v1/offers").json() == []  # not offered to Prime 2 yet


def test_accepting_places_the_package_and_only_then_shows_who_it_is_for(
    offered: Any, prime_1: Caller
) -> None:
    offer = _only_offer(prime_1)
    answer = prime_1.post(f"/api/v1/offers/{offer['id']}/accept").json()
    assert answer["status"] == "accepted"
    assert answer["placed"] is True
    assert answer["package"]["person_reference"] == "P-API-0001"
    assert answer["package"]["rate"] == "20.00"
    packages = prime_1.get("/api/v1/packages").json()
    assert packages["count"] == 1
    assert packages["items"][0]["person_reference"] == "P-API-0001"
    assert prime_1.get("/api/v1/offers").json() == []


def test_declining_needs_a_reason_and_sends_the_next_round(
    offered: Any, prime_1: Caller, prime_2: Caller
) -> None:
    offer = _only_offer(prime_1)
    no_reason = prime_1.post(f"/api/v1/offers/{offer['id']}/decline", {})
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    blank = prime_1.post(f"/api/v1/offers/{offer['id']}/decline", {"reason": "   "})
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["field"] == "reason"
    assert Offer.objects.get(pk=offer["id"]).status == "open"  # nothing half-saved

    answer = prime_1.post(f"/api/v1/offers/{offer['id']}/decline", {"reason": "No carers"})
    assert answer.json() == {
        "offer_id": offer["id"],
        "status": "declined",
        "placed": False,
        "package": None,
    }
    assert _only_offer(prime_2)["round_number"] == 2


def test_an_offer_already_answered_is_a_400_naming_the_offer(offered: Any, prime_1: Caller) -> None:
    offer = _only_offer(prime_1)
    prime_1.post(f"/api/v1/offers/{offer['id']}/decline", {"reason": "No carers"})
    again = prime_1.post(f"/api/v1/offers/{offer['id']}/accept")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "offer"
    assert "already declined" in again.json()["detail"]


def test_an_expired_offer_is_not_listed_and_cannot_be_accepted(
    offered: Any, prime_1: Caller, monkeypatch: Any
) -> None:
    offer = _only_offer(prime_1)
    deadline = Offer.objects.get(pk=offer["id"]).deadline
    monkeypatch.setattr("homecare.api.offers.clock", lambda: deadline + timedelta(minutes=1))
    assert prime_1.get("/api/v1/offers").json() == []
    late = prime_1.post(f"/api/v1/offers/{offer['id']}/accept")
    assert late.status_code == 400
    assert "expired" in late.json()["detail"]
    assert not Placement.objects.exists()


def test_a_bid_rate_is_refused_on_an_ordinary_offer(offered: Any, prime_1: Caller) -> None:
    offer = _only_offer(prime_1)
    response = prime_1.post(f"/api/v1/offers/{offer['id']}/accept", {"bid_rate": "18.00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "bid_rate"
    assert Offer.objects.get(pk=offer["id"]).status == "open"


def test_a_mini_competition_takes_bids_with_a_rate(
    client: Client, council_api: Caller, geography: Any, council: Any
) -> None:
    framework = make_market(
        council, primes=2, supplementary=0, policy_kind="mini_competition", name="DPS"
    )
    council_api.post("/api/v1/requests", body(framework_id=framework.pk))
    bidder = Caller(client, token_for(Provider.objects.get(name="Prime 1 (test)").organisation))
    offer = _only_offer(bidder)
    assert offer["kind"] == "bid"
    no_rate = bidder.post(f"/api/v1/offers/{offer['id']}/accept")
    assert no_rate.status_code == 400
    assert no_rate.json()["errors"][0]["field"] == "bid_rate"
    bid = bidder.post(f"/api/v1/offers/{offer['id']}/accept", {"bid_rate": "18.50"})
    assert bid.status_code == 200
    assert Offer.objects.get(pk=offer["id"]).bid_rate == Decimal("18.50")


def test_two_providers_accepting_the_same_round_make_exactly_one_placement(
    client: Client, council_api: Caller, geography: Any, council: Any
) -> None:
    framework = make_market(
        council, primes=2, supplementary=0, policy_kind="open_framework", name="Open"
    )
    made = council_api.post("/api/v1/requests", body(framework_id=framework.pk)).json()
    first, second = (
        Caller(client, token_for(Provider.objects.get(name=name).organisation))
        for name in ("Prime 1 (test)", "Prime 2 (test)")
    )
    first_offer, second_offer = _only_offer(first), _only_offer(second)
    won = first.post(f"/api/v1/offers/{first_offer['id']}/accept")
    lost = second.post(f"/api/v1/offers/{second_offer['id']}/accept")
    assert won.status_code == 200 and won.json()["placed"] is True
    assert lost.status_code == 400
    assert "already been placed" in lost.json()["detail"]
    assert lost.json()["errors"][0]["field"] == "offer"
    assert Placement.objects.filter(request_id=made["id"]).count() == 1
    assert second.get("/api/v1/packages").json()["count"] == 0


# --- access -------------------------------------------------------------------------------


def test_another_providers_offer_is_a_404_never_revealed(
    offered: Any, prime_1: Caller, prime_2: Caller
) -> None:
    offer = _only_offer(prime_1)
    for action, data in (("accept", {}), ("decline", {"reason": "x"})):
        response = prime_2.post(f"/api/v1/offers/{offer['id']}/{action}", data)
        assert response.status_code == 404
        assert response.json()["detail"] == "Not found"
    missing = prime_2.post("/api/v1/offers/999999/accept")
    assert missing.json() == prime_2.post(f"/api/v1/offers/{offer['id']}/accept").json()
    assert Offer.objects.get(pk=offer["id"]).status == "open"


def test_a_provider_never_sees_another_providers_packages(
    offered: Any, prime_1: Caller, prime_2: Caller
) -> None:
    prime_1.post(f"/api/v1/offers/{_only_offer(prime_1)['id']}/accept")
    assert prime_2.get("/api/v1/packages").json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/offers"),
        ("get", "/api/v1/packages"),
        ("put", "/api/v1/capacity"),
        ("post", "/api/v1/offers/1/accept"),
        ("post", "/api/v1/offers/1/decline"),
    ],
)
def test_a_councils_token_is_refused_the_providers_endpoints(
    council_api: Caller, framework: Any, method: str, path: str
) -> None:
    # Valid bodies, so the refusal is about the token, not the input.
    capacity = [{"zone": "melton", "week_starting": "2026-03-02", "free_hours": "1"}]
    if method == "get":
        response = council_api.get(path)
    elif method == "put":
        response = council_api.put(path, capacity)
    else:
        response = council_api.post(path, {"reason": "No carers"} if "decline" in path else {})
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a provider's API token may use this endpoint"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/requests"), ("get", "/api/v1/requests/1"), ("post", "/api/v1/requests")],
)
def test_a_providers_token_is_refused_the_councils_endpoints(
    prime_1: Caller, method: str, path: str
) -> None:
    response = prime_1.post(path, body()) if method == "post" else prime_1.get(path)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/requests"),
        ("post", "/api/v1/requests"),
        ("get", "/api/v1/requests/1"),
        ("get", "/api/v1/offers"),
        ("post", "/api/v1/offers/1/accept"),
        ("post", "/api/v1/offers/1/decline"),
        ("get", "/api/v1/packages"),
        ("put", "/api/v1/capacity"),
    ],
)
def test_every_brokerage_endpoint_refuses_a_missing_or_revoked_token(
    client: Client, prime_1: Caller, method: str, path: str
) -> None:
    assert getattr(client, method)(path, content_type="application/json").status_code == 401
    from homecare.accounts import actions
    from homecare.accounts.models import ApiToken

    for row in ApiToken.objects.all():
        actions.revoke_api_token(row, acting_user=None)
    revoked = getattr(client, method)(path, content_type="application/json", **prime_1.headers)
    assert revoked.status_code == 401


def _token_scope(organisation: Any) -> access.Scope:
    """The scope a new API token of ``organisation`` acts with."""
    from homecare.accounts import actions

    token, _plaintext = actions.issue_api_token(organisation, "rules", acting_user=None)
    return access.scope_of_token(token)


def test_the_access_rules_give_each_kind_of_organisation_only_its_own(
    offered: Any, council: Any
) -> None:
    one = Provider.objects.get(name="Prime 1 (test)")
    two = Provider.objects.get(name="Prime 2 (test)")
    first, second, council_scope = (
        _token_scope(one.organisation),
        _token_scope(two.organisation),
        _token_scope(council),
    )
    assert brokerage_access.offers_for(first).count() == 1
    assert brokerage_access.offers_for(second).count() == 0
    assert brokerage_access.offers_for(council_scope).count() == 0
    assert brokerage_access.offers_for(access.NOBODY).count() == 0
    assert brokerage_access.requests_for(council_scope).count() == 1
    assert brokerage_access.requests_for(first).count() == 0
    assert commissioning_access.provider_of(first) == one
    assert commissioning_access.provider_of(council_scope) is None
    assert commissioning_access.frameworks_for(first).count() == 0
    assert brokerage_access.live_placements_for(council_scope).count() == 0


# --- capacity -----------------------------------------------------------------------------


def test_a_provider_declares_free_hours_per_zone_for_a_week(prime_1: Caller) -> None:
    rows = [
        {"zone": "west-leicester", "week_starting": "2026-03-02", "free_hours": "40.5"},
        {"zone": "melton", "week_starting": "2026-03-02", "free_hours": "0"},
    ]
    response = prime_1.put("/api/v1/capacity", rows)
    assert response.status_code == 200, response.content
    assert [(r["zone"], r["free_hours"]) for r in response.json()] == [
        ("west-leicester", "40.50"),
        ("melton", "0.00"),
    ]
    stored = CapacityDeclaration.objects.filter(provider__name="Prime 1 (test)")
    assert stored.count() == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"zone": "atlantis"}, "[1].zone"),
        ({"week_starting": "2026-03-03"}, "[1].week_starting"),
        ({"free_hours": "-1"}, "[1].free_hours"),
        ({"hours": "3"}, "[1].hours"),
    ],
)
def test_a_bad_capacity_row_is_a_400_naming_it_and_saves_no_row(
    prime_1: Caller, row: dict[str, Any], field: str
) -> None:
    good = {"zone": "melton", "week_starting": "2026-03-02", "free_hours": "5"}
    response = prime_1.put("/api/v1/capacity", [good, {**good, **row}])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not CapacityDeclaration.objects.exists()


def test_listing_offers_and_packages_takes_the_same_queries_however_many(
    council_api: Caller, prime_1: Caller
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(path: str) -> int:
        prime_1.get(path)  # the token's last use is written at most once a minute: not here
        with CaptureQueriesContext(connection) as captured:
            assert prime_1.get(path).status_code == 200
        return len(captured)

    council_api.post("/api/v1/requests", body(person_reference="P-1"))
    one = queries("/api/v1/offers")
    for n in range(2, 5):
        council_api.post("/api/v1/requests", body(person_reference=f"P-{n}"))
    assert len(prime_1.get("/api/v1/offers").json()) == 4
    assert queries("/api/v1/offers") == one
    for offer in prime_1.get("/api/v1/offers").json()[:1]:
        prime_1.post(f"/api/v1/offers/{offer['id']}/accept")
    few = queries("/api/v1/packages")
    for offer in prime_1.get("/api/v1/offers").json():
        prime_1.post(f"/api/v1/offers/{offer['id']}/accept")
    assert prime_1.get("/api/v1/packages").json()["count"] == 4
    assert queries("/api/v1/packages") == few


@pytest.mark.parametrize("query", [{"page": 10**12}, {"page_size": 10**9}, {"page": 0}])
def test_a_page_past_any_real_list_is_a_clear_400_not_a_server_error(
    prime_1: Caller, query: dict[str, int]
) -> None:
    # Found by schemathesis: an unbounded page number overflowed SQLite's OFFSET (a 500).
    response = prime_1.get("/api/v1/packages", **query)
    assert response.status_code == 400
    assert next(iter(query)) in response.json()["detail"]
