"""What a remittance lists: what was paid and what was withheld, each with its reason.

``remittance_entries(run)`` gives one dict an entry, in this order:

1. ``paid``: each invoice line, in invoice order, with its pence.
2. ``withheld``: from the run's exceptions, by visit time: rejected late calls (the lines the
   run withheld, with the officer's reason), rejected manual logs (with the officer's
   reason), missed visits with no line paid, and unplanned visits with no line paid.
3. ``credit_note`` and ``reinvoice``: the invoice's adjustments, in the order issued.

Each entry has the same keys: ``section`` (above), ``kind`` (the line's outcome or the
exception's kind), ``number`` (an adjustment's number, else ""), ``visit`` (the planned
visit's reference, else ""), ``person`` (reference, else ""), ``when`` (the visit's time in
London, or an adjustment's date; None when unknown), ``carer``, ``description``, ``pence``
(an int; None where the amount is not known: a visit the run never priced) and ``reason``
(plain words; empty for a line paid).

The pence withheld for rejected late calls are known per run (``withheld_pence``), not per
call: with one rejected late call its entry carries them; with several, each carries None
and a last ``withheld`` entry of kind ``late_total`` carries the run's total, so the pence
of the ``withheld`` entries always add up to what the run withheld.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carecore.ecm.schema import LATE, MISSED, PENDING_APPROVAL, UNPLANNED
from carecore.units import as_london
from homecare.delivery.models import ReconciliationRun, VisitException
from homecare.finance.models import Adjustment

PAID = "paid"
WITHHELD = "withheld"
CREDIT_NOTE = "credit_note"
REINVOICE = "reinvoice"
LATE_TOTAL = "late_total"

REJECTED = VisitException.Status.REJECTED


def _entry(section: str, kind: str, **values: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "section": section,
        "kind": kind,
        "number": "",
        "visit": "",
        "person": "",
        "when": None,
        "carer": "",
        "description": "",
        "pence": None,
        "reason": "",
    }
    entry.update(values)
    return entry


def _london(moment: datetime | None) -> datetime | None:
    return as_london(moment) if moment is not None else None


def _words(kind: str) -> str:
    return kind.replace("_", " ")


def remittance_entries(run: ReconciliationRun) -> list[dict[str, Any]]:
    """The remittance of ``run``: paid lines, withheld items, then adjustments."""
    lines = list(run.lines.select_related("person").order_by("position"))
    entries = [_paid(line) for line in lines]
    entries += _withheld(run, lines)
    invoice = getattr(run, "invoice", None)
    if invoice is not None:
        entries += [_adjustment(a) for a in Adjustment.objects.filter(invoice=invoice)]
    return entries


def _paid(line: Any) -> dict[str, Any]:
    minutes = f"{line.payable_minutes} minute{'' if line.payable_minutes == 1 else 's'}"
    what = _words(line.outcome).capitalize()
    return _entry(
        PAID,
        line.outcome,
        visit=line.planned_id,
        person=line.person.reference if line.person is not None else "",
        when=_london(line.visit_start),
        carer=line.carer_id,
        description=f"{what}, {minutes}" + (f", carer {line.carer_id}" if line.carer_id else ""),
        pence=line.amount_pence,
    )


def _withheld(run: ReconciliationRun, lines: list[Any]) -> list[dict[str, Any]]:
    paid_visits = {line.planned_id for line in lines if line.planned_id}
    paid_logs = {(line.carer_id, line.check_in) for line in lines if line.check_in}
    wanted = run.exceptions.filter(kind__in=(LATE, PENDING_APPROVAL, MISSED, UNPLANNED))
    late: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for exception in wanted.order_by("planned_start", "check_in", "pk"):
        kind = exception.kind
        if kind == LATE and exception.status == REJECTED:
            if exception.planned_id in paid_visits:
                continue  # rejected since the last run: still paid until the period is re-run
            late.append(_exception(exception, "Late call", _officer(exception)))
        elif kind == PENDING_APPROVAL and exception.status == REJECTED and exception.carer_id:
            others.append(_exception(exception, "Manual log", _officer(exception)))
        elif kind == MISSED and exception.planned_id not in paid_visits:
            others.append(
                _exception(
                    exception,
                    "Missed visit",
                    "No carer's log was received for this planned visit, so it was not paid.",
                )
            )
        elif kind == UNPLANNED and (exception.carer_id, exception.check_in) not in paid_logs:
            others.append(
                _exception(
                    exception,
                    "Unplanned visit",
                    "No planned visit matched this log, so it was not paid.",
                )
            )
    if len(late) == 1:
        late[0]["pence"] = run.withheld_pence
    items = sorted(late + others, key=_by_time)
    if len(late) > 1:
        items.append(
            _entry(
                WITHHELD,
                LATE_TOTAL,
                description=f"The {len(late)} rejected late calls above",
                pence=run.withheld_pence,
                reason="Withheld for the rejected late calls together.",
            )
        )
    return items


def _by_time(entry: dict[str, Any]) -> tuple[bool, float]:
    when = entry["when"]
    return when is None, when.timestamp() if when is not None else 0.0


def _officer(exception: VisitException) -> str:
    reason = exception.reason.strip()
    said = f": “{reason}”" if reason else ""
    return f"Rejected by the council{said}."


def _exception(exception: VisitException, what: str, reason: str) -> dict[str, Any]:
    when = exception.planned_start or exception.check_in
    if exception.kind == UNPLANNED:  # no plan: its time is the carer's check-in
        when = exception.check_in or when
    carer = f", carer {exception.carer_id}" if exception.carer_id else ""
    return _entry(
        WITHHELD,
        exception.kind,
        visit=exception.planned_id,
        person=exception.person_ref,
        when=_london(when),
        carer=exception.carer_id,
        description=f"{what}{carer}",
        reason=reason,
    )


def _adjustment(adjustment: Adjustment) -> dict[str, Any]:
    section = CREDIT_NOTE if adjustment.kind == Adjustment.Kind.CREDIT else REINVOICE
    return _entry(
        section,
        adjustment.kind,
        number=adjustment.number,
        when=_london(adjustment.created_at),
        description=f"{adjustment.get_kind_display()} {adjustment.number}",
        pence=adjustment.total_pence,
        reason=adjustment.reason,
    )
