"""The period-run pages: a finance officer starts every provider's period, watches its
progress and sees each provider's invoice; nobody else sees them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from homecare.accounts import actions as account_actions
from homecare.accounts.models import Organisation
from homecare.conftest import _persona
from homecare.delivery.tests.conftest import *  # noqa: F403 (the delivery tests' fixtures)
from homecare.finance import period_runs, period_views
from homecare.finance.models import PeriodRun
from homecare.finance.tests.period_data import AFTER, hand_checked_logs, use_immediate_tasks


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, frozen_now: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    use_immediate_tasks(settings)
    frozen_now(AFTER)
    monkeypatch.setattr(period_views, "today", lambda: date(2026, 4, 7))


@pytest.fixture
def logged(prime_1: Any, placed: Any) -> Any:
    return hand_checked_logs(prime_1)


def start_page(client: Any, period: str = "2026-03-09") -> Any:
    return client.post(reverse("finance:period-runs"), {"period_start": period})


def test_a_finance_officer_runs_every_provider_and_sees_each_invoice(
    signed_in: Any, finance: Any, logged: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(finance)
    listing = client.get(reverse("finance:period-runs"))
    assert listing.status_code == 200
    assert "9 March 2026 to 5 April 2026" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = start_page(client)
    period = PeriodRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:period-run", args=[period.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Finished" in html and "2 of 2" in html
    assert "hx-get" not in html  # finished: the page no longer polls
    assert "Prime 1 (test)" in html and "Prime 2 (test)" in html
    assert "£19.66" in html and "Provisional" in html
    assert "£19.66 in all: 2 provisional, 0 approved" in html
    run_url = reverse("delivery:run", args=[period.results[0]["run"]])
    assert f'href="{run_url}"' in html
    # Prime 1 has a late call and a manual log to decide.
    assert 'Exceptions to decide</dt><dd class="govuk-summary-list__value">2<' in html


def test_a_running_period_updates_itself(
    signed_in: Any, finance: Any, council: Any, placed: Any
) -> None:
    period = period_runs.start_period_run(
        council, date(2026, 3, 9), now=AFTER, acting_user=finance
    )  # queued; its task is not run in this test
    html = signed_in(finance).get(reverse("finance:period-run", args=[period.pk])).content.decode()
    assert "Waiting to start: 0 of 2 providers reconciled (0%)" in html
    assert 'hx-trigger="every 3s"' in html and "Refresh the progress" in html


def test_a_failed_run_says_why_and_offers_to_start_again(
    signed_in: Any, finance: Any, council: Any, placed: Any
) -> None:
    period = period_runs.start_period_run(council, date(2026, 3, 9), now=AFTER, acting_user=finance)
    PeriodRun.objects.filter(pk=period.pk).update(
        status="failed", error="RuntimeError: the database went away", progress_done=1
    )
    html = signed_in(finance).get(reverse("finance:period-run", args=[period.pk])).content.decode()
    assert "The run stopped after 1 of 2 providers: RuntimeError: the database went away" in html
    assert "Start the period again" in html


def test_a_bad_period_is_refused_on_the_form(
    signed_in: Any, finance: Any, council: Any, placed: Any
) -> None:
    client = signed_in(finance)
    for bad in ("2026-03-10", "9 March", "", "2026-04-06"):
        response = start_page(client, bad)
        assert response.status_code == 400, bad
        assert "govuk-error-summary" in response.content.decode()
    period_runs.start_period_run(council, date(2026, 3, 9), now=AFTER, acting_user=finance)
    response = start_page(client)
    assert response.status_code == 400
    assert "already being reconciled" in response.content.decode()
    assert PeriodRun.objects.count() == 1


def test_only_the_council_s_finance_officers_see_its_period_runs(
    signed_in: Any,
    finance: Any,
    council: Any,
    placed: Any,
    commissioner: Any,
    broker: Any,
    prime_1_user: Any,
    outsider: Any,
) -> None:
    period = period_runs.start_period_run(council, date(2026, 3, 9), now=AFTER, acting_user=finance)
    pages = [reverse("finance:period-runs"), reverse("finance:period-run", args=[period.pk])]
    for user in (commissioner, broker, prime_1_user, outsider):
        client = signed_in(user)
        for url in pages:
            assert client.get(url).status_code == 403, (user, url)
        assert start_page(client).status_code == 403
    other = account_actions.create_organisation(
        "Otherton Borough Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    client = signed_in(_persona("other_finance", other, "finance"))
    assert client.get(pages[1]).status_code == 404
    assert "9 Mar 2026 onwards" not in client.get(pages[0]).content.decode()
    client.logout()
    assert client.get(pages[0]).status_code == 302  # to sign in
