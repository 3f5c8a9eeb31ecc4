"""schemathesis runs every operation of the OpenAPI document and finds no server error.

Needs ``schemathesis`` (4.x) among the dev dependencies; skipped with that message without it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from homecare.accounts import actions
from homecare.accounts.models import Organisation

st = pytest.importorskip(
    "schemathesis",
    reason="schemathesis is not installed: add schemathesis==4.32.5 to the dev dependencies "
    "to fuzz the API against its OpenAPI document",
)


def _schema() -> Any:
    # Loaded at collection: schemathesis' lazy ``from_fixture`` fails under pytest 9. The
    # document itself needs no database; each call below runs inside the test's ``db``.
    from config.wsgi import application

    return st.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _schema()


@pytest.fixture
def token(provider_a: Organisation, geography: Any, leicestershire_card: Any) -> str:
    """A provider's token, with zones and a rate card stored so the answers have content."""
    return actions.issue_api_token(provider_a, "schemathesis", acting_user=None)[1]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_gives_a_server_error_or_breaks_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
