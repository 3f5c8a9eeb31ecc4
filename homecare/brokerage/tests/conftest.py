"""Fixtures for the brokerage tests (the helpers are in homecare.brokerage.testing)."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.brokerage.testing import make_market, make_request
from homecare.commissioning.models import Framework


@pytest.fixture
def framework(geography: Any, council: Any) -> Framework:
    return make_market(council)


@pytest.fixture
def new_request(framework: Framework, broker: Any) -> Any:
    """``new_request(person_ref="P1", **overrides)``: a request made by the broker."""

    def make(person_ref: str = "P-0001", **overrides: Any) -> Any:
        overrides.setdefault("framework", framework)
        return make_request(person_ref=person_ref, acting_user=broker, **overrides)

    return make
