"""The demo's call monitoring: a month of synthetic visit logs and one reconciliation run.

Called at the end of ``homecare.commissioning.demo.load_demo``. For each demo provider with
packages placed, the last complete four-week period's planned visits (from the packages'
real schedules, through the engine) get logs drawn from ``random.Random(2026)``: most on
time, some late, short or missed, a few typed in by hand (manual, so held for approval),
two carers on double-handed visits. Each provider's logs go through the real upload and
import actions; provider A's period is then reconciled so the finance pages show life.
Carer ids are synthetic (``QF-C07``). Idempotent: a period already reconciled is left alone.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from carecore.ecm import planned_visits
from homecare.delivery import actions, engine, reconciliation
from homecare.delivery.forms import recent_mondays
from homecare.delivery.models import ReconciliationRun
from homecare.delivery.reading import logs_csv as csv_bytes

SEED = 2026
CARERS = 12


def _logs_for(provider: Any, planned: Any, rng: random.Random) -> list[dict[str, str]]:
    prefix = "".join(word[0] for word in provider.name.split()[:2]).upper()
    rows: list[dict[str, str]] = []
    for visit in planned.iter_rows(named=True):
        draw = rng.random()
        if draw < 0.02:
            continue  # missed
        start = visit["planned_start"] + timedelta(minutes=rng.randint(-10, 12))
        if draw < 0.06:
            start += timedelta(minutes=rng.randint(35, 70))  # late
        minutes = max(5, round(visit["planned_minutes"] * rng.uniform(0.8, 1.05)))
        if 0.06 <= draw < 0.09:
            minutes = max(5, visit["planned_minutes"] // 2)  # short
        method = "manual" if rng.random() < 0.03 else rng.choice(("app", "app", "phone", "qr"))
        carers = rng.sample(range(1, CARERS + 1), visit["carers"])
        for index, carer in enumerate(carers):
            rows.append(
                {
                    "provider_ref": visit["provider_ref"],
                    "person_ref": visit["person_ref"],
                    "carer_id": f"{prefix}-C{carer:02d}",
                    "check_in": (start + timedelta(minutes=index)).strftime("%Y-%m-%d %H:%M"),
                    "check_out": (start + timedelta(minutes=index + minutes)).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "method": method,
                    "exception_code": "",
                }
            )
    return rows


def load_delivery(council: Any, providers: list[Any], *, acting_user: Any = None) -> int:
    """Upload a period of logs per provider and reconcile the first; returns logs created."""
    today = timezone.localdate()
    start: date = recent_mondays(today)[0]
    end = engine.period_end(start)
    if (
        not providers
        or ReconciliationRun.objects.filter(
            council=council, provider=providers[0], period_start=start
        ).exists()
    ):
        return 0
    rng = random.Random(SEED)
    created = 0
    now = timezone.now()
    for provider in providers:
        packages = engine.planned_packages(council, provider, start, end)
        if not packages:
            continue
        rows = _logs_for(provider, planned_visits(packages, start, end), rng)
        upload = actions.create_upload(
            provider,
            f"ecm-{start:%Y%m%d}.csv",
            csv_bytes(rows),
            now=now,
            acting_user=acting_user,
        )
        created += actions.import_upload(upload.pk, now=now).logs_created
    reconciliation.run_reconciliation(
        council, providers[0], start, now=now, acting_user=acting_user
    )
    return created
