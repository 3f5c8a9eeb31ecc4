"""Offer time-outs run as a django-tasks task and as a management command."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from homecare.brokerage import actions
from homecare.brokerage.tasks import expire_offers_task

pytestmark = pytest.mark.django_db


def test_the_task_expires_overdue_offers_and_sends_the_next_round(new_request: Any) -> None:
    past = timezone.now() - timedelta(days=3)
    request = new_request(now=past)
    actions.send_next_round(request, now=past, acting_user=None)
    # call() runs the task here whatever the backend (the worker runs it in production).
    assert expire_offers_task.call() == 1
    request.refresh_from_db()
    assert request.round_number == 2
    assert request.offers.filter(status="open").get().provider.name == "Prime 2 (test)"


def test_a_hospital_discharge_offer_times_out_sooner(new_request: Any) -> None:
    from homecare.brokerage.testing import NOW

    request = new_request(source="hospital_discharge")
    (offer,) = actions.send_next_round(request, now=NOW, acting_user=None)
    assert offer.deadline - NOW == timedelta(hours=4)


def test_the_command_runs_the_time_outs_once(new_request: Any) -> None:
    out = io.StringIO()
    call_command("run_offer_timeouts", stdout=out)
    assert "Expired 0 offer(s)." in out.getvalue()
