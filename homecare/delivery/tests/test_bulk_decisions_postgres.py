"""Deciding several exceptions at once on a real PostgreSQL server, where locking rows across
an outer join (an exception's log is optional) is refused unless only the exceptions are
locked. Every write here goes to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from homecare.brokerage.testing import NOW
from homecare.brokerage.tests.test_concurrency_postgres import on_postgres
from homecare.delivery import reconciliation
from homecare.delivery.models import ReconciliationRun, VisitException, VisitLog
from homecare.delivery.tests.test_bulk_decisions import result  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]


@pytest.fixture(autouse=True)
def _everything_on_postgres() -> Iterator[None]:
    with on_postgres():
        yield


def test_every_manual_log_is_approved_at_once_on_postgresql(
    result: ReconciliationRun,  # noqa: F811
    finance: Any,
) -> None:
    from django.db import connection

    assert connection.vendor == "postgresql"
    count = reconciliation.decide_exceptions(
        result,
        kind="pending_approval",
        approve=True,
        reason="rota checked",
        now=NOW,
        acting_user=finance,
    )
    assert count == 2
    manual = VisitLog.objects.filter(method="manual")
    assert set(manual.values_list("approval", flat=True)) == {"approved"}
    assert not result.exceptions.filter(
        kind="pending_approval", status=VisitException.Status.PENDING
    ).exists()
