"""A lead provider with a guaranteed block of hours (Leeds, seed 001 §3.6), end to end.

A council's case-management system asks for packages through the API. The lead (Prime 1) has
first refusal while its block still covers a package and answers through its own system (the
API); once the block is used, or when the lead declines, the secondary providers are offered
the package all at once and the first to accept wins.

Every package here is the API helpers' body: Mon 07:30 45m x2, Mon 12:00 30m, Wed 07:30 45m,
that is 90 + 30 + 45 = 165 carer minutes, 2.75 carer hours a week. The lead's block is 6
hours, so it covers two packages (5.50 hours) and not a third (0.50 hours left).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homecare.accounts import actions as accounts
from homecare.api.tests.brokerage_helpers import Caller, body
from homecare.brokerage.models import BrokerageRequest, Offer, Placement
from homecare.brokerage.testing import make_market
from homecare.commissioning import market_actions
from homecare.commissioning.models import Provider
from homecare.commissioning.snapshot import market_snapshot

pytestmark = pytest.mark.django_db

BLOCK_HOURS = Decimal(6)
PACKAGE_CARER_HOURS = Decimal("2.75")
LEAD, FIRST, SECOND = "Prime 1 (test)", "Supplementary 1 (test)", "Supplementary 2 (test)"


@pytest.fixture
def leeds(geography: Any, council: Any) -> Any:
    """One lead (Prime 1) with a 6-hour block; two secondary (supplementary) providers."""
    framework = make_market(
        council,
        primes=1,
        supplementary=2,
        policy_kind="lead_block",
        policy_settings={"lead_tier": "prime", "secondary_tiers": ["supplementary"]},
        name="Lead providers (test)",
    )
    market_actions.appoint_provider(
        framework=framework,
        lot=framework.lots.get(code="WL"),
        provider=Provider.objects.get(name=LEAD),
        tier="prime",
        rank=1,
        hourly_rate=Decimal("20.00"),
        block_hours_per_week=BLOCK_HOURS,
        acting_user=None,
    )
    return framework


@pytest.fixture
def apis(client: Client, council: Any, leeds: Any) -> dict[str, Caller]:
    """Each organisation's own system: the council's and the three providers'."""
    callers = {"council": Caller(client, _token(council))}
    for name in (LEAD, FIRST, SECOND):
        callers[name] = Caller(client, _token(Provider.objects.get(name=name).organisation))
    return callers


def _token(organisation: Any) -> str:
    return accounts.issue_api_token(organisation, "Their system", acting_user=None)[1]


def _ask(apis: dict[str, Caller], leeds: Any, reference: str) -> BrokerageRequest:
    made = apis["council"].post(
        "/api/v1/requests", body(person_reference=reference, framework_id=leeds.pk)
    )
    assert made.status_code == 201, made.json()
    assert made.json()["carer_hours_per_week"] == str(PACKAGE_CARER_HOURS)
    return BrokerageRequest.objects.get(pk=made.json()["id"])


def _offered(apis: dict[str, Caller]) -> dict[str, list[int]]:
    """Each provider's open offers as its own system lists them."""
    return {
        name: [offer["id"] for offer in apis[name].get("/api/v1/offers").json()]
        for name in (LEAD, FIRST, SECOND)
    }


def _block_used(leeds: Any) -> Decimal:
    lead = Provider.objects.get(name=LEAD)
    return market_snapshot(leeds, at=timezone.now()).block_hours_used.get(str(lead.pk), Decimal(0))


def _placed_with(request: BrokerageRequest) -> tuple[str, Decimal]:
    placement = Placement.objects.select_related("provider").get(request=request)
    return placement.provider.name, placement.rate


