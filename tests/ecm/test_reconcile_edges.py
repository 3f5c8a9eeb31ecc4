"""Reconciling edge cases: nothing logged, nothing planned, no rate, tendered rates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from carecore.ecm import ACTUAL_SCHEMA, PLANNED_SCHEMA, ContractRules, reconcile, synthetic_period
from carecore.errors import InputError

CARD = "leicestershire-2020-21"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def period():
    return synthetic_period(5, 2, seed=1)


def test_with_no_logs_every_planned_visit_is_missed(period) -> None:
    result = reconcile(period.planned, pl.DataFrame(schema=ACTUAL_SCHEMA), ContractRules(), CARD)
    assert result.summary.visit_outcomes["missed"] == period.planned.height
    assert result.invoice_lines.height == 0
    assert result.summary.amount_pence == 0
    assert result.exceptions.height == period.planned.height


def test_with_no_plan_every_log_is_unmatched(period) -> None:
    result = reconcile(pl.DataFrame(schema=PLANNED_SCHEMA), period.actual, ContractRules(), CARD)
    distinct = period.actual.unique(subset=["provider_ref", "person_ref", "carer_id", "check_in"])
    assert result.summary.log_statuses["unmatched"] == distinct.height
    assert result.invoices.height == 0


def test_nothing_at_all_is_an_error() -> None:
    empty = pl.DataFrame(schema=PLANNED_SCHEMA)
    with pytest.raises(InputError, match="no planned visits and no logs"):
        reconcile(empty, pl.DataFrame(schema=ACTUAL_SCHEMA), ContractRules(), CARD)


def test_a_band_the_card_does_not_have_is_an_error_naming_a_visit(period) -> None:
    planned = period.planned.with_columns(band=pl.lit("SUBURBAN"))
    with pytest.raises(InputError, match="no rate under card leicestershire-2020-21") as caught:
        reconcile(planned, period.actual, ContractRules(), CARD)
    assert "band SUBURBAN" in caught.value.message
    assert "PKG-" in caught.value.message


def test_a_missing_column_in_a_frame_is_named(period) -> None:
    with pytest.raises(InputError) as caught:
        reconcile(period.planned.drop("band"), period.actual, ContractRules(), CARD)
    assert caught.value.key == "band"


def test_tendered_rates_are_paid_flat_without_a_card(period) -> None:
    planned = period.planned.with_columns(rate_pence_per_hour=pl.lit(2000, dtype=pl.Int64))
    lines = reconcile(planned, period.actual, ContractRules(), None).invoice_lines
    assert set(lines["rate_per_hour"]) == {"20.00"}
    # £20 an hour is 33 1/3 pence a minute: minutes * 2000 / 60, rounded half up.
    expected = (lines["payable_minutes"] * 2000 * 2 + 60) // 120
    assert lines["amount_pence"].to_list() == expected.to_list()


def test_importing_the_cli_module_loads_neither_polars_nor_the_engine() -> None:
    probe = (
        "import sys\nimport homecare.commands.ecm\n"
        "print('polars' in sys.modules, 'carecore.ecm' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.split() == ["False", "False"]
