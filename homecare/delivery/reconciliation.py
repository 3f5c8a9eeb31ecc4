"""Writes for reconciliation runs: run (or re-run) a period, decide exceptions, approve.

Named verb_noun, each in a transaction, each taking ``acting_user``. A run is one provider's
logs against its packages placed through one council's frameworks for a four-week period
starting on a Monday, reconciled by the engine (:func:`carecore.ecm.reconcile`) under the
council's rules file (``HOMECARE_ECM_RULES``), each visit at the rate in force on its day
under its framework's rate card (:mod:`homecare.delivery.run_inputs` reads the period once;
:mod:`homecare.delivery.invoicing` saves the lines with their streams and block hours).

Re-running a period replaces the draft run's lines, exceptions and invoice (never a second
run or invoice for one provider and period); decisions already taken on exceptions are
carried over by the exception's key. Once its invoice is approved a run is frozen.

Direct payments: a person on a direct payment buys their own care, so a run leaves out
their visit logs and planned visits: they never become a line on the provider's invoice
from the council, nor an exception to decide. The run records how many of their logged
visits it left out (``log_counts["direct_payment"]``), and its page says so.

Decisions: approving a manual log marks the log approved, so the next run pays it; rejecting
it keeps it unpaid. A late call is paid unless rejected; a rejected late call's lines are
withheld from the next run's invoice (shown as withheld on the run).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction

from carecore.ecm import load_rules, reconcile
from carecore.ecm.schema import LATE, PENDING_APPROVAL
from carecore.errors import InputError
from carecore.units import as_london
from homecare.delivery import engine, invoicing
from homecare.delivery.models import (
    Invoice,
    InvoiceLine,
    ReconciliationRun,
    VisitException,
    VisitLog,
)
from homecare.delivery.run_inputs import read_run_inputs

DECIDABLE = (PENDING_APPROVAL, LATE)
ExceptionKey = tuple[str, str, str, datetime | None]


def rules_name() -> str:
    return str(getattr(settings, "HOMECARE_ECM_RULES", "rotherham-actual"))


def check_period_start(start: Any) -> date:
    if not isinstance(start, date) or isinstance(start, datetime):
        raise InputError("expected a date", key="period_start")
    if start.weekday() != 0:
        raise InputError("a period starts on a Monday", key="period_start")
    return start


@transaction.atomic
def run_reconciliation(
    council: Any,
    provider: Any,
    period_start: date,
    *,
    now: datetime,
    acting_user: Any,
) -> ReconciliationRun:
    """Reconcile the provider's period and save its lines, exceptions and invoice."""
    start = check_period_start(period_start)
    end = engine.period_end(start)
    run = (
        ReconciliationRun.objects.select_for_update()
        .filter(council=council, provider=provider, period_start=start)
        .first()
    )
    if run is not None and run.frozen:
        raise InputError("this period's invoice is approved: the run is frozen", key="period_start")
    name = rules_name()
    rules = load_rules(name)
    inputs = read_run_inputs(council, provider, start, end)
    decisions = _decisions(run)
    if run is None:
        run = ReconciliationRun(council=council, provider=provider, period_start=start, times_run=0)
    run.period_end, run.ran_at, run.ran_by = end, now, acting_user
    run.rules_name, run.rate_card_name = name, inputs.card_name
    run.times_run += 1
    run.stale = False
    run._history_user = acting_user  # type: ignore[attr-defined]
    run.save()
    run.lines.all().delete()
    run.exceptions.all().delete()  # the invoice row is kept: its queries outlive a re-run
    if inputs.empty:
        withheld = invoicing.save_invoice(run, _no_lines(), inputs, set())
        return _save_totals(run, None, [], withheld=withheld, left_out=inputs.left_out)
    result = reconcile(
        inputs.planned, inputs.logs.actual, rules, inputs.card, approvals=inputs.logs.approvals
    )
    exceptions = _save_exceptions(
        run, result.exceptions, inputs.logs.entries(), decisions, acting_user
    )
    rejected_late = {e.planned_id for e in exceptions if e.kind == LATE and e.status == "rejected"}
    withheld = invoicing.save_invoice(run, result.invoice_lines, inputs, rejected_late)
    return _save_totals(run, result, exceptions, withheld=withheld, left_out=inputs.left_out)


def _no_lines() -> pl.DataFrame:
    from carecore.ecm.reconcile import LINE_COLUMNS

    return pl.DataFrame({c: [] for c in LINE_COLUMNS}).with_columns(
        pl.col("amount_pence").cast(pl.Int64), pl.col("planned_id").cast(pl.String)
    )


