"""Reconciliation runs: a hand-checked period, decisions, re-runs and frozen invoices.

The period is the four weeks from Monday 9 March 2026. P-0001 and P-0002 each have a
daily 08:00 visit of 30 minutes with Prime 1 at £20.00 an hour (2000p), so 28 planned
visits each. Rules: rotherham-actual (pay actual minutes, nearest minute; late after 30
minutes; manual logs need approval). Worked by hand:

- P-0001 day 1, 08:02 for 31 min: delivered, 31 x 2000 / 60 = 1033.33 -> 1033p
- P-0001 day 2, 08:40 for 28 min: late (40 > 30 min), 28 x 2000 / 60 = 933.33 -> 933p
- P-0002 day 1, 08:00 for 30 min, manual: awaiting approval, not paid (1000p once approved)
- the other 53 planned visits: missed

Invoice: 1033 + 933 = 1966p.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from carecore.errors import InputError
from homecare.brokerage.testing import NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import InvoiceLine, ReconciliationRun, VisitException, VisitLog
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row


@pytest.fixture
def logged(prime_1: Any, placed: Any) -> Any:
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 2), 31),
        log_row(prime_1, "P-0001", at(2, 8, 40), 28),
        log_row(prime_1, "P-0002", at(1, 8, 0), 30, method="manual"),
    ]
    created = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    return actions.import_upload(created.pk, now=NOW)


def run(council: Any, provider: Any, user: Any) -> ReconciliationRun:
    return reconciliation.run_reconciliation(
        council, provider, PERIOD_START, now=NOW, acting_user=user
    )


def test_a_run_pays_the_hand_checked_amounts(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    result = run(council, prime_1, finance)
    assert result.period_end == date(2026, 4, 5)
    assert result.planned_visits == 56
    assert result.outcome_counts == {
        "delivered": 1,
        "late": 1,
        "missed": 53,
        "pending_approval": 1,
    }
    amounts = sorted(result.lines.values_list("amount_pence", flat=True))
    assert amounts == [933, 1033]
    assert result.invoice.total_pence == 1966 == result.total_pence
    assert result.invoice.checked
    assert result.planned_carer_minutes == 56 * 30
    assert result.payable_carer_minutes == 31 + 28


def test_every_invoice_line_leads_to_its_visit_log_and_upload(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    result = run(council, prime_1, finance)
    for line in result.lines.select_related("log__upload"):
        assert line.log is not None
        assert line.log.upload == logged
        assert (line.log.carer_id, line.log.check_in) == (line.carer_id, line.check_in)


def test_the_exceptions_to_decide_are_the_manual_log_and_the_late_call(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    result = run(council, prime_1, finance)
    to_decide = result.exceptions.filter(status=VisitException.Status.PENDING)
    assert sorted(to_decide.values_list("kind", flat=True)) == ["late", "pending_approval"]
    assert result.exceptions.filter(kind="missed").count() == 53


def _decide(result: ReconciliationRun, kind: str, *, approve: bool, user: Any) -> Any:
    exception = result.exceptions.exclude(status="noted").get(kind=kind)
    return reconciliation.decide_exception(
        exception, approve=approve, reason="checked with the provider", now=NOW, acting_user=user
    )


def test_an_approved_manual_log_is_paid_on_re_run_and_a_rejected_late_call_withheld(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    first = run(council, prime_1, finance)
    _decide(first, "pending_approval", approve=True, user=finance)
    _decide(first, "late", approve=False, user=finance)
    assert VisitLog.objects.get(method="manual").approval == VisitLog.Approval.APPROVED
    again = run(council, prime_1, finance)
    assert again.pk == first.pk and again.times_run == 2
    # 1033 (delivered) + 1000 (approved manual, 30 min); the late call's 933 is withheld.
    assert again.invoice.total_pence == 2033
    assert again.withheld_pence == 933
    late = again.exceptions.get(kind="late")
    assert (late.status, late.decided_by) == ("rejected", finance)
    assert ReconciliationRun.objects.count() == 1
    assert InvoiceLine.objects.count() == 2


def test_re_running_the_same_logs_changes_nothing(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    first = run(council, prime_1, finance)
    lines = list(first.lines.values_list("planned_id", "carer_id", "amount_pence"))
    again = run(council, prime_1, finance)
    assert list(again.lines.values_list("planned_id", "carer_id", "amount_pence")) == lines
    assert again.invoice.total_pence == first.total_pence


def test_an_approved_invoice_freezes_the_run(
    council: Any, prime_1: Any, logged: Any, finance: Any
) -> None:
    first = run(council, prime_1, finance)
    with pytest.raises(InputError, match="decide every exception"):
        reconciliation.approve_invoice(first, now=NOW, acting_user=finance)
    _decide(first, "pending_approval", approve=False, user=finance)
    _decide(first, "late", approve=True, user=finance)
    with pytest.raises(InputError, match="re-run"):
        reconciliation.approve_invoice(first, now=NOW, acting_user=finance)
    second = run(council, prime_1, finance)
    invoice = reconciliation.approve_invoice(second, now=NOW, acting_user=finance)
    assert invoice.total_pence == 1966 and invoice.status == "approved"
    with pytest.raises(InputError, match="frozen"):
        run(council, prime_1, finance)
    assert invoice.history.count() >= 2


def test_a_period_must_start_on_a_monday(council: Any, prime_1: Any, finance: Any) -> None:
    with pytest.raises(InputError) as caught:
        reconciliation.run_reconciliation(
            council, prime_1, date(2026, 3, 10), now=NOW, acting_user=finance
        )
    assert caught.value.key == "period_start"


def test_a_suspension_removes_its_days_from_the_plan(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    from homecare.brokerage import lifecycle

    package = placed["P-0001"].package
    lifecycle.suspend_package(package, reason="hospital", at=at(3, 12), acting_user=None)
    lifecycle.start_package(package, at=at(8, 9), acting_user=None)
    result = run(council, prime_1, finance)
    # Suspended from day 3 to day 7 (resumed on day 8): 5 of P-0001's 28 visits go.
    assert result.planned_visits == 56 - 5


def test_a_provider_with_nothing_planned_or_logged_gets_an_empty_invoice(
    council: Any, prime_2: Any, framework: Any, finance: Any
) -> None:
    result = run(council, prime_2, finance)
    assert (result.planned_visits, result.total_pence, result.invoice.lines_count) == (0, 0, 0)
