"""Synthetic periods: deterministic for a seed, shaped like real logs, valid input."""

from __future__ import annotations

import polars as pl
import pytest

from carecore.ecm import ContractRules, reconcile, synthetic_period, validate_logs
from carecore.ecm.schema import ACTUAL_SCHEMA, PLANNED_SCHEMA
from carecore.errors import InputError


def test_the_same_seed_gives_the_same_period_and_another_seed_does_not() -> None:
    first = synthetic_period(50, 3, seed=7)
    again = synthetic_period(50, 3, seed=7)
    other = synthetic_period(50, 3, seed=8)
    assert first.planned.equals(again.planned)
    assert first.actual.equals(again.actual)
    assert not first.actual.equals(other.actual)
    assert first.planned.schema == pl.Schema(PLANNED_SCHEMA)
    assert first.actual.schema == pl.Schema(ACTUAL_SCHEMA)


def test_the_logs_have_the_mix_of_real_ones_and_pass_validation() -> None:
    period = synthetic_period(600, 7, seed=3)
    actual = period.actual
    assert actual.height > period.planned.height  # about 1.1 logs per planned visit
    assert set(actual["method"].unique()) == {"phone", "app", "qr", "manual"}
    assert actual.is_duplicated().any()  # some rows repeated
    result = reconcile(period.planned, actual, ContractRules(), "leicestershire-2020-21")
    outcomes = result.summary.visit_outcomes
    for outcome in ("delivered", "late", "short", "missed", "cancelled", "no_access"):
        assert outcomes[outcome] > 0, outcome
    assert result.summary.log_statuses["unplanned"] > 0
    assert result.summary.log_statuses["unmatched"] > 0
    assert result.summary.single_handed > 0
    assert -20 < result.summary.variance_percent < 0  # paid below plan, as in Rotherham
    # The frame is valid input as it stands (text round trip through the validator).
    as_text = actual.with_columns(pl.col("check_in", "check_out").cast(pl.String))
    assert validate_logs(as_text).height == actual.height
    assert all(ref.startswith(("SU-", "PRV-", "CR-")) for ref in actual.row(0)[:3])


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError) as caught:
        synthetic_period(0, 3, seed=1)
    assert caught.value.key == "n_people"
