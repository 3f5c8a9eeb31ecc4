"""Shared inputs for the ECM engine tests: the golden period and its rules."""

from __future__ import annotations

import pytest

from carecore.ecm import ContractRules


@pytest.fixture
def golden_rules() -> ContractRules:
    """Pay actual time to the nearest minute; no access pays half; manual logs need approval."""
    return ContractRules(
        name="golden",
        pay_basis="actual",
        rounding="minute",
        rounding_direction="nearest",
        late_minutes=30,
        critical_late_minutes=15,
        short_percent=75,
        match_window_minutes=120,
        short_notice_percent=100,
        no_access_percent=50,
        manual_needs_approval=True,
        pay_unplanned=False,
    )
