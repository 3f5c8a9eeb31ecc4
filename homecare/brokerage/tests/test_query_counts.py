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


def test_a_decline_that_sends_the_next_round_reads_the_market_once(
    geography: Any, council: Any, new_request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The snapshot is most of an answer's cost (docs/benchmarks.md): deciding the round and
    # sending the next one share it.
    from homecare.commissioning import snapshot as market_snapshot_module

    framework = make_market(council, name="Cascade", policy_kind="prime_cascade", primes=3)
    request = new_request(framework=framework)
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=None)
    reads: list[Any] = []
    real_snapshot = market_snapshot_module.market_snapshot

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return real_snapshot(*args, **kwargs)

    monkeypatch.setattr(market_snapshot_module, "market_snapshot", counted)
    actions.answer_offer(offer, accepted=False, reason="no carers free", now=NOW, acting_user=None)
    assert request.offers.filter(status="open").count() == 1  # the next round went out
    assert len(reads) == 1
