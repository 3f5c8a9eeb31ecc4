"""Councils are kept apart: people are each council's, and a provider's status is each
council's (issue 13, "Councils are not kept apart", rerun with two councils side by side).

Council A is the tests' own council; council B a second one whose framework has the same
providers. People are made the ways real people are: the request form and the action the
API and the importer call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from carecore.errors import InputError
from homecare.brokerage import actions
from homecare.brokerage.models import BrokerageRequest, Person, Placement, State
from homecare.brokerage.testing import (
    AREA,
    NOW,
    ZONE,
    make_market,
    make_request,
    other_council,
    persona,
)
from homecare.brokerage.testing import other_area as area_of
from homecare.brokerage.tests.test_new_request_form import answers
from homecare.commissioning import market_actions
from homecare.commissioning.market_models import Appointment, Provider, ProviderStanding
from homecare.commissioning.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)


@pytest.fixture
def council_b(geography: Any) -> Any:
    return other_council()


@pytest.fixture
def framework_a(geography: Any, council: Any) -> Any:
    return make_market(council)


@pytest.fixture
def framework_b(framework_a: Any, council_b: Any) -> Any:
    return make_market(council_b)  # the same providers, and a framework of the same name


@pytest.fixture
def other_area(council: Any) -> str:
    """Another area of council A's zone."""
    areas = Area.objects.filter(zone__council=council, zone__code=ZONE).exclude(code=AREA)
    return areas.order_by("code")[0].code


def _send_by_form(client: Any, framework: Any, **changes: Any) -> BrokerageRequest:
    """A broker fills in the new-request form, checks it and presses Send offers."""
    new = reverse("brokerage:new-request")
    checked = client.post(new, answers(framework, **changes))
    assert checked.status_code == 302, checked.content.decode()[:2000]
    token = parse_qs(urlparse(checked["Location"]).query)["check"][0]
    sent = client.post(new, {"confirm": token, "send": "1"})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    return BrokerageRequest.objects.latest("pk")


def test_a_second_council_s_broker_typing_a_reference_gets_their_own_person(
    signed_in: Any,
    broker: Any,
    council: Any,
    council_b: Any,
    framework_a: Any,
    framework_b: Any,
    other_area: str,
) -> None:
    broker_b = persona("broker_b", council_b, "broker")
    first = _send_by_form(signed_in(broker), framework_a, person_ref="P-004512")
    theirs = first.package.person
    assert (theirs.council, theirs.area.code, theirs.cohort) == (council, AREA, "older_people")

    second = _send_by_form(
        signed_in(broker_b),
        framework_b,
        person_ref="P-004512",
        area=area_of(council_b),
        cohort="mental_health",
        funding="nhs_chc",
    )

    mine = second.package.person
    assert mine.pk != theirs.pk and mine.council == council_b
    assert (mine.reference, mine.area.code, mine.cohort) == (
        "P-004512",
        area_of(council_b),
        "mental_health",
    )
    theirs.refresh_from_db()
    assert (theirs.area.code, theirs.cohort, theirs.funding) == (AREA, "older_people", "council")
    assert {h.history_user for h in theirs.history.all()} == {broker}  # nothing from B
    assert [h.history_user for h in mine.history.all()] == [broker_b]
    assert first.package.person == theirs  # A's package still A's person


def test_a_council_s_broker_retyping_its_own_reference_updates_its_own_person_with_history(
    broker: Any,
    council: Any,
    council_b: Any,
    framework_a: Any,
    framework_b: Any,
    other_area: str,
) -> None:
    first = make_request(framework_a, "P-7", acting_user=broker)
    b_person = make_request(framework_b, "P-7").package.person

    again = make_request(framework_a, "P-7", area_code=other_area, acting_user=broker)

    person = first.package.person
    person.refresh_from_db()
    assert again.package.person == person and person.area.code == other_area
    assert [h.area_id for h in person.history.order_by("history_id")][-1] == person.area_id
    assert person.history.count() == 2 and person.history.latest().history_user == broker
    b_person.refresh_from_db()
    assert b_person.area.code == area_of(council_b) and b_person.history.count() == 1


