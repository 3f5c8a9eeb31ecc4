"""Data for the tests of period runs, queries, credit notes and remittances, made the way
real data is made: placed packages, an upload of visit logs, a run and its decisions.

The period is the four weeks from Monday 9 March 2026. With the delivery tests' fixtures,
P-0001 and P-0002 have a daily 08:00 visit of 30 minutes with Prime 1 at £20.00 an hour,
P-0003 with Prime 2. Prime 1's hand-checked logs: P-0001 day 1 08:02 for 31 min (1033p);
day 2 08:40 for 28 min, late (933p); P-0002 day 1 manual, 30 min (1000p once approved).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homecare.brokerage.testing import LONDON, NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import ReconciliationRun
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row

AFTER = datetime(2026, 4, 7, 9, 0, tzinfo=LONDON)  # the Tuesday after the period ended
TASK_SETTINGS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def use_immediate_tasks(settings: Any) -> None:
    """The delivery tests' settings: tasks run at once, the Rotherham rules, bad rows refused."""
    settings.TASKS = TASK_SETTINGS
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"


def upload(provider: Any, rows: list[dict[str, str]]) -> Any:
    created = actions.create_upload(
        provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
    )
    return actions.import_upload(created.pk, now=NOW)


def hand_checked_logs(prime_1: Any, *extra: dict[str, str]) -> Any:
    return upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(1, 8, 2), 31),
            log_row(prime_1, "P-0001", at(2, 8, 40), 28),
            log_row(prime_1, "P-0002", at(1, 8, 0), 30, method="manual"),
            *extra,
        ],
    )


def run(council: Any, provider: Any, user: Any) -> ReconciliationRun:
    return reconciliation.run_reconciliation(
        council, provider, PERIOD_START, now=NOW, acting_user=user
    )


def decide(result: ReconciliationRun, kind: str, *, approve: bool, user: Any, reason: str) -> None:
    for exception in result.exceptions.filter(kind=kind, status="pending"):
        reconciliation.decide_exception(
            exception, approve=approve, reason=reason, now=NOW, acting_user=user
        )


def approved_run(council: Any, provider: Any, user: Any) -> ReconciliationRun:
    """Prime 1's period with the manual log approved and the late call accepted, re-run and
    approved: 1033 + 933 + 1000 = 2966p."""
    first = run(council, provider, user)
    decide(first, "pending_approval", approve=True, user=user, reason="carer's timesheet seen")
    decide(first, "late", approve=True, user=user, reason="traffic on the ring road")
    again = run(council, provider, user)
    reconciliation.approve_invoice(again, now=NOW, acting_user=user)
    again.refresh_from_db()
    return again
