"""Background work: importing an uploaded file of visit logs (django-tasks).

Each import first fails the imports whose worker died (killed mid-import, the machine
restarted): a worker that starts work also clears what a dead one left "Importing". The
``recover_stale_work`` command does the same on its own, for a worker that gets no new work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus


@task()
def import_upload_task(upload_id: int) -> str:
    """Import one upload; returns its final status."""
    recover_stale_work(now=timezone.now())
    from homecare.delivery.actions import import_upload

    return import_upload(upload_id).status


def recover_stale_work(*, now: datetime) -> list[Any]:
    """Fail the imports whose worker died, and the worker's own record of their tasks (which
    would otherwise say "running" for ever in the task list), and the period runs whose
    worker stopped reporting; returns the uploads failed."""
    from homecare.delivery.actions import fail_stale_imports

    failed = fail_stale_imports(now=now)
    fail_task_records([upload.pk for upload in failed], now=now)
    from homecare.finance.period_tasks import recover_stale_period_runs

    recover_stale_period_runs(now=now)
    return failed


IMPORT_STOPPED = (
    "The worker running this import stopped reporting; the import was failed so that its "
    "file can be sent again."
)


def fail_task_records(
    ids: Iterable[int],
    *,
    now: datetime,
    task_name: str = "import_upload_task",
    why: str = IMPORT_STOPPED,
) -> int:
    """Mark the database backend's running records of ``task_name`` tasks whose first
    argument is one of ``ids`` failed, saying ``why`` (one way for every background run:
    imports here, period runs in :mod:`homecare.finance.period_tasks`)."""
    wanted = set(ids)
    if not wanted or not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult  # only where that backend is installed

    records = DBTaskResult.objects
    running = records.filter(status=TaskResultStatus.RUNNING, task_path__endswith=f".{task_name}")
    stale = [
        record.pk
        for record in running.only("pk", "args_kwargs")
        if set((record.args_kwargs or {}).get("args", [])[:1]) & wanted
    ]
    return records.filter(pk__in=stale).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="builtins.RuntimeError",
        traceback=why,
    )
