"""Data for the ledger and export tests, made as real data is: packages placed in the test
market, visit logs uploaded and imported, each provider's period reconciled and its invoice
approved by a finance officer.

The period is the four weeks from Monday 9 March 2026. P-0001 and P-0002 have a daily 08:00
visit of 30 minutes with Prime 1, P-0003 with Prime 2, each at £20.00 an hour. P-0002 is
funded by the NHS (continuing healthcare).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homecare.brokerage.models import Person
from homecare.brokerage.testing import LONDON, NOW, make_market
from homecare.commissioning.models import Provider
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import Invoice, InvoiceLine
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package
from homecare.finance.models import Adjustment, AdjustmentLine

APPROVED_AT = datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)
EXPORTED_AT = datetime(2026, 4, 9, 15, 30, tzinfo=LONDON)


def approved_invoices(council: Any, user: Any) -> dict[str, Invoice]:
    """The approved invoices of Prime 1 and Prime 2 for the period, by provider name."""
    framework = make_market(council)
    for reference, provider in (
        ("P-0001", "Prime 1 (test)"),
        ("P-0002", "Prime 1 (test)"),
        ("P-0003", "Prime 2 (test)"),
    ):
        place_package(framework, reference, provider)
    Person.objects.filter(council=council, reference="P-0002").update(funding="nhs_chc")
    prime_1 = Provider.objects.get(name="Prime 1 (test)")
    prime_2 = Provider.objects.get(name="Prime 2 (test)")
    logs = {
        prime_1: [
            log_row(prime_1, "P-0001", at(1, 8, 0), 31),
            log_row(prime_1, "P-0001", at(2, 8, 5), 29),
            log_row(prime_1, "P-0002", at(1, 8, 0), 30, carer="C2"),
            log_row(prime_1, "P-0002", at(3, 8, 0), 45, carer="C2"),
        ],
        prime_2: [log_row(prime_2, "P-0003", at(4, 8, 0), 30, carer="C9")],
    }
    invoices = {}
    for provider, rows in logs.items():
        upload = actions.create_upload(
            provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None
        )
        actions.import_upload(upload.pk, now=NOW)
        run = reconciliation.run_reconciliation(
            council, provider, PERIOD_START, now=NOW, acting_user=user
        )
        invoices[provider.name] = reconciliation.approve_invoice(
            run, now=APPROVED_AT, acting_user=user
        )
    return invoices


def stream_totals(invoice: Invoice) -> dict[str, int]:
    """The invoice's pence by funding stream, from its lines (a blank funding is the
    council's), leaving out a stream with nothing."""
    totals = {"council": 0, "nhs_chc": 0}
    for line in InvoiceLine.objects.filter(invoice=invoice):
        if not line.funding:
            totals["council"] += line.amount_pence
        else:
            totals["council"] += line.council_pence
            totals["nhs_chc"] += line.nhs_pence
    return {stream: pence for stream, pence in totals.items() if pence}


def fund_jointly(invoice: Invoice, *, nhs_percent: int, zone: str = "") -> None:
    """Give the invoice's lines a joint funding split (the NHS's share rounded down, the
    remainder penny to the council) where the run made them the council's alone: the run fills
    these for joint-funded people; the tests of the file need some either way."""
    for line in InvoiceLine.objects.filter(invoice=invoice, funding__in=["", "council"]):
        nhs = line.amount_pence * nhs_percent // 100
        line.funding, line.nhs_pence = "joint", nhs
        line.council_pence = line.amount_pence - nhs
        line.zone_code = zone or line.zone_code
        line.save()


def correction(
    invoice: Invoice, kind: str, parts: list[tuple[InvoiceLine | None, str, int]], at: datetime
) -> Adjustment:
    """A credit note or re-invoice of ``parts`` (line, stream, pence > 0), numbered as the
    adjustments are ("CN-<invoice>-<n>", "RI-<invoice>-<n>")."""
    prefix = "CN" if kind == Adjustment.Kind.CREDIT else "RI"
    count = Adjustment.objects.filter(invoice=invoice, kind=kind).count() + 1
    adjustment = Adjustment.objects.create(
        invoice=invoice,
        kind=kind,
        number=f"{prefix}-{invoice.number}-{count}",
        reason="checked with the provider",
        total_pence=sum(pence for _line, _stream, pence in parts),
        created_at=at,
    )
    for line, stream, pence in parts:
        AdjustmentLine.objects.create(
            adjustment=adjustment,
            invoice_line=line,
            description="correction",
            stream=stream,
            amount_pence=pence,
        )
    return adjustment
