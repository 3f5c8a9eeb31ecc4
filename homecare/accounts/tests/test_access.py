"""Who may open which page: every page, every persona."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecare.commissioning import actions

DATA = Path(__file__).resolve().parents[2] / "commissioning" / "tests" / "data"
MEMBERS = ("commissioner", "broker", "provider_a_user", "provider_b_user")
EVERY_PERSONA = (*MEMBERS, "outsider")


@pytest.fixture
def evaluation(commissioner: Any) -> Any:
    from homecare.accounts.access import council_for_commissioner

    return actions.record_tender_evaluation(
        council=council_for_commissioner(commissioner),
        bids_content=(DATA / "bids.csv").read_bytes(),
        bids_file_name="bids.csv",
        rules_text=(DATA / "rules.toml").read_text(),
        rules_file_name="rules.toml",
        acting_user=commissioner,
    )


@pytest.fixture
def member_pages(geography: Any, leicestershire_card: Any) -> list[str]:
    """Pages every member may open (a zone's page is its council's: see below)."""
    return [
        reverse("home"),
        reverse("commissioning:zones"),
        reverse("commissioning:cost-of-care"),
        reverse("commissioning:rate-cards"),
        reverse("commissioning:rate-card", args=[leicestershire_card.pk]),
    ]


@pytest.fixture
def commissioner_pages(evaluation: Any) -> list[str]:
    """Pages only a council's commissioners may open."""
    return [
        reverse("commissioning:tenders"),
        reverse("commissioning:tender", args=[evaluation.pk]),
        reverse("commissioning:tender-download", args=[evaluation.pk]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", MEMBERS)
def test_every_member_can_open_the_zones_calculator_and_rate_card_pages(
    persona: str, personas: dict[str, Any], signed_in: Any, member_pages: list[str]
) -> None:
    client = signed_in(personas[persona])
    for page in member_pages:
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("commissioner", 200), ("broker", 200), ("provider_a_user", 404), ("provider_b_user", 404)],
)
def test_a_zone_s_page_opens_to_its_council_and_not_to_a_provider_serving_no_council(
    persona: str, status: int, personas: dict[str, Any], signed_in: Any, geography: Any
) -> None:
    page = reverse("commissioning:zone", args=[geography.zones[0].code])
    assert signed_in(personas[persona]).get(page).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ("broker", "provider_a_user", "provider_b_user", "outsider"))
def test_only_commissioners_can_open_the_tender_pages(
    persona: str, personas: dict[str, Any], signed_in: Any, commissioner_pages: list[str]
) -> None:
    client = signed_in(personas[persona])
    for page in commissioner_pages:
        assert client.get(page).status_code == 403, page


@pytest.mark.django_db
def test_a_commissioner_can_open_the_tender_pages(
    commissioner: Any, signed_in: Any, commissioner_pages: list[str]
) -> None:
    client = signed_in(commissioner)
    for page in commissioner_pages:
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_the_outsider_is_refused_every_page_with_an_explanation(
    outsider: Any, signed_in: Any, member_pages: list[str]
) -> None:
    client = signed_in(outsider)
    for page in member_pages:
        response = client.get(page)
        assert response.status_code == 403, page
        assert "not linked to a council or a provider" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in_from_every_page(
    client: Client, member_pages: list[str], commissioner_pages: list[str]
) -> None:
    for page in [*member_pages, *commissioner_pages]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == f"{reverse('accounts:sign-in')}?next={page}"


@pytest.mark.django_db
def test_a_commissioner_of_another_council_cannot_see_this_councils_evaluation(
    evaluation: Any, signed_in: Any
) -> None:
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation

    other = accounts.create_organisation(
        "Otherwold Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    stranger = accounts.create_persona(
        "other-commissioner",
        password="x" * 12,
        organisation=other,
        role="commissioner",
        acting_user=None,
    )
    client = signed_in(stranger)
    assert client.get(reverse("commissioning:tender", args=[evaluation.pk])).status_code == 404
    download = reverse("commissioning:tender-download", args=[evaluation.pk])
    assert client.get(download).status_code == 404
    listing = client.get(reverse("commissioning:tenders")).content.decode()
    assert evaluation.title not in listing


@pytest.mark.django_db
def test_unknown_zones_and_rate_cards_are_not_found(
    commissioner: Any, signed_in: Any, geography: Any
) -> None:
    client = signed_in(commissioner)
    assert client.get(reverse("commissioning:zone", args=["no-such-zone"])).status_code == 404
    assert client.get(reverse("commissioning:rate-card", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_navigation_offers_tender_evaluation_to_commissioners_only(
    personas: dict[str, Any], signed_in: Any
) -> None:
    tenders = reverse("commissioning:tenders")
    for name in EVERY_PERSONA:
        if name == "outsider":
            continue
        page = signed_in(personas[name]).get(reverse("home")).content.decode()
        assert (f'href="{tenders}"' in page) == (name == "commissioner"), name
