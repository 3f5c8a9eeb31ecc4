"""A second factor for every password sign-in: set up an app, then its code every time."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts import two_factor
from homecare.conftest import PASSWORD

TWO_FACTOR = "/accounts/two-factor/"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test secret


@pytest.fixture(autouse=True)
def _required(settings: Any) -> None:
    settings.HOMECARE_REQUIRE_TWO_FACTOR = True


def code_of(device: TOTPDevice, offset: int = 0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):06d}"


def sign_in(client: Client, username: str, next_page: str = "") -> Any:
    url = reverse("accounts:sign-in") + (f"?next={next_page}" if next_page else "")
    data = {"username": username, "password": PASSWORD, "next": next_page}
    return client.post(url, data)


@pytest.mark.django_db
def test_a_password_alone_reaches_only_the_set_up_page(client: Client, broker: Any) -> None:
    assert sign_in(client, "broker").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.url.startswith(TWO_FACTOR)
    page = client.get(home.url).content.decode()
    assert "Set up your authenticator app" in page
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=broker, confirmed=False)
    assert two_factor.secret_in_text(device).replace(" ", "") in page.replace(" ", "")
    for path in ("/admin/", reverse("commissioning:rate-cards"), "/glossary/"):
        assert client.get(path).url.startswith(TWO_FACTOR), path


@pytest.mark.django_db
def test_setting_up_shows_the_recovery_codes_once_and_then_asks_for_a_code_each_time(
    client: Client, broker: Any, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise hold the next a second
    sign_in(client, "broker")
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=broker)
    wrong = client.post(TWO_FACTOR, {"otp_token": "000000" if code_of(device) != "000000" else "1"})
    assert "The code is not right" in wrong.content.decode()
    done = client.post(TWO_FACTOR, {"otp_token": code_of(device), "next": "/glossary/"})
    page = done.content.decode()
    assert "Your recovery codes" in page and done["Cache-Control"] == "no-store"
    assert StaticToken.objects.filter(device__user=broker).count() == 10
    assert client.get("/").status_code == 200
    assert client.get(TWO_FACTOR).status_code == 302  # nothing to show again
    client.post(reverse("accounts:sign-out"))
    sign_in(client, "broker")
    ask = client.get(TWO_FACTOR).content.decode()
    assert "Enter your security code" in ask and 'name="otp_token"' in ask
    assert "Your recovery codes" not in ask


@pytest.mark.django_db
def test_the_app_code_or_a_recovery_code_signs_in_and_a_recovery_code_works_once(
    client: Client, broker: Any
) -> None:
    device = two_factor.give_known_app(broker, KEY, acting_user=None)
    codes = two_factor.make_recovery_codes(broker, acting_user=None)
    sign_in(client, "broker", next_page="/glossary/")
    response = client.post(TWO_FACTOR, {"otp_token": code_of(device), "next": "/glossary/"})
    assert response.status_code == 302 and response.url == "/glossary/"
    client.post(reverse("accounts:sign-out"))
    for attempt in range(2):
        client.post(reverse("accounts:sign-out"))
        sign_in(client, "broker")
        response = client.post(TWO_FACTOR, {"otp_token": codes[0]})
        if attempt == 0:
            assert response.status_code == 302 and client.get("/").status_code == 200
        else:
            assert "The code is not right" in response.content.decode()
            assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_an_administrator_reset_makes_the_next_sign_in_set_up_a_new_app(
    client: Client, broker: Any, commissioner: Any
) -> None:
    two_factor.give_known_app(broker, KEY, acting_user=None)
    two_factor.make_recovery_codes(broker, acting_user=None)
    assert two_factor.reset_second_factor(broker, acting_user=commissioner) == 2
    sign_in(client, "broker")
    assert "Set up your authenticator app" in client.get(TWO_FACTOR).content.decode()


@pytest.mark.django_db
def test_the_setting_off_lets_a_password_sign_in_straight_through(
    client: Client, broker: Any, settings: Any
) -> None:
    settings.HOMECARE_REQUIRE_TWO_FACTOR = False
    sign_in(client, "broker")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_forced_sign_in_without_a_code_is_also_sent_to_the_second_factor(
    client: Client, provider_a_user: Any
) -> None:
    client.force_login(provider_a_user)  # any way in but single sign-on owes the code
    assert client.get("/").url.startswith(TWO_FACTOR)


@pytest.mark.django_db
def test_the_second_factor_page_sends_a_signed_out_visitor_to_sign_in(client: Client) -> None:
    assert client.get(TWO_FACTOR).url == reverse("accounts:sign-in")


@pytest.mark.django_db
def test_a_persona_given_a_known_secret_signs_in_with_its_code(client: Client, db: Any) -> None:
    from homecare.accounts import actions

    user = actions.create_persona(
        "demo_broker",
        password=PASSWORD,
        organisation=None,
        role=None,
        second_factor_key=KEY,
        acting_user=None,
    )
    sign_in(client, "demo_broker")
    page = client.get(TWO_FACTOR).content.decode()
    assert 'name="otp_token"' in page and "Set up" not in page
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert client.post(TWO_FACTOR, {"otp_token": code_of(device)}).status_code == 302
