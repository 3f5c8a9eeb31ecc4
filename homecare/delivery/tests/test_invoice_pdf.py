"""The invoice and remittance PDFs a finance team can send: a first-page summary, page
numbers on every page ("Page 2 of 3"), pounds with £ and separators, and the total once, at
the end, equal to the sum of the lines. The text is read from WeasyPrint's laid-out pages,
so it is what a reader of the PDF sees (margin boxes included)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from homecare.brokerage.testing import NOW
from homecare.delivery import actions, documents, reconciliation
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row

POUNDS = re.compile(r"£([\d,]+\.\d\d)")


@pytest.fixture
def run(council: Any, prime_1: Any, placed: Any, finance: Any) -> Any:
    """Four weeks of daily visits to P-0001 and P-0002: enough lines for several pages."""
    rows = [
        log_row(prime_1, ref, at(1, 8, 1) + timedelta(days=day), 55 + day % 7)
        for day in range(28)
        for ref in ("P-0001", "P-0002")
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    return reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )


def page_texts(template: str, context: dict[str, Any]) -> list[str]:
    """Each laid-out page's words, in reading order."""
    texts = []
    for page in documents.pdf_document(template, context).pages:
        words = [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
        texts.append(" ".join(words))
    return texts


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.mark.parametrize(
    ("template", "context_of"),
    [
        ("delivery/invoice_pdf.html", documents.invoice_context),
        ("delivery/remittance_pdf.html", documents.remittance_context),
    ],
)
def test_every_page_is_numbered_and_the_first_sums_up(
    run: Any, template: str, context_of: Any
) -> None:
    pages = page_texts(template, context_of(run))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    first = pages[0]
    for expected in (
        f"Invoice number {run.invoice.number}",
        "Invoice date 2 March 2026 (draft, not yet approved)",
        "Care delivered 9 March 2026 to 5 April 2026",
        "Provider Prime 1 (test)",
        f"Council {run.council.name}",
        "Exempt from VAT",
        "Totals by band",
        "Totals by funding stream",
    ):
        assert expected in first, expected


def test_the_invoice_total_is_printed_once_at_the_end_and_adds_up(run: Any) -> None:
    context = documents.invoice_context(run)
    pages = page_texts("delivery/invoice_pdf.html", context)
    whole = " ".join(pages)
    lines = list(run.lines.all())
    expected = sum(line.amount_pence for line in lines)
    assert expected == run.invoice.total_pence > 100_000  # over £1,000: separators show
    shown = f"£{Decimal(expected) / 100:,.2f}"
    assert "," in shown
    # Once in the summary on page 1, once after the last line on the last page: never
    # in a running footer.
    assert whole.count(f"Total of {len(lines)} lines") == 1
    assert f"Total of {len(lines)} lines, exempt from VAT {shown}" in pages[-1]
    assert f"Total due {shown}" in pages[0]
    assert whole.count(shown) == 2 + sum(  # plus any band or stream that holds it all
        f"{row['label']} {row['lines']} {shown}" in whole
        for _heading, _column, split in context["splits"]
        for row in split
    )
    # The lines' amounts, read back from the pages, add up to the printed total.
    body = whole.split("Amount", 3)[-1].split("Total of")[0]
    assert sum(amount(found) for found in POUNDS.findall(body)[1::2]) * 100 == expected


def test_the_remittance_total_is_once_at_the_end(run: Any) -> None:
    pages = page_texts("delivery/remittance_pdf.html", documents.remittance_context(run))
    whole = " ".join(pages)
    visits = len(documents.remittance_rows(run))
    shown = f"£{Decimal(run.invoice.total_pence) / 100:,.2f}"
    assert whole.count(f"Total of {visits} visits") == 1
    assert f"Total of {visits} visits, exempt from VAT {shown}" in pages[-1]
    assert f"Total of {visits} visits" not in " ".join(pages[:-1])


def test_the_downloads_are_pdfs(signed_in: Any, finance: Any, run: Any) -> None:
    client = signed_in(finance)
    for name in ("invoice.pdf", "remittance.pdf"):
        response = client.get(reverse("delivery:download", args=[run.pk, name]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
