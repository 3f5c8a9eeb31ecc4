"""Two councils side by side: nothing of one is reached by the other's staff, pages or API.

Council A (the tests' own) has a framework with Prime 1 and Prime 2, a placed package, a
waiting request, a reconciliation run, an upload, a tender evaluation, a rate card and a
complaint. Council B (Otherton) has its own framework and its own provider. Every object URL
of council A, asked by each of council B's people (commissioner, broker, finance officer and
its provider's user), is a 404 when their role may open such a page at all, else a 403; and
the same through the API with council B's token and its provider's token.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse

from homecare.accounts import actions as accounts
from homecare.brokerage import actions as brokerage
from homecare.brokerage.testing import NOW, ZONE, make_market, make_request, other_council
from homecare.commissioning import actions as commissioning
from homecare.commissioning import market_actions
from homecare.commissioning.models import Provider
from homecare.conftest import _persona
from homecare.delivery import actions as delivery
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package
from homecare.insight import actions as insight

DATA = Path(__file__).resolve().parents[2] / "commissioning" / "tests" / "data"
B_PERSONAS = ("b_commissioner", "b_broker", "b_finance", "b_provider_user")


@pytest.fixture
def world(
    geography: Any, council: Any, commissioner: Any, leicestershire_card: Any, settings: Any
) -> Any:
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    framework_a = make_market(council)
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    placement = place_package(framework_a, "P-0001")
    waiting = make_request(framework_a, "P-0002")
    offers = brokerage.send_next_round(waiting, now=NOW, acting_user=None)
    upload = delivery.create_upload(
        prime_1,
        "logs.csv",
        csv_bytes([log_row(prime_1, "P-0001", at(1, 8), 30)]),
        now=NOW,
        acting_user=None,
    )
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=None
    )
    evaluation = commissioning.record_tender_evaluation(
        council=council,
        bids_content=(DATA / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(DATA / "rules.toml").read_text(),
        rules_file_name="rules.toml",
        acting_user=commissioner,
    )
    complaint = insight.record_complaint(
        council=council,
        received_on=date(2026, 3, 2),
        provider=prime_1,
        category=insight.Complaint.Category.choices[0][0],
        summary="A late visit",
        now=NOW,
        acting_user=None,
    )
    council_b = other_council()
    framework_b = market_actions.create_framework(
        council=council_b,
        name="Otherton framework",
        policy_kind="prime_cascade",
        policy_settings={},
        start_date=date(2026, 1, 5),
        lots=[{"code": "OT", "name": "Otherton", "zones": [ZONE]}],
        acting_user=None,
    )
    westbrook = market_actions.create_provider(
        "Westbrook Care (test)", quality_score=Decimal(80), council=council_b, acting_user=None
    )
    market_actions.appoint_provider(
        framework=framework_b,
        lot=framework_b.lots.get(),
        provider=westbrook,
        tier="prime",
        rank=1,
        hourly_rate=Decimal("21.00"),
        acting_user=None,
    )
    people = {
        "b_commissioner": _persona("b_commissioner", council_b, "commissioner"),
        "b_broker": _persona("b_broker", council_b, "broker"),
        "b_finance": _persona("b_finance", council_b, "finance"),
        "b_provider_user": _persona("b_provider_user", westbrook.organisation, "provider"),
    }
    return {
        "council_b": council_b,
        "westbrook": westbrook,
        "people": people,
        "prime_1": prime_1,
        "placement": placement,
        "waiting": waiting,
        "offer": offers[0],
        "upload": upload,
        "run": run,
        "line": run.lines.first(),
        "evaluation": evaluation,
        "complaint": complaint,
        "card": leicestershire_card,
        "framework": framework_a,
    }


def _council_a_pages(world: dict[str, Any]) -> list[str]:
    """Every page of one of council A's objects."""
    run, package = world["run"], world["placement"].package
    pages = [
        reverse("brokerage:request", args=[world["waiting"].pk]),
        reverse("brokerage:request", args=[world["placement"].request_id]),
        reverse("brokerage:package", args=[package.pk]),
        reverse("brokerage:package-vary", args=[package.pk]),
        reverse("brokerage:package-suspend", args=[package.pk]),
        reverse("brokerage:package-end", args=[package.pk]),
        reverse("brokerage:package-review", args=[package.pk]),
        reverse("commissioning:framework", args=[world["framework"].pk]),
        reverse("commissioning:provider", args=[world["prime_1"].pk]),
        reverse("commissioning:tender", args=[world["evaluation"].pk]),
        reverse("commissioning:tender-download", args=[world["evaluation"].pk]),
        reverse("commissioning:tender-appoint", args=[world["evaluation"].pk]),
        reverse("commissioning:rate-card-uplift", args=[world["card"].pk]),
        reverse("delivery:run", args=[run.pk]),
        reverse("delivery:lines", args=[run.pk]),
        reverse("delivery:download", args=[run.pk, "invoice.xlsx"]),
        reverse("delivery:upload", args=[world["upload"].pk]),
        reverse("insight:complaint", args=[world["complaint"].pk]),
    ]
    if world["line"] is not None:
        pages.append(reverse("delivery:line", args=[run.pk, world["line"].pk]))
    pages.append(reverse("brokerage:offer", args=[world["offer"].pk]))
    return pages


