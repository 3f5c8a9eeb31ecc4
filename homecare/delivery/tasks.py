"""Background work: importing an uploaded file of visit logs (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_upload_task(upload_id: int) -> str:
    """Import one upload; returns its final status."""
    from homecare.delivery.actions import import_upload

    return import_upload(upload_id).status
