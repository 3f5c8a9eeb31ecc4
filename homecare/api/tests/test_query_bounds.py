"""Out-of-range query parameters and ids are refused with an answer naming the field, never a
server error: days outside the years the service keeps, 30-digit ids, control characters."""

from __future__ import annotations

from typing import Any

import pytest

from homecare.api.tests.brokerage_helpers import Caller, body

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.fixture
def package_id(council_api: Caller, framework: Any) -> int:
    """A package the council made through the API (its id is the council's to read)."""
    from homecare.brokerage.models import Package

    made = council_api.post("/api/v1/requests", body())
    assert made.status_code == 201, made.content
    return int(Package.objects.get(requests__pk=made.json()["id"]).pk)


def _refused(response: Any, field: str) -> None:
    assert response.status_code in (400, 422), (response.status_code, response.content)
    detail = response.json()["detail"]
    assert field in detail, detail


@pytest.mark.parametrize("on", ["1066-10-14", "9999-12-31", "2026-02-30", "0", "yesterday"])
def test_a_package_on_a_day_out_of_range_is_refused_naming_on(
    council_api: Caller, package_id: int, on: str
) -> None:
    _refused(council_api.get(f"/api/v1/packages/{package_id}", on=on), "on")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("1900-01-01", "1900-01-31", "start"),
        ("2026-03-09", "3026-03-09", "end"),
        ("2026-13-01", "2026-03-09", "start"),
    ],
)
def test_planned_visits_for_days_out_of_range_are_refused_naming_the_day(
    council_api: Caller, package_id: int, start: str, end: str, field: str
) -> None:
    response = council_api.get(
        f"/api/v1/packages/{package_id}/planned-visits", start=start, end=end
    )
    _refused(response, field)


@pytest.mark.parametrize("period_start", ["1900-01-01", "9999-12-31", "2026-02-30", "0"])
def test_reconciliations_of_a_period_out_of_range_are_refused_naming_it(
    prime_1: Caller, period_start: str
) -> None:
    _refused(prime_1.get("/api/v1/reconciliations", period_start=period_start), "period_start")


def test_reconciliations_of_a_period_in_range_are_listed(prime_1: Caller) -> None:
    response = prime_1.get("/api/v1/reconciliations", period_start="2026-03-09")
    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.parametrize("zone", ["west\x00leicester", "z" * 300])
def test_requests_filtered_by_a_bad_zone_are_refused_naming_zone(
    council_api: Caller, framework: Any, zone: str
) -> None:
    _refused(council_api.get("/api/v1/requests", zone=zone), "zone")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/packages/{huge}",
        "/api/v1/packages/{huge}/planned-visits?start=2026-03-09&end=2026-03-15",
        "/api/v1/requests/{huge}",
    ],
)
def test_a_thirty_digit_id_in_a_path_is_refused_not_a_server_error(
    council_api: Caller, framework: Any, path: str
) -> None:
    response = council_api.client.get(path.format(huge=HUGE), **council_api.headers)
    assert response.status_code in (400, 404, 422), (response.status_code, response.content)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/packages/{huge}/variations", "/api/v1/package-changes/{huge}/answer"],
)
def test_a_thirty_digit_id_in_a_write_path_is_refused_not_a_server_error(
    prime_1: Caller, path: str
) -> None:
    response = prime_1.post(path.format(huge=HUGE), {})
    assert response.status_code in (400, 404, 422), (response.status_code, response.content)
