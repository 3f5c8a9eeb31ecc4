"""The payment batch pages, the payment file layout page and who may open them.

Finance officers make and export batches and keep the layout; a commissioner may read the
council's batches and download their files; a provider sees none; another council's officer
gets a 404 for them, as for a batch that does not exist."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from homecare.brokerage.testing import LONDON, other_council
from homecare.conftest import _persona
from homecare.finance import ledger
from homecare.finance.ledger_layout import default_layout_text
from homecare.finance.models import LedgerExport, LedgerLayout, PaymentBatch
from homecare.finance.tests.ledger_data import approved_invoices

NOW = datetime(2026, 4, 9, 15, 30, tzinfo=LONDON)


def _site_with_finance() -> list[Any]:
    from config.urls import urlpatterns as site

    return [*site, path("finance/", include("homecare.finance.ledger_urls"))]


urlpatterns = _site_with_finance()  # used only while the site does not include the pages


@pytest.fixture(autouse=True)
def _pages(settings: Any, frozen_now: Any) -> None:
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"
    try:
        reverse("finance:batches")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
    frozen_now(NOW)


@pytest.fixture
def finance(council: Any) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def invoices(council: Any, finance: Any) -> dict[str, Any]:
    return approved_invoices(council, finance)


@pytest.fixture
def batch(council: Any, finance: Any, invoices: Any) -> PaymentBatch:
    return ledger.make_payment_batch(
        council, list(invoices.values()), [], now=NOW, acting_user=finance
    )


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_finance_officer_makes_a_batch_from_the_ticked_invoices(
    signed_in: Any, finance: Any, invoices: Any
) -> None:
    client = signed_in(finance)
    page = client.get(reverse("finance:batch-new"))
    assert page.status_code == 200
    body = _text(page)
    for invoice in invoices.values():
        box = f'id="invoice-{invoice.pk}" name="invoices" type="checkbox"'
        assert f'{box} value="{invoice.pk}" checked' in body
    total = sum(i.total_pence for i in invoices.values())
    assert f"Everything listed: £{total // 100:,}.{total % 100:02d}" in body
    chosen = invoices["Prime 2 (test)"]
    made = client.post(reverse("finance:batch-new"), {"invoices": [str(chosen.pk)]})
    batch = PaymentBatch.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("finance:batch", args=[batch.pk])
    assert list(batch.items.values_list("invoice", flat=True)) == [chosen.pk]
    again = client.get(reverse("finance:batch-new"))
    assert f'value="{chosen.pk}"' not in again.content.decode()


def test_a_batch_of_nothing_or_of_nonsense_is_refused_with_an_error_summary(
    signed_in: Any, finance: Any, invoices: Any
) -> None:
    client = signed_in(finance)
    for data in ({}, {"invoices": ["abc"]}, {"invoices": ["999999"]}, {"adjustments": ["-1"]}):
        response = client.post(reverse("finance:batch-new"), data)
        assert response.status_code == 400, data
        assert "govuk-error-summary" in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_the_batch_page_exports_once_and_re_exports_only_with_a_reason(
    signed_in: Any, finance: Any, batch: PaymentBatch
) -> None:
    client = signed_in(finance)
    url = reverse("finance:batch", args=[batch.pk])
    assert "Export the payment file" in client.get(url).content.decode()
    exported = client.post(reverse("finance:batch-make-export", args=[batch.pk]))
    assert exported.status_code == 302
    export = LedgerExport.objects.get()
    twice = client.post(reverse("finance:batch-make-export", args=[batch.pk]))
    assert twice.status_code == 400
    assert "Already exported on 9 April 2026 by Finance" in _text(twice)
    no_reason = client.post(
        reverse("finance:batch-make-export", args=[batch.pk]), {"again": "yes", "reason": " "}
    )
    assert no_reason.status_code == 400 and "Give the reason" in _text(no_reason)
    assert LedgerExport.objects.count() == 1
    client.post(
        reverse("finance:batch-make-export", args=[batch.pk]),
        {"again": "yes", "reason": "The ledger lost the first file"},
    )
    page = _text(client.get(url))
    assert "Re-export</strong>" in page and "The ledger lost the first file" in page
    assert LedgerExport.objects.filter(re_export=True).count() == 1
    download = client.get(reverse("finance:batch-export", args=[batch.pk, export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert f'filename="{export.file_name}"' in download["Content-Disposition"]
    assert b"".join(download) == bytes(export.content)


def test_a_commissioner_reads_batches_but_does_not_make_or_export_them(
    signed_in: Any, council: Any, finance: Any, batch: PaymentBatch
) -> None:
    export = ledger.export_batch(batch, now=NOW, acting_user=finance)
    client = signed_in(_persona("commissioner", council, "commissioner"))
    assert client.get(reverse("finance:batches")).status_code == 200
    page = client.get(reverse("finance:batch", args=[batch.pk]))
    assert page.status_code == 200 and "Export the batch again" not in page.content.decode()
    files = client.get(reverse("finance:batch-export", args=[batch.pk, export.pk]))
    assert files.status_code == 200
    assert client.get(reverse("finance:batch-new")).status_code == 403
    assert client.post(reverse("finance:batch-make-export", args=[batch.pk])).status_code == 403
    assert client.get(reverse("finance:ledger-layout")).status_code == 403


def test_another_councils_officer_and_a_provider_see_no_batch(
    signed_in: Any, finance: Any, batch: PaymentBatch
) -> None:
    export = ledger.export_batch(batch, now=NOW, acting_user=finance)
    elsewhere = _persona("elsewhere", other_council(), "finance")
    client = signed_in(elsewhere)
    assert batch.number not in client.get(reverse("finance:batches")).content.decode()
    for name, args in (
        ("finance:batch", [batch.pk]),
        ("finance:batch-export", [batch.pk, export.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
    refused = client.post(
        reverse("finance:batch-make-export", args=[batch.pk]), {"again": "yes", "reason": "x"}
    )
    assert refused.status_code == 404
    from homecare.commissioning.models import Provider

    provider = Provider.objects.get(name="Prime 1 (test)")
    client = signed_in(_persona("prime", provider.organisation, "provider"))
    assert client.get(reverse("finance:batches")).status_code == 403
    assert client.get(reverse("finance:batch", args=[batch.pk])).status_code == 403


def test_the_layout_page_shows_the_default_and_refuses_a_bad_key_naming_it_and_its_line(
    signed_in: Any, council: Any, finance: Any
) -> None:
    client = signed_in(finance)
    page = client.get(reverse("finance:ledger-layout"))
    assert page.status_code == 200
    assert "no layout of its own yet" in _text(page)
    bad = default_layout_text().replace('value = "payment_date"', 'value = "paid_on"')
    refused = client.post(reverse("finance:ledger-layout"), {"text": bad})
    assert refused.status_code == 400
    line = bad.splitlines().index('value = "paid_on"') + 1
    body = _text(refused)
    assert f"Layout: line {line}, columns[2].value: &#x27;paid_on&#x27; is not a value" in body
    assert 'href="#text"' in body  # the error summary leads to the layout
    assert not LedgerLayout.objects.exists()
    good = default_layout_text().replace('delimiter = ","', 'delimiter = "|"')
    saved = client.post(reverse("finance:ledger-layout"), {"text": good})
    assert saved.status_code == 302
    assert LedgerLayout.objects.get(council=council).text == good
    assert "last saved 9 April 2026" in _text(client.get(reverse("finance:ledger-layout")))


def test_the_batch_pages_answer_odd_input_without_a_server_error(
    signed_in: Any, finance: Any, batch: PaymentBatch
) -> None:
    client = signed_in(finance)
    assert client.get(reverse("finance:batches") + "?page=zzz").status_code == 200
    assert client.get(reverse("finance:batch", args=[999999])).status_code == 404
    assert client.get(reverse("finance:batch-export", args=[batch.pk, 999999])).status_code == 404
    assert client.get(reverse("finance:batch-make-export", args=[batch.pk])).status_code == 405
    huge = client.post(reverse("finance:ledger-layout"), {"text": "x" * 100_001})
    assert huge.status_code == 400
    nul = client.post(reverse("finance:ledger-layout"), {"text": "split = \x00"})
    assert nul.status_code == 400


def test_the_pages_speak_plainly(
    signed_in: Any, finance: Any, invoices: Any, batch: PaymentBatch
) -> None:
    from homecare.accounts.plain_words import internal_words_in

    ledger.export_batch(batch, now=NOW, acting_user=finance)
    client = signed_in(finance)
    query = "?from_day=9&from_month=3&from_year=2026&to_day=5&to_month=4&to_year=2026"
    for url in (
        reverse("finance:batches"),
        reverse("finance:batch-new"),
        reverse("finance:batch", args=[batch.pk]),
        reverse("finance:ledger-layout"),
        reverse("finance:charging-export") + query,
        reverse("finance:recharge-export") + query,
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert internal_words_in(response.content.decode()) == [], url
