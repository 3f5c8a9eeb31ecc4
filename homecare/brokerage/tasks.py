"""Background work: offer time-outs and offer emails, through Django's tasks interface
(django-tasks)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def expire_offers_task() -> int:
    """Expire offers past their deadline and send the next rounds; returns how many expired."""
    from homecare.brokerage.actions import expire_offers

    return expire_offers(timezone.now())


@task()
def notify_new_offers_task(offer_ids: list[int]) -> int:
    """Email the offered providers' users about these offers; returns how many emails went."""
    from homecare.brokerage.notifications import notify_new_offers

    return notify_new_offers(offer_ids)
