"""Signing in is locked after repeated failures, for a while, without revealing who exists."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import actions, lockout
from homecare.accounts.forms import LOCKED_MESSAGE
from homecare.accounts.models import SignInAttempt
from homecare.conftest import PASSWORD

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(lockout, "clock", fake)
    return fake


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        reverse("accounts:sign-in"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail(client: Client, username: str, times: int, clock: Clock, **kwargs: Any) -> None:
    for _ in range(times):
        sign_in(client, username, "wrong password", **kwargs)
        clock.advance(seconds=30)


def is_locked_out(response: Any) -> bool:
    return LOCKED_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_username_and_even_the_right_password_is_refused(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    response = sign_in(client, "broker", PASSWORD)
    assert response.status_code == 200
    assert is_locked_out(response)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock(client: Client, broker: Any, clock: Clock) -> None:
    fail(client, "broker", 4, clock)
    assert sign_in(client, "broker", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_five_failures_spread_over_more_than_fifteen_minutes_do_not_lock(
    client: Client, broker: Any, clock: Clock
) -> None:
    for _ in range(5):
        sign_in(client, "broker", "wrong password")
        clock.advance(minutes=4)
    assert sign_in(client, "broker", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_fifteen_minutes_after_the_fifth_failure(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)  # the fifth at 09:02:00, then the clock reads 09:02:30
    clock.advance(minutes=14)
    assert is_locked_out(sign_in(client, "broker", PASSWORD))
    clock.advance(seconds=31)
    assert sign_in(client, "broker", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_tries_made_while_locked_do_not_keep_the_lock_going(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    for _ in range(20):
        assert is_locked_out(sign_in(client, "broker", "another guess"))
        clock.advance(seconds=30)
    clock.advance(minutes=5)
    assert sign_in(client, "broker", PASSWORD).status_code == 302
    assert SignInAttempt.objects.filter(outcome="refused").count() == 20


@pytest.mark.django_db
def test_a_username_that_does_not_exist_is_locked_with_the_same_words(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    fail(client, "nobody-by-this-name", 5, clock)
    real = sign_in(client, "broker", "guess").content.decode()
    made_up = sign_in(client, "nobody-by-this-name", "guess").content.decode()
    assert LOCKED_MESSAGE in real and LOCKED_MESSAGE in made_up

    def without_name_and_csrf(page: str, name: str) -> str:
        page = page.replace(f'value="{name}"', "")
        page = re.sub(r' nonce="[^"]+"', "", page)  # the policy's nonce differs on every page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert without_name_and_csrf(real, "broker") == without_name_and_csrf(
        made_up, "nobody-by-this-name"
    )


@pytest.mark.django_db
def test_the_lock_message_is_in_the_error_summary_linked_to_the_username(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    page = sign_in(client, "broker", PASSWORD).content.decode()
    assert "There is a problem" in page
    assert f'<a href="#username">{LOCKED_MESSAGE}' in page
    assert "<title>Error: Sign in" in page


@pytest.mark.django_db
def test_the_username_is_counted_whatever_its_case(
    client: Client, broker: Any, clock: Clock
) -> None:
    for name in ("Broker", "BROKER", "broker", " broker", "bRoKeR"):
        sign_in(client, name, "wrong password")
    assert is_locked_out(sign_in(client, "broker", PASSWORD))


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_usernames_count(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 4, clock)
    assert sign_in(client, "broker", PASSWORD).status_code == 302
    client.logout()
    fail(client, "broker", 4, clock)
    assert sign_in(client, "broker", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_lock_on_one_username_does_not_lock_another(
    client: Client, broker: Any, commissioner: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    assert sign_in(client, "commissioner", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_twenty_failures_from_one_address_lock_that_address_for_every_username(
    client: Client, broker: Any, clock: Clock
) -> None:
    for number in range(20):
        sign_in(client, f"guess-{number}", "wrong password", address="192.0.2.7")
    assert is_locked_out(sign_in(client, "broker", PASSWORD, address="192.0.2.7"))
    assert sign_in(client, "broker", PASSWORD, address="192.0.2.8").status_code == 302


@pytest.mark.django_db
def test_an_administrator_can_unlock_a_username_before_the_time_is_up(
    client: Client, broker: Any, commissioner: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    actions.unlock_sign_in(username="broker", acting_user=commissioner, now=clock())
    assert sign_in(client, "broker", PASSWORD).status_code == 302
    unlock = SignInAttempt.objects.get(outcome="unlocked")
    assert unlock.unlocked_by == commissioner


@pytest.mark.django_db
def test_the_admin_action_unlocks_the_selected_usernames(
    client: Client, broker: Any, clock: Clock
) -> None:
    fail(client, "broker", 5, clock)
    admin_user = get_user_model().objects.create_superuser("root", password=PASSWORD)
    staff = Client()
    staff.force_login(admin_user)
    attempt = SignInAttempt.objects.filter(username="broker").first()
    assert attempt is not None
    response = staff.post(
        reverse("admin:accounts_signinattempt_changelist"),
        {"action": "unlock_usernames", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    assert sign_in(client, "broker", PASSWORD).status_code == 302


def test_an_unlock_names_either_a_username_or_an_address() -> None:
    with pytest.raises(ValueError, match="either a username or an address"):
        actions.unlock_sign_in(acting_user=None, now=START)


@pytest.mark.django_db
def test_the_admin_sign_in_page_is_locked_by_the_same_rule(client: Client, clock: Clock) -> None:
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "root", "password": "wrong password"})
    response = client.post(url, {"username": "root", "password": PASSWORD})
    assert response.status_code == 200
    assert LOCKED_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_no_password_is_ever_stored_with_an_attempt(
    client: Client, broker: Any, clock: Clock
) -> None:
    sign_in(client, "broker", "my-secret-guess")
    stored = list(SignInAttempt.objects.values())
    assert stored and "my-secret-guess" not in repr(stored)


@pytest.mark.django_db
def test_attempts_are_forgotten_after_thirty_days(client: Client, clock: Clock) -> None:
    fail(client, "someone", 3, clock)
    clock.advance(days=31)
    sign_in(client, "someone", "wrong password")
    assert SignInAttempt.objects.count() == 1


def test_the_policy_refuses_limits_that_make_no_sense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        lockout.LockoutPolicy(max_failures_per_username=0)
    with pytest.raises(ValueError, match="kept at least as long"):
        lockout.LockoutPolicy(keep_attempts_for=timedelta(minutes=5))
