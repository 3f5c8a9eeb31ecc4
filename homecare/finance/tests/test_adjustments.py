"""Credit notes and re-invoices correct an approved invoice; a provisional one is corrected by
re-running its period. Prime 1's approved invoice (see period_data): line 1 is P-0001's
delivered visit on day 1 (31 minutes, 1033p), 2966p in all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from carecore.errors import InputError
from homecare.delivery import reconciliation
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import adjustments, queries
from homecare.finance.models import Adjustment, AdjustmentLine
from homecare.finance.tests.period_data import (
    AFTER,
    approved_run,
    hand_checked_logs,
    run,
    use_immediate_tasks,
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    use_immediate_tasks(settings)


@pytest.fixture
def approved(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    hand_checked_logs(prime_1)
    return approved_run(council, prime_1, finance).invoice


def line(invoice: Any, position: int) -> Any:
    return invoice.lines.select_related("person").get(position=position)


def credit(invoice: Any, user: Any, *rows: tuple[Any, int, str], query: Any = None) -> Any:
    return adjustments.issue_credit_note(
        invoice, list(rows), "Visit times corrected", query, now=AFTER, acting_user=user
    )


def test_a_credit_note_gives_money_back_line_by_line(approved: Any, finance: Any) -> None:
    first = line(approved, 1)
    assert (first.amount_pence, approved.total_pence) == (1033, 2966)
    note = credit(approved, finance, (first, 333, "Stayed 21 minutes, not 31"))
    assert note.number == f"CN-{approved.number}-1"
    assert (note.kind, note.total_pence, note.created_by) == ("credit", 333, finance)
    [row] = note.lines.all()
    assert (row.invoice_line, row.amount_pence, row.stream) == (first, 333, "council")
    assert row.description.endswith(": Stayed 21 minutes, not 31")
    assert note.history.get().history_user == finance
    # A second credit note on the same line: only what is left of it.
    with pytest.raises(InputError, match=r"line 1: at most £7\.00 is left to credit") as caught:
        credit(approved, finance, (first, 701, ""))
    assert (caught.value.key, caught.value.row) == ("lines", 1)
    second = credit(approved, finance, (first, 700, ""))
    assert second.number == f"CN-{approved.number}-2"
    assert second.lines.get().description.endswith(": Visit times corrected")  # the reason
    with pytest.raises(InputError, match=r"at most £0\.00 is left"):
        credit(approved, finance, (first, 1, ""))
    # The invoice itself never changes.
    approved.refresh_from_db()
    assert approved.total_pence == 2966 and line(approved, 1).amount_pence == 1033


def test_lines_of_one_credit_note_count_against_each_other(approved: Any, finance: Any) -> None:
    first = line(approved, 1)
    with pytest.raises(InputError, match=r"at most £5\.33 is left") as caught:
        credit(approved, finance, (first, 500, ""), (line(approved, 2), 100, ""), (first, 534, ""))
    assert caught.value.row == 3
    assert not Adjustment.objects.exists()


def test_amounts_must_be_whole_pence_above_nothing(approved: Any, finance: Any) -> None:
    first = line(approved, 1)
    for bad in (0, -5, 1.5, True, "12"):
        with pytest.raises(InputError, match="line 1"):
            credit(approved, finance, (first, bad, ""))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="choose at least one line"):
        credit(approved, finance)
    with pytest.raises(InputError) as caught:
        adjustments.issue_credit_note(
            approved, [(first, 1, "")], " ", now=AFTER, acting_user=finance
        )
    assert caught.value.key == "reason"


def test_a_joint_funded_line_is_credited_in_its_shares(approved: Any, finance: Any) -> None:
    first = line(approved, 1)
    # The line as a joint-funded person's is split: 60% NHS, the remainder penny to the council.
    type(first).objects.filter(pk=first.pk).update(
        funding="joint", nhs_pence=619, council_pence=414
    )
    note = credit(approved, finance, (line(approved, 1), 101, ""))
    split = {row.stream: row.amount_pence for row in note.lines.all()}
    assert split == {"nhs_chc": 101 * 619 // 1033, "council": 101 - 101 * 619 // 1033}
    assert sum(split.values()) == note.total_pence == 101


def test_a_provisional_invoice_is_corrected_by_re_running_not_by_adjustments(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    hand_checked_logs(prime_1)
    provisional = run(council, prime_1, finance).invoice
    with pytest.raises(InputError, match="re-running the period") as caught:
        credit(provisional, finance, (line(provisional, 1), 100, ""))
    assert caught.value.key == "invoice"
    with pytest.raises(InputError, match="still provisional"):
        adjustments.issue_reinvoice(
            provisional, [("Missed mileage", 500, "council")], "x", now=AFTER, acting_user=finance
        )
    assert not Adjustment.objects.exists()


def test_only_the_council_s_finance_team_issues_corrections(
    approved: Any, prime_1_user: Any, commissioner: Any
) -> None:
    for user in (prime_1_user, commissioner):
        with pytest.raises(PermissionDenied):
            credit(approved, user, (line(approved, 1), 100, ""))
        with pytest.raises(PermissionDenied):
            adjustments.issue_reinvoice(
                approved, [("Mileage", 100, "council")], "x", now=AFTER, acting_user=user
            )


def test_a_line_of_another_invoice_is_refused(
    council: Any, approved: Any, prime_2: Any, finance: Any
) -> None:
    other = run(council, prime_2, finance)
    reconciliation.approve_invoice(other, now=AFTER, acting_user=finance)
    other.refresh_from_db()
    adjustments_line = line(approved, 1)
    with pytest.raises(InputError, match="not on this invoice"):
        adjustments.issue_credit_note(
            other.invoice, [(adjustments_line, 1, "")], "x", now=AFTER, acting_user=finance
        )


def test_a_re_invoice_pays_what_the_invoice_missed(approved: Any, finance: Any) -> None:
    made = adjustments.issue_reinvoice(
        approved,
        [
            ("Double-handed visit paid single-handed, 9 March", 1000, "council"),
            ("CHC", 250, "nhs_chc"),
        ],
        "Second carer's log arrived late",
        now=AFTER,
        acting_user=finance,
    )
    assert made.number == f"RI-{approved.number}-1"
    assert (made.kind, made.total_pence) == ("reinvoice", 1250)
    assert list(made.lines.values_list("stream", "amount_pence", "invoice_line")) == [
        ("council", 1000, None),
        ("nhs_chc", 250, None),
    ]
    for rows, words in (
        ([(" ", 100, "council")], "describe what is invoiced"),
        ([("Mileage", 100, "direct_payment")], "choose who pays"),
        ([("Mileage", 0, "council")], "more than £0.00"),
    ):
        with pytest.raises(InputError, match=words):
            adjustments.issue_reinvoice(approved, rows, "x", now=AFTER, acting_user=finance)
    assert Adjustment.objects.count() == 1


def test_a_correction_for_a_query_closes_it_as_upheld(
    approved: Any, finance: Any, prime_1_user: Any
) -> None:
    query = queries.raise_query(
        approved, line(approved, 1), "Only 21 minutes", now=AFTER, acting_user=prime_1_user
    )
    note = credit(approved, finance, (line(approved, 1), 333, ""), query=query)
    query.refresh_from_db()
    assert (note.query, query.status, query.outcome) == (query, "closed", "upheld")
    assert query.messages.last().text == (
        f"Upheld: the line is corrected. Credit note {note.number} for £3.33: Visit times corrected"
    )
    # A query of another invoice cannot be answered by this one's correction.
    assert AdjustmentLine.objects.count() == 1
