"""Fixtures for the delivery tests: a finance officer, a market with placed packages, and
immediate background tasks (the import runs inside the request that queues it)."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.accounts.models import Organisation
from homecare.commissioning.models import Framework, Provider
from homecare.conftest import _persona
from homecare.delivery.testing import place_package


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"


@pytest.fixture
def finance(council: Organisation) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def framework(geography: Any, council: Organisation) -> Framework:
    from homecare.brokerage.testing import make_market

    return make_market(council)


@pytest.fixture
def prime_1(framework: Framework) -> Provider:
    return Provider.objects.get(name="Prime 1 (test)")


@pytest.fixture
def prime_2(framework: Framework) -> Provider:
    return Provider.objects.get(name="Prime 2 (test)")


@pytest.fixture
def placed(framework: Framework) -> dict[str, Any]:
    """P-0001 and P-0002 with Prime 1 (daily 08:00 for 30 min), P-0003 with Prime 2."""
    return {
        "P-0001": place_package(framework, "P-0001"),
        "P-0002": place_package(framework, "P-0002"),
        "P-0003": place_package(framework, "P-0003", "Prime 2 (test)"),
    }


@pytest.fixture
def prime_1_user(prime_1: Provider) -> Any:
    return _persona("prime_1_user", prime_1.organisation, "provider")


@pytest.fixture
def prime_2_user(prime_2: Provider) -> Any:
    return _persona("prime_2_user", prime_2.organisation, "provider")
