"""A provider's pay return: filed by its own staff, checked field by field, corrected with its
history kept; the form page with its error summary; nobody else files or sees it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from carecore.errors import InputError
from homecare.brokerage.testing import NOW
from homecare.commissioning.models import Framework, Provider
from homecare.conftest import _persona
from homecare.finance.models import PayReturn
from homecare.finance.pay_returns import describe_return, file_pay_return, policy_of


def _urls() -> list[Any]:
    import config.urls

    try:
        reverse("finance:pay-return", urlconf="config.urls")
        return list(config.urls.urlpatterns)
    except NoReverseMatch:  # until the pages are wired into the site's URLs
        return [
            *config.urls.urlpatterns,
            path("finance/", include("homecare.finance.pay_audit_urls")),
        ]


urlpatterns = _urls()


@pytest.fixture(autouse=True)
def _pay_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def framework(geography: Any, council: Any) -> Framework:
    from homecare.brokerage.testing import make_market

    return make_market(council)


@pytest.fixture
def prime_1(framework: Framework) -> Provider:
    return Provider.objects.get(name="Prime 1 (test)")


@pytest.fixture
def prime_1_user(prime_1: Provider) -> Any:
    return _persona("prime_1_user", prime_1.organisation, "provider")


GOOD = {
    "effective_from": date(2026, 4, 1),
    "hourly_pay": Decimal("12.75"),
    "travel_pay": "unpaid",
    "waiting_paid": False,
    "break_after_minutes": 60,
}


def file(provider: Provider, user: Any, **changes: Any) -> PayReturn:
    return file_pay_return(provider, **{**GOOD, **changes}, now=NOW, acting_user=user)


def test_a_provider_files_its_pay_return(prime_1: Provider, prime_1_user: Any) -> None:
    filed = file(prime_1, prime_1_user, travel_pay="own_rate", travel_rate="6.50")
    filed.refresh_from_db()
    assert (filed.hourly_pay, filed.travel_rate, filed.per_visit_pay) == (
        Decimal("12.75"),
        Decimal("6.50"),
        None,
    )
    assert (filed.filed_by, filed.filed_at) == (prime_1_user, NOW)
    assert filed.history.get().history_user == prime_1_user
    assert describe_return(filed) == (
        "£12.75 an hour for time with people; travel between visits paid at £6.50 an hour; "
        "waiting not paid; a wait of more than 60 minutes is a break"
    )
    policy = policy_of(filed)
    assert (policy.hourly_pay, policy.travel_pay, policy.travel_rate) == (
        Decimal("12.75"),
        "own_rate",
        Decimal("6.50"),
    )


def test_filing_again_from_the_same_day_corrects_it_and_keeps_the_history(
    prime_1: Provider, prime_1_user: Any
) -> None:
    first = file(prime_1, prime_1_user)
    again = file(prime_1, prime_1_user, hourly_pay="13.00")
    assert again.pk == first.pk and PayReturn.objects.count() == 1
    assert again.hourly_pay == Decimal("13.00")
    assert sorted(h.hourly_pay for h in again.history.all()) == [Decimal("12.75"), Decimal("13")]


def test_a_rate_not_needed_by_the_travel_pay_is_not_kept(prime_1: Provider) -> None:
    filed = file(prime_1, None, travel_pay="hourly", travel_rate="9.00", per_visit_pay="1.00")
    assert (filed.travel_rate, filed.per_visit_pay) == (None, None)


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"hourly_pay": "0"}, "hourly_pay", "more than £0"),
        ({"hourly_pay": "twelve"}, "hourly_pay", "an amount in pounds"),
        ({"hourly_pay": "12.755"}, "hourly_pay", "pounds and pence"),
        ({"hourly_pay": "5000"}, "hourly_pay", "£1,000 or less"),
        ({"hourly_pay": ""}, "hourly_pay", "enter the hourly pay"),
        ({"travel_pay": "mileage"}, "travel_pay", "how travel"),
        ({"travel_pay": "own_rate"}, "travel_rate", "enter the hourly rate for travel"),
        ({"travel_pay": "per_visit", "per_visit_pay": "-1"}, "per_visit_pay", "more than £0"),
        ({"waiting_paid": "yes"}, "waiting_paid", "whether waiting"),
        ({"break_after_minutes": "-5"}, "break_after_minutes", "whole minutes"),
        ({"break_after_minutes": "2000"}, "break_after_minutes", "1,440 minutes or less"),
        ({"effective_from": "2026-04-01"}, "effective_from", "enter the date"),
        ({"effective_from": date(2012, 1, 1)}, "effective_from", "on or after"),
        ({"effective_from": date(2027, 6, 1)}, "effective_from", "within a year"),
    ],
)
def test_bad_input_names_its_field(
    prime_1: Provider, changes: dict[str, Any], key: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        file(prime_1, None, **changes)
    assert caught.value.key == key
    assert words in caught.value.message
    assert not PayReturn.objects.exists()


def test_only_the_providers_own_staff_file_its_return(
    prime_1: Provider, commissioner: Any, provider_b_user: Any
) -> None:
    for user in (commissioner, provider_b_user):
        with pytest.raises(InputError) as caught:
            file(prime_1, user)
        assert caught.value.key == "provider"
    assert not PayReturn.objects.exists()


# --- the page -------------------------------------------------------------------------------

FORM = {
    "effective_from_day": "1",
    "effective_from_month": "4",
    "effective_from_year": "2026",
    "hourly_pay": "12.90",
    "travel_pay": "per_visit",
    "per_visit_pay": "1.20",
    "waiting_paid": "yes",
    "break_after_minutes": "45",
}


def test_the_provider_files_through_the_page_and_sees_its_history(
    signed_in: Any, prime_1: Provider, prime_1_user: Any, frozen_now: Any
) -> None:
    frozen_now(NOW)
    client = signed_in(prime_1_user)
    page = client.get(reverse("finance:pay-return"))
    assert page.status_code == 200
    assert "You have not filed a pay return yet" in page.content.decode()
    response = client.post(reverse("finance:pay-return"), FORM)
    assert response.status_code == 302
    filed = PayReturn.objects.get()
    assert (filed.provider, filed.per_visit_pay, filed.waiting_paid) == (
        prime_1,
        Decimal("1.20"),
        True,
    )
    text = client.get(reverse("finance:pay-return")).content.decode()
    assert "1 April 2026" in text and "travel paid £1.20 a visit" in text
    assert "Prime 1 User" in text


def test_a_bad_form_shows_the_error_summary_linked_to_each_field(
    signed_in: Any, prime_1: Provider, prime_1_user: Any, frozen_now: Any
) -> None:
    frozen_now(NOW)
    client = signed_in(prime_1_user)
    bad = {**FORM, "hourly_pay": "12.5.0", "per_visit_pay": "", "effective_from_month": "13"}
    response = client.post(reverse("finance:pay-return"), bad)
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert 'href="#effective_from_day"' in text
    assert not PayReturn.objects.exists()
    # With a good date, the action's error lands on its field.
    response = client.post(reverse("finance:pay-return"), {**FORM, "per_visit_pay": ""})
    text = response.content.decode()
    assert 'href="#per_visit_pay"' in text
    assert "Enter the sum paid a visit for travel" in text
    assert not PayReturn.objects.exists()


def test_only_provider_staff_open_the_page_and_each_sees_its_own(
    signed_in: Any,
    prime_1: Provider,
    prime_1_user: Any,
    commissioner: Any,
    outsider: Any,
    framework: Framework,
) -> None:
    file(prime_1, prime_1_user)
    for user in (commissioner, outsider):
        assert signed_in(user).get(reverse("finance:pay-return")).status_code == 403
    prime_2 = Provider.objects.get(name="Prime 2 (test)")
    other = _persona("prime_2_user", prime_2.organisation, "provider")
    text = signed_in(other).get(reverse("finance:pay-return")).content.decode()
    assert "Prime 2 (test)" in text and "£12.75" not in text
