"""Contract rules: loading from TOML, checking themselves, and counting payable minutes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from carecore.ecm import ContractRules, load_rules, shipped_rules
from carecore.ecm.payment import payable_minutes, share_of_planned
from carecore.errors import InputError


def _payable(rules: ContractRules, seconds: list[int], planned: list[int]) -> list[int]:
    frame = pl.DataFrame({"s": seconds, "p": planned})
    return frame.select(payable_minutes(pl.col("s"), pl.col("p"), rules).alias("x"))["x"].to_list()


def test_the_shipped_rules_load_and_say_they_are_illustrative() -> None:
    assert shipped_rules() == ["planned-within-tolerance", "rotherham-actual"]
    rotherham = load_rules("rotherham-actual")
    assert rotherham.pay_basis == "actual"
    assert rotherham.illustrative
    assert "Seed 004" in rotherham.source
    assert load_rules("planned-within-tolerance").rounding_minutes == 15


def test_an_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[pay]\nbasis = "actual"\nroundng = "15"\n')
    with pytest.raises(InputError) as caught:
        load_rules(path)
    assert caught.value.key == "pay.roundng"
    assert caught.value.source == str(path)


def test_a_bad_value_names_its_key_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[pay]\nbasis = "whatever"\n')
    with pytest.raises(InputError) as caught:
        load_rules(path)
    assert caught.value.key == "pay.basis"
    path.write_text("[thresholds]\nshort_percent = -5\n")
    with pytest.raises(InputError, match="percent from 0") as caught:
        load_rules(path)
    assert caught.value.key == "thresholds.short_percent"


def test_planned_within_tolerance_needs_a_tolerance() -> None:
    with pytest.raises(InputError, match="tolerance"):
        ContractRules(pay_basis="planned_within_tolerance")


# 44m30s against a plan of 45 minutes, and 3m20s, under each rounding.
@pytest.mark.parametrize(
    ("rounding", "direction", "expected"),
    [
        ("none", "nearest", [44, 3]),  # whole minutes completed
        ("minute", "nearest", [45, 3]),  # 44.5 rounds half up; 3m20s -> 3
        ("minute", "up", [45, 4]),
        ("minute", "down", [44, 3]),
        ("5", "nearest", [45, 5]),  # 44.5 -> 45; 3.33 -> 5 (never below one unit)
        ("5", "up", [45, 5]),
        ("5", "down", [40, 0]),
        ("15", "nearest", [45, 15]),  # 44.5/15 = 2.97 -> 3 units; 3.33 -> one unit at least
        ("15", "up", [45, 15]),
        ("15", "down", [30, 0]),
    ],
)
def test_rounding_counts_actual_time_as_the_rules_say(
    rounding: str, direction: str, expected: list[int]
) -> None:
    rules = ContractRules(rounding=rounding, rounding_direction=direction)
    assert _payable(rules, [2670, 200], [45, 45]) == expected


def test_the_minimum_raises_short_visits_but_not_empty_ones() -> None:
    rules = ContractRules(minimum_minutes=20)
    assert _payable(rules, [200, 0, 1800], [30, 30, 30]) == [20, 0, 30]


def test_each_pay_basis_pays_what_it_says() -> None:
    seconds, planned = [3000, 2400, 3060, 2940], [45, 45, 45, 45]  # 50, 40, 51, 49 minutes
    assert _payable(ContractRules(pay_basis="actual"), seconds, planned) == [50, 40, 51, 49]
    assert _payable(ContractRules(pay_basis="planned"), seconds, planned) == [45, 45, 45, 45]
    assert _payable(ContractRules(pay_basis="actual_capped"), seconds, planned) == [45, 40, 45, 45]
    # Within 5 minutes: 50 (gap 5) and 49 pay 45; 40 (gap 5) pays 45; 51 (gap 6) pays 51.
    minutes = ContractRules(pay_basis="planned_within_tolerance", tolerance_minutes=5)
    assert _payable(minutes, seconds, planned) == [45, 45, 51, 45]
    # Within 10% of 45 = 4.5 minutes: only 49 (gap 4) pays 45.
    percent = ContractRules(pay_basis="planned_within_tolerance", tolerance_percent=10)
    assert _payable(percent, seconds, planned) == [50, 40, 51, 45]


def test_a_share_of_planned_minutes_rounds_half_up() -> None:
    frame = pl.DataFrame({"p": [45, 30, 1]})
    got = frame.select(share_of_planned(pl.col("p"), Decimal("50")).alias("x"))["x"].to_list()
    assert got == [23, 15, 1]  # 22.5 -> 23, 15, 0.5 -> 1
