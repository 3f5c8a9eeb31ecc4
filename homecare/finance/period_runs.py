"""Every provider of a council reconciled for one four-week period, in the background.

``start_period_run`` checks the period (a Monday, ended before today, no run of it already
under way), saves a queued :class:`~homecare.finance.models.PeriodRun` and queues the task;
``run_period`` is what the task does: it reconciles each provider with placements through
the council's frameworks in the period (:func:`homecare.delivery.reconciliation.
run_reconciliation`), one transaction a provider, and saves the provider's result, the
progress and a heartbeat after each. A provider whose invoice is already approved is left
as it is ("already approved"); a provider the reconciliation refuses (an ``InputError``)
gets that message on its entry and the others go on. Only an unexpected error fails the
whole run, with its message; the providers reconciled before it keep their results.

A run whose worker died (killed, the machine restarted) stops reporting: after
:func:`stale_minutes` without a heartbeat ``fail_stale_period_runs`` fails it with the
reason, so the officer can start the period again.

Progress is written with ``update()`` outside any long transaction, so the run's page sees
it while the task works.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carecore.errors import InputError
from carecore.units import as_london
from homecare.accounts.models import Organisation, audited
from homecare.brokerage.models import Placement
from homecare.commissioning.models import Provider
from homecare.delivery import engine, reconciliation
from homecare.delivery.models import ReconciliationRun
from homecare.finance.models import PeriodRun

UNDER_WAY = (PeriodRun.Status.QUEUED, PeriodRun.Status.RUNNING)
DEFAULT_STALE_MINUTES = 15

# What became of one provider in a period run (the ``outcome`` of its entry).
RECONCILED = "reconciled"
ALREADY_APPROVED = "already approved"
REFUSED = "refused"


def stale_minutes() -> int:
    """How long a period run's worker may go without reporting before it is taken for dead
    (``HOMECARE_PERIOD_RUN_STALE_MINUTES``, else the imports' ``HOMECARE_IMPORT_STALE_MINUTES``):
    longer than the reconciliation of the largest provider, which reports when it ends."""
    minutes = getattr(settings, "HOMECARE_PERIOD_RUN_STALE_MINUTES", None)
    if minutes is None:
        minutes = getattr(settings, "HOMECARE_IMPORT_STALE_MINUTES", DEFAULT_STALE_MINUTES)
    return int(minutes)


def check_period(period_start: Any, *, now: datetime) -> tuple[date, date]:
    """The period's first and last days: it starts on a Monday and has ended before today."""
    start = reconciliation.check_period_start(period_start)
    end = engine.period_end(start)
    if end >= as_london(now).date():
        raise InputError(
            f"the period has not ended yet: it ends on {end:%A %-d %B %Y}; choose a period "
            "that ended before today",
            key="period_start",
        )
    return start, end


def providers_in_period(council: Organisation, start: date, end: date) -> list[Provider]:
    """The providers with placements through the council's frameworks in the period, and
    those already run for it, by name."""
    first, _after = engine.period_bounds(start, end)
    placed = (
        Placement.objects.filter(request__framework__council=council, package__start_date__lte=end)
        .exclude(ended_at__lt=first)
        .exclude(package__end_date__lt=start)
        .values("provider")
    )
    ran = ReconciliationRun.objects.filter(council=council, period_start=start).values("provider")
    return list(
        Provider.objects.filter(Q(pk__in=placed) | Q(pk__in=ran))
        .select_related("organisation")
        .order_by("name", "pk")
    )


@transaction.atomic
def start_period_run(
    council: Organisation, period_start: Any, *, now: datetime, acting_user: Any
) -> PeriodRun:
    """Queue the reconciliation of every provider of the council for the period.

    Refused while a run of the same council and period is waiting or running."""
    if council.kind != Organisation.Kind.COUNCIL:
        raise InputError(f"{council} is not a council", key="council")
    start, end = check_period(period_start, now=now)
    # One officer at a time starts a council's runs: the check below then holds.
    Organisation.objects.select_for_update().filter(pk=council.pk).first()
    under_way = PeriodRun.objects.filter(
        council=council, period_start=start, status__in=UNDER_WAY
    ).first()
    if under_way is not None:
        raise InputError(
            f"every provider's {start:%-d %B %Y} period is already being reconciled "
            f"({under_way.get_status_display().lower()}): wait for that run to finish",
            key="period_start",
        )
    period = PeriodRun(
        council=council,
        period_start=start,
        progress_total=len(providers_in_period(council, start, end)),
        created_by=acting_user,
        created_at=now,
    )
    audited(period, acting_user).save()
    from homecare.finance.period_tasks import run_period_task

    transaction.on_commit(lambda: run_period_task.enqueue(period.pk))
    return period


def run_period(period_run_id: int, *, now: datetime | None = None) -> PeriodRun:
    """Reconcile every provider of a queued period run (the background task). Returns the
    run as it ended; a run not waiting to start (taken by another worker, already done) is
    returned as it is."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    started = clock()
    claimed = PeriodRun.objects.filter(pk=period_run_id, status=PeriodRun.Status.QUEUED).update(
        status=PeriodRun.Status.RUNNING, started_at=started, heartbeat_at=started
    )
    period = PeriodRun.objects.select_related("council", "created_by").get(pk=period_run_id)
    if not claimed:
        return period
    results: list[dict[str, Any]] = []
    try:
        end = engine.period_end(period.period_start)
        providers = providers_in_period(period.council, period.period_start, end)
        if not _report(period, progress_total=len(providers), heartbeat_at=clock()):
            return _reread(period)
        for provider in providers:
            results.append(_reconcile_one(period, provider, now=clock()))
            alive = _report(
                period, results=list(results), progress_done=len(results), heartbeat_at=clock()
            )
            if not alive:  # failed meanwhile as stale: another worker may start it again
                return _reread(period)
    except Exception as exc:  # the page must say what went wrong, whatever it was
        detail = traceback.format_exception_only(exc)[-1].strip()
        return _finish(period, PeriodRun.Status.FAILED, clock(), error=detail)
    return _finish(period, PeriodRun.Status.DONE, clock())


def _reconcile_one(period: PeriodRun, provider: Provider, *, now: datetime) -> dict[str, Any]:
    """One provider's period, in its own transaction; its entry in the run's results."""
    entry: dict[str, Any] = {
        "provider": provider.pk,
        "name": provider.name,
        "run": None,
        "error": "",
        "outcome": RECONCILED,
    }
    with transaction.atomic():
        existing = ReconciliationRun.objects.filter(
            council=period.council, provider=provider, period_start=period.period_start
        ).first()
        if existing is not None and existing.frozen:
            entry.update(run=existing.pk, outcome=ALREADY_APPROVED)
            return entry
        try:
            run = reconciliation.run_reconciliation(
                period.council,
                provider,
                period.period_start,
                now=now,
                acting_user=period.created_by,
            )
        except InputError as exc:
            entry.update(
                run=existing.pk if existing is not None else None,
                error=exc.message,
                outcome=REFUSED,
            )
            return entry
    entry["run"] = run.pk
    return entry


def _report(period: PeriodRun, **values: Any) -> bool:
    """Save progress at once while the run is still running; False when it is not (failed
    meanwhile as stale)."""
    saved = PeriodRun.objects.filter(pk=period.pk, status=PeriodRun.Status.RUNNING).update(**values)
    for name, value in values.items():
        setattr(period, name, value)
    return bool(saved)


def _reread(period: PeriodRun) -> PeriodRun:
    period.refresh_from_db()
    return period


def _finish(period: PeriodRun, status: str, at: datetime, **values: Any) -> PeriodRun:
    """End a running run (one failed meanwhile as stale keeps that end), in its history."""
    with transaction.atomic():
        current = PeriodRun.objects.select_for_update().get(pk=period.pk)
        if current.status != PeriodRun.Status.RUNNING:
            return current
        for name, value in values.items():
            setattr(current, name, value)
        current.status, current.finished_at, current.heartbeat_at = status, at, at
        audited(current, None).save()
    return current


@transaction.atomic
def fail_stale_period_runs(*, now: datetime) -> list[PeriodRun]:
    """Fail every running period run whose worker has not reported for
    :func:`stale_minutes`, with the reason; returns them. What was reconciled before it
    stopped stays; the officer starts the period again for the rest."""
    minutes = stale_minutes()
    cutoff = now - timedelta(minutes=minutes)
    stale = list(
        PeriodRun.objects.select_for_update(skip_locked=True)
        .filter(status=PeriodRun.Status.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    )
    for period in stale:
        last = as_london(period.heartbeat_at or period.created_at)
        period.status, period.finished_at = PeriodRun.Status.FAILED, now
        period.error = (
            f"the run stopped: the worker running it last reported at {last:%H:%M} on "
            f"{last:%-d %B %Y} and had not reported for more than {minutes} minutes. The "
            "providers reconciled before it stopped keep their results; start the period "
            "again to reconcile the others"
        )
        audited(period, None).save()
    return stale
