"""A council's case-management system says who pays for a person's care when it makes a
request, with the NHS share for joint funding, and reads it back with the request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from homecare.api.tests.brokerage_helpers import Caller, body
from homecare.brokerage.models import BrokerageRequest, Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"funding": "joint"}, "enter the NHS share"),
        ({"funding": "council", "nhs_share_percent": "40"}, "only a joint-funded person"),
        ({"funding": "direct_payment", "nhs_share_percent": "40"}, "only a joint-funded person"),
        ({"funding": "joint", "nhs_share_percent": "0"}, "greater than 0"),
        ({"funding": "joint", "nhs_share_percent": "100"}, "less than 100"),
        ({"funding": "joint", "nhs_share_percent": "37.125"}, "decimal places"),
        ({"funding": "joint", "nhs_share_percent": "forty"}, "decimal"),
    ],
)
def test_a_missing_stray_or_bad_nhs_share_is_a_400_naming_the_field_and_saves_nothing(
    council_api: Caller, framework: Any, changes: dict[str, Any], words: str
) -> None:
    response = council_api.post("/api/v1/requests", body(**changes))
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "nhs_share_percent"
    assert words in error["message"]
    assert not Person.objects.exists() and not BrokerageRequest.objects.exists()


def test_an_unknown_funding_is_a_400_naming_the_field(council_api: Caller, framework: Any) -> None:
    response = council_api.post("/api/v1/requests", body(funding="self_funded"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "funding"


def test_a_request_s_status_and_the_list_say_who_pays(council_api: Caller, framework: Any) -> None:
    made = council_api.post("/api/v1/requests", body(funding="nhs_chc")).json()
    status = council_api.get(f"/api/v1/requests/{made['id']}").json()
    assert (status["funding"], status["nhs_share_percent"]) == ("nhs_chc", None)
    listed = council_api.get("/api/v1/requests").json()["items"]
    assert [(r["funding"], r["nhs_share_percent"]) for r in listed] == [("nhs_chc", None)]


def test_the_openapi_document_lists_joint_funding_and_the_share(
    council_api: Caller, framework: Any
) -> None:
    document = council_api.get("/api/v1/openapi.json").json()
    request_in = document["components"]["schemas"]["RequestIn"]["properties"]
    assert "joint" in str(request_in["funding"])
    assert "nhs_share_percent" in request_in


def test_a_joint_funded_request_keeps_the_nhs_share_and_reads_it_back(
    council_api: Caller, framework: Any
) -> None:
    response = council_api.post("/api/v1/requests", body(funding="joint", nhs_share_percent="37.5"))
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert (person.funding, person.nhs_share_percent) == ("joint", Decimal("37.50"))
    assert person.history.count() == 1  # made once, with its share
    status = council_api.get(f"/api/v1/requests/{response.json()['id']}").json()
    assert (status["funding"], status["nhs_share_percent"]) == ("joint", "37.50")
