"""In the demo, a new offer emails the provider persona (the console shows it in ``make demo``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from homecare.brokerage import actions
from homecare.commissioning.demo import EMAIL_DOMAIN, FRAMEWORK, PERSONAS, PROVIDER_A, load_demo
from homecare.commissioning.models import Framework

pytestmark = pytest.mark.django_db

AREA = "GN2657268"  # Anstey: provider A is the prime of its zone in the demo


def test_every_demo_persona_has_an_address_on_a_reserved_domain() -> None:
    load_demo()
    assert EMAIL_DOMAIN == "example.org"  # RFC 2606: never a real mailbox
    users = get_user_model().objects
    for persona in PERSONAS:
        assert users.get(username=persona.username).email == f"{persona.username}@example.org"


def test_a_new_offer_in_the_demo_emails_provider_a_without_saying_who_it_is_for(
    django_capture_on_commit_callbacks: Any,
) -> None:
    load_demo()
    broker = get_user_model().objects.get(username="broker")
    framework = Framework.objects.get(name=FRAMEWORK)
    now = timezone.now()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = actions.create_request(
            "P-EMAIL-1",
            AREA,
            "Mon-Fri 08:00 30m",
            framework=framework,
            funding="council",
            cohort="older_people",
            source="community",
            start_date=date(2026, 4, 13),
            now=now,
            acting_user=broker,
        )
        offers = actions.send_next_round(request, now=now, acting_user=broker)
    assert [offer.provider.name for offer in offers] == [PROVIDER_A]
    assert [message.to for message in mail.outbox] == [["provider-a@example.org"]]
    message = mail.outbox[0]
    assert message.subject.startswith("New offer of home care in ")
    assert "P-EMAIL-1" not in message.subject + message.body
    assert "/brokerage/offers/" in message.body
