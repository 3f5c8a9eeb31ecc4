"""Payment batches and their ledger export: a document is paid in one batch only, a batch is
exported once unless a re-export is asked for with a reason (and then marked), the file's
rows add up to each invoice's total per funding stream, and every cell is formula-escaped."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from carecore.errors import InputError
from carecore.ledger import LayoutError
from homecare.brokerage.testing import LONDON, other_council
from homecare.commissioning.models import Provider
from homecare.conftest import _persona
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.finance import ledger
from homecare.finance.ledger_layout import default_layout_text
from homecare.finance.models import Adjustment, BatchItem, LedgerExport, LedgerLayout
from homecare.finance.tests.ledger_data import (
    EXPORTED_AT,
    approved_invoices,
    correction,
    fund_jointly,
    stream_totals,
)

MADE_AT = datetime(2026, 4, 8, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _rules(settings: Any) -> None:
    settings.HOMECARE_ECM_RULES = "rotherham-actual"
    settings.HOMECARE_ECM_BAD_ROWS = "reject"


@pytest.fixture
def finance(council: Any) -> Any:
    return _persona("finance", council, "finance")


@pytest.fixture
def invoices(council: Any, finance: Any) -> dict[str, Invoice]:
    return approved_invoices(council, finance)


def _batch(council: Any, user: Any, invoices: list[Any], adjustments: Any = None) -> Any:
    return ledger.make_payment_batch(
        council, invoices, adjustments or [], now=MADE_AT, acting_user=user
    )


def _rows(export: LedgerExport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bytes(export.content).decode("utf-8"))))


def test_a_batch_pays_approved_invoices_once(council: Any, finance: Any, invoices: Any) -> None:
    chosen = list(invoices.values())
    batch = _batch(council, finance, chosen)
    assert batch.number == f"PB-{council.pk}-0001"
    assert batch.total_pence == sum(i.total_pence for i in chosen) > 0
    assert sorted(batch.items.values_list("invoice__number", flat=True)) == sorted(
        i.number for i in chosen
    )
    assert ledger.unbatched_invoices(council).count() == 0
    with pytest.raises(InputError, match="already in payment batch PB-") as caught:
        _batch(council, finance, chosen[:1])
    assert caught.value.key == "invoices"


def test_the_database_refuses_a_document_in_a_second_batch(
    council: Any, finance: Any, invoices: Any
) -> None:
    invoice = invoices["Prime 1 (test)"]
    first = _batch(council, finance, [invoice])
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchItem.objects.create(batch=first, invoice=invoice, amount_pence=1)


def test_a_provisional_invoice_or_another_councils_is_refused(
    council: Any, finance: Any, invoices: Any
) -> None:
    invoice = invoices["Prime 1 (test)"]
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.DRAFT)
    with pytest.raises(InputError, match="provisional"):
        _batch(council, finance, [invoice])
    elsewhere = other_council()
    with pytest.raises(InputError, match="not one of the council's"):
        _batch(elsewhere, finance, [invoices["Prime 2 (test)"]])
    with pytest.raises(InputError, match="choose at least one"):
        _batch(council, finance, [])


def test_exporting_a_batch_twice_without_asking_exports_nothing(
    council: Any, finance: Any, invoices: Any
) -> None:
    batch = _batch(council, finance, list(invoices.values()))
    first = ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    # One row per invoice and funding stream (the layout's cost centres are per stream).
    rows = sum(len(stream_totals(invoice)) for invoice in invoices.values())
    assert (first.re_export, first.rows, first.exported_by) == (False, rows, finance)
    assert first.file_name == f"{council.slug}-payments-{batch.number}-20260409.csv"
    assert first.layout_text == default_layout_text()
    with pytest.raises(InputError) as caught:
        ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    assert caught.value.message == (
        "already exported on 9 April 2026 by Finance: ask for a re-export with a reason"
    )
    with pytest.raises(InputError, match="give the reason"):
        ledger.export_batch(batch, again=True, reason="  ", now=EXPORTED_AT, acting_user=finance)
    assert LedgerExport.objects.filter(batch=batch).count() == 1


def test_a_re_export_is_marked_in_its_name_and_record(
    council: Any, finance: Any, invoices: Any
) -> None:
    batch = _batch(council, finance, list(invoices.values()))
    first = ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    again = ledger.export_batch(
        batch,
        again=True,
        reason="The ledger rejected the first file",
        now=datetime(2026, 4, 10, 9, 0, tzinfo=LONDON),
        acting_user=finance,
    )
    assert again.re_export and again.reason == "The ledger rejected the first file"
    assert again.file_name == f"{council.slug}-payments-{batch.number}-20260410-re-export-1.csv"
    assert bytes(again.content) == bytes(first.content)  # the same payments, marked apart
    assert not first.re_export and first.reason == ""
    assert again.history.first().history_user == finance


def test_the_files_amounts_per_invoice_add_up_to_its_total_per_stream(
    council: Any, finance: Any, invoices: Any
) -> None:
    batch = _batch(council, finance, list(invoices.values()))
    rows = _rows(ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance))
    for invoice in invoices.values():
        found: dict[str, int] = {}
        for row in rows:
            if row["Invoice number"] == invoice.number:
                pence = int(Decimal(row["Gross"]) * 100)
                found[row["Funding stream"]] = found.get(row["Funding stream"], 0) + pence
                assert (row["Net"], row["VAT"]) == (row["Gross"], "0.00")
        assert found == stream_totals(invoice)
        assert sum(found.values()) == invoice.total_pence


def test_joint_funding_and_corrections_split_per_cost_centre_to_the_penny(
    council: Any, finance: Any, invoices: Any
) -> None:
    invoice = invoices["Prime 2 (test)"]
    fund_jointly(invoice, nhs_percent=33, zone="west-leicester")
    layout = default_layout_text().replace(
        '[cost_centres.nhs_chc]\ndefault = "HOMECARE-CHC"',
        '[cost_centres.nhs_chc]\ndefault = "HOMECARE-CHC"\n"west-leicester" = "CHC-WL"',
    )
    ledger.save_ledger_layout(council, layout, now=MADE_AT, acting_user=finance)
    line = InvoiceLine.objects.filter(invoice=invoice).first()
    credit = correction(invoice, Adjustment.Kind.CREDIT, [(line, "council", 101)], MADE_AT)
    reinvoice = correction(invoice, Adjustment.Kind.REINVOICE, [(None, "nhs_chc", 250)], MADE_AT)
    batch = _batch(council, finance, [invoice], [credit, reinvoice])
    assert batch.total_pence == invoice.total_pence - 101 + 250
    rows = _rows(ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance))
    got = [(r["Invoice number"], r["Cost centre"], r["Funding stream"], r["Gross"]) for r in rows]
    council_part = sum(
        InvoiceLine.objects.filter(invoice=invoice).values_list("council_pence", flat=True)
    )
    nhs_part = invoice.total_pence - council_part
    assert got == [
        (invoice.number, "HOMECARE-ASC", "council", f"{Decimal(council_part) / 100:.2f}"),
        (invoice.number, "CHC-WL", "nhs_chc", f"{Decimal(nhs_part) / 100:.2f}"),
        (credit.number, "HOMECARE-ASC", "council", "-1.01"),
        (reinvoice.number, "HOMECARE-CHC", "nhs_chc", "2.50"),
    ]
    assert [r["Document type"] for r in rows] == ["invoice", "invoice", "credit note", "re-invoice"]
    assert nhs_part == invoice.total_pence * 33 // 100


def test_every_cell_of_the_file_is_formula_escaped(
    council: Any, finance: Any, invoices: Any
) -> None:
    attack = '=HYPERLINK("http://x","Pay here")'
    Provider.objects.filter(name="Prime 1 (test)").update(name=attack, cqc_location_id="")
    layout = (
        default_layout_text()
        .replace("\n[suppliers]\n", f"\n[suppliers]\n'{attack}' = \"@SUP1\"\n")
        .replace('header = "Batch"', 'header = "+Batch"')
    )
    ledger.save_ledger_layout(council, layout, now=MADE_AT, acting_user=finance)
    batch = _batch(council, finance, [invoices["Prime 1 (test)"]])
    export = ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    table = list(csv.reader(io.StringIO(bytes(export.content).decode())))
    assert table[0][0] == "'+Batch"
    assert table[1][2:4] == ["'@SUP1", "'" + attack]
    assert not [cell for row in table for cell in row if cell.startswith(("=", "+", "@"))]


def test_a_provider_without_a_supplier_code_stops_a_strict_layout(
    council: Any, finance: Any, invoices: Any
) -> None:
    strict = default_layout_text().replace(
        'unknown_supplier = "cqc_location_id"', 'unknown_supplier = "refuse"'
    )
    ledger.save_ledger_layout(council, strict, now=MADE_AT, acting_user=finance)
    batch = _batch(council, finance, [invoices["Prime 1 (test)"]])
    with pytest.raises(InputError, match="Prime 1 \\(test\\) has no supplier code"):
        ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    assert not LedgerExport.objects.exists()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('value = "supplier_code"', 'value = "supplier_id"'), "columns[3].value"),
        (('format = "%d/%m/%Y"', 'format = "dd/mm/yyyy"'), "columns[2].format"),
        (('format = "0.00"', 'format = "£0.00"'), "columns[13].format"),
        (("\n[suppliers]\n", '\n[suppliers]\n"Nobody Care" = "S1"\n'), "suppliers.Nobody Care"),
        (('default = "HOMECARE-ASC"', 'north = "X"'), "cost_centres.council.north"),
        (('delimiter = ","', 'separator = ","'), "file.separator"),
    ],
)
def test_a_layout_with_a_bad_key_or_format_is_refused_naming_it(
    council: Any, finance: Any, invoices: Any, change: tuple[str, str], key: str
) -> None:
    with pytest.raises(LayoutError) as caught:
        ledger.save_ledger_layout(
            council, default_layout_text().replace(*change, 1), now=MADE_AT, acting_user=finance
        )
    assert caught.value.key == key and caught.value.line
    assert not LedgerLayout.objects.filter(council=council).exists()


def test_a_saved_layout_is_used_by_the_next_export(
    council: Any, finance: Any, invoices: Any
) -> None:
    semicolons = default_layout_text().replace('delimiter = ","', 'delimiter = ";"')
    saved = ledger.save_ledger_layout(council, semicolons, now=MADE_AT, acting_user=finance)
    assert saved.history.first().history_user == finance
    batch = _batch(council, finance, [invoices["Prime 2 (test)"]])
    export = ledger.export_batch(batch, now=EXPORTED_AT, acting_user=finance)
    assert bytes(export.content).startswith(b"Batch;Payment date;Supplier code;")
    assert export.layout_text == semicolons


def test_the_demo_shows_one_exported_batch_of_its_approved_invoices(
    council: Any, finance: Any, invoices: Any
) -> None:
    from homecare.finance.demo_ledger import load_ledger

    batch = load_ledger(council, now=MADE_AT, acting_user=None)
    assert batch is not None and batch.items.count() == len(invoices)
    assert batch.exports.get().exported_by is None
    assert load_ledger(council, now=MADE_AT, acting_user=None) is None  # loaded again
    assert load_ledger(other_council(), now=MADE_AT, acting_user=None) is None