def _council_a_posts(world: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """Every write to one of council A's objects, with data that would otherwise be good."""
    run, prime_1 = world["run"], world["prime_1"]
    exception = run.exceptions.first()
    posts = [
        (
            reverse("commissioning:provider-status", args=[prime_1.pk]),
            {"status": "exited", "reason": "gone", "confirmed": "True"},
        ),
        (reverse("commissioning:provider-quality", args=[prime_1.pk]), {"quality_score": "1"}),
        (
            reverse("brokerage:request", args=[world["waiting"].pk]),
            {"action": "withdraw", "withdraw-reason": "not needed"},
        ),
        (reverse("delivery:rerun", args=[run.pk]), {}),
        (reverse("delivery:approve", args=[run.pk]), {}),
        (reverse("delivery:upload", args=[world["upload"].pk]), {}),
    ]
    if exception is not None:
        url = reverse("delivery:decide", args=[run.pk, exception.pk])
        posts.append((url, {f"e{exception.pk}-decision": "approve"}))
    return posts


def _expected(url: str, user: Any) -> int:
    """404 when the persona's role may open such a page at all (the object is not theirs),
    else 403 (the role may not open the page)."""
    rule = resolve(url).func.access_rule  # type: ignore[attr-defined]
    roles = set(rule.removeprefix("roles: ").split(", "))
    held = {m.role for m in user.memberships.all()}
    return 404 if roles & held else 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", B_PERSONAS)
def test_no_page_of_council_a_opens_for_council_b(persona: str, world: Any) -> None:
    user = world["people"][persona]
    client = Client()
    client.force_login(user)
    for url in _council_a_pages(world):
        assert client.get(url).status_code == _expected(url, user), url


@pytest.mark.django_db
@pytest.mark.parametrize("persona", B_PERSONAS)
def test_no_write_to_council_a_is_taken_from_council_b(persona: str, world: Any) -> None:
    user = world["people"][persona]
    client = Client()
    client.force_login(user)
    prime_1, waiting = world["prime_1"], world["waiting"]
    for url, data in _council_a_posts(world):
        assert client.post(url, data).status_code == _expected(url, user), url
    prime_1.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.state != "withdrawn"
    world["offer"].refresh_from_db()
    assert world["offer"].status == "open"
    standing = market_actions.standing_of(prime_1, world["run"].council)
    assert standing.status == Provider.Status.ACTIVE
    assert prime_1.placements.filter(ended_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_council_b_lists_none_of_council_a_s_objects(world: Any) -> None:
    client = Client()
    client.force_login(world["people"]["b_commissioner"])
    providers = client.get(reverse("commissioning:providers")).content.decode()
    assert "Westbrook Care (test)" in providers
    assert "Prime 1 (test)" not in providers
    frameworks = client.get(reverse("commissioning:frameworks")).content.decode()
    assert "Test framework" not in frameworks
    client.force_login(world["people"]["b_broker"])
    waiting = client.get(reverse("brokerage:waiting-list")).content.decode()
    assert "P-0002" not in waiting


@pytest.mark.django_db
def test_a_broker_places_only_with_providers_of_their_own_council(
    world: Any, broker: Any, signed_in: Any
) -> None:
    page = signed_in(broker).get(reverse("brokerage:request", args=[world["waiting"].pk]))
    html = page.content.decode()
    assert "Prime 2 (test)" in html
    assert "Westbrook Care (test)" not in html
    response = signed_in(broker).post(
        reverse("brokerage:request", args=[world["waiting"].pk]),
        {
            "action": "place",
            "place-provider": str(world["westbrook"].pk),
            "place-reason": "spot purchase",
            "place-rate": "21.00",
        },
    )
    assert response.status_code == 200  # the form's error, nothing placed
    world["waiting"].refresh_from_db()
    assert world["waiting"].placed_provider_id is None


def _token(organisation: Any) -> str:
    _row, plaintext = accounts.issue_api_token(organisation, "cases", acting_user=None)
    return f"Bearer {plaintext}"


@pytest.mark.django_db
def test_council_b_s_tokens_reach_nothing_of_council_a_through_the_api(world: Any) -> None:
    client = Client()
    council_b = _token(world["council_b"])
    westbrook = _token(world["westbrook"].organisation)
    package = world["placement"].package
    schedule = {
        "effective_from": "2026-04-06",
        "reason": "more help",
        "visits": [{"day": 0, "window_start": "08:00", "minutes": 30}],
    }
    asks = [
        (council_b, "get", f"/api/v1/requests/{world['waiting'].pk}", None),
        (council_b, "get", f"/api/v1/packages/{package.pk}", None),
        (council_b, "post", f"/api/v1/packages/{package.pk}/variations", schedule),
        (
            council_b,
            "post",
            f"/api/v1/packages/{package.pk}/ending",
            {"ends_from": "2026-04-06", "reason": "died", "note": ""},
        ),
        (westbrook, "get", f"/api/v1/packages/{package.pk}", None),
        (westbrook, "post", f"/api/v1/packages/{package.pk}/reviews", schedule),
    ]
    asks.append((westbrook, "post", f"/api/v1/offers/{world['offer'].pk}/accept", {}))
    for token, method, url, body in asks:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": token}
        if body is not None:
            kwargs |= {"data": body, "content_type": "application/json"}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 404, (url, response.content)
    listed = client.get("/api/v1/requests", HTTP_AUTHORIZATION=council_b).json()
    assert listed["items"] == []
    runs = client.get("/api/v1/reconciliations", HTTP_AUTHORIZATION=westbrook).json()
    assert runs == []
