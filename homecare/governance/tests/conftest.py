"""Two councils side by side, each with its own people, made the real ways.

Council A (Testshire, the shared ``council`` fixture): P-0001 placed with Prime 1 by its
broker, started, with visit logs uploaded by the provider, a reconciliation run by its
finance officer and a complaint logged by its commissioner. Council B (Otherford): P-0002
placed with the same providers (they serve both councils), with a complaint of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from homecare.accounts import actions as account_actions
from homecare.accounts.models import Organisation
from homecare.brokerage.models import Person
from homecare.brokerage.testing import LONDON, NOW, make_market, make_request
from homecare.commissioning.models import Provider
from homecare.conftest import _persona
from homecare.delivery import actions as delivery_actions
from homecare.delivery import reconciliation
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package
from homecare.insight import actions as insight_actions

LATER = datetime(2026, 4, 6, 9, 0, tzinfo=LONDON)  # a Monday after the test period


@pytest.fixture
def council_b(db: Any) -> Organisation:
    return account_actions.create_organisation(
        "Otherford Borough Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )


@pytest.fixture
def commissioner_b(council_b: Organisation) -> Any:
    return _persona("commissioner_b", council_b, "commissioner")


@pytest.fixture
def finance(council: Organisation) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def two_councils(
    geography: Any,
    council: Organisation,
    council_b: Organisation,
    commissioner: Any,
    broker: Any,
    finance: Any,
    commissioner_b: Any,
    frozen_now: Any,
) -> dict[str, Any]:
    """Each council's market and people; returns A's person, B's person and A's run.

    Every record is made with the clock at the test's Monday (history rows are dated by it).
    """
    frozen_now(NOW)
    framework_a = make_market(council)
    framework_b = make_market(council_b, name="Otherford framework")
    place_package(framework_a, "P-0001")
    person_a = Person.objects.get(council=council, reference="P-0001")
    # The broker changes A's person: the history names the broker.
    make_request(framework_a, "P-0001", acting_user=broker, cohort="mental_health")
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    rows = [
        log_row(prime_1, "P-0001", at(1, 8, 0), 30, carer="=HYPERLINK(1)"),
        log_row(prime_1, "P-0001", at(2, 8, 40), 28),
        log_row(prime_1, "P-0001", at(3, 8, 0), 30, method="manual"),
    ]
    upload = delivery_actions.create_upload(
        prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
    )
    delivery_actions.import_upload(upload.pk, now=NOW)
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    insight_actions.record_complaint(
        council=council,
        received_on=date(2026, 3, 20),
        provider=prime_1,
        category="missed_or_late",
        summary="Visits were late three days running",
        person=person_a,
        now=LATER,
        acting_user=commissioner,
    )
    place_package(framework_b, "P-0002", "Prime 2 (test)")
    person_b = Person.objects.get(council=council_b, reference="P-0002")
    insight_actions.record_complaint(
        council=council_b,
        received_on=date(2026, 3, 21),
        provider=Provider.objects.get(name="Prime 2 (test)"),
        category="quality_of_care",
        summary="Otherford's own complaint",
        person=person_b,
        now=LATER,
        acting_user=commissioner_b,
    )
    return {"person_a": person_a, "person_b": person_b, "run": run, "upload": upload}