def exception_key(kind: str, planned_id: str, carer_id: str, check_in: datetime | None) -> Any:
    return (kind, planned_id or "", carer_id or "", as_london(check_in) if check_in else None)


def _decisions(run: ReconciliationRun | None) -> dict[Any, VisitException]:
    if run is None:
        return {}
    return {
        exception_key(e.kind, e.planned_id, e.carer_id, e.check_in): e
        for e in run.exceptions.exclude(status=VisitException.Status.NOTED).exclude(
            status=VisitException.Status.PENDING
        )
    }


def _save_exceptions(
    run: ReconciliationRun,
    frame: pl.DataFrame,
    logs: dict[engine.LogKey, tuple[int, str]],
    decisions: dict[Any, VisitException],
    acting_user: Any,
) -> list[VisitException]:
    rows = []
    for item in frame.iter_rows(named=True):
        kind = item["kind"]
        key = (item["provider_ref"], item["person_ref"], item["carer_id"], item["check_in"])
        log_id, approval = logs.get(key, (None, "")) if item["carer_id"] else (None, "")
        row = VisitException(
            run=run,
            kind=kind,
            planned_id=item["planned_id"] or "",
            planned_start=item["planned_start"],
            person_ref=item["person_ref"],
            carer_id=item["carer_id"] or "",
            check_in=item["check_in"],
            check_out=item["check_out"],
            method=item["method"] or "",
            detail=item["reason"] or "",
            action=item["action"] or "",
            log_id=log_id,
            status=VisitException.Status.NOTED,
        )
        # A manual log is decided on the log itself (the visit's own row is for information).
        if kind == LATE or (kind == PENDING_APPROVAL and log_id is not None):
            row.status = VisitException.Status.PENDING
        if kind == PENDING_APPROVAL and log_id is not None and approval == "rejected":
            row.status = VisitException.Status.REJECTED
        earlier = decisions.get(exception_key(kind, row.planned_id, row.carer_id, row.check_in))
        if earlier is not None and row.status != VisitException.Status.NOTED:
            row.status, row.reason = earlier.status, earlier.reason
            row.decided_by_id, row.decided_at = earlier.decided_by_id, earlier.decided_at
        row._history_user = acting_user  # type: ignore[attr-defined]
        rows.append(row)
    for row in rows:
        row.save()  # one by one, so each decision's history starts with its row
    return rows


def _save_totals(
    run: ReconciliationRun,
    result: Any,
    exceptions: list[VisitException],
    *,
    withheld: int,
    left_out: int,
) -> ReconciliationRun:
    if result is None:
        run.planned_visits = run.planned_carer_minutes = run.payable_carer_minutes = 0
        run.total_pence, run.withheld_pence = run.invoice.total_pence, 0
        run.outcome_counts, run.log_counts = {}, {}
    else:
        summary = result.summary
        invoice = run.invoice
        run.planned_visits = sum(p.planned_visits for p in summary.providers)
        run.planned_carer_minutes = summary.planned_carer_minutes
        run.payable_carer_minutes = int(
            InvoiceLine.objects.filter(run=run)
            .exclude(outcome=invoicing.BLOCK_OUTCOME)
            .aggregate(m=_sum("payable_minutes"))["m"]
            or 0
        )
        run.total_pence, run.withheld_pence = invoice.total_pence, withheld
        run.outcome_counts = {k: v for k, v in summary.visit_outcomes.items() if v}
        run.log_counts = {k: v for k, v in summary.log_statuses.items() if v}
    if left_out:
        run.log_counts["direct_payment"] = left_out
    run.save()
    return run


def _sum(field: str) -> Any:
    from django.db.models import Sum

    return Sum(field)


class DecisionConflict(InputError):
    """Another officer decided the exception after the deciding officer's page was loaded."""


@transaction.atomic
def decide_exception(
    exception: VisitException,
    *,
    approve: bool,
    reason: str,
    now: datetime,
    acting_user: Any,
    version: int | None = None,
) -> VisitException:
    """Approve or reject a manual log or a late call, with a reason; re-run to pay it.

    ``version`` is the exception's version the officer's page showed: if another decision
    was recorded since, this one is refused (:class:`DecisionConflict`), never put over it.
    """
    exception = (
        VisitException.objects.select_for_update(of=("self",))
        .select_related("run", "decided_by")
        .get(pk=exception.pk)
    )
    if exception.kind not in DECIDABLE:
        raise InputError("only manual logs and late calls are approved or rejected", key="kind")
    if version is not None and exception.version != version:
        raise _conflict(exception)
    _check_decision(exception.run, reason)
    _apply_decision(exception, approve, reason.strip(), now, acting_user)
    ReconciliationRun.objects.filter(pk=exception.run_id).update(stale=True)
    return exception


