"""Deciding the exceptions a finance officer chose in a run's table: one decision and one
reason for each, every one recorded as if decided alone (the helpers of
:mod:`homecare.delivery.reconciliation`), and a decision taken since the page was loaded
refused with that decision in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.delivery.reconciliation import (
    DECIDABLE,
    DecisionConflict,
    _apply_decision,
    _check_decision,
    _conflict,
)


@transaction.atomic
def decide_chosen_exceptions(
    run: ReconciliationRun,
    *,
    chosen: dict[int, int],
    approve: bool,
    reason: str,
    now: datetime,
    acting_user: Any,
) -> int:
    """Approve or reject, with one reason, the run's exceptions ``chosen`` (primary key to
    the version the officer's page showed); returns how many. Nothing is decided if one of
    them was decided since, or is no longer the run's (a re-run replaced it)."""
    run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
    _check_decision(run, reason)
    exceptions = list(
        run.exceptions.select_for_update(of=("self",))
        .filter(pk__in=list(chosen), kind__in=DECIDABLE)
        .exclude(status=VisitException.Status.NOTED)
        .select_related("log", "decided_by")
        .order_by("pk")
    )
    if len(exceptions) != len(chosen):
        raise DecisionConflict(
            "The period was re-run while you were looking, so some of the exceptions you "
            "chose have been replaced: nothing was decided. Choose them again below.",
            key="exception",
        )
    for exception in exceptions:
        if exception.version != chosen[exception.pk]:
            raise _conflict(exception)
    for exception in exceptions:
        _apply_decision(exception, approve, reason.strip(), now, acting_user)
    ReconciliationRun.objects.filter(pk=run.pk).update(stale=True)
    return len(exceptions)
