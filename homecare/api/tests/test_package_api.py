"""The package endpoints: a council varies, suspends and ends a placed package from a date;
the provider reviews it and answers variations that add hours; each sees only its own.

The package is made through the API: the council's request (BODY: 2.75 carer hours a week,
from Monday 9 March 2026), accepted by Prime 1 through its own token. The clock is Monday
16 March 2026.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from homecare.api.tests.brokerage_helpers import BODY, Caller, body, token_for
from homecare.brokerage.models import Package, ScheduleChange
from homecare.brokerage.testing import LONDON

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 16, 10, 0, tzinfo=LONDON)
FEWER = [{"day": 0, "window_start": "12:00", "minutes": 30}]  # 0.5 carer hours a week
MORE = [*BODY["visits"], {"day": 4, "window_start": "12:00", "minutes": 30}]  # 3.25


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("brokerage", "offers", "packages"):
        monkeypatch.setattr(f"homecare.api.{module}.clock", lambda: TODAY)


@pytest.fixture
def package(council_api: Caller, prime_1: Caller) -> Package:
    made = council_api.post("/api/v1/requests", body())
    assert made.status_code == 201, made.json()
    offer = prime_1.get("/api/v1/offers").json()[0]
    accepted = prime_1.post(f"/api/v1/offers/{offer['id']}/accept", {})
    assert accepted.json()["placed"] is True
    return Package.objects.get(requests__pk=made.json()["id"])


def _schedule(visits: list[dict[str, Any]], day: str = "2026-03-23") -> dict[str, Any]:
    return {"effective_from": day, "visits": visits, "reason": "After the review meeting"}


def test_a_council_cuts_the_hours_from_a_date_and_reads_each_schedule(
    council_api: Caller, package: Package
) -> None:
    made = council_api.post(f"/api/v1/packages/{package.pk}/variations", _schedule(FEWER))
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "applied"
    assert (made.json()["carer_hours_before"], made.json()["carer_hours_after"]) == (
        "2.75",
        "0.50",
    )
    before = council_api.get(f"/api/v1/packages/{package.pk}", on="2026-03-22").json()
    after = council_api.get(f"/api/v1/packages/{package.pk}", on="2026-03-23").json()
    assert (before["carer_hours_per_week"], after["carer_hours_per_week"]) == ("2.75", "0.50")
    assert [(v["effective_from"], v["effective_to"]) for v in after["schedules"]] == [
        ("2026-03-09", "2026-03-22"),
        ("2026-03-23", None),
    ]
    assert after["person_reference"] == BODY["person_reference"]
    change = ScheduleChange.objects.get()
    assert change.history.first().history_user.username.startswith("api-")


def test_planned_visits_follow_each_days_schedule_and_skip_suspensions(
    council_api: Caller, prime_1: Caller, package: Package
) -> None:
    council_api.post(f"/api/v1/packages/{package.pk}/variations", _schedule(FEWER))
    suspended = council_api.post(
        f"/api/v1/packages/{package.pk}/suspensions",
        {"start_date": "2026-03-30", "end_date": "2026-04-05", "reason": "In hospital"},
    )
    assert suspended.status_code == 201, suspended.json()
    path = f"/api/v1/packages/{package.pk}/planned-visits"
    visits = prime_1.get(path, start="2026-03-16", end="2026-04-12").json()
    days = [v["start"][:10] for v in visits]
    # Week of the 16th: the old schedule (three visits); then only Monday 12:00, less the
    # week in hospital.
    assert days == ["2026-03-16", "2026-03-16", "2026-03-18", "2026-03-23", "2026-04-06"]
    assert {v["provider"] for v in visits} == {"Prime 1 (test)"}
    backwards = council_api.get(path, start="2026-03-16", end="2026-03-01")
    assert backwards.status_code == 400
    assert backwards.json()["errors"][0]["field"] == "end"


def test_more_hours_the_provider_declines_go_back_to_brokerage(
    council_api: Caller, prime_1: Caller, prime_2: Caller, package: Package
) -> None:
    made = council_api.post(f"/api/v1/packages/{package.pk}/variations", _schedule(MORE)).json()
    assert made["status"] == "awaiting_provider"
    answer = f"/api/v1/package-changes/{made['id']}/answer"
    assert prime_2.post(answer, {"accepted": False, "reason": "x"}).status_code == 404
    assert council_api.post(answer, {"accepted": True}).status_code == 403
    no_reason = prime_1.post(answer, {"accepted": False})
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    declined = prime_1.post(answer, {"accepted": False, "reason": "No Friday carers"})
    assert declined.status_code == 200, declined.json()
    assert declined.json()["status"] == "declined"
    new_request = council_api.get(f"/api/v1/requests/{declined.json()['new_request_id']}")
    assert new_request.json()["state"] in ("offered", "requested")
    assert new_request.json()["carer_hours_per_week"] == "3.25"
    read = prime_1.get(f"/api/v1/packages/{package.pk}").json()
    assert read["placements"][0]["ended_at"].startswith("2026-03-23T00:00:00")


def test_a_providers_review_is_decided_by_the_council(
    council_api: Caller, prime_1: Caller, package: Package
) -> None:
    path = f"/api/v1/packages/{package.pk}/reviews"
    assert council_api.post(path, _schedule(FEWER)).status_code == 403
    proposed = prime_1.post(path, _schedule(FEWER))
    assert proposed.status_code == 201, proposed.json()
    assert proposed.json()["status"] == "awaiting_council"
    decide = f"/api/v1/package-changes/{proposed.json()['id']}/decision"
    assert prime_1.post(decide, {"approved": True}).status_code == 403
    approved = council_api.post(decide, {"approved": True})
    assert approved.json()["status"] == "applied"
    again = council_api.post(decide, {"approved": False, "reason": "Changed our mind"})
    assert again.status_code == 400


def test_ending_a_package_through_the_api_stops_its_visits(
    council_api: Caller, prime_1: Caller, package: Package
) -> None:
    ended = council_api.post(
        f"/api/v1/packages/{package.pk}/ending", {"ends_from": "2026-03-18", "reason": "died"}
    )
    assert ended.status_code == 201, ended.json()
    read = council_api.get(f"/api/v1/packages/{package.pk}").json()
    assert (read["status"], read["end_date"], read["ending"]["reason"]) == (
        "ended",
        "2026-03-17",
        "died",
    )
    visits = prime_1.get(
        f"/api/v1/packages/{package.pk}/planned-visits", start="2026-03-16", end="2026-03-29"
    ).json()
    assert [v["start"][:10] for v in visits] == ["2026-03-16", "2026-03-16"]
    unknown = council_api.post(
        f"/api/v1/packages/{package.pk}/ending", {"ends_from": "2026-03-18", "reason": "bored"}
    )
    assert unknown.status_code == 400


def test_bad_dates_are_refused_naming_the_field(council_api: Caller, package: Package) -> None:
    early = council_api.post(
        f"/api/v1/packages/{package.pk}/variations", _schedule(FEWER, "2026-03-01")
    )
    assert early.status_code == 400
    assert early.json()["errors"][0]["field"] == "effective_from"
    assert "9 March 2026" in early.json()["detail"]
    backwards = council_api.post(
        f"/api/v1/packages/{package.pk}/suspensions",
        {"start_date": "2026-03-20", "end_date": "2026-03-19", "reason": "x"},
    )
    assert backwards.json()["errors"][0]["field"] == "end_date"
    far = council_api.post(
        f"/api/v1/packages/{package.pk}/suspensions",
        {"start_date": "0001-01-01", "end_date": "9999-12-31", "reason": "x"},
    )
    assert far.status_code == 400


def test_another_council_or_provider_cannot_find_the_package(
    client: Any, council_api: Caller, prime_2: Caller, package: Package
) -> None:
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    other = actions.create_organisation(
        "Elsewhere Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    stranger = Caller(client, token_for(other))
    assert stranger.get(f"/api/v1/packages/{package.pk}").status_code == 404
    assert prime_2.get(f"/api/v1/packages/{package.pk}").status_code == 404
    assert (
        stranger.post(f"/api/v1/packages/{package.pk}/variations", _schedule(FEWER)).status_code
        == 404
    )
