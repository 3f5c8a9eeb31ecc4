"""Fixtures for the API tests: a small market and the tokens of a council and providers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homecare.accounts.models import Organisation
from homecare.api.tests.brokerage_helpers import Caller, token_for
from homecare.brokerage.testing import make_market
from homecare.commissioning.models import Framework, Provider


@pytest.fixture
def framework(geography: Any, council: Organisation) -> Framework:
    """Prime cascade in west-leicester: Prime 1, Prime 2, then Supplementary 1."""
    return make_market(council)


@pytest.fixture
def council_api(client: Client, council: Organisation) -> Caller:
    return Caller(client, token_for(council, "Case management"))


def provider_api(client: Client, name: str) -> Caller:
    return Caller(client, token_for(Provider.objects.get(name=name).organisation))


@pytest.fixture
def prime_1(client: Client, framework: Framework) -> Caller:
    return provider_api(client, "Prime 1 (test)")


@pytest.fixture
def prime_2(client: Client, framework: Framework) -> Caller:
    return provider_api(client, "Prime 2 (test)")
