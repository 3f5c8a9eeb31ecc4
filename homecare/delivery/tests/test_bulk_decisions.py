"""Deciding several exceptions at once: every undecided one of a kind, one reason, each
recorded as if decided alone; decisions already taken stay; frozen runs refuse.

Prime 1's period (see test_runs.py for the hand-checked amounts): P-0001 checks in late on
days 2, 3 and 4 (40, 45 and 50 minutes after 08:00, 28 minutes each) and on time on day 1;
P-0002 logs days 1 and 2 by hand."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from carecore.errors import InputError
from homecare.brokerage.testing import NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import ReconciliationRun, VisitException, VisitLog
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row


@pytest.fixture
def result(council: Any, prime_1: Any, placed: Any, finance: Any) -> ReconciliationRun:
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 2), 31),
        log_row(prime_1, "P-0001", at(2, 8, 40), 28),
        log_row(prime_1, "P-0001", at(3, 8, 45), 28),
        log_row(prime_1, "P-0001", at(4, 8, 50), 28),
        log_row(prime_1, "P-0002", at(1, 8, 0), 30, method="manual"),
        log_row(prime_1, "P-0002", at(2, 8, 0), 30, method="manual"),
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    return reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )


def _pending(run: ReconciliationRun, kind: str) -> int:
    return run.exceptions.filter(kind=kind, status=VisitException.Status.PENDING).count()


def test_every_undecided_late_call_is_rejected_and_the_one_decided_alone_kept(
    result: ReconciliationRun, finance: Any
) -> None:
    first_late = result.exceptions.filter(kind="late").order_by("planned_start").first()
    reconciliation.decide_exception(
        first_late, approve=True, reason="traffic on the A6", now=NOW, acting_user=finance
    )
    count = reconciliation.decide_exceptions(
        result,
        kind="late",
        approve=False,
        reason="agreed with the provider",
        now=NOW,
        acting_user=finance,
    )
    assert count == 2
    statuses = dict(result.exceptions.filter(kind="late").values_list("pk", "status"))
    assert statuses.pop(first_late.pk) == "approved"
    assert set(statuses.values()) == {"rejected"}
    assert _pending(result, "pending_approval") == 2  # another kind: untouched
    rerun = reconciliation.run_reconciliation(
        result.council, result.provider, PERIOD_START, now=NOW, acting_user=finance
    )
    # 1033 (on time) + 933 (approved late call); two rejected late calls withheld.
    assert rerun.invoice.total_pence == 1033 + 933
    assert rerun.withheld_pence == 2 * 933


def test_approving_every_manual_log_marks_each_log_and_writes_history(
    result: ReconciliationRun, finance: Any
) -> None:
    count = reconciliation.decide_exceptions(
        result,
        kind="pending_approval",
        approve=True,
        reason="rota checked",
        now=NOW,
        acting_user=finance,
    )
    assert count == 2
    manual = VisitLog.objects.filter(method="manual")
    assert set(manual.values_list("approval", flat=True)) == {"approved"}
    for exception in result.exceptions.filter(kind="pending_approval"):
        assert exception.history.first().history_user == finance
    assert ReconciliationRun.objects.get(pk=result.pk).stale


def test_a_blank_reason_a_wrong_kind_and_a_frozen_run_are_refused(
    result: ReconciliationRun, finance: Any
) -> None:
    with pytest.raises(InputError, match="reason"):
        reconciliation.decide_exceptions(
            result, kind="late", approve=True, reason="  ", now=NOW, acting_user=finance
        )
    with pytest.raises(InputError, match="only manual logs and late calls"):
        reconciliation.decide_exceptions(
            result, kind="missed", approve=True, reason="x", now=NOW, acting_user=finance
        )
    ReconciliationRun.objects.filter(pk=result.pk).update(status="approved")
    with pytest.raises(InputError, match="frozen"):
        reconciliation.decide_exceptions(
            result, kind="late", approve=True, reason="x", now=NOW, acting_user=finance
        )
    assert _pending(result, "late") == 3


def test_the_run_page_offers_and_records_a_bulk_decision(
    signed_in: Any, result: ReconciliationRun, finance: Any, prime_1_user: Any
) -> None:
    page = reverse("delivery:run", args=[result.pk])
    client = signed_in(finance)
    html = client.get(page).content.decode()
    assert "Decide several at once" in html
    assert "Every undecided late call (3)" in html
    assert "Every undecided manual log (2)" in html
    post = reverse("delivery:decide_all", args=[result.pk])
    missing = client.post(post, {"bulk-kind": "late", "bulk-decision": "approve"}, follow=True)
    assert "Give a reason for the decision" in missing.content.decode()
    assert _pending(result, "late") == 3
    done = client.post(
        post,
        {"bulk-kind": "late", "bulk-decision": "approve", "bulk-reason": "roadworks"},
        follow=True,
    )
    assert "3 exceptions approved" in done.content.decode()
    assert _pending(result, "late") == 0
    assert signed_in(prime_1_user).post(post, {"bulk-kind": "late"}).status_code == 403
