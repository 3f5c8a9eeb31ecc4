"""Call monitoring and payment in Chromium: the finance officer opens provider A's run,
approves an exception by keyboard alone and downloads the invoice; provider A uploads a file
and watches its import finish. axe-core checks every page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from homecare.commissioning.demo import PROVIDER_A

pytestmark = pytest.mark.browser


def test_the_finance_officer_approves_an_exception_by_keyboard_and_downloads_the_invoice(
    visit: Any, tmp_path: Path
) -> None:
    from homecare.delivery.models import ReconciliationRun, VisitException

    # Provider A's latest period, still provisional (the one before it is approved and paid).
    run = ReconciliationRun.objects.get(provider__name=PROVIDER_A, status="draft")
    pending = run.exceptions.filter(status=VisitException.Status.PENDING).order_by("pk").first()
    assert pending is not None, "the demo run has an exception to decide"
    page = visit.page
    visit.sign_in("finance")
    visit.goto("/delivery/runs/")
    visit.check("reconciliation runs")
    page.get_by_role("link", name=f"{run.period_start:%-d %b %Y}").first.click()
    page.wait_for_url(f"**/delivery/runs/{run.pk}/")
    visit.check("reconciliation run")

    # Keyboard only: the row's "Decide" link opens the exception's own page; there focus the
    # first radio, choose Approve with Space, Tab past Reject to the reason, type it and press
    # Enter to submit.
    page.focus(f"a[href$='/exceptions/{pending.pk}/decide/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/delivery/runs/{run.pk}/exceptions/{pending.pk}/decide/")
    visit.check("one exception to decide")
    prefix = f"e{pending.pk}"
    page.focus(f"#{prefix}-approve")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"{prefix}-reason"
    page.keyboard.type("Checked against the carer's rota")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/delivery/runs/{run.pk}/#exceptions")
    page.get_by_text("Re-run the period to apply your decisions").wait_for()
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decided_by.username == "finance"
    visit.check("reconciliation run after a decision")

    with page.expect_download() as caught:
        page.get_by_role("link", name="Invoice as a spreadsheet (XLSX)").click()
    saved = tmp_path / "invoice.xlsx"
    caught.value.save_as(saved)
    from openpyxl import load_workbook

    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    # Spreadsheet numbers come back as floats: add them up as exact pence.
    pence = sum(Decimal(str(r[12])) * 100 for r in rows[1:-1])
    assert rows[-1][0] == "Total" and pence == Decimal(str(rows[-1][12])) * 100 == run.total_pence

    page.get_by_role("link", name="Invoice lines and where each came from").click()
    visit.check("invoice lines")
    page.locator("table a").first.click()
    page.get_by_role("heading", name="The visit log").wait_for()
    visit.check("invoice line audit trail")


def test_a_provider_uploads_logs_and_sees_the_import_finish(
    visit: Any, settings: Any, tmp_path: Path
) -> None:
    from django.utils import timezone

    from homecare.brokerage.models import Placement
    from homecare.delivery.reading import logs_csv

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    placement = Placement.objects.filter(provider__name=PROVIDER_A, ended_at__isnull=True).first()
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    start -= timedelta(days=1)
    file = tmp_path / "today.csv"
    file.write_bytes(
        logs_csv(
            [
                {
                    "provider_ref": placement.provider.organisation.slug,
                    "person_ref": placement.package.person.reference,
                    "carer_id": "BROWSER-C1",
                    "check_in": f"{start:%Y-%m-%d %H:%M}",
                    "check_out": f"{start + timedelta(minutes=30):%Y-%m-%d %H:%M}",
                    "method": "app",
                    "exception_code": "",
                }
            ]
        )
    )
    page = visit.page
    visit.sign_in("provider-a")
    visit.goto("/delivery/uploads/")
    visit.check("visit log uploads")
    page.set_input_files("#file", str(file))
    page.get_by_role("button", name="Upload logs").click()
    page.wait_for_url("**/delivery/uploads/*/")
    page.get_by_text("1 of 1 row (100%)").wait_for()
    page.get_by_text("1 new log stored").wait_for()
    visit.check("visit log upload finished")
