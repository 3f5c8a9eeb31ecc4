"""Signing in and out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecare.conftest import PASSWORD


@pytest.mark.django_db
def test_the_sign_in_page_labels_both_inputs(client: Client) -> None:
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert '<label class="govuk-label" for="username">Username</label>' in page
    assert '<label class="govuk-label" for="password">Password</label>' in page
    assert '<html lang="en-GB"' in page
    assert "<title>Sign in – Home care commissioning</title>" in page


@pytest.mark.django_db
def test_a_wrong_password_shows_an_error_summary_linked_to_the_username(
    client: Client, commissioner: Any
) -> None:
    response = client.post(
        reverse("accounts:sign-in"), {"username": "commissioner", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#username">Enter a correct username and password' in page
    assert "<title>Error: Sign in" in page
    assert 'value="wrong"' not in page  # the password is never sent back


@pytest.mark.django_db
def test_empty_fields_are_named_in_the_error_summary(client: Client) -> None:
    page = client.post(reverse("accounts:sign-in"), {}).content.decode()
    assert '<a href="#username">Enter your username</a>' in page
    assert '<a href="#password">Enter your password</a>' in page


@pytest.mark.django_db
def test_signing_in_goes_to_the_page_asked_for(client: Client, broker: Any) -> None:
    wanted = reverse("commissioning:rate-cards")
    response = client.post(
        f"{reverse('accounts:sign-in')}?next={wanted}",
        {"username": "broker", "password": PASSWORD, "next": wanted},
    )
    assert response.status_code == 302
    assert response.url == wanted


@pytest.mark.django_db
def test_signing_in_never_redirects_to_another_site(client: Client, broker: Any) -> None:
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": "broker", "password": PASSWORD, "next": "https://example.com/"},
    )
    assert response.url == reverse("home")


@pytest.mark.django_db
def test_signing_out_needs_a_post(client: Client, broker: Any) -> None:
    client.force_login(broker)
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_signing_out_ends_the_session_and_says_so(broker: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(broker)
    home = client.get(reverse("home"))
    token = home.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:sign-out"), {"csrfmiddlewaretoken": token}, follow=True
    )
    assert "You have signed out." in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_signing_out_without_the_csrf_token_is_refused(broker: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(broker)
    assert client.post(reverse("accounts:sign-out")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_every_signed_in_page_has_the_sign_out_button_and_the_user(
    signed_in: Any, provider_a_user: Any
) -> None:
    page = signed_in(provider_a_user).get(reverse("home")).content.decode()
    assert 'action="/accounts/sign-out/"' in page
    assert "Provider A User" in page
    assert "Alderbank Care (test)" in page
    assert "govuk-phase-banner" in page and "Alpha" in page
    assert 'href="#main-content" class="govuk-skip-link"' in page
