"""Background work: building a kept document (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_document_task(kept_id: int) -> str:
    """Build one queued document; returns its final status."""
    from homecare.finance.documents_kept import build_document

    return build_document(kept_id).status
