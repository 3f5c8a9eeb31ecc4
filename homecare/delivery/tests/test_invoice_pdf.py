"""The invoice and remittance PDFs a finance team can send: a first-page summary, page
numbers on every page ("Page 2 of 3"), pounds with £ and separators, purchase orders, totals
by band and funding stream, and the total once, at the end, equal to the sum of the lines.
The text is read from WeasyPrint's laid-out pages, so it is what a reader of the PDF sees
(margin boxes included)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from homecare.brokerage.testing import NOW
from homecare.delivery import actions, documents, reconciliation
from homecare.delivery.paged_documents import (
    LANDSCAPE_LINES,
    PORTRAIT_LINES,
    Column,
    PagedDocument,
    Section,
    fit,
    lay_out,
    paginate,
)
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row

POUNDS = re.compile(r"−?£[\d,]+\.\d\d")


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


def page_texts(document: PagedDocument) -> list[str]:
    """Each laid-out page's words, in reading order, single-spaced; no line of text runs
    past the page's right margin."""
    texts = []
    for page in lay_out(document).pages:
        box = page._page_box
        right = box.margin_left + box.width  # the right edge of the page's content
        words = [b.text for b in box.descendants() if hasattr(b, "text")]
        assert all(
            b.position_x + b.width <= right + 0.01
            for b in box.descendants()
            if hasattr(b, "text") and b.text.strip()
        )
        texts.append(" ".join(" ".join(words).split()))
    return texts


def amount(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", "").replace("−", "-"))


@pytest.mark.parametrize("build", [documents.invoice_document, documents.remittance_document])
def test_every_page_is_numbered_and_the_first_sums_up(run: Any, build: Any) -> None:
    pages = page_texts(build(run))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert f"nvoice {run.invoice.number}: " in text  # the running title
    first = pages[0]
    for expected in (
        f"Invoice number {run.invoice.number}",
        "Invoice date Provisional: not yet approved",
        "Care delivered 9 March 2026 to 5 April 2026",
        "Provider Prime 1 (test)",
        f"Council {run.council.name}",
        "Exempt from VAT",
        "Totals by band",
        "Totals by funding stream",
    ):
        assert expected in first, expected
    assert "Total of" not in first  # the lines (and their total) start on the next page


def test_the_invoice_total_is_printed_once_at_the_end_and_adds_up(run: Any) -> None:
    document = documents.invoice_document(run)
    pages = page_texts(document)
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
        for _heading, _column, split in document.context["splits"]
        for row in split
    )
    # The lines' amounts, read back from the pages (each line ends with its rate and its
    # amount), add up to the printed total.
    body = " ".join(page.split("Amount", 1)[1].split("Total of")[0] for page in pages[1:])
    assert sum(amount(found) for found in POUNDS.findall(body)[1::2]) * 100 == expected


def test_the_remittance_total_is_once_at_the_end(run: Any) -> None:
    pages = page_texts(documents.remittance_document(run))
    whole = " ".join(pages)
    visits = len(documents.remittance_rows(run))
    shown = f"£{Decimal(run.invoice.total_pence) / 100:,.2f}"
    assert whole.count(f"Total of {visits} visits") == 1
    assert f"Total of {visits} visits, exempt from VAT {shown}" in pages[-1]
    assert f"Paid for the lines {shown}" in pages[0]


def test_the_approved_invoice_is_dated_the_day_it_was_approved(run: Any, finance: Any) -> None:
    run.invoice.status = run.invoice.Status.APPROVED
    run.invoice.approved_at = timezone.make_aware(
        timezone.datetime(2026, 4, 9, 23, 30), timezone.get_fixed_timezone(0)
    )
    run.invoice.save()
    first = page_texts(documents.invoice_document(run))[0]
    # 23:30 UTC on 9 April is 00:30 on 10 April in London (summer time).
    assert "Invoice date 10 April 2026" in first and "Provisional" not in first


def test_purchase_orders_bands_and_funding_streams(run: Any) -> None:
    """The run stores each line's purchase order, band and funding shares; the summary adds
    them up by band and by stream (a joint-funded line counts in both) and the lines show
    the purchase order; many orders are not listed on the summary."""
    lines = list(run.lines.order_by("position"))
    ones = [line.pk for line in lines if line.person.reference == "P-0001"]
    for line in lines:
        nhs_chc = line.person.reference == "P-0002"
        joint = line.pk in ones[::2]
        line.purchase_order = f"PO-{line.person.reference[-4:]}"
        line.funding = "nhs_chc" if nhs_chc else "joint" if joint else "council"
        line.nhs_pence = line.amount_pence if nhs_chc else line.amount_pence // 3 if joint else 0
        line.council_pence = line.amount_pence - line.nhs_pence
        line.save()
    document = documents.invoice_document(run)
    streams = {row["label"]: row for row in document.context["splits"][1][2]}
    nhs = sum(line.nhs_pence for line in lines)
    assert streams["NHS continuing healthcare"]["pence"] == nhs
    assert streams["Council"]["pence"] == run.invoice.total_pence - nhs
    joint = sum(1 for line in lines if line.funding == "joint")
    assert streams["Council"]["lines"] + streams["NHS continuing healthcare"]["lines"] == (
        len(lines) + joint
    )
    pages = page_texts(document)
    assert "Purchase orders PO-0001, PO-0002" in pages[0]
    assert f"{joint} lines of joint-funded people are split" in pages[0]
    assert f"£{Decimal(nhs) / 100:,.2f}" in pages[0]
    first_line = lines[0]
    assert f"1 {first_line.purchase_order} {first_line.planned_id}" in pages[1]

    for line in lines[:8]:
        line.purchase_order = f"PO-{line.position:07d}"
        line.save()
    first = page_texts(documents.invoice_document(run))[0]
    orders = len(set(run.lines.values_list("purchase_order", flat=True)))
    assert orders > documents.LISTED_ORDERS
    assert f"Purchase orders {orders} purchase orders: see the lines" in first


