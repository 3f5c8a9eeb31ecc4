"""Scenarios for the market tests: a small invented county (fast) and the shipped default.

The helpers (served as fixtures) return changed copies of a scenario, so a test reads as the
change it makes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.market import Scenario, default_scenario, load_scenario

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "small_county.toml"


@pytest.fixture(scope="session")
def small() -> Scenario:
    return load_scenario(SMALL)


@pytest.fixture(scope="session")
def leicestershire() -> Scenario:
    return default_scenario()


def small_table() -> dict[str, Any]:
    """The small county as a fresh TOML table, to break one key at a time."""
    with SMALL.open("rb") as handle:
        return tomllib.load(handle)


def with_capacity(scenario: Scenario, margin: float) -> Scenario:
    return replace(scenario, supply=replace(scenario.supply, capacity_margin=margin))


def with_rural_uplift(scenario: Scenario, uplift: str) -> Scenario:
    """Rural and isolated band rates raised by ``uplift`` (a fraction), to the penny."""
    factor = 1 + Decimal(uplift)
    rates = {
        band: (rate * factor).quantize(Decimal("0.01")) if band in scenario.rural_bands else rate
        for band, rate in scenario.costs.band_rates.items()
    }
    return replace(scenario, costs=replace(scenario.costs, band_rates=rates))


def with_demand(scenario: Scenario, per_1000: float) -> Scenario:
    demand = replace(scenario.demand, packages_per_week_per_1000_65_plus=per_1000)
    return replace(scenario, demand=demand)


@pytest.fixture
def table() -> Callable[[], dict[str, Any]]:
    return small_table


@pytest.fixture
def capacity() -> Callable[[Scenario, float], Scenario]:
    return with_capacity


@pytest.fixture
def rural_uplift() -> Callable[[Scenario, str], Scenario]:
    return with_rural_uplift


@pytest.fixture
def demand_rate() -> Callable[[Scenario, float], Scenario]:
    return with_demand
