"""The API for councils' case-management systems: make requests, read their status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from homecare.accounts.models import Organisation
from homecare.api.tests.brokerage_helpers import Caller, body, token_for
from homecare.brokerage.models import BrokerageRequest, Package, Person
from homecare.brokerage.testing import make_market

pytestmark = pytest.mark.django_db


def test_a_council_makes_a_request_and_the_first_round_of_offers_goes_out(
    council_api: Caller, framework: Any
) -> None:
    response = council_api.post("/api/v1/requests", body())
    assert response.status_code == 201, response.content
    made = response.json()
    stored = BrokerageRequest.objects.get()
    # 45 min x2 + 30 min + 45 min: 2 contact hours, 2.75 carer hours a week.
    assert made == {
        "id": stored.pk,
        "state": "offered",
        "round_number": 1,
        "hours_per_week": "2.00",
        "carer_hours_per_week": "2.75",
        "needs_spot_purchase": False,
    }
    assert stored.framework == framework
    assert [o.provider.name for o in stored.offers.all()] == ["Prime 1 (test)"]
    assert stored.package.visits.filter(critical=True).count() == 1


def test_a_request_with_no_provider_to_offer_to_is_made_and_flagged_for_spot_purchase(
    council_api: Caller, geography: Any, council: Organisation
) -> None:
    make_market(council, primes=0, supplementary=0)
    made = council_api.post("/api/v1/requests", body()).json()
    assert made["state"] == "requested"
    assert made["needs_spot_purchase"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "visits": [
                    {"day": 1, "window_start": "07:30", "minutes": 60},
                    {"day": 1, "window_start": "08:00", "minutes": 30},
                ]
            },
            "visits[1].window_start",
        ),
        ({"visits": [{"day": 1, "window_start": "07:30", "minutes": 0}]}, "visits[0].minutes"),
        ({"visits": [{"day": 9, "window_start": "07:30", "minutes": 30}]}, "visits[0].day"),
        (
            {"visits": [{"day": 1, "window_start": "7.30am", "minutes": 30}]},
            "visits[0].window_start",
        ),
        (
            {"visits": [{"day": 1, "window_start": "07:30", "minutes": 30, "carers": 3}]},
            "visits[0].carers",
        ),
        ({"visits": []}, "visits"),
        ({"area_code": "NOWHERE"}, "area_code"),
        ({"cohort": "giants"}, "cohort"),
        ({"start_date": "next week"}, "start_date"),
        ({"person_reference": ""}, "person_reference"),
        ({"framework_id": 999999}, "framework_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(
    council_api: Caller, framework: Any, changes: dict[str, Any], field: str
) -> None:
    response = council_api.post("/api/v1/requests", body(**changes))
    assert response.status_code == 400
    detail = response.json()
    assert detail["detail"].startswith(f"{field}: "), detail
    assert detail["errors"][0]["field"] == field
    assert not Person.objects.exists()
    assert not Package.objects.exists()
    assert not BrokerageRequest.objects.exists()


def test_another_councils_framework_is_not_one_to_make_requests_in(
    council_api: Caller, framework: Any, geography: Any
) -> None:
    from homecare.accounts import actions

    other = actions.create_organisation(
        "Otherton Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    theirs = make_market(other, primes=1, supplementary=0, name="Otherton framework")
    response = council_api.post("/api/v1/requests", body(framework_id=theirs.pk))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "framework_id"


def test_a_council_without_a_framework_in_the_zone_is_told_to_name_one(
    council_api: Caller, geography: Any
) -> None:
    response = council_api.post("/api/v1/requests", body())
    assert response.status_code == 400
    assert "give a framework_id" in response.json()["detail"]


def test_the_status_of_a_request_shows_its_round_offers_and_placement(
    council_api: Caller, prime_1: Caller, framework: Any
) -> None:
    made = council_api.post("/api/v1/requests", body()).json()
    status = council_api.get(f"/api/v1/requests/{made['id']}").json()
    assert status["state"] == "offered"
    assert status["person_reference"] == "P-API-0001"
    assert status["zone"] == "west-leicester"
    assert status["offer_counts"] == {
        "sent": 1,
        "open": 1,
        "accepted": 0,
        "declined": 0,
        "expired": 0,
        "withdrawn": 0,
    }
    assert status["placed_provider"] is None

    offer = prime_1.get("/api/v1/offers").json()[0]
    assert prime_1.post(f"/api/v1/offers/{offer['id']}/accept").status_code == 200
    status = council_api.get(f"/api/v1/requests/{made['id']}").json()
    assert status["state"] == "placed"
    assert status["placed_provider"] == "Prime 1 (test)"
    assert status["placed_rate"] == "20.00"
    assert status["offers"][0]["status"] == "accepted"


def test_an_unknown_or_another_councils_request_is_a_404(
    client: Client, council_api: Caller, framework: Any
) -> None:
    made = council_api.post("/api/v1/requests", body()).json()
    from homecare.accounts import actions

    other = actions.create_organisation(
        "Otherton Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    them = Caller(client, token_for(other))
    assert them.get(f"/api/v1/requests/{made['id']}").status_code == 404
    assert them.get("/api/v1/requests").json() == {"items": [], "count": 0}
    assert council_api.get("/api/v1/requests/999999").status_code == 404


def test_the_list_of_requests_is_paged_and_filters_by_state_and_zone(
    council_api: Caller, framework: Any
) -> None:
    for n in range(3):
        council_api.post("/api/v1/requests", body(person_reference=f"P-{n}"))
    page = council_api.get("/api/v1/requests").json()
    assert page["count"] == 3
    assert [row["zone"] for row in page["items"]] == ["west-leicester"] * 3
    assert page["items"][0]["hours_per_week"] == "2.00"
    assert council_api.get("/api/v1/requests", state="offered").json()["count"] == 3
    assert council_api.get("/api/v1/requests", state="placed").json()["count"] == 0
    assert council_api.get("/api/v1/requests", zone="west-leicester").json()["count"] == 3
    assert council_api.get("/api/v1/requests", zone="melton").json()["count"] == 0
    assert council_api.get("/api/v1/requests", page_size=2).json()["count"] == 3
    assert len(council_api.get("/api/v1/requests", page_size=2).json()["items"]) == 2


def test_an_unknown_zone_or_state_in_the_filter_is_a_400_naming_it(
    council_api: Caller, framework: Any
) -> None:
    unknown_zone = council_api.get("/api/v1/requests", zone="atlantis")
    assert unknown_zone.status_code == 400
    assert unknown_zone.json()["errors"][0]["field"] == "zone"
    bad_state = council_api.get("/api/v1/requests", state="lost")
    assert bad_state.status_code == 400
    assert bad_state.json()["errors"][0]["field"] == "state"


def test_no_person_reference_goes_in_a_path_or_query_string(client: Client, framework: Any) -> None:
    document = json.loads(client.get("/api/v1/openapi.json").content)
    for path, operations in document["paths"].items():
        assert "person" not in path
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert "person" not in parameter["name"], (path, parameter)


def test_hours_per_week_are_derived_so_sending_them_is_a_400(
    council_api: Caller, framework: Any
) -> None:
    response = council_api.post("/api/v1/requests", body(hours_per_week=99))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "hours_per_week"
    assert not Package.objects.exists()


def test_an_unknown_query_parameter_is_a_400_not_ignored(
    council_api: Caller, prime_1: Caller
) -> None:
    misspelt = council_api.get("/api/v1/requests", stat="placed")
    assert misspelt.status_code == 400
    assert misspelt.json()["detail"] == (
        "stat: unknown query parameter (expected: page, page_size, state, zone)"
    )
    assert prime_1.get("/api/v1/packages", zone="melton").status_code == 400
    assert prime_1.get("/api/v1/offers", page="2").status_code == 400
