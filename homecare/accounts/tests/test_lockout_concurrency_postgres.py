"""Simultaneous sign-in tries on a real PostgreSQL server: the lockout holds under a burst.

Before the check and the count were one step, 31 simultaneous tries had 17 wrong passwords
checked and the right one signed in during the burst. Now at most 5 passwords are checked for
one username (20 from one address) and nothing signs in once the limit is reached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import forms as auth_forms
from django.test import RequestFactory

from homecare.accounts import actions, lockout
from homecare.accounts.forms import SignInForm
from homecare.accounts.models import SignInAttempt
from homecare.brokerage.tests.test_concurrency_postgres import on_postgres
from homecare.conftest import PASSWORD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]


class CountingAuthenticate:
    """Django's ``authenticate`` as the sign-in form calls it, counting the passwords checked."""

    def __init__(self) -> None:
        self.original = auth_forms.authenticate
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.calls += 1
        return self.original(*args, **kwargs)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> CountingAuthenticate:
    counter = CountingAuthenticate()
    monkeypatch.setattr(auth_forms, "authenticate", counter)
    return counter


def _burst(tries: list[tuple[str, str]], address: str = "10.1.1.1") -> list[bool]:
    """Run every (username, password) try at the same moment; whether each signed in."""
    barrier = threading.Barrier(len(tries))
    results: list[bool] = [False] * len(tries)

    def attempt(index: int, username: str, password: str) -> Callable[[], None]:
        def run() -> None:
            with on_postgres():
                request = RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR=address)
                form = SignInForm(request, data={"username": username, "password": password})
                barrier.wait()
                results[index] = form.is_valid()

        return run

    threads = [
        threading.Thread(target=attempt(i, name, word)) for i, (name, word) in enumerate(tries)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a try never finished"
    return results


def _outcomes() -> dict[str, int]:
    rows = SignInAttempt.objects.using("postgres").values_list("outcome", flat=True)
    return {outcome: list(rows).count(outcome) for outcome in set(rows)}


def _broker() -> None:
    with on_postgres():
        actions.create_persona(
            "broker", password=PASSWORD, organisation=None, role=None, acting_user=None
        )


def test_thirty_one_simultaneous_wrong_passwords_have_only_five_checked(
    checked: CountingAuthenticate,
) -> None:
    _broker()
    results = _burst([("broker", "guess") for _ in range(31)])
    assert not any(results)
    assert checked.calls == 5
    assert _outcomes() == {"failed": 5, "refused": 26}
    # Locked now: the right password is refused without being checked.
    assert _burst([("broker", PASSWORD)]) == [False]
    assert checked.calls == 5


def test_the_right_password_in_a_burst_signs_in_only_if_it_came_before_the_lock(
    checked: CountingAuthenticate,
) -> None:
    _broker()
    tries = [("broker", "guess") for _ in range(30)]
    tries.insert(15, ("broker", PASSWORD))
    results = _burst(tries)
    outcomes = _outcomes()
    assert checked.calls <= 5
    assert outcomes.get("failed", 0) + outcomes.get("succeeded", 0) == checked.calls
    assert outcomes.get("refused", 0) == 31 - checked.calls
    # It signed in exactly when its password was one of those checked, never after refusal.
    assert sum(results) == outcomes.get("succeeded", 0) <= 1
    assert results[15] == (outcomes.get("succeeded", 0) == 1)
    assert "checking" not in outcomes  # every try let through was finished


def test_a_burst_from_one_address_has_at_most_twenty_passwords_checked(
    checked: CountingAuthenticate,
) -> None:
    results = _burst([(f"someone-{n}", "guess") for n in range(26)], address="192.0.2.9")
    assert not any(results)
    assert checked.calls == lockout.POLICY.max_failures_per_address
    assert _outcomes() == {"failed": 20, "refused": 6}
