"""Planning a provider's period reads the database a fixed number of times, however many
placements it has (the suspensions come from transitions prefetched with the placements),
and the suspensions so read are the same days as before.

Packages: daily 08:00 for 30 minutes from Monday 9 March 2026 (see delivery/testing.py), so
28 planned visits each in the four weeks from 9 March.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from homecare.brokerage import lifecycle
from homecare.commissioning.models import Provider
from homecare.delivery import engine
from homecare.delivery.testing import PERIOD_START, at, place_package


def queries_to_plan(council: Any, provider: Any) -> tuple[int, list[Any]]:
    # A fresh provider each time, as a page or run has: nothing cached from the last call.
    provider = Provider.objects.select_related("organisation").get(pk=provider.pk)
    with CaptureQueriesContext(connection) as captured:
        packages = engine.planned_packages(
            council, provider, PERIOD_START, engine.period_end(PERIOD_START)
        )
    return len(captured.captured_queries), packages


def place(framework: Any, first: int, count: int) -> None:
    for number in range(first, first + count):
        placement = place_package(framework, f"P-{number:04d}")
        # A stay in hospital for some, so transitions beyond the start are read too.
        if number % 3 == 0:
            package = placement.package
            lifecycle.suspend_package(package, reason="hospital", at=at(3, 12), acting_user=None)
            lifecycle.start_package(package, at=at(8, 9), acting_user=None)


def test_planning_fifteen_placements_takes_as_many_queries_as_five(
    council: Any, framework: Any, prime_1: Any
) -> None:
    place(framework, 1, 5)
    five, packages = queries_to_plan(council, prime_1)
    assert len(packages) == 5
    place(framework, 6, 10)
    fifteen, packages = queries_to_plan(council, prime_1)
    assert len(packages) == 15
    # The old code read each placement's transitions on its own: 10 more queries here.
    assert fifteen == five
    # The placements, their visits, schedule versions and suspensions, their requests'
    # transitions, and their frameworks' fee uplifts.
    assert five == 6


def test_suspensions_from_prefetched_transitions_are_the_days_in_hospital(
    council: Any, framework: Any, prime_1: Any
) -> None:
    place(framework, 1, 4)  # P-0003 is in hospital from day 3 to day 7, back on day 8
    _count, packages = queries_to_plan(council, prime_1)
    spans = {p.person_ref: p.suspensions for p in packages}
    assert spans == {
        "P-0001": (),
        "P-0002": (),
        "P-0003": ((date(2026, 3, 11), date(2026, 3, 15)),),
        "P-0004": (),
    }


def test_a_suspension_still_open_runs_to_the_end_of_the_period(
    council: Any, framework: Any, prime_1: Any
) -> None:
    package = place_package(framework, "P-0001").package
    lifecycle.suspend_package(package, reason="hospital", at=at(20, 18), acting_user=None)
    _count, packages = queries_to_plan(council, prime_1)
    assert packages[0].suspensions == ((date(2026, 3, 28), engine.period_end(PERIOD_START)),)
