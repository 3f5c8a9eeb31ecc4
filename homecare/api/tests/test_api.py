"""The REST API at /api/v1/: tokens, the organisation they act for, and the read endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from homecare.accounts import actions
from homecare.accounts.models import ApiToken, Organisation
from homecare.commissioning.models import Area, Zone

PATHS = {
    "/api/v1/whoami",
    "/api/v1/zones",
    "/api/v1/zones/{code}",
    "/api/v1/rate-cards",
    "/api/v1/rate-cards/{card_id}",
    "/api/v1/requests",
    "/api/v1/requests/{request_id}",
    "/api/v1/offers",
    "/api/v1/offers/{offer_id}/accept",
    "/api/v1/offers/{offer_id}/decline",
    "/api/v1/packages",
    "/api/v1/capacity",
    "/api/v1/visit-logs",
    "/api/v1/reconciliations",
    "/api/v1/packages/{package_id}",
    "/api/v1/packages/{package_id}/planned-visits",
    "/api/v1/packages/{package_id}/variations",
    "/api/v1/packages/{package_id}/reviews",
    "/api/v1/packages/{package_id}/suspensions",
    "/api/v1/packages/{package_id}/ending",
    "/api/v1/package-changes/{change_id}/answer",
    "/api/v1/package-changes/{change_id}/decision",
}
POST_ONLY = {"/api/v1/capacity", "/api/v1/visit-logs"}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token_a(provider_a: Organisation) -> str:
    return actions.issue_api_token(provider_a, "Alderbank rostering", acting_user=None)[1]


@pytest.fixture
def token_b(provider_b: Organisation) -> str:
    return actions.issue_api_token(provider_b, "Birchmoor ECM", acting_user=None)[1]


# --- authentication -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(p for p in PATHS if "{" not in p and p not in POST_ONLY))
def test_every_endpoint_refuses_a_request_without_a_token(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"].startswith("Authorization:")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer hc_0000000000_" + "x" * 43, "Basic dXNlcjpwYXNz", "hc_abc"],
)
def test_a_malformed_or_unknown_token_is_refused(client: Client, header: str) -> None:
    assert client.get("/api/v1/whoami", HTTP_AUTHORIZATION=header).status_code == 401


@pytest.mark.django_db
def test_a_revoked_token_is_refused(client: Client, token_a: str) -> None:
    assert client.get("/api/v1/whoami", **bearer(token_a)).status_code == 200
    row = ApiToken.objects.get()
    actions.revoke_api_token(row, acting_user=None)
    assert client.get("/api/v1/whoami", **bearer(token_a)).status_code == 401


@pytest.mark.django_db
def test_a_providers_token_sees_only_its_own_organisation(
    client: Client, token_a: str, token_b: str
) -> None:
    seen_a = client.get("/api/v1/whoami", **bearer(token_a)).json()
    seen_b = client.get("/api/v1/whoami", **bearer(token_b)).json()
    assert seen_a["organisation"] == {
        "slug": "alderbank-care-test",
        "name": "Alderbank Care (test)",
        "kind": "provider",
    }
    assert seen_a["token_name"] == "Alderbank rostering"
    assert "Birchmoor" not in json.dumps(seen_a)
    assert seen_b["organisation"]["name"] == "Birchmoor Care (test)"
    assert "Alderbank" not in json.dumps(seen_b)


@pytest.mark.django_db
def test_using_a_token_records_when_it_was_last_used(client: Client, token_a: str) -> None:
    assert ApiToken.objects.get().last_used_at is None
    client.get("/api/v1/whoami", **bearer(token_a))
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_a_session_cookie_is_not_a_way_into_the_api(client: Client, commissioner: Any) -> None:
    client.force_login(commissioner)
    assert client.get("/api/v1/zones").status_code == 401


# --- zones and rate cards -----------------------------------------------------------------


@pytest.fixture
def council_token(council: Organisation) -> str:
    return actions.issue_api_token(council, "Case management", acting_user=None)[1]


@pytest.mark.django_db
def test_zones_come_with_their_towns_and_area_counts_per_band(
    client: Client, council_token: str, geography: Any
) -> None:
    zones = client.get("/api/v1/zones", **bearer(council_token)).json()
    assert [zone["code"] for zone in zones] == list(Zone.objects.values_list("code", flat=True))
    for zone in zones:
        stored = Area.objects.filter(zone__code=zone["code"])
        assert zone["area_count"] == stored.count()
        for band in zone["bands"]:
            assert band["area_count"] == stored.filter(band__code=band["code"]).count()
        assert sum(band["area_count"] for band in zone["bands"]) == zone["area_count"]
    assert any(not zone["has_prime"] for zone in zones)  # the Rural Free Zone


@pytest.mark.django_db
def test_listing_zones_takes_the_same_few_queries_however_many_zones(
    client: Client, council_token: str, geography: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/zones", **bearer(council_token))
    assert len(queries) <= 5


@pytest.mark.django_db
def test_one_zone_by_code_and_an_unknown_code_is_a_404_naming_the_field(
    client: Client, council_token: str, geography: Any
) -> None:
    code = Zone.objects.first().code  # type: ignore[union-attr]
    assert client.get(f"/api/v1/zones/{code}", **bearer(council_token)).json()["code"] == code
    missing = client.get("/api/v1/zones/no-such-zone", **bearer(council_token))
    assert missing.status_code == 404
    assert missing.json()["detail"] == "code: no zone with the code 'no-such-zone'"


@pytest.mark.django_db
def test_rate_cards_list_their_periods_and_rates_in_pounds(
    client: Client, token_a: str, leicestershire_card: Any
) -> None:
    cards = client.get("/api/v1/rate-cards", **bearer(token_a)).json()
    assert [card["name"] for card in cards] == [leicestershire_card.name]
    period = cards[0]["periods"][0]
    stored = leicestershire_card.periods.order_by("effective_from").first()
    assert period["effective_from"] == stored.effective_from.isoformat()
    assert {rate["band"]: rate["hourly_rate"] for rate in period["rates"]} == {
        rate.band: str(rate.hourly_rate) for rate in stored.rates.all()
    }
    one = client.get(f"/api/v1/rate-cards/{leicestershire_card.pk}", **bearer(token_a))
    assert one.json() == cards[0]


@pytest.mark.django_db
def test_a_bad_rate_card_id_is_a_400_naming_the_field(client: Client, token_a: str) -> None:
    response = client.get("/api/v1/rate-cards/abc", **bearer(token_a))
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("card_id: ")
    assert body["errors"][0]["field"] == "card_id"
    assert body["errors"][0]["location"] == "path"
    assert client.get("/api/v1/rate-cards/999999", **bearer(token_a)).status_code == 404


# --- the OpenAPI document -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_document_is_json_listing_every_path(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["info"]["title"] == "Home care commissioning API"
    assert set(document["paths"]) == PATHS
    assert document["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_scripts_from_this_site_not_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
