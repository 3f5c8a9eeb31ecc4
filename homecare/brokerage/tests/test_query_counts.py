"""Placing a request costs a bounded number of queries, however many providers there are."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.brokerage import actions
from homecare.brokerage.testing import NOW, make_market

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("providers", [5, 50])
def test_offering_to_everyone_and_placing_stays_under_50_queries(
    providers: int,
    geography: Any,
    council: Any,
    new_request: Any,
    django_assert_max_num_queries: Any,
) -> None:
    # The open framework offers to every provider at once: the most offers a round can send.
    framework = make_market(
        council, name="Open", policy_kind="open_framework", primes=providers, supplementary=0
    )
    request = new_request(framework=framework)
    with django_assert_max_num_queries(50):
        offers = actions.send_next_round(request, now=NOW, acting_user=None)
    assert len(offers) == providers
    with django_assert_max_num_queries(50):
        placement = actions.answer_offer(offers[-1], accepted=True, now=NOW, acting_user=None)
    assert placement is not None
    assert request.offers.filter(status="withdrawn").count() == providers - 1
