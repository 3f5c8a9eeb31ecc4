"""Each council's zones and areas are its own (issue 13, tenancy).

Council A (the tests' own) holds the engine's default geography; council B (Otherton) holds
one zone with the same code as one of A's (``ZONE``) and two areas of its own. B's people
never see or name A's zones and areas, on pages or through the API, and importing B's
geography leaves A's untouched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from carecore.errors import InputError
from homecare.accounts import actions as accounts
from homecare.api.tests.brokerage_helpers import Caller, body, token_for
from homecare.brokerage.testing import AREA, NOW, ZONE, make_market, other_area, other_council
from homecare.brokerage.tests.test_new_request_form import answers
from homecare.commissioning import actions
from homecare.commissioning.engine import geography_from_db
from homecare.commissioning.models import Area, Provider, Zone
from homecare.conftest import _persona

pytestmark = pytest.mark.django_db
A_ONLY = "coalville-ashby"  # a zone code council B does not have


@pytest.fixture
def council_b(geography: Any, council: Any) -> Any:
    return other_council()


@pytest.fixture
def a_names(council: Any, council_b: Any) -> list[str]:
    """Council A's zone names (none of them is a part of B's "Otherton West")."""
    names = list(Zone.objects.filter(council=council).values_list("name", flat=True))
    assert len(names) == 14 and not any(name in "Otherton West" for name in names)
    return names


def test_two_councils_hold_zones_of_the_same_code_each_with_its_own_areas(
    council: Any, council_b: Any
) -> None:
    a_zone, b_zone = (Zone.objects.get(council=c, code=ZONE) for c in (council, council_b))
    assert a_zone.pk != b_zone.pk
    assert b_zone.name == "Otherton West"
    assert AREA in a_zone.areas.values_list("code", flat=True)
    assert set(b_zone.areas.values_list("code", flat=True)) == {
        other_area(council_b),
        other_area(council_b)[:-1] + "2",
    }


def test_importing_b_s_geography_leaves_a_s_zones_and_areas_untouched(
    council: Any, council_b: Any, geography: Any
) -> None:
    a_before = sorted(Area.objects.filter(zone__council=council).values_list("code", "zone_id"))
    b_geo = geography_from_db(Zone.objects.filter(council=council_b))
    smaller = replace(
        b_geo,
        areas=b_geo.areas[:1],
        zone_of={b_geo.areas[0].code: ZONE},
        band_of={b_geo.areas[0].code: "URBAN"},
    )

    result = actions.import_geography(smaller, council=council_b, acting_user=None)

    assert result.removed_areas == 1
    assert Area.objects.filter(zone__council=council_b).count() == 1
    after = sorted(Area.objects.filter(zone__council=council).values_list("code", "zone_id"))
    assert after == a_before
    assert Zone.objects.filter(council=council).count() == 14


def test_b_s_geography_naming_one_of_a_s_areas_is_refused_and_changes_nothing(
    council: Any, council_b: Any, geography: Any
) -> None:
    with pytest.raises(InputError, match=AREA) as refused:
        actions.import_geography(geography, council=council_b, acting_user=None)
    assert refused.value.key == "area_code"
    assert Area.objects.get(code=AREA).zone.council == council
    assert Zone.objects.filter(council=council_b).count() == 1


def test_b_s_zones_page_lists_only_b_s_zones_and_a_s_zone_is_not_found(
    signed_in: Any, council_b: Any, a_names: list[str]
) -> None:
    client = signed_in(_persona("b_commissioner", council_b, "commissioner"))
    page = client.get(reverse("commissioning:zones")).content.decode()
    assert "Otherton West" in page
    assert not [name for name in a_names if name in page]
    assert client.get(reverse("commissioning:zone", args=[A_ONLY])).status_code == 404
    own = client.get(reverse("commissioning:zone", args=[ZONE])).content.decode()
    assert "Otherton West" in own and "West Leicester" not in own


def test_a_provider_sees_the_zones_of_the_councils_it_serves_only(
    signed_in: Any, council: Any, council_b: Any
) -> None:
    make_market(council, primes=1, supplementary=0)  # Prime 1 serves A only
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    client = signed_in(_persona("prime_1_user", prime_1.organisation, "provider"))
    page = client.get(reverse("commissioning:zones")).content.decode()
    assert "West Leicester" in page and "Otherton West" not in page
    nowhere = accounts.create_organisation("Nowhere (test)", kind="council", acting_user=None)
    outsider = signed_in(_persona("nowhere_broker", nowhere, "broker"))
    assert "Otherton West" not in outsider.get(reverse("commissioning:zones")).content.decode()


def test_b_s_waiting_list_filters_by_b_s_zones_only(
    signed_in: Any, council_b: Any, a_names: list[str]
) -> None:
    client = signed_in(_persona("b_broker", council_b, "broker"))
    page = client.get(reverse("brokerage:waiting-list"))
    assert page.context["filters"].fields["zone"].choices == [
        ("", "All zones"),
        (ZONE, "Otherton West"),
    ]
    refused = client.get(reverse("brokerage:waiting-list"), {"zone": A_ONLY})
    assert refused.status_code == 200 and refused.context["filters"].errors["zone"]


def test_b_s_request_form_lists_and_accepts_only_b_s_areas(
    signed_in: Any, council_b: Any, frozen_now: Any
) -> None:
    frozen_now(NOW)  # the week before the answers' start date
    framework_b = make_market(council_b)
    client = signed_in(_persona("b_broker", council_b, "broker"))
    page = client.get(reverse("brokerage:new-request")).content.decode()
    assert other_area(council_b) in page and AREA not in page

    refused = client.post(reverse("brokerage:new-request"), answers(framework_b, area=AREA))
    assert refused.status_code in (200, 400)
    assert "area" in refused.context["form"].errors
    checked = client.post(
        reverse("brokerage:new-request"), answers(framework_b, area=other_area(council_b))
    )
    assert checked.status_code == 302, checked.context["form"].errors


def test_b_s_api_lists_only_b_s_zones_and_refuses_a_s_area_naming_area_code(
    client: Client, council_b: Any
) -> None:
    make_market(council_b)
    api = Caller(client, token_for(council_b, "Case management"))
    zones = api.get("/api/v1/zones").json()
    assert [(zone["code"], zone["name"], zone["area_count"]) for zone in zones] == [
        (ZONE, "Otherton West", 2)
    ]
    assert api.get(f"/api/v1/zones/{A_ONLY}").status_code == 404
    assert api.get("/api/v1/requests", zone=A_ONLY).status_code == 400

    refused = api.post("/api/v1/requests", body())  # A's area
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "area_code"
    made = api.post("/api/v1/requests", body(area_code=other_area(council_b)))
    assert made.status_code == 201, made.content
