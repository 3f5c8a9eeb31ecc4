"""Background work: importing an uploaded file of visit logs (django-tasks).

Each import first fails the imports whose worker died (killed mid-import, the machine
restarted): a worker that starts work also clears what a dead one left "Importing". The
``recover_stale_work`` command does the same on its own, for a worker that gets no new work.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def import_upload_task(upload_id: int) -> str:
    """Import one upload; returns its final status."""
    from homecare.delivery.actions import fail_stale_imports, import_upload

    fail_stale_imports(now=timezone.now())
    return import_upload(upload_id).status
