"""The delivery API: a provider's system pushes visit logs and reads its own reconciliations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homecare.api.tests.brokerage_helpers import Caller, token_for
from homecare.brokerage.testing import NOW
from homecare.commissioning.models import Provider
from homecare.delivery import reconciliation
from homecare.delivery.models import VisitLog
from homecare.delivery.testing import PERIOD_START, place_package

LOG = {
    "person_ref": "P-0001",
    "carer_id": "C-017",
    "check_in": "2026-03-09T08:02:00+00:00",
    "check_out": "2026-03-09T08:33:00+00:00",
    "method": "app",
}


@pytest.fixture
def placed(framework: Any) -> None:
    place_package(framework, "P-0001")
    place_package(framework, "P-0003", "Prime 2 (test)")


def caller(client: Client, name: str) -> Caller:
    return Caller(client, token_for(Provider.objects.get(name=name).organisation))


def test_a_pushed_log_is_created_and_the_same_log_again_is_not(
    client: Client, placed: None
) -> None:
    api = caller(client, "Prime 1 (test)")
    first = api.post("/api/v1/visit-logs", LOG)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    again = api.post("/api/v1/visit-logs", LOG)
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    assert VisitLog.objects.count() == 1
    log = VisitLog.objects.get()
    assert log.created_by is not None and log.created_by.username.startswith("api-")


def test_a_bad_value_is_a_400_naming_the_field(client: Client, placed: None) -> None:
    api = caller(client, "Prime 1 (test)")
    response = api.post("/api/v1/visit-logs", {**LOG, "check_out": "2026-03-09T07:00:00+00:00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "check_out"
    response = api.post("/api/v1/visit-logs", {**LOG, "method": "pigeon"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "method"


def test_a_provider_cannot_log_a_visit_to_another_providers_person(
    client: Client, placed: None
) -> None:
    response = caller(client, "Prime 1 (test)").post(
        "/api/v1/visit-logs", {**LOG, "person_ref": "P-0003"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "person_ref"
    assert VisitLog.objects.count() == 0


def test_a_councils_token_may_not_push_logs(client: Client, council: Any, placed: None) -> None:
    response = Caller(client, token_for(council)).post("/api/v1/visit-logs", LOG)
    assert response.status_code == 403


def test_a_provider_reads_only_its_own_reconciliations(
    client: Client, council: Any, placed: None
) -> None:
    for name in ("Prime 1 (test)", "Prime 2 (test)"):
        caller(client, name).post(
            "/api/v1/visit-logs",
            LOG if name.startswith("Prime 1") else {**LOG, "person_ref": "P-0003"},
        )
        reconciliation.run_reconciliation(
            council, Provider.objects.get(name=name), PERIOD_START, now=NOW, acting_user=None
        )
    api = caller(client, "Prime 1 (test)")
    rows = api.get("/api/v1/reconciliations", period_start="2026-03-09").json()
    assert len(rows) == 1
    # 31 minutes at £20.00 an hour: 1033.33p, rounded to 1033p.
    assert rows[0]["invoice"]["total_pence"] == 1033
    assert rows[0]["invoice"]["total"] == "10.33"
    assert api.get("/api/v1/reconciliations", period_start="2026-03-16").json() == []
    assert api.get("/api/v1/reconciliations", colour="red").status_code == 400
    assert api.get("/api/v1/reconciliations", period_start="0").status_code == 400


def test_an_unknown_key_in_a_log_is_a_400_naming_it(client: Client, placed: None) -> None:
    response = caller(client, "Prime 1 (test)").post("/api/v1/visit-logs", {**LOG, "chek_out": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "chek_out"
