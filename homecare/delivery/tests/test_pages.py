"""The delivery pages and who may see what: providers only their own uploads, runs and
invoices; the council's finance officers and commissioners all of their council's (only
finance officers run and decide); the outsider nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from homecare.brokerage.testing import NOW
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import LogUpload, VisitException
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row


@pytest.fixture
def setup(council: Any, prime_1: Any, prime_2: Any, placed: Any, finance: Any) -> Any:
    """An upload and a run for each of Prime 1 and Prime 2."""
    made = {}
    for provider, ref in ((prime_1, "P-0001"), (prime_2, "P-0003")):
        rows = [
            log_row(provider, ref, at(1, 8, 2), 31),
            log_row(provider, ref, at(2, 8, 40), 28, method="manual"),
        ]
        upload = actions.create_upload(
            provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
        )
        actions.import_upload(upload.pk, now=NOW)
        run = reconciliation.run_reconciliation(
            council, provider, PERIOD_START, now=NOW, acting_user=finance
        )
        made[provider.name] = (upload, run)
    return made


def test_a_provider_sees_only_its_own_uploads_and_runs(
    signed_in: Any, prime_1_user: Any, setup: Any
) -> None:
    client = signed_in(prime_1_user)
    own_upload, own_run = setup["Prime 1 (test)"]
    other_upload, other_run = setup["Prime 2 (test)"]
    assert client.get(reverse("delivery:upload", args=[own_upload.pk])).status_code == 200
    assert client.get(reverse("delivery:run", args=[own_run.pk])).status_code == 200
    assert client.get(reverse("delivery:upload", args=[other_upload.pk])).status_code == 404
    assert client.get(reverse("delivery:run", args=[other_run.pk])).status_code == 404
    download = reverse("delivery:download", args=[other_run.pk, "invoice.xlsx"])
    assert client.get(download).status_code == 404
    listing = client.get(reverse("delivery:runs")).content.decode()
    assert "Prime 1 (test)" in listing and "Prime 2 (test)" not in listing


def test_a_provider_cannot_decide_rerun_or_approve(
    signed_in: Any, prime_1_user: Any, setup: Any
) -> None:
    client = signed_in(prime_1_user)
    _upload, run = setup["Prime 1 (test)"]
    assert client.post(reverse("delivery:rerun", args=[run.pk])).status_code == 403
    assert client.post(reverse("delivery:approve", args=[run.pk])).status_code == 403


def test_the_finance_officer_and_the_commissioner_see_every_run_of_their_council(
    signed_in: Any, finance: Any, commissioner: Any, setup: Any
) -> None:
    for user in (finance, commissioner):
        client = signed_in(user)
        for upload, run in setup.values():
            assert client.get(reverse("delivery:run", args=[run.pk])).status_code == 200
            assert client.get(reverse("delivery:upload", args=[upload.pk])).status_code == 200


def test_the_outsider_and_the_broker_see_nothing(
    signed_in: Any, outsider: Any, broker: Any, setup: Any
) -> None:
    _upload, run = setup["Prime 1 (test)"]
    for user in (outsider, broker):
        client = signed_in(user)
        assert client.get(reverse("delivery:runs")).status_code == 403
        assert client.get(reverse("delivery:uploads")).status_code == 403
        assert client.get(reverse("delivery:run", args=[run.pk])).status_code == 403


def test_another_councils_finance_officer_sees_nothing_of_this_council(
    signed_in: Any, setup: Any
) -> None:
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation
    from homecare.conftest import _persona

    other = accounts.create_organisation(
        "Otherford Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    client = signed_in(_persona("other_finance", other, "finance"))
    _upload, run = setup["Prime 1 (test)"]
    assert client.get(reverse("delivery:run", args=[run.pk])).status_code == 404
    assert "Prime 1" not in client.get(reverse("delivery:runs")).content.decode()


def test_a_provider_uploads_a_file_and_is_sent_to_its_progress(
    signed_in: Any,
    prime_1_user: Any,
    prime_1: Any,
    placed: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(prime_1_user)
    content = csv_bytes([log_row(prime_1, "P-0001", at(3, 8), 30)])
    sent = io.BytesIO(content)
    sent.name = "week.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("delivery:uploads"), {"file": sent})
    upload = LogUpload.objects.get()
    assert response.url == reverse("delivery:upload", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "1 of 1 row (100%)" in page
    assert "hx-trigger" not in page  # finished: the page stops refreshing itself


def test_an_unfinished_upload_page_refreshes_itself_and_offers_a_refresh_link(
    signed_in: Any, prime_1_user: Any, prime_1: Any, placed: Any
) -> None:
    upload = actions.create_upload(
        prime_1,
        "week.csv",
        csv_bytes([log_row(prime_1, "P-0001", at(3, 8), 30)]),
        now=NOW,
        acting_user=None,
    )  # queued: the on-commit import never runs inside the test's transaction
    page = signed_in(prime_1_user).get(reverse("delivery:upload", args=[upload.pk]))
    text = page.content.decode()
    assert 'hx-trigger="every 2s"' in text and "Refresh the progress" in text


def test_a_finance_officer_runs_a_period_from_the_runs_page(
    signed_in: Any, finance: Any, prime_1: Any, placed: Any, monkeypatch: Any
) -> None:
    from homecare.delivery import finance_views
    from homecare.delivery.models import ReconciliationRun

    monkeypatch.setattr(finance_views, "today", lambda: date(2026, 4, 8))
    client = signed_in(finance)
    form = client.get(reverse("delivery:runs")).content.decode()
    assert '<option value="2026-03-09">9 March 2026 to 5 April 2026</option>' in form
    response = client.post(
        reverse("delivery:runs"),
        {"provider": str(prime_1.pk), "period_start": "2026-03-09"},
    )
    run = ReconciliationRun.objects.get()
    assert response.url == reverse("delivery:run", args=[run.pk])
    assert (run.provider, run.ran_by, run.planned_visits) == (prime_1, finance, 56)


def test_the_run_page_decides_an_exception_and_the_rerun_pays_it(
    signed_in: Any, finance: Any, setup: Any
) -> None:
    client = signed_in(finance)
    _upload, run = setup["Prime 1 (test)"]
    page = client.get(reverse("delivery:run", args=[run.pk])).content.decode()
    # The manual log holds its visit for approval, so it is the one thing to decide.
    assert "Exceptions to decide (1)" in page
    manual = run.exceptions.get(kind="pending_approval", status="pending")
    url = reverse("delivery:decide", args=[run.pk, manual.pk])
    prefix = f"e{manual.pk}"
    client.post(url, {f"{prefix}-decision": "approve", f"{prefix}-reason": "rota checked"})
    manual.refresh_from_db()
    assert (manual.status, manual.reason, manual.decided_by) == (
        "approved",
        "rota checked",
        finance,
    )
    client.post(reverse("delivery:rerun", args=[run.pk]))
    run.refresh_from_db()
    # 1033p (31 min) + 933p (28 min, the approved manual log, late but paid: now the late
    # call is the next thing to decide).
    assert run.total_pence == 1033 + 933
    assert run.exceptions.get(status="pending").kind == "late"


def test_a_decision_without_a_reason_is_refused(signed_in: Any, finance: Any, setup: Any) -> None:
    client = signed_in(finance)
    _upload, run = setup["Prime 1 (test)"]
    late = run.exceptions.filter(status=VisitException.Status.PENDING).first()
    response = client.post(
        reverse("delivery:decide", args=[run.pk, late.pk]),
        {f"e{late.pk}-decision": "reject", f"e{late.pk}-reason": ""},
        follow=True,
    )
    assert "Give a reason" in response.content.decode()
    late.refresh_from_db()
    assert late.status == "pending"


def test_the_invoice_xlsx_total_equals_the_sum_of_its_lines(
    signed_in: Any, finance: Any, setup: Any
) -> None:
    _upload, run = setup["Prime 1 (test)"]
    response = signed_in(finance).get(reverse("delivery:download", args=[run.pk, "invoice.xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # Spreadsheet numbers come back as floats: add them up as exact pence.
    pence = [Decimal(str(row[12])) * 100 for row in rows[1:-1]]
    assert rows[-1][0] == "Total"
    assert sum(pence) == Decimal(str(rows[-1][12])) * 100 == 1033  # the one delivered line


def test_the_pdfs_are_pdfs(signed_in: Any, finance: Any, setup: Any) -> None:
    _upload, run = setup["Prime 1 (test)"]
    client = signed_in(finance)
    for name in ("invoice.pdf", "remittance.pdf"):
        response = client.get(reverse("delivery:download", args=[run.pk, name]))
        assert response.content.startswith(b"%PDF")


def test_an_invoice_line_leads_to_its_log_and_upload(
    signed_in: Any, finance: Any, setup: Any
) -> None:
    upload, run = setup["Prime 1 (test)"]
    line = run.lines.get()
    page = signed_in(finance).get(reverse("delivery:line", args=[run.pk, line.pk]))
    text = page.content.decode()
    assert upload.sha256 in text and reverse("delivery:upload", args=[upload.pk]) in text


def test_a_carer_id_that_is_a_formula_stays_text_in_the_council_s_invoice(
    signed_in: Any, council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    attack = '=HYPERLINK("http://example.invalid","Click for your payment")'
    rows = [log_row(prime_1, "P-0001", at(1, 8, 2), 31, carer=attack)]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    response = signed_in(finance).get(reverse("delivery:download", args=[run.pk, "invoice.xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    carer = [cell for cell in sheet[2] if cell.value == attack.upper()]  # ids fold to capitals
    assert carer, "the carer id is on the line"
    assert all(cell.data_type == "s" for cell in carer)  # text, not a formula
