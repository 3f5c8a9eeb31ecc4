"""Helpers for the brokerage API tests: a valid request body and a client with a token."""

from __future__ import annotations

import copy
from typing import Any

from django.test import Client

from homecare.accounts import actions
from homecare.accounts.models import Organisation
from homecare.brokerage.testing import AREA

BODY: dict[str, Any] = {
    "person_reference": "P-API-0001",
    "area_code": AREA,
    "funding": "council",
    "cohort": "older_people",
    "source": "community",
    "priority": "normal",
    "start_date": "2026-03-09",
    "needs": ["dementia"],
    "visits": [
        {"day": 0, "window_start": "07:30", "window_minutes": 30, "minutes": 45, "carers": 2},
        {"day": 0, "window_start": "12:00", "minutes": 30},
        {"day": 2, "window_start": "07:30", "minutes": 45, "critical": True},
    ],
}


def body(**changes: Any) -> dict[str, Any]:
    """A valid request body with ``changes``."""
    return {**copy.deepcopy(BODY), **changes}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class Caller:
    """The test client with one token: ``caller.get(path)``, ``caller.post(path, data)``."""

    def __init__(self, client: Client, token: str) -> None:
        self.client, self.headers = client, bearer(token)

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, **self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(
            path, data if data is not None else {}, content_type="application/json", **self.headers
        )

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(path, data, content_type="application/json", **self.headers)


def token_for(organisation: Organisation, name: str = "system") -> str:
    return actions.issue_api_token(organisation, name, acting_user=None)[1]
