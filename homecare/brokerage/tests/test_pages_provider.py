"""The provider's pages (inbox, answers, packages, capacity) and who may see what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import actions as accounts
from homecare.brokerage import actions
from homecare.brokerage.models import Offer, Placement
from homecare.brokerage.testing import make_request
from homecare.commissioning.models import CapacityDeclaration, Provider

pytestmark = pytest.mark.django_db


def _user_of(provider_name: str, username: str) -> Any:
    provider = Provider.objects.get(name=provider_name)
    return accounts.create_persona(
        username,
        password="x" * 12,
        organisation=provider.organisation,
        role="provider",
        acting_user=None,
    )


@pytest.fixture
def prime_1(framework: Any) -> Any:
    return _user_of("Prime 1 (test)", "prime_1_user")


@pytest.fixture
def prime_2(framework: Any) -> Any:
    return _user_of("Prime 2 (test)", "prime_2_user")


@pytest.fixture
def offered(framework: Any, broker: Any) -> Any:
    """A request offered now to Prime 1 (the best prime), its deadline a day away."""
    now = timezone.now()
    request = make_request(framework, "P-SECRET-7", acting_user=broker, now=now)
    actions.send_next_round(request, now=now, acting_user=broker)
    return request.offers.get()


def _answer(offer: Offer, answer: str, reason: str = "") -> dict[str, str]:
    return {"answer": answer, "reason": reason}


def test_the_inbox_shows_the_offer_but_not_who_the_person_is(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    response = signed_in(prime_1).get(reverse("brokerage:offers"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("brokerage:offer", args=[offered.pk]) in html
    assert offered.request.package.person.area.name in html
    assert "P-SECRET-7" not in html
    page = signed_in(prime_1).get(reverse("brokerage:offer", args=[offered.pk])).content.decode()
    assert "Monday" in page and "07:30 to 08:00" in page  # the schedule
    assert "8.5 carer hours" in page
    assert "P-SECRET-7" not in page


def test_another_provider_gets_404_for_the_offer_page(
    signed_in: Any, prime_2: Any, offered: Offer
) -> None:
    url = reverse("brokerage:offer", args=[offered.pk])
    assert signed_in(prime_2).get(url).status_code == 404


def test_accepting_places_the_package_and_reveals_the_person_in_my_packages(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    client = signed_in(prime_1)
    response = client.post(
        reverse("brokerage:offer", args=[offered.pk]), _answer(offered, "accept")
    )
    assert response["Location"] == reverse("brokerage:packages")
    placement = Placement.objects.get()
    assert placement.provider.name == "Prime 1 (test)"
    assert placement.offer == offered
    html = client.get(reverse("brokerage:packages")).content.decode()
    assert "P-SECRET-7" in html
    assert "Mon-Fri 07:30 45m x2; Sat-Sun 08:00 30m" in html  # alike visits grouped


def test_declining_needs_a_reason_and_then_the_next_round_goes_out(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    client = signed_in(prime_1)
    url = reverse("brokerage:offer", args=[offered.pk])
    response = client.post(url, _answer(offered, "decline"))
    assert response.status_code == 200
    assert "Enter the reason you are declining" in response.content.decode()
    assert 'href="#reason"' in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == Offer.Status.OPEN
    client.post(url, _answer(offered, "decline", "no carers in that area"))
    offered.refresh_from_db()
    assert (offered.status, offered.reason) == (Offer.Status.DECLINED, "no carers in that area")
    assert offered.request.offers.filter(status=Offer.Status.OPEN).get().provider.name == (
        "Prime 2 (test)"
    )


def test_no_answer_selected_is_an_error_naming_the_field(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    response = signed_in(prime_1).post(reverse("brokerage:offer", args=[offered.pk]), {})
    assert "Select accept or decline" in response.content.decode()


def test_an_answered_offer_gets_a_clear_message_not_an_error(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    client = signed_in(prime_1)
    url = reverse("brokerage:offer", args=[offered.pk])
    client.post(url, _answer(offered, "decline", "full"))
    response = client.post(url, _answer(offered, "accept"), follow=True)
    assert response.status_code == 200
    assert "Your answer was not recorded: this offer was already declined" in (
        response.content.decode()
    )


def test_an_expired_offer_gets_a_clear_message(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    Offer.objects.filter(pk=offered.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = signed_in(prime_1).post(
        reverse("brokerage:offer", args=[offered.pk]), _answer(offered, "accept"), follow=True
    )
    assert "Your answer was not recorded: this offer expired" in response.content.decode()
    assert not Placement.objects.exists()


def test_the_second_of_two_racing_providers_is_told_it_is_already_placed(
    signed_in: Any, broker: Any, framework: Any
) -> None:
    # An open framework offers everyone at once: the first acceptance wins.
    framework.policy_kind = "open_framework"
    framework.save()
    first, second = _user_of("Prime 1 (test)", "first"), _user_of("Prime 2 (test)", "second")
    now = timezone.now()
    request = make_request(framework, "P-RACE", acting_user=broker, now=now)
    actions.send_next_round(request, now=now, acting_user=broker)
    offer_1 = request.offers.get(provider__name="Prime 1 (test)")
    offer_2 = request.offers.get(provider__name="Prime 2 (test)")
    signed_in(first).post(reverse("brokerage:offer", args=[offer_1.pk]), _answer(offer_1, "accept"))
    response = signed_in(second).post(
        reverse("brokerage:offer", args=[offer_2.pk]), _answer(offer_2, "accept"), follow=True
    )
    assert "this package has already been placed" in response.content.decode()
    assert Placement.objects.get().provider.name == "Prime 1 (test)"


def test_a_closed_offer_page_says_so_and_has_no_form(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    client = signed_in(prime_1)
    client.post(reverse("brokerage:offer", args=[offered.pk]), _answer(offered, "decline", "full"))
    page = client.get(reverse("brokerage:offer", args=[offered.pk])).content.decode()
    assert "This offer is closed" in page
    assert 'name="answer"' not in page


def test_my_packages_pages_through_many_placements(
    signed_in: Any, prime_1: Any, framework: Any, broker: Any
) -> None:
    from homecare.brokerage.provider_views import PAGE_SIZE

    prime = Provider.objects.get(name="Prime 1 (test)")
    now = timezone.now()
    for n in range(PAGE_SIZE + 1):
        request = make_request(framework, f"P-MANY-{n:03}", acting_user=broker, now=now)
        actions.place_manually(request, prime, reason="test", now=now, acting_user=broker)
    client = signed_in(prime_1)
    first = client.get(reverse("brokerage:packages")).content.decode()
    second = client.get(reverse("brokerage:packages") + "?page=2").content.decode()
    assert first.count("P-MANY-") == PAGE_SIZE and second.count("P-MANY-") == 1
    assert "P-MANY-050" in first and "P-MANY-000" in second  # newest first


def test_a_provider_declares_capacity_per_zone_for_a_week(signed_in: Any, prime_1: Any) -> None:
    client = signed_in(prime_1)
    page = client.get(reverse("brokerage:capacity"))
    week = page.context["week"]
    response = client.post(
        reverse("brokerage:capacity"), {"week_starting": week, "zone-west-leicester": "37.5"}
    )
    assert response.status_code == 302
    declaration = CapacityDeclaration.objects.get()
    assert (str(declaration.free_hours), declaration.week_starting.isoformat()) == ("37.50", week)
    assert declaration.declared_by == prime_1


@pytest.mark.parametrize(
    ("value", "message"),
    [("lots", "must be a number"), ("-3", "must be 0 to 10,000"), ("", "at least one zone")],
)
def test_bad_capacity_is_named_and_nothing_is_saved(
    signed_in: Any, prime_1: Any, value: str, message: str
) -> None:
    client = signed_in(prime_1)
    week = client.get(reverse("brokerage:capacity")).context["week"]
    response = client.post(
        reverse("brokerage:capacity"), {"week_starting": week, "zone-west-leicester": value}
    )
    assert message in response.content.decode()
    assert not CapacityDeclaration.objects.exists()


# --- who sees what ---------------------------------------------------------------------------


def test_another_provider_never_sees_the_offer_nor_can_answer_it(
    signed_in: Any, prime_2: Any, offered: Offer
) -> None:
    client = signed_in(prime_2)
    inbox = client.get(reverse("brokerage:offers")).content.decode()
    assert reverse("brokerage:offer", args=[offered.pk]) not in inbox
    response = client.post(
        reverse("brokerage:offer", args=[offered.pk]), _answer(offered, "accept")
    )
    assert response.status_code == 404
    assert not Placement.objects.exists()


def test_another_provider_never_sees_a_package_placed_elsewhere(
    signed_in: Any, prime_1: Any, prime_2: Any, offered: Offer
) -> None:
    actions.answer_offer(offered, accepted=True, now=timezone.now(), acting_user=prime_1)
    html = signed_in(prime_2).get(reverse("brokerage:packages")).content.decode()
    assert "P-SECRET-7" not in html
    assert "No packages are placed with you" in html


def test_a_provider_user_without_a_market_provider_sees_no_offers(
    signed_in: Any, provider_a_user: Any, offered: Offer
) -> None:
    client = signed_in(provider_a_user)
    assert "You have no open offers" in client.get(reverse("brokerage:offers")).content.decode()
    assert client.post(reverse("brokerage:offer", args=[offered.pk])).status_code == 404


@pytest.mark.parametrize("name", ["waiting-list", "new-request"])
def test_providers_and_the_outsider_are_refused_the_broker_pages(
    signed_in: Any, provider_a_user: Any, outsider: Any, name: str
) -> None:
    for user in (provider_a_user, outsider):
        assert signed_in(user).get(reverse(f"brokerage:{name}")).status_code == 403


def test_a_provider_cannot_open_a_request_page(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    url = reverse("brokerage:request", args=[offered.request_id])
    assert signed_in(prime_1).get(url).status_code == 403


@pytest.mark.parametrize("name", ["offers", "packages", "capacity"])
def test_council_staff_and_the_outsider_are_refused_the_provider_pages(
    signed_in: Any, broker: Any, outsider: Any, name: str
) -> None:
    for user in (broker, outsider):
        assert signed_in(user).get(reverse(f"brokerage:{name}")).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client: Any, offered: Offer) -> None:
    for url in (reverse("brokerage:offers"), reverse("brokerage:request", args=[offered.pk])):
        assert "/accounts/sign-in/" in client.get(url)["Location"]


def test_brokers_and_commissioners_see_their_councils_requests_not_anothers(
    signed_in: Any, broker: Any, commissioner: Any, offered: Offer, geography: Any
) -> None:
    from homecare.accounts.models import Organisation
    from homecare.brokerage.testing import make_market

    url = reverse("brokerage:request", args=[offered.request_id])
    assert signed_in(commissioner).get(url).status_code == 200
    other = accounts.create_organisation(
        "Elsewhere Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    elsewhere = make_request(make_market(other, primes=0, supplementary=0, name="Other"), "P-X")
    assert (
        signed_in(broker).get(reverse("brokerage:request", args=[elsewhere.pk])).status_code == 404
    )
    waiting = signed_in(broker).get(reverse("brokerage:waiting-list")).context["tables"]
    assert elsewhere.pk not in [r.pk for _, _, rows in waiting for r in rows]


# --- mini-competition: a bid offer asks for an hourly rate ------------------------------------


@pytest.fixture
def bid_offered(geography: Any, council: Any, broker: Any) -> Offer:
    """A mini-competition's bid offer to Prime 1 (of the "DPS" framework), open for a day."""
    from homecare.brokerage.testing import make_market

    dps = make_market(council, supplementary=0, policy_kind="mini_competition", name="DPS")
    now = timezone.now()
    request = make_request(dps, "P-BID-1", acting_user=broker, now=now)
    actions.send_next_round(request, now=now, acting_user=broker)
    return request.offers.get(provider__name="Prime 1 (test)")


