"""A small period checked by hand: every outcome and every rule, priced to the penny.

Card leicestershire-2020-21: URBAN £18.75 and RURAL £22.95 an hour, at least 15 billable
minutes, bank holidays +50%, no weekend uplift, a second carer at 100%. Each expected figure
below has its arithmetic beside it (pence, rounded half up per line).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from carecore.ecm import ContractRules, read_approvals, read_logs, read_planned, reconcile

DATA = Path(__file__).resolve().parents[1] / "data" / "ecm"

CARD = "leicestershire-2020-21"

# planned_id: (outcome, payable minutes over all carers, pence)
EXPECTED = {
    "V01": ("delivered", 28, 875),  # 28m20s -> 28 min; 18.75 * 28 / 60 = 8.75
    "V02": ("late", 42, 1313),  # 38 min late > 30; 18.75 * 42 / 60 = 13.125 -> 13.13
    "V03": ("short", 30, 938),  # 30m29s -> 30 < 75% of 60; 9.375 -> 9.38
    "V04": ("missed", 0, 0),  # no log at all
    "V05": ("cancelled_short_notice", 45, 1406),  # 100% of 45; 14.0625 -> 14.06
    "V06": ("no_access", 15, 469),  # 50% of 30 = 15 min; 4.6875 -> 4.69
    "V07": ("cancelled", 0, 0),  # cancelled with notice pays nothing
    "V08": (
        "delivered",
        115,
        4399,
    ),  # RURAL x2: 58 min 22.185 -> 22.19; 56m40s -> 57 min 21.8025 -> 21.80
    "V09": ("delivered", 30, 938),  # planned for 2, one came: paid one carer
    "V10": ("late", 30, 938),  # critical: 20 min late > 15
    "V11": ("delivered", 30, 938),  # the carer's second log is a duplicate, not paid
    "V12": ("pending_approval", 0, 0),  # manual, not approved
    "V13": ("delivered", 30, 938),  # manual, approved
    "V14": ("delivered", 30, 938),  # planned for 1, the second carer is extra
    "V15": (
        "delivered",
        30,
        1407,
    ),  # Spring bank holiday 2021-05-31: 9.375 -> 9.38 + 4.6875 -> 4.69
    "V16": ("delivered", 45, 1406),  # Saturday (no uplift); 44m30s rounds half up to 45
    "V17": ("short", 10, 469),  # 10 min paid, billed at the card's 15-minute minimum: 4.6875
}


@pytest.fixture
def result(golden_rules: ContractRules):
    planned = read_planned(DATA / "golden_planned.csv")
    logs = read_logs(DATA / "golden_logs.csv")
    approvals = read_approvals(DATA / "golden_approvals.csv")
    return reconcile(planned, logs, golden_rules, CARD, approvals=approvals)


def test_each_planned_visit_gets_the_hand_checked_outcome_minutes_and_money(result) -> None:
    got = {
        row["planned_id"]: (row["outcome"], row["payable_minutes"], row["amount_pence"])
        for row in result.visits.iter_rows(named=True)
    }
    assert got == EXPECTED


def test_each_log_gets_the_hand_checked_status(result) -> None:
    statuses = result.summary.log_statuses
    # 22 rows, one an exact repeat of V01's log: 21 logs.
    assert result.summary.duplicate_rows == 1
    assert statuses == {
        "accepted": 16,  # V01-V03, V05-V07 codes, V08 x2, V09-V11, V13, V14, V15, V16, V17
        "duplicate": 1,  # V11's second check-in
        "extra_carer": 1,  # C14B on a one-carer visit
        "pending_approval": 1,  # V12
        "unplanned": 1,  # P01 at 22:00, 14 hours from its only plan
        "unmatched": 1,  # P99 has no plan with PRV-A
    }
    by_carer = dict(result.logs.select("carer_id", "log_status").iter_rows())
    assert by_carer["C14B"] == "extra_carer"
    assert by_carer["C99"] == "unmatched"


def test_invoices_total_their_lines_and_the_hand_sums(result) -> None:
    # PRV-A: 875+1313+938+1406+469+4399+938+938+938+938+938+1407+469 = 15966; PRV-B: 1406.
    invoices = {row["provider_ref"]: row for row in result.invoices.iter_rows(named=True)}
    assert invoices["PRV-A"]["amount_pence"] == 15966
    assert invoices["PRV-A"]["amount_gbp"] == "159.66"
    assert invoices["PRV-B"]["amount_pence"] == 1406
    assert invoices["PRV-A"]["lines"] == 14  # V08 has two lines
    for provider, invoice in invoices.items():
        lines = result.invoice_lines.filter(pl.col("provider_ref") == provider)
        assert lines["amount_pence"].sum() == invoice["amount_pence"]


def test_the_double_handed_visit_pays_each_carer_on_their_own_time(result) -> None:
    lines = result.invoice_lines.filter(pl.col("planned_id") == "V08").sort("carer_index")
    assert lines.select("carer_id", "carer_index", "payable_minutes", "amount_pence").rows() == [
        ("C08A", 1, 58, 2219),
        ("C08B", 2, 57, 2180),
    ]


def test_the_bank_holiday_line_shows_its_uplift_and_the_minimum_shows_in_billable(result) -> None:
    lines = {row["planned_id"]: row for row in result.invoice_lines.iter_rows(named=True)}
    assert lines["V15"]["day_type"] == "bank_holiday"
    assert "Spring bank holiday +50%" in lines["V15"]["enhancements"]
    assert (lines["V17"]["payable_minutes"], lines["V17"]["billable_minutes"]) == (10, 15)
    assert lines["V16"]["rate_per_hour"] == "18.75"


def test_reasons_read_as_sentences(result) -> None:
    reasons = dict(result.visits.select("planned_id", "reason").iter_rows())
    assert reasons["V02"] == "checked in 38 min after the planned 08:00 (late threshold 30 min)"
    assert reasons["V10"] == "checked in 20 min after the planned 16:00 (late threshold 15 min)"
    assert reasons["V04"] == "no log within 120 min of the planned 10:00 and no cancellation"
    assert "only 1 of 2 planned carers logged" in reasons["V09"]
    assert "1 duplicate or extra log(s) not paid" in reasons["V11"]
    assert reasons["V06"] == "the carer could not get in: 50% of the planned 30 min paid"


def test_exceptions_list_what_needs_a_person(result) -> None:
    kinds = sorted(result.exceptions["kind"].to_list())
    visits = ["late", "late", "short", "short", "missed", "cancelled_short_notice", "no_access"]
    visits += ["single_handed", "pending_approval"]
    logs = ["pending_approval", "duplicate", "extra_carer", "unplanned", "unmatched"]
    assert kinds == sorted(visits + logs)
    assert result.exceptions["action"].null_count() == 0


def test_the_summary_compares_planned_and_paid_carer_hours(result) -> None:
    summary = result.summary
    # Planned carer minutes: PRV-A 660 (V08 and V09 count twice), PRV-B 45.
    # Payable: PRV-A 28+42+30+45+15+115+30+30+30+30+30+30+10 = 465, PRV-B 45.
    assert summary.planned_carer_minutes == 705
    assert summary.payable_carer_minutes == 510
    assert summary.amount_pence == 17372
    # (510 - 705) / 705 = -27.66% -> -27.7
    assert str(summary.variance_percent) == "-27.7"
    assert summary.visit_outcomes["delivered"] == 8
    assert summary.single_handed == 1


def test_without_approval_the_manual_visit_is_held(golden_rules: ContractRules) -> None:
    planned = read_planned(DATA / "golden_planned.csv")
    logs = read_logs(DATA / "golden_logs.csv")
    result = reconcile(planned, logs, golden_rules, CARD)
    outcome = dict(result.visits.select("planned_id", "outcome").iter_rows())
    assert outcome["V13"] == "pending_approval"


def test_paying_unplanned_logs_prices_them_on_the_nearest_plan_band(
    golden_rules: ContractRules,
) -> None:
    rules = ContractRules(**{**golden_rules.to_dict(), "pay_unplanned": True})
    planned = read_planned(DATA / "golden_planned.csv")
    logs = read_logs(DATA / "golden_logs.csv")
    result = reconcile(planned, logs, rules, CARD)
    unplanned = result.invoice_lines.filter(pl.col("outcome") == "unplanned")
    # P01 22:00-22:30, URBAN from its plan V01: 30 min -> 9.375 -> 9.38.
    assert unplanned.select("person_ref", "payable_minutes", "amount_pence").rows() == [
        ("P01", 30, 938)
    ]


def test_planned_basis_pays_planned_minutes_for_each_carer_who_came(
    golden_rules: ContractRules,
) -> None:
    rules = ContractRules(**{**golden_rules.to_dict(), "pay_basis": "planned"})
    planned = read_planned(DATA / "golden_planned.csv")
    logs = read_logs(DATA / "golden_logs.csv")
    visits = reconcile(planned, logs, rules, CARD).visits
    paid = dict(visits.select("planned_id", "payable_minutes").iter_rows())
    # V03 (short) pays its planned 60; V08 two carers x 60; V09 one carer x 30.
    assert (paid["V03"], paid["V08"], paid["V09"], paid["V17"]) == (60, 120, 30, 30)
