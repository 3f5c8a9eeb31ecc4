"""A body over the limit is a 413, an unreadable request a 400: a plain page, JSON for the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from homecare.accounts import actions
from homecare.accounts.models import Organisation

LIMITS = "homecare.accounts.limits.RequestLimitsMiddleware"


@pytest.fixture(autouse=True)
def limits(settings: Any) -> None:
    # Until the settings list the middleware, the tests put it where it belongs: before
    # anything that reads the body (the sessions, CSRF and the API).
    if LIMITS not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:2], LIMITS, *settings.MIDDLEWARE[2:]]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.HOMECARE_MAX_UPLOAD_BYTES = 50_000


@pytest.fixture
def council_token(council: Organisation) -> str:
    return actions.issue_api_token(council, "limits", acting_user=None)[1]


def test_a_form_over_the_limit_is_a_413_page_in_plain_words(
    signed_in: Any, commissioner: Any
) -> None:
    client = signed_in(commissioner)
    response = client.post("/insight/complaints/new/", {"summary": "x" * 20_000})
    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert "smaller than" in page


def test_an_upload_over_the_limit_is_a_413_before_any_view_reads_it(
    signed_in: Any, commissioner: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(commissioner)
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 20_000, "text/csv")
    response = client.post("/import/", {"kind": "people", "file": upload, "mode": "all"})
    assert response.status_code == 413


def test_a_file_under_the_upload_limit_still_reaches_the_form(
    signed_in: Any, commissioner: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(commissioner)
    upload = SimpleUploadedFile("people.txt", b"a,b\n" * 5_000, "text/plain")  # 20 KB
    response = client.post("/import/", {"kind": "people", "file": upload, "mode": "all"})
    assert response.status_code == 200
    assert "must be a CSV or XLSX file" in response.content.decode()


def test_too_many_fields_is_a_413(signed_in: Any, commissioner: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = signed_in(commissioner)
    response = client.post("/insight/complaints/new/", {f"f{n}": "1" for n in range(20)})
    assert response.status_code == 413


def test_an_api_body_over_the_limit_is_a_413_in_json_naming_the_body(council_token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {council_token}")
    body = json.dumps({"person_reference": "P-1", "needs": ["x" * 20_000]})
    response = client.post("/api/v1/requests", body, content_type="application/json")
    assert response.status_code == 413
    answer = response.json()
    assert answer["errors"][0]["field"] == "body"
    assert answer["detail"].startswith("body: ")


def test_malformed_json_is_a_400_in_json(council_token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {council_token}")
    response = client.post(
        "/api/v1/requests", b'{"person_reference": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_nul_in_an_api_query_is_a_400_naming_the_parameter(council_token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {council_token}")
    response = client.get("/api/v1/requests?state=%00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_a_nul_in_a_page_address_is_a_400_page(signed_in: Any, commissioner: Any) -> None:
    client = signed_in(commissioner)
    response = client.get("/zones/a%00b/")
    assert response.status_code == 400
    assert "could not read" in response.content.decode()


def test_a_nul_in_an_api_body_is_a_400_naming_the_field(council_token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {council_token}")
    body = {
        "person_reference": "P-1\u0000",
        "area_code": "E01025551",
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "start_date": "2026-03-09",
        "visits": [{"day": 0, "window_start": "08:00", "minutes": 30}],
    }
    response = client.post("/api/v1/requests", body, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["person_reference"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"framework_id": 10**30}, "framework_id"),
        ({"visits": [{"day": 10**30, "window_start": "08:00", "minutes": 30}]}, "visits[0].day"),
        ({"visits": [{"day": 0, "window_start": "08:00", "minutes": 1e308}]}, "visits[0].minutes"),
    ],
)
def test_an_out_of_range_api_value_is_a_400_naming_the_field(
    council_token: str, change: dict[str, Any], field: str
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {council_token}")
    body = {
        "person_reference": "P-1",
        "area_code": "E01025551",
        "funding": "council",
        "cohort": "older_people",
        "source": "community",
        "start_date": "2026-03-09",
        "visits": [{"day": 0, "window_start": "08:00", "minutes": 30}],
    } | change
    response = client.post("/api/v1/requests", body, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
