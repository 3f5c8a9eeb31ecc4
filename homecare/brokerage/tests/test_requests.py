"""Requests: made from checked input, offered by the policy, placed once, audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from carecore.brokerage import IllegalTransition
from carecore.errors import InputError
from homecare.brokerage import actions, lifecycle
from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Person,
    Placement,
    RequestTransition,
)
from homecare.brokerage.testing import NOW, make_market
from homecare.commissioning.models import Provider

pytestmark = pytest.mark.django_db


def _offer_to(request: BrokerageRequest, name: str) -> Offer:
    return request.offers.get(provider__name=name, status=Offer.Status.OPEN)


def test_a_new_request_derives_hours_from_its_visits(new_request: Any) -> None:
    request = new_request()
    package = request.package
    # Mon-Fri 45 min with two carers, Sat-Sun 30 min with one.
    assert package.contact_hours_per_week == Decimal("4.75")
    assert package.carer_hours_per_week == Decimal("8.50")
    assert package.visits.count() == 7
    assert request.state == "requested"
    assert package.to_spec().carer_hours_per_week == Decimal("8.5")


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"visits": "Mon 07:30 0m"}, "schedule"),
        ({"visits": [{"day": 0, "window_start": "07:30", "minutes": 0}]}, "visits[0].minutes"),
        ({"visits": "Mon 07:30 60m; Mon 08:00 30m"}, "visits[1].window_start"),
        ({"area_code": "NOWHERE"}, "area_code"),
        ({"cohort": "giants"}, "cohort"),
        ({"source": "the moon"}, "source"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    new_request: Any, overrides: dict[str, Any], key: str
) -> None:
    with pytest.raises(InputError) as caught:
        new_request(**overrides)
    assert caught.value.key == key
    assert not Person.objects.exists()
    assert not Package.objects.exists()
    assert not BrokerageRequest.objects.exists()


def test_the_prime_cascade_offers_the_best_prime_first_then_the_next(
    new_request: Any, provider_a_user: Any
) -> None:
    request = new_request()
    offers = actions.send_next_round(request, now=NOW, acting_user=None)
    assert [o.provider.name for o in offers] == ["Prime 1 (test)"]
    assert offers[0].deadline == NOW + timedelta(hours=24)
    actions.answer_offer(
        offers[0], accepted=False, reason="no carers", now=NOW, acting_user=provider_a_user
    )
    request.refresh_from_db()
    assert request.state == "offered"
    assert request.round_number == 2
    assert _offer_to(request, "Prime 2 (test)").tier == "prime"


def test_an_acceptance_places_the_package_and_every_change_is_audited(
    new_request: Any, broker: Any, provider_a_user: Any
) -> None:
    request = new_request()
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=broker)
    later = NOW + timedelta(hours=1)
    placement = actions.answer_offer(offer, accepted=True, now=later, acting_user=provider_a_user)
    assert placement is not None
    assert placement.provider.name == "Prime 1 (test)"
    assert placement.rate == Decimal("20.00")
    request.refresh_from_db()
    assert (request.state, request.placed_provider, request.placed_rate) == (
        "placed",
        placement.provider,
        Decimal("20.00"),
    )
    steps = list(RequestTransition.objects.filter(request=request).order_by("pk"))
    assert [(s.from_state, s.to_state, s.by) for s in steps] == [
        ("requested", "offered", broker),
        ("offered", "placed", provider_a_user),
    ]
    assert steps[1].at == later
    assert Offer.history.filter(id=offer.pk).count() == 2  # sent, then accepted
    assert Offer.history.filter(id=offer.pk).first().history_user == provider_a_user
    assert Placement.history.filter(id=placement.pk, history_user=provider_a_user).exists()
    assert [h.status for h in Package.history.filter(id=request.package_id)] == [
        "placed",
        "offered",
        "requested",
    ]


def test_a_second_acceptance_is_told_the_package_is_already_placed(
    new_request: Any, geography: Any, council: Any
) -> None:

    framework = make_market(
        council, name="Open", policy_kind="open_framework", policy_settings={}, primes=2
    )
    request = new_request(framework=framework)
    first, second, *_ = actions.send_next_round(request, now=NOW, acting_user=None)
    actions.answer_offer(first, accepted=True, now=NOW, acting_user=None)
    with pytest.raises(actions.OfferClosed, match="already been placed"):
        actions.answer_offer(second, accepted=True, now=NOW, acting_user=None)
    assert Placement.objects.filter(package=request.package).count() == 1
    second.refresh_from_db()
    assert second.status == "withdrawn"


def test_an_answer_after_the_deadline_or_a_second_answer_is_refused(new_request: Any) -> None:
    request = new_request()
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=None)
    with pytest.raises(actions.OfferClosed, match="expired"):
        actions.answer_offer(offer, accepted=True, now=NOW + timedelta(days=2), acting_user=None)
    actions.answer_offer(offer, accepted=False, reason="full", now=NOW, acting_user=None)
    with pytest.raises(actions.OfferClosed, match="already declined"):
        actions.answer_offer(offer, accepted=True, now=NOW, acting_user=None)


def test_a_decline_needs_a_reason(new_request: Any) -> None:
    request = new_request()
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=None)
    with pytest.raises(InputError) as caught:
        actions.answer_offer(offer, accepted=False, reason=" ", now=NOW, acting_user=None)
    assert caught.value.key == "reason"
    offer.refresh_from_db()
    assert offer.status == "open"


def test_a_bid_rate_on_an_ordinary_offer_is_refused_and_nothing_changes(
    new_request: Any,
) -> None:
    request = new_request()
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=None)
    with pytest.raises(InputError) as raised:
        actions.answer_offer(
            offer, accepted=True, bid_rate=Decimal("21.00"), now=NOW, acting_user=None
        )
    assert raised.value.key == "bid_rate"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN and not Placement.objects.exists()


def test_expired_offers_send_the_next_round_and_an_exhausted_market_needs_a_spot_purchase(
    new_request: Any,
) -> None:
    request = new_request()
    actions.send_next_round(request, now=NOW, acting_user=None)
    moment = NOW
    names = []
    for _ in range(3):  # two primes, one supplementary
        moment += timedelta(hours=25)
        names.append(request.offers.get(status="open").provider.name)
        assert actions.expire_offers(moment) == 1
    request.refresh_from_db()
    assert names == ["Prime 1 (test)", "Prime 2 (test)", "Supplementary 1 (test)"]
    assert request.state == "requested"
    assert request.needs_spot_purchase
    assert request.offers.filter(status="expired").count() == 3
    assert actions.expire_offers(moment + timedelta(days=9)) == 0


def test_illegal_transitions_are_refused_and_nothing_changes(new_request: Any) -> None:
    request = new_request()
    with pytest.raises(IllegalTransition):
        lifecycle.start_package(request.package, at=NOW, acting_user=None)
    request.refresh_from_db()
    assert request.state == "requested"
    assert not RequestTransition.objects.exists()


def test_a_manual_placement_needs_a_reason_and_uses_the_appointed_rate(
    new_request: Any, broker: Any
) -> None:
    request = new_request()
    provider = Provider.objects.get(name="Supplementary 1 (test)")
    with pytest.raises(InputError) as caught:
        actions.place_manually(request, provider, reason="", now=NOW, acting_user=broker)
    assert caught.value.key == "reason"
    placement = actions.place_manually(
        request, provider, reason="family asked", now=NOW, acting_user=broker
    )
    assert placement.rate == Decimal("20.00")
    assert RequestTransition.objects.get(request=request).reason == "family asked"


def test_a_package_is_never_placed_twice_even_by_a_broker(new_request: Any, broker: Any) -> None:
    request = new_request()
    provider = Provider.objects.get(name="Prime 1 (test)")
    actions.place_manually(request, provider, reason="urgent", now=NOW, acting_user=broker)
    with pytest.raises(IllegalTransition):
        actions.place_manually(request, provider, reason="again", now=NOW, acting_user=broker)
    assert Placement.objects.count() == 1


def test_a_transfer_ends_one_placement_and_starts_another(new_request: Any, broker: Any) -> None:
    request = new_request()
    first, second = Provider.objects.filter(name__startswith="Prime").order_by("name")
    actions.place_manually(request, first, reason="spot", now=NOW, acting_user=broker)
    lifecycle.start_package(request.package, at=NOW, acting_user=broker)
    new = lifecycle.transfer_package(
        request.package, second, reason="contingency to lead", now=NOW, acting_user=broker
    )
    request.refresh_from_db()
    assert request.state == "transferred"
    assert new.state == "started"
    live = Placement.objects.get(package=request.package, ended_at__isnull=True)
    assert live.provider == second
    assert Placement.objects.filter(package=request.package).count() == 2


def test_a_package_suspends_resumes_and_ends(new_request: Any, broker: Any) -> None:
    request = new_request()
    package = request.package
    actions.place_manually(
        request, Provider.objects.first(), reason="spot", now=NOW, acting_user=broker
    )
    lifecycle.start_package(package, at=NOW, acting_user=broker)
    lifecycle.suspend_package(package, reason="in hospital", at=NOW, acting_user=broker)
    lifecycle.start_package(package, at=NOW, acting_user=broker, reason="home again")
    lifecycle.end_package(package, reason="moved away", at=NOW, acting_user=broker)
    package.refresh_from_db()
    assert package.status == "ended"
    assert package.end_date == NOW.date()
    assert not Placement.objects.filter(ended_at__isnull=True).exists()


def test_withdrawing_a_request_withdraws_its_open_offers(new_request: Any, broker: Any) -> None:
    request = new_request()
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=broker)
    lifecycle.withdraw_request(request, reason="no longer needed", now=NOW, acting_user=broker)
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    with pytest.raises(actions.OfferClosed):
        actions.answer_offer(offer, accepted=True, now=NOW, acting_user=None)