@pytest.mark.parametrize(
    ("template", "cap"),
    [
        ("delivery/invoice_pdf.html", LANDSCAPE_LINES),
        ("delivery/remittance_pdf.html", PORTRAIT_LINES),
    ],
)
def test_a_page_never_holds_more_than_fits_and_rows_stay_whole(template: str, cap: int) -> None:
    """Hundreds of rows, some of several lines, and two sections cut into pages: each page
    is filled to what it holds and laid out as exactly one page (so "Page n of m" is
    right); a row is never split; a long value is cut with an ellipsis."""
    columns = (Column("Line", 5, right=True), Column("What", 20), Column("Amount", 11, True))
    sections = [Section("Lines", columns), Section("Withheld", columns)]
    for n in range(1, 260):
        notes = [f"    note {k} of row {n}" for k in range(n % 4)]
        sections[n % 7 == 0].add((n, "a long description that does not fit", f"£{n}.00"), *notes)
    for section in sections:
        section.closing = [f"Total of {section.heading}"]
    context = {"invoice": {"number": "T-1"}, "run": None, "splits": []}
    document = PagedDocument(template, "A test", context, sections, lines_per_page=cap)
    pages = paginate(document)
    used = [
        sum(3 + 2 + b["lines"] + bool(b.get("closing")) for b in page["blocks"]) for page in pages
    ]
    assert max(used) == cap and all(n <= cap for n in used)
    texts = page_texts(document)
    assert len(texts) == 1 + len(pages)
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert "a long description…" in texts[1]
    assert "Withheld (continued)" in " ".join(texts)
    for n in range(3, 260, 4):  # a row of three notes: its last note on the row's page
        page = next(t for t in texts[1:] if f" {n} a long description… £{n}.00" in t)
        assert f"note 2 of row {n}" in page
    assert fit("abcdef", 4) == "abc…" and fit("7", 3, right=True) == "  7"


def test_progress_is_reported_page_by_page(run: Any) -> None:
    seen: list[tuple[int, int]] = []
    documents.invoice_pdf(run, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (1, seen[-1][1]) and seen[-1][0] == seen[-1][1] >= 3


def test_the_downloads_are_pdfs(signed_in: Any, finance: Any, run: Any) -> None:
    client = signed_in(finance)
    for name in ("invoice.pdf", "remittance.pdf"):
        response = client.get(reverse("delivery:download", args=[run.pk, name]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_remittance_lists_what_was_withheld_and_the_corrections(
    council: Any, prime_1: Any, placed: Any, finance: Any
) -> None:
    """P-0001's visit on the fifth day has no log: the run does not pay it, and the
    remittance says so with its reason; a credit note on the approved invoice is listed
    with its reason, as money back to the council, and in the spreadsheet too."""
    from io import BytesIO

    from openpyxl import load_workbook

    from homecare.finance.models import Adjustment
    from homecare.finance.tests.ledger_data import correction

    rows = [
        log_row(prime_1, ref, at(1, 8, 1) + timedelta(days=day), 30)
        for day in range(28)
        for ref in ("P-0001", "P-0002")
        if (ref, day) != ("P-0001", 4)
    ]
    upload = actions.create_upload(prime_1, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    actions.import_upload(upload.pk, now=NOW)
    run = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    invoice = reconciliation.approve_invoice(run, now=NOW, acting_user=finance)
    credit = correction(invoice, Adjustment.Kind.CREDIT, [(None, "council", 1234)], NOW)
    whole = " ".join(page_texts(documents.remittance_document(run)))
    withheld = whole[whole.index("Withheld: not paid, and why") :]
    assert "13 Mar 2026 08:00 P-0001" in withheld and "Missed visit" in withheld
    assert "Reason: No carer's log was received for this planned visit" in withheld
    corrections = whole[whole.index("Credit notes and re-invoices When") :]
    assert f"Credit note {credit.number} −£12.34" in corrections
    assert "Reason: checked with the provider" in corrections
    assert "Net of the adjustments −£12.34" in corrections
    assert "Credit notes and re-invoices, net −£12.34" in whole  # on the summary
    sheet = load_workbook(BytesIO(documents.remittance_xlsx(run)))["Not paid"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "What" and any(row[0] == "Missed visit" for row in values[1:])
    assert any(row[0] == f"Credit note {credit.number}" for row in values[1:])
