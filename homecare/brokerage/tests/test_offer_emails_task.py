"""Offer emails go through the task worker, never inside the request that sent the round."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from homecare.accounts import actions as accounts
from homecare.brokerage import actions
from homecare.brokerage.testing import NOW

pytestmark = pytest.mark.django_db


def test_a_round_queues_its_emails_for_the_worker_and_the_worker_sends_them(
    new_request: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    request = new_request()
    offered = request.framework.appointments.order_by("rank").first().provider
    accounts.create_persona(
        "prime-user",
        password="correct horse battery staple",
        organisation=offered.organisation,
        role="provider",
        email="prime-user@example.org",
        acting_user=None,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_next_round(request, now=NOW, acting_user=None)
    assert mail.outbox == []  # nothing sent inside the request
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path.endswith("notify_new_offers_task")
    from homecare.brokerage.tasks import notify_new_offers_task

    assert notify_new_offers_task.call(*queued.args_kwargs["args"]) == 1
    assert [m.to for m in mail.outbox] == [["prime-user@example.org"]]
