"""Kept documents: a small invoice's PDF is made in the request and kept; a large one is
queued and made in the background with its progress saved page by page; a copy is handed
out again only while what it was made from still stands; a failure or a stalled build is
recorded and the next request makes a new one; each document is seen only by those who see
its run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from homecare.brokerage.testing import NOW
from homecare.conftest import _persona
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import Invoice
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package
from homecare.finance import documents_kept
from homecare.finance.models import Adjustment, KeptDocument
from homecare.finance.tests.ledger_data import correction

Status = KeptDocument.Status
INVOICE, REMITTANCE = KeptDocument.Kind.INVOICE, KeptDocument.Kind.REMITTANCE


def _site_with_documents() -> list[Any]:
    from config.urls import urlpatterns as site

    return [*site, path("finance/", include("homecare.finance.document_urls"))]


urlpatterns = _site_with_documents()  # used only while the site does not include the pages


@pytest.fixture(autouse=True)
def _pages(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"
    try:
        reverse("finance:document", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


@pytest.fixture
def finance(council: Any) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def run(council: Any, finance: Any) -> Any:
    """Prime 1's four weeks: a daily visit to P-0001 and P-0002 (56 lines, three pages)."""
    from homecare.brokerage.testing import make_market
    from homecare.commissioning.models import Provider

    framework = make_market(council)
    for reference in ("P-0001", "P-0002"):
        place_package(framework, reference)
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    rows = [
        log_row(prime_1, ref, at(1, 8, 0) + timedelta(days=day), 30)
        for day in range(28)
        for ref in ("P-0001", "P-0002")
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    return reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )


def _request(run: Any, kind: str = INVOICE, now: Any = NOW, user: Any = None) -> KeptDocument:
    """Ask for the run's document as a page does: the invoice as the database holds it."""
    invoice = Invoice.objects.select_related("run").get(run=run.pk)
    return documents_kept.request_document(invoice, kind, now=now, acting_user=user)


def test_a_small_invoice_is_made_at_once_and_kept(run: Any, finance: Any) -> None:
    kept = _request(run, user=finance)
    assert kept.status == Status.DONE and kept.finished_at is not None
    assert bytes(kept.content).startswith(b"%PDF") and kept.file_name.endswith("-invoice.pdf")
    assert kept.pages == kept.progress_total == kept.progress_done == 3  # summary + 2 of lines
    again = _request(run, now=NOW + timedelta(hours=1))
    assert again.pk == kept.pk  # nothing changed: the same copy
    remittance = _request(run, REMITTANCE)
    assert remittance.pk != kept.pk and remittance.kind == REMITTANCE


def test_a_change_to_the_invoice_makes_a_new_copy(run: Any, finance: Any) -> None:
    first = _request(run)
    approved = reconciliation.approve_invoice(run, now=NOW, acting_user=finance)
    second = _request(run)
    assert second.pk != first.pk and "approved" in second.source_version
    correction(approved, Adjustment.Kind.CREDIT, [(None, "council", 100)], NOW)
    third = _request(run)
    assert third.pk not in (first.pk, second.pk) and "adjustments 1" in third.source_version
    assert _request(run).pk == third.pk