def test_the_lead_has_first_refusal_until_its_block_is_used_then_the_secondaries_are_asked(
    apis: dict[str, Caller], leeds: Any
) -> None:
    # 1. The lead alone is offered the first package, and accepts through its API.
    first = _ask(apis, leeds, "P-LEEDS-1")
    offered = _offered(apis)
    assert len(offered[LEAD]) == 1 and offered[FIRST] == [] and offered[SECOND] == []
    assert Offer.objects.get(pk=offered[LEAD][0]).tier == "lead"
    accepted = apis[LEAD].post(f"/api/v1/offers/{offered[LEAD][0]}/accept").json()
    assert accepted["placed"] is True
    assert _placed_with(first) == (LEAD, Decimal("20.00"))
    assert _block_used(leeds) == Decimal("2.75")  # 3.25 of the 6 hours left

    # 2. The lead declines the second: the secondaries get it at once, the first to accept wins.
    second = _ask(apis, leeds, "P-LEEDS-2")
    offered = _offered(apis)
    assert len(offered[LEAD]) == 1 and offered[FIRST] == [] and offered[SECOND] == []
    declined = apis[LEAD].post(
        f"/api/v1/offers/{offered[LEAD][0]}/decline", {"reason": "No carers on Wednesdays"}
    )
    assert declined.json()["status"] == "declined"
    offered = _offered(apis)
    assert offered[LEAD] == [] and len(offered[FIRST]) == 1 and len(offered[SECOND]) == 1
    round_two = Offer.objects.filter(request=second, round_number=2)
    assert {offer.tier for offer in round_two} == {"supplementary"}
    assert apis[SECOND].post(f"/api/v1/offers/{offered[SECOND][0]}/accept").json()["placed"]
    assert _placed_with(second) == (SECOND, Decimal("20.00"))
    assert Offer.objects.get(pk=offered[FIRST][0]).status == "withdrawn"  # too late now
    assert _block_used(leeds) == Decimal("2.75")  # a decline uses none of the block

    # 3. The lead's block still covers the third package (3.25 >= 2.75): first refusal again.
    third = _ask(apis, leeds, "P-LEEDS-3")
    offered = _offered(apis)
    assert len(offered[LEAD]) == 1 and offered[FIRST] == [] and offered[SECOND] == []
    assert apis[LEAD].post(f"/api/v1/offers/{offered[LEAD][0]}/accept").json()["placed"]
    assert _placed_with(third) == (LEAD, Decimal("20.00"))
    assert _block_used(leeds) == Decimal("5.50")  # 0.50 left

    # 4. The block is used (0.50 < 2.75): the lead is not asked; the secondaries are, at once.
    fourth = _ask(apis, leeds, "P-LEEDS-4")
    offered = _offered(apis)
    assert offered[LEAD] == [] and len(offered[FIRST]) == 1 and len(offered[SECOND]) == 1
    assert not Offer.objects.filter(request=fourth, provider__name=LEAD).exists()
    assert apis[FIRST].post(f"/api/v1/offers/{offered[FIRST][0]}/accept").json()["placed"]
    assert _placed_with(fourth) == (FIRST, Decimal("20.00"))

    # The lead's own system lists the two packages in its block, with who they are for.
    lead_packages = apis[LEAD].get("/api/v1/packages").json()["items"]
    assert sorted(p["person_reference"] for p in lead_packages) == ["P-LEEDS-1", "P-LEEDS-3"]


def test_when_every_secondary_declines_too_the_request_waits_for_a_spot_purchase(
    apis: dict[str, Caller], leeds: Any
) -> None:
    request = _ask(apis, leeds, "P-LEEDS-9")
    lead_offer = _offered(apis)[LEAD][0]
    apis[LEAD].post(f"/api/v1/offers/{lead_offer}/decline", {"reason": "Full"})
    offered = _offered(apis)
    for name in (FIRST, SECOND):
        apis[name].post(f"/api/v1/offers/{offered[name][0]}/decline", {"reason": "Full"})
    request.refresh_from_db()
    assert (request.state, request.needs_spot_purchase) == ("requested", True)
    assert not Placement.objects.exists()
