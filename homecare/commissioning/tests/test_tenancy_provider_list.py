"""The providers list and an application's page show the reader's council's standing of each
provider (status, reason, quality score), with the provider's defaults where the council has
none yet (issue 13: "a provider's status and quality score are per council")."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homecare.brokerage.testing import NOW, ZONE, make_market, other_council, persona
from homecare.commissioning import market_actions
from homecare.commissioning.market_models import Provider, ProviderStanding

pytestmark = pytest.mark.django_db
PRIME = "Prime 1 (test)"


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)


@pytest.fixture
def two_councils(geography: Any, council: Any) -> tuple[Any, Any]:
    """Two councils whose frameworks appoint the same providers."""
    council_b = other_council()
    for each in (council, council_b):
        make_market(each)
    return council, council_b


def _row(page: str, name: str) -> str:
    """The providers table's row of ``name``, tags stripped and spaces folded."""
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S):
        if name in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"{name} is not on the list")


def _providers_page(client: Any) -> str:
    response = client.get(reverse("commissioning:providers"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_council_s_exit_shows_as_exited_only_on_its_own_list(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    council_a, council_b = two_councils
    prime = Provider.objects.get(name=PRIME)
    market_actions.set_provider_status(
        prime, "exited", council=council_b, reason="contract ended", at=NOW, acting_user=None
    )
    market_actions.set_quality_score(prime, "55", council=council_b, acting_user=None)

    page_b = _providers_page(signed_in(persona("commissioner_b", council_b, "commissioner")))
    row_b = _row(page_b, PRIME)
    assert "Exited" in row_b and "contract ended" in row_b and " 55 " in f"{row_b} "

    page_a = _providers_page(signed_in(persona("commissioner_a", council_a, "commissioner")))
    row_a = _row(page_a, PRIME)
    assert "Active" in row_a and "Exited" not in row_a and "contract ended" not in row_a
    assert " 89 " in f"{row_a} "  # council A's own score, untouched by council B's


def test_without_a_standing_the_list_shows_the_provider_s_defaults(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    council_a, _council_b = two_councils
    prime = Provider.objects.get(name=PRIME)
    ProviderStanding.objects.filter(council=council_a, provider=prime).delete()
    Provider.objects.filter(pk=prime.pk).update(
        status="suspended", status_reason="awaiting checks", quality_score=Decimal("61")
    )
    row = _row(
        _providers_page(signed_in(persona("broker_a", council_a, "broker"))),
        PRIME,
    )
    assert "Suspended" in row and "awaiting checks" in row and " 61 " in f"{row} "


def test_the_list_reads_the_standings_in_the_same_queries_whatever_its_rows(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    council_a, _council_b = two_councils
    client = signed_in(persona("commissioner_a", council_a, "commissioner"))
    _providers_page(client)  # sessions and the like are loaded once
    with CaptureQueriesContext(connection) as few:
        _providers_page(client)
    make_market(council_a, name="Second framework", primes=4, supplementary=3)
    with CaptureQueriesContext(connection) as more:
        page = _providers_page(client)
    assert page.count("govuk-tag--green") == 7
    assert len(more.captured_queries) == len(few.captured_queries)


def test_an_application_shows_the_quality_score_of_the_council_applied_to(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    _council_a, council_b = two_councils
    prime = Provider.objects.get(name=PRIME)
    market_actions.set_quality_score(prime, "42", council=council_b, acting_user=None)
    open_b = market_actions.create_framework(
        council=council_b,
        name="Open DPS (test)",
        policy_kind="open_framework",
        start_date=date(2026, 4, 6),
        open_to_new_providers=True,
        lots=[{"code": "WL", "name": "West Leicester", "zones": [ZONE]}],
        acting_user=None,
    )
    application = market_actions.apply_to_framework(
        framework=open_b,
        provider=prime,
        lots=list(open_b.lots.all()),
        hourly_rate=Decimal("21.50"),
        at=NOW,
        acting_user=None,
    )
    client = signed_in(persona("commissioner_b", council_b, "commissioner"))
    page = client.get(reverse("commissioning:application", args=[application.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "Quality score 42 out of 100" in text
    assert "89 out of 100" not in text  # council A's score is not council B's
