"""Resetting a forgotten password by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from homecare.accounts import user_admin_actions as admin_actions
from homecare.accounts.models import Organisation
from homecare.accounts.plain_words import internal_words_in
from homecare.accounts.tests.test_user_admin_actions import make_admin


def page_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    page: str = response.content.decode()
    assert internal_words_in(page) == []
    return page


def ask_for_a_link(client: Client, email: str) -> Any:
    return client.post(reverse("users:password-reset"), {"email": email})


def reset_link() -> str:
    found = re.search(r"http://\S+/users/password-reset/\S+/\S+/", mail.outbox[-1].body)
    assert found is not None
    return found[0]


@pytest.fixture
def with_email(broker: Any) -> Any:
    broker.email = "Broker@Example.org"
    broker.save()
    return broker


@pytest.mark.django_db
def test_the_same_answer_whether_or_not_the_address_has_an_account(
    client: Client, with_email: Any
) -> None:
    known = ask_for_a_link(client, "broker@example.org")
    unknown = ask_for_a_link(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("users:password-reset-sent")
    assert "If the address you entered belongs to an account" in page_of(client.get(known.url))
    [email] = mail.outbox
    assert email.to == ["Broker@Example.org"]
    assert "username broker" in email.body


@pytest.mark.django_db
def test_the_form_names_the_address_when_it_is_missing_or_wrong(client: Client) -> None:
    for typed, message in (
        ("", "Enter an e-mail address"),
        ("not an address", "Enter an e-mail address in the correct format"),
        ("a\x00@example.org", "must not contain control characters"),
    ):
        page = page_of(ask_for_a_link(client, typed))
        assert '<a href="#email">' in page
        assert message in page
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reset_link_sets_a_new_password_once(client: Client, with_email: Any) -> None:
    ask_for_a_link(client, "broker@example.org")
    link = reset_link()
    opened = client.get(link)
    assert opened.status_code == 302
    assert "Choose a new password" in page_of(client.get(opened.url))

    chosen = "another long passphrase"
    mismatch = client.post(opened.url, {"new_password1": chosen, "new_password2": "other"})
    assert "Enter the same password in both boxes" in page_of(mismatch)
    done = client.post(opened.url, {"new_password1": chosen, "new_password2": chosen})
    assert done.url == reverse("users:password-reset-done")
    assert "Your password is saved" in page_of(client.get(done.url))

    assert Client().login(username="broker", password=chosen)
    assert "This link does not work" in page_of(client.get(link))


@pytest.mark.django_db
def test_a_switched_off_account_gets_no_link_and_an_earlier_link_stops_working(
    client: Client, council: Organisation, with_email: Any
) -> None:
    ask_for_a_link(client, "broker@example.org")
    link = reset_link()
    admin = make_admin("council_admin", council, "commissioner")
    admin_actions.deactivate_user(with_email, council, acting_user=admin)

    assert "This link does not work" in page_of(client.get(link))
    ask_for_a_link(client, "broker@example.org")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_invited_user_who_has_not_chosen_a_password_is_sent_no_reset_link(
    client: Client, council: Organisation
) -> None:
    admin = make_admin("council_admin", council, "commissioner")
    admin_actions.invite_user(
        council,
        email="sam@example.org",
        first_name="Sam",
        last_name="Okafor",
        roles={"broker"},
        acting_user=admin,
    )
    ask_for_a_link(client, "sam@example.org")
    assert len(mail.outbox) == 1  # the invitation only: the invitation link is their way in


@pytest.mark.django_db
def test_the_sign_in_page_links_to_resetting_a_forgotten_password(client: Client) -> None:
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert f'href="{reverse("users:password-reset")}">Forgotten your password?</a>' in page
    assert "Reset your password" in page_of(client.get(reverse("users:password-reset")))


@pytest.mark.django_db
def test_asking_too_often_sends_no_more_e_mails_and_says_the_same(
    client: Client, with_email: Any, frozen_now: Any
) -> None:
    from datetime import UTC, datetime

    from homecare.accounts import reset_requests

    frozen_now(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    answers = [ask_for_a_link(client, "broker@example.org") for _ in range(5)]
    assert {answer.url for answer in answers} == {reverse("users:password-reset-sent")}
    assert len(mail.outbox) == reset_requests.PER_ADDRESS  # three an hour, then none
    # The record holds no e-mail address, and asking never counts towards a sign-in lock.
    from homecare.accounts.models import SignInAttempt

    keys = set(SignInAttempt.objects.values_list("username", flat=True))
    assert keys == {reset_requests.email_key("Broker@Example.org")}
    assert (
        client.post(
            reverse("accounts:sign-in"), {"username": "broker", "password": "wrong"}
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_an_hour_later_the_address_may_ask_again(
    client: Client, with_email: Any, monkeypatch: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from homecare.accounts import lockout, reset_requests

    start = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(lockout, "clock", lambda: start)
    monkeypatch.setattr(reset_requests, "clock", lambda: start)
    for _ in range(4):
        ask_for_a_link(client, "broker@example.org")
    assert len(mail.outbox) == 3
    monkeypatch.setattr(reset_requests, "clock", lambda: start + timedelta(minutes=61))
    ask_for_a_link(client, "broker@example.org")
    assert len(mail.outbox) == 4
