"""``manage.py recover_stale_work``: fail the imports whose worker died, so they can be sent
again.

An import records when its worker last reported; one that has not reported for
``HOMECARE_IMPORT_STALE_MINUTES`` (15 by default) was left "Importing" by a worker that was
killed or a machine that restarted. It is failed with that reason (nothing of it was saved:
its writing is one transaction), and its page offers "Try this file again". Every import task
does this first as well; run this beside the worker (``--every 60``) so it also happens when
no new file arrives.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from homecare.delivery.actions import stale_minutes
from homecare.delivery.tasks import recover_stale_work


class Command(BaseCommand):
    help = "Fail imports whose worker has stopped reporting, so they can be tried again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            failed = recover_stale_work(now=timezone.now())
            self.stdout.write(
                f"{len(failed)} import(s) stopped for more than {stale_minutes()} minutes "
                "failed, to be tried again."
            )
            if not options["every"]:
                return
            time.sleep(options["every"])
