"""Background work: offer time-outs, through Django's tasks interface (django-tasks)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def expire_offers_task() -> int:
    """Expire offers past their deadline and send the next rounds; returns how many expired."""
    from homecare.brokerage.actions import expire_offers

    return expire_offers(timezone.now())