def _offer_page(client: Any, offer: Offer, data: dict[str, str] | None = None) -> Any:
    url = reverse("brokerage:offer", args=[offer.pk])
    return client.post(url, data) if data is not None else client.get(url)


def test_a_bid_offer_asks_for_an_hourly_rate_in_pounds_per_hour(
    signed_in: Any, bid_offered: Offer
) -> None:
    page = _offer_page(signed_in(_user_of("Prime 1 (test)", "bidder")), bid_offered)
    html = page.content.decode()
    assert bid_offered.kind == "bid"
    label = "Your hourly rate (required if you accept)"
    assert f'<label class="govuk-label" for="bid_rate">{label}</label>' in html
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    assert '<div class="govuk-input__suffix" aria-hidden="true">per hour</div>' in html
    assert 'inputmode="decimal"' in html
    assert 'aria-describedby="bid_rate-hint"' in html
    assert "Mini-competition, round 1" in html


def test_an_ordinary_offer_has_no_rate_field(signed_in: Any, prime_1: Any, offered: Offer) -> None:
    html = _offer_page(signed_in(prime_1), offered).content.decode()
    assert offered.kind != "bid"
    assert 'name="bid_rate"' not in html and "per hour" not in html


def test_a_forged_rate_on_an_ordinary_offer_is_ignored(
    signed_in: Any, prime_1: Any, offered: Offer
) -> None:
    _offer_page(signed_in(prime_1), offered, {"answer": "accept", "bid_rate": "99.00"})
    offered.refresh_from_db()
    assert offered.status == Offer.Status.ACCEPTED and offered.bid_rate is None
    assert Placement.objects.get().rate == 20  # the tendered rate


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your hourly rate, like 21.50"),
        ("   ", "Enter your hourly rate, like 21.50"),
        ("lots", "Your hourly rate must be an amount in pounds, like 21.50"),
        ("21,50", "Your hourly rate must be an amount in pounds, like 21.50"),
        ("-4", "Your hourly rate must be more than £0"),
        ("0.00", "Your hourly rate must be more than £0"),
        ("21.505", "Your hourly rate must be in pounds and pence (2 decimal places at most)"),
        ("2150", "Your hourly rate must be £250.00 an hour or less"),
        ("1e9", "Your hourly rate must be £250.00 an hour or less"),
        ("NaN", "Your hourly rate must be an amount in pounds, like 21.50"),
        ("21.50 an hour please", "Your hourly rate must be an amount in pounds, like 21.50"),
    ],
)
def test_accepting_a_bid_needs_a_good_rate_and_the_error_names_the_field(
    signed_in: Any, bid_offered: Offer, typed: str, message: str
) -> None:
    client = signed_in(_user_of("Prime 1 (test)", "bidder"))
    response = _offer_page(client, bid_offered, {"answer": "accept", "bid_rate": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'<a href="#bid_rate">{message}' in html  # the summary links to the input
    assert 'id="bid_rate-error"' in html
    assert html.count('href="#bid_rate"') == 1  # one error, said once
    assert 'value="accept" checked' in html  # the answer is kept for the second try
    bid_offered.refresh_from_db()
    assert (bid_offered.status, bid_offered.bid_rate) == (Offer.Status.OPEN, None)


@pytest.mark.parametrize(("typed", "kept"), [("21.5", "21.50"), ("£ 19.75", "19.75")])
def test_a_good_bid_is_recorded_and_the_provider_is_told_when_bids_are_scored(
    signed_in: Any, bid_offered: Offer, typed: str, kept: str
) -> None:
    client = signed_in(_user_of("Prime 1 (test)", "bidder"))
    response = _offer_page(client, bid_offered, {"answer": "accept", "bid_rate": typed})
    assert response["Location"] == reverse("brokerage:offers")
    bid_offered.refresh_from_db()
    assert (bid_offered.status, str(bid_offered.bid_rate)) == (Offer.Status.ACCEPTED, kept)
    inbox = client.get(reverse("brokerage:offers")).content.decode()
    assert f"Your bid of £{kept} an hour is recorded" in inbox
    assert not Placement.objects.exists()  # Prime 2 is still bidding
    page = _offer_page(client, bid_offered).content.decode()
    assert f"£{kept} an hour" in page and "This offer is closed" in page


def test_declining_a_bid_needs_a_reason_not_a_rate(signed_in: Any, bid_offered: Offer) -> None:
    client = signed_in(_user_of("Prime 1 (test)", "bidder"))
    _offer_page(client, bid_offered, {"answer": "decline", "reason": "full", "bid_rate": "x"})
    bid_offered.refresh_from_db()
    assert (bid_offered.status, bid_offered.bid_rate) == (Offer.Status.DECLINED, None)


def test_the_last_bid_in_closes_the_round_and_a_loser_is_told_it_went_elsewhere(
    signed_in: Any, bid_offered: Offer
) -> None:
    # Prime 2 bids low first; Prime 1's higher bid completes the round. With quality 89 and
    # 88 and weights 60/40: Prime 1 scores 40 x 18/30 + 60 = 84.00, Prime 2
    # 40 + 60 x 88/89 = 99.33, so Prime 2 wins and Prime 1 is told so.
    other = bid_offered.request.offers.get(provider__name="Prime 2 (test)")
    _offer_page(
        signed_in(_user_of("Prime 2 (test)", "low")), other, {"answer": "accept", "bid_rate": "18"}
    )
    client = signed_in(_user_of("Prime 1 (test)", "bidder"))
    response = _offer_page(client, bid_offered, {"answer": "accept", "bid_rate": "30"})
    assert response["Location"] == reverse("brokerage:offers")
    inbox = client.get(reverse("brokerage:offers")).content.decode()
    assert "the package was placed with another provider" in inbox
    placement = Placement.objects.get()
    assert (placement.provider.name, str(placement.rate)) == ("Prime 2 (test)", "18.00")
