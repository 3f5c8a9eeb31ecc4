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


def test_a_utf16_upload_ends_failed_on_postgresql(prime_1: Any, placed: Any) -> None:
    from homecare.delivery import actions
    from homecare.delivery.models import LogUpload
    from homecare.delivery.testing import at as when
    from homecare.delivery.testing import csv_bytes, log_row

    rows = [log_row(prime_1, "P-0001", when(1, 8, 2), 31)]
    stored = LogUpload.objects.create(
        provider=prime_1,
        file_name="logs.csv",
        sha256="x",
        format="csv",
        content=csv_bytes(rows).decode().encode("utf-16"),
        uploaded_at=NOW,
    )
    try:
        actions.import_upload(stored.pk, now=NOW)
    except Exception as exc:  # refused outright is fine; left importing is not
        assert "NUL" not in str(exc)
    stored.refresh_from_db()
    assert stored.status == LogUpload.Status.FAILED and stored.finished_at is not None
