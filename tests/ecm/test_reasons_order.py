"""Reasons are built per outcome and joined back: each row must keep its own reason."""

from __future__ import annotations

import polars as pl

from carecore.ecm import ContractRules, reconcile, synthetic_period

CARD = "leicestershire-2020-21"
OPENINGS = {
    "delivered": "checked in at ",
    "late": "checked in ",
    "short": "",
    "missed": "no log within 120 min of the planned ",
    "cancelled": "cancelled with notice: not paid",
    "cancelled_short_notice": "cancelled at short notice: ",
    "no_access": "the carer could not get in: ",
    "pending_approval": "",
}


def test_every_visit_reason_belongs_to_its_own_outcome_and_clock_time() -> None:
    period = synthetic_period(40, 3, seed=5)
    rules = ContractRules(manual_needs_approval=True)
    visits = reconcile(period.planned, period.actual, rules, CARD).visits
    assert visits["reason"].null_count() == 0
    for outcome, reason, start in visits.select(
        "outcome", "reason", pl.col("planned_start").dt.strftime("%H:%M")
    ).iter_rows():
        assert reason.startswith(OPENINGS[outcome]), (outcome, reason)
        if outcome in ("delivered", "missed"):
            assert f"planned {start}" in reason
        if outcome == "short":
            assert "planned min delivered (short threshold 75%)" in reason
        if outcome == "pending_approval":
            assert "manual log(s) awaiting approval" in reason


def test_only_logs_that_are_not_accepted_have_a_reason_and_it_names_their_own_carer() -> None:
    period = synthetic_period(40, 3, seed=6)
    logs = reconcile(period.planned, period.actual, ContractRules(), CARD).logs
    accepted = logs["log_status"] == "accepted"
    assert logs.filter(accepted)["log_reason"].null_count() == accepted.sum()
    others = logs.filter(~accepted)
    assert others.height > 0
    assert others["log_reason"].null_count() == 0
    for status, reason, person, provider in others.select(
        "log_status", "log_reason", "person_ref", "provider_ref"
    ).iter_rows():
        if status == "unmatched":
            assert reason == f"no planned visit for person {person} with provider {provider}"
        if status == "unplanned":
            assert reason.startswith("no planned visit within 120 min of the check-in at ")
