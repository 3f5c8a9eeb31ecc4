"""``manage.py run_offer_timeouts``: expire overdue offers and send the next rounds, and bring
packages whose schedule changes today to the new schedule (``apply_schedule_changes``).

Once by default (for cron); ``--every SECONDS`` keeps running, which is the worker when the
database task backend (django-tasks-db and its ``db_worker``) is not installed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from homecare.brokerage.actions import expire_offers
from homecare.brokerage.changes import apply_due_schedules


class Command(BaseCommand):
    help = "Expire offers past their deadline and send each request's next round."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")
        parser.add_argument("--enqueue", action="store_true", help="enqueue the task instead")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            if options["enqueue"]:
                from homecare.brokerage.tasks import expire_offers_task

                result = expire_offers_task.enqueue()
                self.stdout.write(f"Enqueued offer time-outs as task {result.id}.")
            else:
                now = timezone.now()
                expired = expire_offers(now)
                self.stdout.write(f"Expired {expired} offer(s).")
                # The same clock brings packages to a schedule change dated for today.
                changed = apply_due_schedules(now=now, acting_user=None)
                self.stdout.write(f"{changed} package(s) brought to today's schedule.")
            if not options["every"]:
                return
            time.sleep(options["every"])