def test_the_database_refuses_one_reference_twice_in_one_council(
    council: Any, framework_a: Any
) -> None:
    from django.db import IntegrityError, transaction

    person = make_request(framework_a, "P-9").package.person
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            council=council,
            reference="P-9",
            area=person.area,
            funding="council",
            cohort="older_people",
        )


def _placed(framework: Any, ref: str, provider: Provider) -> Placement:
    request = make_request(framework, ref)
    return actions.place_manually(request, provider, reason="spot", now=NOW, acting_user=None)


def test_an_exit_by_council_b_leaves_council_a_s_placements_and_appointments_untouched(
    council: Any, council_b: Any, framework_a: Any, framework_b: Any
) -> None:
    commissioner_b = persona("commissioner_b", council_b, "commissioner")
    leaving = Provider.objects.get(name="Prime 1 (test)")
    kept = _placed(framework_a, "P-1", leaving)
    open_in_a = make_request(framework_a, "P-2")
    offers_in_a = actions.send_next_round(open_in_a, now=NOW, acting_user=None)
    moved = _placed(framework_b, "P-1", leaving)

    new = market_actions.set_provider_status(
        leaving,
        "exited",
        council=council_b,
        reason="left Otherton",
        at=NOW,
        acting_user=commissioner_b,
    )

    assert [r.package for r in new] == [moved.package]
    assert all(r.framework == framework_b and r.state == State.REQUESTED for r in new)
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert moved.ended_at == NOW and kept.ended_at is None
    assert kept.request.state == State.PLACED and kept.package.status == State.PLACED
    assert Appointment.objects.filter(framework=framework_a, provider=leaving, active=True).exists()
    assert not Appointment.objects.filter(
        framework=framework_b, provider=leaving, active=True
    ).exists()
    assert {o.status for o in offers_in_a} == {"open"}
    assert all(o.__class__.objects.get(pk=o.pk).status == "open" for o in offers_in_a)
    standings = {s.council: s.status for s in ProviderStanding.objects.filter(provider=leaving)}
    assert standings == {council: "active", council_b: "exited"}
    assert (
        ProviderStanding.objects.get(council=council_b, provider=leaving)
        .history.latest()
        .history_user
        == commissioner_b
    )


def test_a_suspension_by_one_council_stops_only_its_own_placements(
    council: Any, council_b: Any, framework_a: Any, framework_b: Any
) -> None:
    provider = Provider.objects.get(name="Prime 2 (test)")
    market_actions.set_provider_status(
        provider, "suspended", council=council_b, reason="CQC inspection", at=NOW, acting_user=None
    )

    assert _placed(framework_a, "P-1", provider).provider == provider
    with pytest.raises(InputError, match="suspended") as refused:
        _placed(framework_b, "P-1", provider)
    assert refused.value.key == "provider"


def test_a_quality_score_is_each_council_s_own(
    council: Any, council_b: Any, framework_a: Any, framework_b: Any
) -> None:
    provider = Provider.objects.get(name="Prime 1 (test)")
    market_actions.set_quality_score(provider, "42.5", council=council_b, acting_user=None)

    scores = {
        s.council: s.quality_score for s in ProviderStanding.objects.filter(provider=provider)
    }
    assert scores == {council: Decimal("89"), council_b: Decimal("42.50")}


def test_a_standing_is_set_by_a_council_only(framework_a: Any) -> None:
    from django.core.exceptions import ValidationError

    provider = Provider.objects.get(name="Prime 1 (test)")
    with pytest.raises(ValidationError, match="council"):
        market_actions.set_provider_status(
            provider, "exited", council=provider.organisation, reason="x", at=NOW, acting_user=None
        )
