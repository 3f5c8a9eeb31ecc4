"""The API refuses a person reference that is not in the council's format, as the form does."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.accounts.models import Organisation
from homecare.api.tests.brokerage_helpers import Caller, body
from homecare.brokerage.models import BrokerageRequest, Person

pytestmark = pytest.mark.django_db


def test_a_name_and_address_as_the_reference_is_a_422_naming_the_field(
    council_api: Caller, framework: Any, council_format: Organisation
) -> None:
    response = council_api.post(
        "/api/v1/requests", body(person_reference="Mrs Jane Smith, 4 High Street")
    )
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "person_reference"
    assert error["message"] == (
        "Enter the person's reference in the council's format, for example P-004512"
    )
    assert not Person.objects.exists() and not BrokerageRequest.objects.exists()


def test_a_reference_in_the_council_s_format_is_accepted(
    council_api: Caller, framework: Any, council_format: Organisation
) -> None:
    response = council_api.post("/api/v1/requests", body(person_reference="P-004512"))
    assert response.status_code == 201, response.content


def test_a_council_without_a_format_accepts_any_reference(
    council_api: Caller, framework: Any
) -> None:
    assert council_api.post("/api/v1/requests", body()).status_code == 201


def test_the_422_is_in_the_openapi_document(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    responses = document["paths"]["/api/v1/requests"]["post"]["responses"]
    assert "422" in responses
