"""Each role's home page lists the work waiting for it, with counts and links.

The market is the brokerage tests' (one framework in west-leicester, "Prime N (test)"
providers at £20.00 an hour); the delivery period is the four weeks from Monday 9 March 2026,
as in the delivery tests. The home page reads the clock once; the tests freeze it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import actions as accounts
from homecare.accounts.plain_words import internal_words_in
from homecare.brokerage import actions as brokerage
from homecare.brokerage.models import Offer
from homecare.brokerage.testing import LONDON, NOW, make_market, make_request
from homecare.commissioning.models import Provider
from homecare.conftest import PASSWORD
from homecare.delivery import actions as delivery
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package

AFTER_THE_PERIOD = datetime(2026, 4, 6, 9, 0, tzinfo=LONDON)  # the Monday after it ended


def persona(username: str, organisation: Any, *roles: str) -> Any:
    user = accounts.create_persona(
        username,
        password=PASSWORD,
        organisation=organisation,
        role=roles[0],
        first_name=username.replace("_", " ").title(),
        acting_user=None,
    )
    for role in roles[1:]:
        accounts.add_membership(user, organisation, role, acting_user=None)
    return user


def freeze(monkeypatch: Any, now: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: now)


def section(html: str, key: str) -> str:
    """The text of one worklist (its id is ``worklist-KEY``), tags stripped."""
    found = re.search(
        rf'id="worklist-{key}".*?(?=<div class="govuk-grid-column|</section>)', html, re.S
    )
    assert found, f"no worklist {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def count_of(html: str, key: str) -> int:
    found = re.search(
        rf'id="worklist-{key}".*?app-worklist__count">.*?</span>(\d+)</p>', html, re.S
    )
    assert found, f"no count in worklist {key}"
    return int(found.group(1))


def home(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert internal_words_in(html) == []
    return html


@pytest.fixture
def framework(geography: Any, council: Any) -> Any:
    return make_market(council)


@pytest.fixture
def discharge(framework: Any, broker: Any) -> Any:
    """A hospital discharge sent to its first round of offers."""
    request = make_request(
        framework, "P-0009", source="hospital_discharge", acting_user=broker, now=NOW
    )
    brokerage.send_next_round(request, now=NOW, acting_user=broker)
    return request


def test_a_broker_sees_hospital_discharges_waiting_and_offers_about_to_expire(
    client: Any, monkeypatch: Any, broker: Any, discharge: Any
) -> None:
    offer = Offer.objects.filter(request=discharge).order_by("deadline").first()
    assert offer is not None
    freeze(monkeypatch, offer.deadline - timedelta(hours=1))
    html = home(client, broker)
    assert count_of(html, "discharges") == 1
    assert f'href="/brokerage/requests/{discharge.pk}/"' in html
    assert "West Leicester" in section(html, "discharges")
    assert count_of(html, "expiring") == Offer.objects.filter(request=discharge).count()
    assert "in 1 hour 0 minutes" in section(html, "expiring")
    assert count_of(html, "spot") == 0
    assert "No requests need a spot purchase." in html


def test_an_offer_with_more_than_four_hours_to_run_is_not_expiring(
    client: Any, monkeypatch: Any, broker: Any, discharge: Any
) -> None:
    latest = Offer.objects.filter(request=discharge).order_by("-deadline").first()
    assert latest is not None
    freeze(monkeypatch, latest.deadline - timedelta(hours=4, minutes=1))
    assert count_of(home(client, broker), "expiring") == 0


def test_a_request_no_provider_took_needs_a_spot_purchase(
    client: Any, monkeypatch: Any, council: Any, broker: Any, geography: Any
) -> None:
    empty = make_market(council, primes=0, supplementary=0, name="Nobody appointed")
    request = make_request(empty, "P-0010", acting_user=broker, now=NOW)
    assert brokerage.send_next_round(request, now=NOW, acting_user=broker) == []
    freeze(monkeypatch, NOW + timedelta(hours=2))
    html = home(client, broker)
    assert count_of(html, "spot") == 1
    assert "waiting 2 hours 0 minutes" in section(html, "spot").lower()


def test_a_provider_sees_its_offers_its_packages_starting_and_its_logs_to_send(
    client: Any, monkeypatch: Any, framework: Any, discharge: Any
) -> None:
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    user = persona("prime_1_user", prime_1.organisation, "provider")
    # A package placed with Prime 1, to start on 9 March.
    place_package(framework, "P-0001", start=False)
    freeze(monkeypatch, NOW)
    html = home(client, user)
    offers = Offer.objects.filter(request=discharge, provider=prime_1)
    assert count_of(html, "offers") == offers.count() == 1
    assert f'href="/brokerage/offers/{offers.get().pk}/"' in html
    # The offer shows the area, never the person's reference.
    assert "P-0009" not in html
    assert count_of(html, "starting") == 1  # P-0001 starts on 9 March, within 14 days
    assert "P-0001" in section(html, "starting")
    # 2 March: the last ended period (2 February to 1 March) is before P-0001 starts.
    assert count_of(html, "logs") == 0


def test_another_providers_offers_are_not_on_a_providers_home(
    client: Any, monkeypatch: Any, framework: Any, discharge: Any, provider_a_user: Any
) -> None:
    freeze(monkeypatch, NOW)
    html = home(client, provider_a_user)
    assert count_of(html, "offers") == 0
    assert count_of(html, "starting") == 0


@pytest.fixture
def delivered(framework: Any, council: Any) -> dict[str, Any]:
    """P-0001 and P-0002 with Prime 1, P-0003 with Prime 2; Prime 1 sent three logs for the
    period from 9 March (one typed in by hand, one late), Prime 2 none."""
    for ref, name in (("P-0001", "Prime 1"), ("P-0002", "Prime 1"), ("P-0003", "Prime 2")):
        place_package(framework, ref, f"{name} (test)")
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 2), 31),
        log_row(prime_1, "P-0001", at(2, 8, 40), 28),
        log_row(prime_1, "P-0002", at(1, 8, 0), 30, method="manual"),
    ]
    upload = delivery.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    delivery.import_upload(upload.pk, now=NOW)
    return {"prime_1": prime_1, "prime_2": Provider.objects.get(name="Prime 2 (test)")}


def test_a_finance_officer_sees_a_period_to_reconcile_then_its_exceptions_and_invoice(
    client: Any, monkeypatch: Any, council: Any, delivered: dict[str, Any]
) -> None:
    finance = persona("finance", council, "finance")
    freeze(monkeypatch, AFTER_THE_PERIOD)
    html = home(client, finance)
    assert count_of(html, "reconcile") == 1
    assert "Prime 1 (test), 9 March to 5 April 2026" in section(html, "reconcile")
    assert count_of(html, "exceptions") == 0
    assert count_of(html, "invoices") == 0

    run = reconciliation.run_reconciliation(
        council, delivered["prime_1"], PERIOD_START, now=AFTER_THE_PERIOD, acting_user=finance
    )
    html = home(client, finance)
    assert count_of(html, "reconcile") == 0
    assert count_of(html, "exceptions") == 2  # the manual log and the late call
    assert "2 exceptions to decide" in section(html, "exceptions")
    assert count_of(html, "invoices") == 1
    assert f'href="/delivery/runs/{run.pk}/"' in html
    assert "£19.66" in section(html, "invoices")


def test_a_provider_that_sent_no_logs_for_an_ended_period_is_asked_for_them(
    client: Any, monkeypatch: Any, delivered: dict[str, Any]
) -> None:
    freeze(monkeypatch, AFTER_THE_PERIOD)
    prime_2 = persona("prime_2_user", delivered["prime_2"].organisation, "provider")
    html = home(client, prime_2)
    assert count_of(html, "logs") == 1
    assert "9 March to 5 April 2026" in section(html, "logs")
    prime_1 = persona("prime_1_user", delivered["prime_1"].organisation, "provider")
    assert count_of(home(client, prime_1), "logs") == 0


def test_a_commissioner_sees_providers_below_the_target_and_zones_short_of_capacity(
    client: Any,
    monkeypatch: Any,
    commissioner: Any,
    broker: Any,
    framework: Any,
    delivered: dict[str, Any],
) -> None:
    make_request(framework, "P-0020", acting_user=broker, now=AFTER_THE_PERIOD)
    freeze(monkeypatch, AFTER_THE_PERIOD)
    html = home(client, commissioner)
    # Prime 1 logged 2 of its 3 visits electronically in March: 66.7%, below 85%.
    assert count_of(html, "ecm") == 1
    assert "Prime 1 (test): 66.7% in March 2026" in section(html, "ecm")
    assert 'href="/delivery/performance/?month=2026-03"' in html
    # No provider declared free hours in west-leicester, so the waiting request is short.
    assert count_of(html, "capacity") == 1
    assert "West Leicester" in section(html, "capacity")
    # A commissioner's home has no broker's or finance officer's worklists.
    assert 'id="worklist-discharges"' not in html
    assert 'id="worklist-invoices"' not in html


def test_a_user_with_two_roles_sees_both_worklists(
    client: Any, monkeypatch: Any, council: Any, discharge: Any
) -> None:
    both = persona("broker_and_finance", council, "broker", "finance")
    freeze(monkeypatch, NOW)
    html = home(client, both)
    for key in ("discharges", "expiring", "spot", "reconcile", "exceptions", "invoices"):
        assert f'id="worklist-{key}"' in html, key
    assert html.index('id="work-broker"') < html.index('id="work-finance"')
    assert 'id="worklist-offers"' not in html
