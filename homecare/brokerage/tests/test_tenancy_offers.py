"""Offers follow each council's own standing of a provider: a suspension or a quality score
set by one council never changes who another council offers packages to (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.brokerage import actions
from homecare.brokerage.testing import NOW, make_market, make_request, other_council
from homecare.commissioning import market_actions
from homecare.commissioning.market_models import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def frameworks(geography: Any, council: Any) -> tuple[Any, Any]:
    framework_a = make_market(council)
    council_b = other_council()
    return framework_a, make_market(council_b)


def _first_round(framework: Any, ref: str) -> set[str]:
    request = make_request(framework, ref)
    return {o.provider.name for o in actions.send_next_round(request, now=NOW, acting_user=None)}


def test_a_provider_suspended_by_council_b_is_still_offered_council_a_s_packages(
    frameworks: tuple[Any, Any],
) -> None:
    framework_a, framework_b = frameworks
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    market_actions.set_provider_status(
        prime_1, "suspended", council=framework_b.council, reason="x", at=NOW, acting_user=None
    )

    assert "Prime 1 (test)" in _first_round(framework_a, "P-1")
    assert "Prime 1 (test)" not in _first_round(framework_b, "P-1")


def test_each_council_s_quality_scores_order_its_own_offers(frameworks: tuple[Any, Any]) -> None:
    framework_a, framework_b = frameworks
    prime_2 = Provider.objects.get(name="Prime 2 (test)")
    market_actions.set_quality_score(prime_2, 99, council=framework_b.council, acting_user=None)
    snapshot_a = actions.market.market_snapshot(framework_a, at=NOW)
    snapshot_b = actions.market.market_snapshot(framework_b, at=NOW)
    ref = str(prime_2.pk)
    assert (snapshot_a.providers[ref].quality_score, snapshot_b.providers[ref].quality_score) == (
        88,
        99,
    )