@transaction.atomic
def decide_exceptions(
    run: ReconciliationRun,
    *,
    kind: str,
    approve: bool,
    reason: str,
    now: datetime,
    acting_user: Any,
    times_run: int | None = None,
) -> int:
    """Approve or reject, with one reason, every exception of ``kind`` in the run still
    waiting for a decision (decisions already taken are left as they are); returns how many.
    Each is recorded as if decided on its own, with its own history entry.

    ``times_run`` is the run the officer's page showed: if the period was re-run since, its
    exceptions are new ones the officer has not seen, and the decision is refused.
    """
    if kind not in DECIDABLE:
        raise InputError("only manual logs and late calls are approved or rejected", key="kind")
    run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
    if times_run is not None and run.times_run != times_run:
        raise DecisionConflict(
            f"The period was re-run at {as_london(run.ran_at):%H:%M} while you were looking, so "
            "its exceptions may have changed: nothing was decided. Look at them again below.",
            key="exception",
        )
    _check_decision(run, reason)
    waiting = list(
        # Lock the exceptions only: PostgreSQL refuses to lock the optional log's side of the
        # outer join that select_related makes.
        run.exceptions.select_for_update(of=("self",))
        .filter(kind=kind, status=VisitException.Status.PENDING)
        .select_related("log")
    )
    for exception in waiting:
        _apply_decision(exception, approve, reason.strip(), now, acting_user)
    if waiting:
        ReconciliationRun.objects.filter(pk=run.pk).update(stale=True)
    return len(waiting)


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


def _check_decision(run: ReconciliationRun, reason: str) -> None:
    if run.frozen:
        raise InputError("the run is frozen: its invoice is approved", key="exception")
    if not reason.strip():
        raise InputError("give a reason for the decision", key="reason")


def _apply_decision(
    exception: VisitException, approve: bool, reason: str, now: datetime, acting_user: Any
) -> None:
    exception.status = VisitException.Status.APPROVED if approve else VisitException.Status.REJECTED
    exception.reason, exception.decided_by, exception.decided_at = reason, acting_user, now
    exception.version += 1  # under the row's lock
    exception._history_user = acting_user  # type: ignore[attr-defined]
    exception.save()
    if exception.kind == PENDING_APPROVAL and exception.log_id is not None:
        log = exception.log
        log.approval = VisitLog.Approval.APPROVED if approve else VisitLog.Approval.REJECTED
        log._history_user = acting_user  # type: ignore[attr-defined]
        log.save(update_fields=["approval"])


def _conflict(exception: VisitException) -> DecisionConflict:
    """The refusal of a decision on a page older than ``exception``'s latest decision, with
    that decision in words."""
    if exception.status == VisitException.Status.PENDING or exception.decided_at is None:
        decided = "its decision was withdrawn"
    else:
        who = exception.decided_by
        name = (who.get_full_name() or who.username) if who is not None else "the system"
        decided = (
            f"{exception.get_status_display().lower()} by {name}"
            f"{f', reason: “{exception.reason}”' if exception.reason else ''}"
        )
    when = f" at {as_london(exception.decided_at):%H:%M}" if exception.decided_at else ""
    return DecisionConflict(
        f"Another officer decided this exception{when} while you were looking: {decided}. "
        "Your decision was not recorded: see theirs below, and decide again if you disagree.",
        key="exception",
    )


@transaction.atomic
def approve_invoice(run: ReconciliationRun, *, now: datetime, acting_user: Any) -> Invoice:
    """Approve the run's invoice for payment: the run is frozen from now on."""
    run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
    if run.frozen:
        raise InputError("the invoice is already approved", key="invoice")
    if run.exceptions.filter(status=VisitException.Status.PENDING).exists():
        raise InputError("decide every exception and re-run before approving", key="invoice")
    if run.stale:
        raise InputError("re-run the period to apply the latest decisions first", key="invoice")
    invoice = run.invoice
    invoice.status, invoice.approved_by, invoice.approved_at = "approved", acting_user, now
    invoice._history_user = acting_user  # type: ignore[attr-defined]
    invoice.save()
    run.status = ReconciliationRun.Status.APPROVED
    run._history_user = acting_user  # type: ignore[attr-defined]
    run.save(update_fields=["status"])
    return invoice