def test_a_large_invoice_is_made_in_the_background_page_by_page(
    run: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(documents_kept, "INLINE_LINES", 10)
    saved: list[dict[str, Any]] = []
    real = documents_kept.update_now

    def recording(instance: Any, **values: Any) -> None:
        saved.append(values)
        real(instance, **values)

    monkeypatch.setattr(documents_kept, "update_now", recording)
    with django_capture_on_commit_callbacks() as queued:
        kept = _request(run)
        assert kept.status == Status.QUEUED and not kept.content
    assert len(queued) == 1
    queued[0]()  # the worker picks the task up
    kept.refresh_from_db()
    assert kept.status == Status.DONE and bytes(kept.content).startswith(b"%PDF")
    progress = [v["progress_done"] for v in saved if "heartbeat_at" in v and "progress_done" in v]
    assert progress == [1, 3]  # the summary, then the pages of lines (ten a part)
    assert saved[0]["status"] == Status.RUNNING and saved[-1]["status"] == Status.DONE


def test_a_failure_is_recorded_and_the_next_request_tries_again(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(run: Any, **_: Any) -> bytes:
        raise RuntimeError("the fonts are missing")

    monkeypatch.setitem(documents_kept.BUILDERS, INVOICE, broken)
    failed = _request(run)
    assert failed.status == Status.FAILED and "fonts are missing" in failed.error
    monkeypatch.undo()
    again = _request(run)
    assert again.pk != failed.pk and again.status == Status.DONE


def test_a_build_that_stopped_is_failed_and_made_again(run: Any) -> None:
    stalled = KeptDocument.objects.create(
        council=run.council,
        kind=INVOICE,
        invoice=run.invoice,
        source_version=documents_kept.source_version(run.invoice, INVOICE),
        status=Status.RUNNING,
        created_at=NOW,
        started_at=NOW,
        heartbeat_at=NOW,
    )
    assert _request(run, now=NOW + timedelta(minutes=5)).pk == stalled.pk  # still working
    fresh = _request(run, now=NOW + documents_kept.STALLED_AFTER + timedelta(minutes=1))
    stalled.refresh_from_db()
    assert stalled.status == Status.FAILED and fresh.status == Status.DONE


def test_the_pages_show_progress_then_the_download(
    run: Any, finance: Any, signed_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(finance)
    monkeypatch.setattr(documents_kept, "INLINE_LINES", 10)
    queued = _request(run)  # the worker has not started it (on-commit never runs here)
    page = client.get(reverse("finance:document", args=[queued.pk])).content.decode()
    assert "Waiting to start" in page and "hx-trigger" in page
    file = client.get(reverse("finance:document-file", args=[queued.pk]))
    assert file.status_code == 302  # not made yet: back to its page
    documents_kept.build_document(queued.pk)
    page = client.get(reverse("finance:document", args=[queued.pk])).content.decode()
    assert "hx-trigger" not in page and "Download the invoice (PDF, 3 pages)" in page
    file = client.get(reverse("finance:document-file", args=[queued.pk]))
    assert file.status_code == 200 and file.content.startswith(b"%PDF")
    assert f"{run.invoice.number}-invoice.pdf" in file["Content-Disposition"]
    reconciliation.approve_invoice(run, now=NOW, acting_user=finance)
    page = client.get(reverse("finance:document", args=[queued.pk])).content.decode()
    assert "The invoice has changed since this copy was made" in page


def test_only_those_who_see_the_run_see_its_documents(
    run: Any, council: Any, signed_in: Any, prime_1_user: Any, prime_2_user: Any
) -> None:
    kept = _request(run)
    for user, status in ((prime_1_user, 200), (prime_2_user, 404)):
        client = signed_in(user)
        for name in ("finance:document", "finance:document-file"):
            assert client.get(reverse(name, args=[kept.pk])).status_code == status
    other = _persona("other_finance", _other_council(), "finance")
    assert signed_in(other).get(reverse("finance:document", args=[kept.pk])).status_code == 404


def _other_council() -> Any:
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation

    return accounts.create_organisation(
        "Otherton Council (test)", kind=Organisation.Kind.COUNCIL, acting_user=None
    )


@pytest.fixture
def prime_1_user(run: Any) -> Any:
    return _persona("prime_1_user", run.provider.organisation, "provider")


@pytest.fixture
def prime_2_user(run: Any) -> Any:
    from homecare.commissioning.models import Provider

    return _persona(
        "prime_2_user", Provider.objects.get(name="Prime 2 (test)").organisation, "provider"
    )


def test_the_run_download_hands_out_the_kept_copy_or_its_page(
    run: Any, finance: Any, rf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homecare.finance.document_views import run_document

    request = rf.get("/")
    request.user = finance
    response = run_document(request, run, INVOICE)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    monkeypatch.setattr(documents_kept, "INLINE_LINES", 10)
    response = run_document(request, run, REMITTANCE)
    kept = KeptDocument.objects.get(kind=REMITTANCE)
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:document", args=[kept.pk])


def test_the_demo_keeps_a_recharge_and_an_invoice_pdf(run: Any, finance: Any) -> None:
    from homecare.finance.demo_documents import load_documents

    reconciliation.approve_invoice(run, now=NOW, acting_user=finance)
    recharge, invoice = load_documents(run.council, now=NOW + timedelta(days=30))
    assert recharge.kind == KeptDocument.Kind.RECHARGE and invoice.kind == INVOICE
    assert recharge.status == invoice.status == Status.DONE
    assert documents_kept.recharge_days(recharge) == (run.period_start, run.period_end)
    assert invoice.invoice_id == run.invoice.pk and bytes(invoice.content).startswith(b"%PDF")
