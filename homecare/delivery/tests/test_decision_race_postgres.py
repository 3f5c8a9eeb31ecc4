"""Two finance officers deciding one exception at the same moment on PostgreSQL, both from
pages showing it undecided: exactly one decision is recorded, the other refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from homecare.brokerage.testing import NOW
from homecare.brokerage.tests.test_concurrency_postgres import on_postgres
from homecare.delivery import reconciliation
from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.delivery.tests.test_bulk_decisions import result  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]


@pytest.fixture(autouse=True)
def _everything_on_postgres() -> Iterator[None]:
    with on_postgres():
        yield


def test_two_simultaneous_decisions_from_the_same_page_record_exactly_one(
    result: ReconciliationRun,  # noqa: F811
    finance: Any,
) -> None:
    late = result.exceptions.filter(kind="late").order_by("planned_start").first()
    assert late is not None and late.version == 0
    barrier = threading.Barrier(2)
    outcomes: dict[bool, Any] = {}

    def decide(approve: bool) -> None:
        with on_postgres():
            barrier.wait()
            try:
                outcomes[approve] = reconciliation.decide_exception(
                    late,
                    approve=approve,
                    reason="checked",
                    now=NOW,
                    acting_user=finance,
                    version=0,
                )
            except Exception as exc:  # the test inspects what each officer got
                outcomes[approve] = exc

    threads = [threading.Thread(target=decide, args=(choice,)) for choice in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    recorded = [o for o in outcomes.values() if isinstance(o, VisitException)]
    refused = [o for o in outcomes.values() if isinstance(o, reconciliation.DecisionConflict)]
    assert (len(recorded), len(refused)) == (1, 1), outcomes
    late.refresh_from_db()
    assert late.version == 1
    assert late.status == recorded[0].status
    assert "while you were looking" in refused[0].message
