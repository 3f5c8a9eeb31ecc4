"""Providers accept the same package at the same moment, on a real PostgreSQL server:
exactly one placement, and the other is told clearly that the package is already placed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections

from homecare.brokerage.testing import NOW

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]


@contextmanager
def on_postgres() -> Iterator[None]:
    """Within this thread, "default" is a fresh connection of its own to the postgres alias, so
    the actions (which use the default database and its transactions) run there unchanged."""
    original = connections["default"]
    connection = connections.create_connection("postgres")
    connections["default"] = connection
    try:
        yield
    finally:
        connection.close()
        connections["default"] = original


def _setup() -> Any:
    from carecore.geography import default_geography
    from homecare.accounts.actions import create_organisation
    from homecare.brokerage import actions
    from homecare.brokerage.testing import AREA, make_market
    from homecare.commissioning.actions import import_geography

    council = create_organisation("Racing County Council", kind="council", acting_user=None)
    import_geography(default_geography(), council=council, acting_user=None)
    framework = make_market(council, name="Open", policy_kind="open_framework", primes=2)
    request = actions.create_request(
        "P-RACE",
        AREA,
        "Mon-Fri 08:00 30m",
        framework=framework,
        funding="council",
        cohort="older_people",
        source="hospital_discharge",
        start_date=NOW.date(),
        now=NOW,
        acting_user=None,
    )
    return actions.send_next_round(request, now=NOW, acting_user=None)


def test_three_simultaneous_acceptances_give_exactly_one_placement() -> None:
    from homecare.brokerage import actions
    from homecare.brokerage.models import Offer, Placement

    with on_postgres():
        offers = _setup()
    assert len(offers) == 3  # two primes and a supplementary provider, all at once
    barrier = threading.Barrier(len(offers))
    outcomes: dict[int, Any] = {}

    def accept(offer: Offer) -> Callable[[], None]:
        def run() -> None:
            with on_postgres():
                barrier.wait()
                try:
                    outcomes[offer.pk] = actions.answer_offer(
                        offer, accepted=True, now=NOW, acting_user=None
                    )
                except Exception as exc:  # the test inspects what each thread got
                    outcomes[offer.pk] = exc

        return run

    threads = [threading.Thread(target=accept(offer)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    placed = [o for o in outcomes.values() if isinstance(o, Placement)]
    refused = [o for o in outcomes.values() if not isinstance(o, Placement)]
    assert len(placed) == 1, outcomes
    assert len(refused) == 2, outcomes
    assert all(isinstance(error, actions.OfferClosed) for error in refused), refused
    assert all("already been placed" in str(error) for error in refused)
    assert Placement.objects.using("postgres").count() == 1
    statuses = sorted(Offer.objects.using("postgres").values_list("status", flat=True))
    assert statuses == ["accepted", "withdrawn", "withdrawn"]
    assert not Placement.objects.exists()  # nothing went to the default database


def test_answering_one_request_does_not_wait_for_another_on_the_same_framework() -> None:
    # The answer's row lock is on its own request: locking the joined framework, zone and
    # band rows too would queue every answer on the framework behind every other.
    from django.db import transaction

    from homecare.brokerage import actions
    from homecare.brokerage.steps import locked

    with on_postgres():
        first = _setup()[0].request
        second = actions.create_request(
            "P-RACE-2",
            first.package.person.area.code,
            "Mon-Fri 09:00 30m",
            framework=first.framework,
            funding="council",
            cohort="older_people",
            source="community",
            start_date=NOW.date(),
            now=NOW,
            acting_user=None,
        )
    holding, release = threading.Event(), threading.Event()

    def hold_first() -> None:
        with on_postgres(), transaction.atomic():
            locked(first.pk)
            holding.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with on_postgres(), transaction.atomic():
            with connections["default"].cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert locked(second.pk).pk == second.pk  # would time out if the lock spread
    finally:
        release.set()
        holder.join(timeout=30)


def test_two_simultaneous_presses_of_send_offers_make_one_request() -> None:
    from carecore.geography import default_geography
    from homecare.accounts.actions import create_organisation
    from homecare.brokerage import actions
    from homecare.brokerage.models import BrokerageRequest
    from homecare.brokerage.testing import AREA, make_market
    from homecare.commissioning.actions import import_geography

    with on_postgres():
        council = create_organisation("Twice County Council", kind="council", acting_user=None)
        import_geography(default_geography(), council=council, acting_user=None)
        framework = make_market(council, name="Twice", primes=1)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def press() -> None:
        with on_postgres():
            barrier.wait()
            try:
                outcomes.append(
                    actions.create_request_once(
                        "new-request:1:the-same-answers",
                        "P-000777",
                        AREA,
                        "Mon-Fri 08:00 30m",
                        framework=framework,
                        funding="council",
                        cohort="older_people",
                        source="community",
                        start_date=NOW.date(),
                        now=NOW,
                        acting_user=None,
                    )
                )
            except Exception as exc:  # the test inspects what each press got
                outcomes.append(exc)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(made for _, made in outcomes) == [False, True]
    assert len({request.pk for request, _ in outcomes}) == 1
    with on_postgres():
        assert BrokerageRequest.objects.filter(package__person__reference="P-000777").count() == 1
