"""Background work: reconciling every provider of a council for a period (django-tasks).

Each period run first fails the period runs whose worker died, as each import does for
imports; ``recover_stale_period_runs`` is also what the ``recover_stale_work`` command calls
beside the worker, so a dead run is failed even when no new work arrives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task


@task()
def run_period_task(period_run_id: int) -> str:
    """Reconcile every provider of one queued period run; returns its final status."""
    from homecare.finance.period_runs import run_period

    recover_stale_period_runs(now=timezone.now())
    return run_period(period_run_id).status


def recover_stale_period_runs(*, now: datetime) -> list[Any]:
    """Fail the period runs whose worker died, and the worker's own record of their tasks
    (which would otherwise say "running" for ever); returns the period runs failed."""
    from homecare.finance.period_runs import fail_stale_period_runs

    failed = fail_stale_period_runs(now=now)
    fail_period_task_records([period.pk for period in failed], now=now)
    return failed


def fail_period_task_records(period_run_ids: Iterable[int], *, now: datetime) -> int:
    """Mark the database backend's running records of these period runs' tasks failed."""
    from homecare.delivery.tasks import fail_task_records

    return fail_task_records(
        period_run_ids,
        now=now,
        task_name="run_period_task",
        why="The worker reconciling this period stopped reporting; the run was failed so "
        "that the period can be started again.",
    )
