"""An address lock cannot lock a council office out of its staff's correct passwords."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homecare.accounts import actions, lockout
from homecare.accounts.models import SignInAttempt
from homecare.accounts.tests.test_lockout import Clock, fail, is_locked_out, sign_in
from homecare.conftest import PASSWORD

OFFICE = "198.51.100.20"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(lockout, "clock", fake)
    return fake


@pytest.mark.django_db
def test_staff_who_signed_in_from_the_office_are_not_locked_by_a_guesser_there(
    client: Client, broker: Any, commissioner: Any, clock: Clock
) -> None:
    assert sign_in(client, "broker", PASSWORD, address=OFFICE).status_code == 302
    client.logout()
    clock.advance(days=1)
    for number in range(25):
        sign_in(client, f"guess-{number}", "wrong password", address=OFFICE)
    # The office address is locked for everyone new to it...
    assert is_locked_out(sign_in(client, "commissioner", PASSWORD, address=OFFICE))
    # ...but not for the broker, who signs in from there.
    assert sign_in(client, "broker", PASSWORD, address=OFFICE).status_code == 302


@pytest.mark.django_db
def test_the_usernames_own_limit_still_applies_at_a_known_address(
    client: Client, broker: Any, clock: Clock
) -> None:
    assert sign_in(client, "broker", PASSWORD, address=OFFICE).status_code == 302
    client.logout()
    clock.advance(minutes=1)
    fail(client, "broker", 5, clock, address=OFFICE)
    assert is_locked_out(sign_in(client, "broker", PASSWORD, address=OFFICE))


@pytest.mark.django_db
def test_a_try_is_counted_as_a_failure_while_its_password_is_checked(
    broker: Any, clock: Clock
) -> None:
    attempts = [actions.begin_sign_in("broker", OFFICE, now=clock()) for _ in range(5)]
    assert all(attempt is not None for attempt in attempts)
    assert actions.begin_sign_in("broker", OFFICE, now=clock()) is None  # five in flight
    for attempt in attempts:
        assert attempt is not None
        actions.finish_sign_in(attempt, succeeded=False)
    outcomes = sorted(SignInAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == ["failed"] * 5 + ["refused"]
