"""The commissioner dashboard: who may see it, and what it shows on the demo market."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from carecore.reports import brokerage_kpis as kpis
from homecare.brokerage.models import BrokerageRequest, State

URL = "/insight/"


def test_the_dashboard_lives_at_insight() -> None:
    assert reverse("insight:dashboard") == URL


@pytest.mark.parametrize("persona", ["commissioner", "broker"])
def test_a_councils_commissioner_and_broker_see_the_dashboard(
    persona: str, personas: dict[str, Any], signed_in: Any
) -> None:
    response = signed_in(personas[persona]).get(URL)
    assert response.status_code == 200
    assert b"Market dashboard" in response.content
    assert b"No live packages yet" in response.content  # an empty market still renders


@pytest.mark.parametrize("persona", ["provider_a_user", "provider_b_user", "outsider"])
def test_providers_and_the_outsider_are_refused(
    persona: str, personas: dict[str, Any], signed_in: Any
) -> None:
    assert signed_in(personas[persona]).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Any, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_an_unknown_period_is_a_form_error_naming_the_field(
    personas: dict[str, Any], signed_in: Any
) -> None:
    response = signed_in(personas["commissioner"]).get(URL, {"days": "9999"})
    assert response.status_code == 400
    assert b"Choose a period from the list" in response.content
    assert b'href="#days"' in response.content


@pytest.fixture
def demo_commissioner(db: Any, settings: Any, client: Any) -> Any:
    from homecare.commissioning.demo import load_demo

    settings.HOMECARE_DEMO_PACKAGES = 24
    load_demo()
    client.force_login(get_user_model().objects.get(username="commissioner"))
    return client


def test_the_demo_dashboard_shows_every_chart_with_its_table(demo_commissioner: Any) -> None:
    html = demo_commissioner.get(URL, {"days": "365"}).content.decode()
    assert html.count('role="img"') == 5
    for chart in ("unplaced", "tier", "provider", "refusal", "zone"):
        assert f'id="{chart}-chart-title"' in html
    for table in ("tier-table", "provider-table", "refusal-table", "zone-table"):
        assert f'id="{table}"' in html
    assert "Quillfield Home Support (demo)" in html


def test_the_demo_dashboard_headline_matches_the_database(demo_commissioner: Any) -> None:
    from homecare.accounts.models import Organisation
    from homecare.insight.records import request_records

    council = Organisation.objects.get(name="Leicestershire County Council (demo)")
    records = request_records(council)
    live = BrokerageRequest.objects.filter(
        framework__council=council, state__in=(State.PLACED, State.STARTED, State.SUSPENDED)
    )
    expected = sum(r.package.carer_hours_per_week for r in live)
    assert kpis.hours_commissioned(records) == expected > 0
    response = demo_commissioner.get(URL)
    assert response.context["hours_commissioned"] == expected.quantize(expected.__class__("0.1"))
    assert (
        response.context["people_in_service"] == live.values("package__person").distinct().count()
    )
