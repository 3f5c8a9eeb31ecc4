"""The demo's queries: an answered one on an approved invoice, one waiting on a provisional
invoice; loading again adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from homecare.brokerage.testing import LONDON
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START, log_row, provider_persona
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance.demo_queries import load_queries
from homecare.finance.tests.period_data import (
    AFTER,
    approved_run,
    hand_checked_logs,
    use_immediate_tasks,
)

NEXT_PERIOD_VISIT = datetime(2026, 4, 6, 8, 0, tzinfo=LONDON)  # Monday of the next period


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    use_immediate_tasks(settings)


def test_the_demo_has_an_answered_query_and_one_waiting(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    provider_user = provider_persona(prime_1, "provider-a")
    hand_checked_logs(prime_1, log_row(prime_1, "P-0001", NEXT_PERIOD_VISIT, 30))
    approved = approved_run(council, prime_1, finance).invoice
    later = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START + timedelta(days=28), now=AFTER, acting_user=finance
    ).invoice
    now = AFTER + timedelta(days=30)
    answered, waiting = load_queries(council, now=now)
    assert (answered.invoice, answered.status, answered.outcome) == (
        approved,
        "closed",
        "not_upheld",
    )
    assert [m.from_council for m in answered.messages.all()] == [False, True, False, True]
    assert max(m.at for m in answered.messages.all()) < now
    assert (waiting.invoice, waiting.status, waiting.raised_by) == (later, "open", provider_user)
    assert load_queries(council, now=now) == []
