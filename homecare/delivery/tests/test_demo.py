"""The demo loads a month of logs per provider and one run for provider A."""

from __future__ import annotations

from typing import Any

from homecare.commissioning.demo import PROVIDER_A, load_demo
from homecare.delivery.models import LogUpload, ReconciliationRun, VisitLog


def test_the_demo_uploads_logs_and_reconciles_provider_a(db: Any) -> None:
    load_demo()
    assert LogUpload.objects.filter(status="done").exists()
    run = ReconciliationRun.objects.get()
    assert run.provider.name == PROVIDER_A
    assert run.period_start.weekday() == 0
    assert run.invoice.checked and run.invoice.total_pence > 0
    assert sum(run.lines.values_list("amount_pence", flat=True)) == run.invoice.total_pence
    logs = VisitLog.objects.count()
    load_demo()  # idempotent: nothing is added the second time
    assert VisitLog.objects.count() == logs and ReconciliationRun.objects.count() == 1
