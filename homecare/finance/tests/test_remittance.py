"""The remittance lists what was paid and what was withheld, each with its reason.

Prime 1's period (see period_data), with one more log: P-0001 on day 3 at 14:00 for 30
minutes, six hours from any planned visit, so unplanned (not paid under the Rotherham rules).
The officer rejects the late call (933p withheld) and the manual log. Paid: P-0001 day 1,
1033p. The planned visits with no log paid: 56 less day 1 and day 2 of P-0001 (paid or
withheld as a late call) and day 1 of P-0002 (the rejected manual log) = 53 missed.
"""

from __future__ import annotations

from typing import Any

import pytest

from homecare.delivery import reconciliation
from homecare.delivery.testing import at, log_row
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import adjustments
from homecare.finance.remittance import remittance_entries
from homecare.finance.tests.period_data import (
    AFTER,
    decide,
    hand_checked_logs,
    run,
    upload,
    use_immediate_tasks,
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    use_immediate_tasks(settings)


@pytest.fixture
def decided(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    hand_checked_logs(prime_1, log_row(prime_1, "P-0001", at(3, 14, 0), 30))
    first = run(council, prime_1, finance)
    decide(first, "late", approve=False, user=finance, reason="No call to say the carer was late")
    decide(first, "pending_approval", approve=False, user=finance, reason="No timesheet")
    return run(council, prime_1, finance)


def by_section(entries: list[dict[str, Any]], section: str) -> list[dict[str, Any]]:
    return [entry for entry in entries if entry["section"] == section]


def test_the_paid_lines_and_the_withheld_items_each_with_its_reason(decided: Any) -> None:
    assert (decided.total_pence, decided.withheld_pence) == (1033, 933)
    entries = remittance_entries(decided)
    [paid] = by_section(entries, "paid")
    assert (paid["person"], paid["pence"], paid["reason"]) == ("P-0001", 1033, "")
    assert paid["description"] == "Delivered, 31 minutes, carer C1"
    assert f"{paid['when']:%Y-%m-%d %H:%M}" == "2026-03-09 08:00"
    withheld = by_section(entries, "withheld")
    kinds = [entry["kind"] for entry in withheld]
    assert kinds.count("missed") == 53
    [late] = [e for e in withheld if e["kind"] == "late"]
    assert late["pence"] == 933
    assert late["reason"] == "Rejected by the council: “No call to say the carer was late”."
    [manual] = [e for e in withheld if e["kind"] == "pending_approval"]
    assert (manual["person"], manual["carer"], manual["pence"]) == ("P-0002", "C1", None)
    assert manual["reason"] == "Rejected by the council: “No timesheet”."
    [unplanned] = [e for e in withheld if e["kind"] == "unplanned"]
    assert unplanned["reason"] == "No planned visit matched this log, so it was not paid."
    assert f"{unplanned['when']:%d %H:%M}" == "11 14:00"
    missed = next(e for e in withheld if e["kind"] == "missed")
    assert missed["pence"] is None and "no carer's log was received" in missed["reason"].lower()
    # Withheld items come by visit time; what they add up to is what the run withheld.
    times = [entry["when"] for entry in withheld]
    assert times == sorted(times)
    assert sum(e["pence"] for e in withheld if e["pence"] is not None) == decided.withheld_pence
    assert entries[0]["section"] == "paid" and entries[-1]["section"] == "withheld"


def test_several_late_calls_withheld_are_totalled_once(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    upload(
        prime_1,
        [
            log_row(prime_1, "P-0001", at(4, 8, 45), 30),
            log_row(prime_1, "P-0002", at(4, 8, 50), 30),
        ],
    )
    first = run(council, prime_1, finance)
    decide(first, "late", approve=False, user=finance, reason="Too late to count")
    again = run(council, prime_1, finance)
    # Two late calls of 30 minutes at £20.00 an hour: 1000p each withheld, nothing paid.
    assert (again.total_pence, again.withheld_pence) == (0, 2000)
    withheld = by_section(remittance_entries(again), "withheld")
    late = [e for e in withheld if e["kind"] == "late"]
    assert [e["pence"] for e in late] == [None, None]
    assert withheld[-1]["kind"] == "late_total" and withheld[-1]["pence"] == 2000
    assert sum(e["pence"] for e in withheld if e["pence"] is not None) == 2000


def test_a_late_call_rejected_since_the_last_run_is_still_paid_until_re_run(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    hand_checked_logs(prime_1)
    first = run(council, prime_1, finance)
    decide(first, "late", approve=False, user=finance, reason="Too late")
    entries = remittance_entries(first)
    assert [e["kind"] for e in by_section(entries, "withheld") if e["kind"] == "late"] == []
    assert sum(e["pence"] for e in by_section(entries, "paid")) == first.total_pence == 1966


def test_credit_notes_and_re_invoices_follow(
    council: Any, prime_1: Any, decided: Any, finance: Any
) -> None:
    reconciliation.approve_invoice(decided, now=AFTER, acting_user=finance)
    invoice = decided.invoice
    invoice.refresh_from_db()
    line = invoice.lines.get(position=1)
    note = adjustments.issue_credit_note(
        invoice, [(line, 100, "")], "Five minutes too many", now=AFTER, acting_user=finance
    )
    again = adjustments.issue_reinvoice(
        invoice, [("Mileage", 250, "council")], "Mileage left out", now=AFTER, acting_user=finance
    )
    entries = remittance_entries(decided)
    tail = [(e["section"], e["number"], e["pence"], e["reason"]) for e in entries[-2:]]
    assert tail == [
        ("credit_note", note.number, 100, "Five minutes too many"),
        ("reinvoice", again.number, 250, "Mileage left out"),
    ]
