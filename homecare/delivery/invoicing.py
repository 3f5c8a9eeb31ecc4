"""Saving a run's invoice: its priced lines, each with its purchase order, band, zone and
funding stream, the block hours a lead provider is guaranteed, and the totals by stream.

Funding streams. A council-funded person's line is the council's; an NHS continuing
healthcare person's line is the NHS's (the council pays the provider and recharges the ICB);
a joint-funded person's line is split by the person's stated NHS share: the NHS's part is the
line's amount times the share, rounded half up to the penny, and the council pays the rest,
so the two parts always add up to the line. People on a direct payment never reach here.

Block hours (a lead provider's guarantee, as its appointment says): for each week of the
period and each appointment with guaranteed hours, the carer hours paid on the invoice for
people in the appointment's lot's zones through its framework are counted; any shortfall
against the guarantee is paid as its own line ("block hours not used") at the appointment's
rate (its single rate, else the lowest of its band rates) with the framework's percentage fee
uplifts in force on the week's Monday (an uplift of new band rates leaves it as it was). A
week the provider delivered the guarantee or more adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from carecore.errors import InputError
from carecore.units import LONDON, to_pence
from homecare.brokerage.models import Funding
from homecare.delivery.models import Invoice, InvoiceLine, ReconciliationRun
from homecare.delivery.run_inputs import PersonFacts, RunInputs
from homecare.finance import rates

BLOCK_OUTCOME = "block_hours"
HUNDRED = Decimal(100)


def split(amount: int, facts: PersonFacts | None) -> tuple[int, int]:
    """(council pence, NHS pence) of a line of ``amount`` pence for the person."""
    if facts is None or facts.funding == Funding.COUNCIL:
        return amount, 0
    if facts.funding == Funding.NHS_CHC:
        return 0, amount
    if facts.funding == Funding.JOINT and facts.nhs_share_percent is not None:
        nhs = (Decimal(amount) * Decimal(facts.nhs_share_percent) / HUNDRED).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        return amount - int(nhs), int(nhs)
    return amount, 0


def invoice_number(run: ReconciliationRun) -> str:
    return f"ECM-{run.provider_id}-{run.council_id}-{run.period_start:%Y%m%d}"


def save_invoice(
    run: ReconciliationRun, frame: pl.DataFrame, inputs: RunInputs, rejected_late: set[str]
) -> int:
    """Write the invoice and its lines; returns the pence withheld for rejected late calls."""
    kept = frame.filter(~pl.col("planned_id").is_in(sorted(rejected_late)).fill_null(False))
    withheld = int(frame["amount_pence"].sum() or 0) - int(kept["amount_pence"].sum() or 0)
    invoice, _made = Invoice.objects.update_or_create(
        run=run,
        defaults={
            "number": invoice_number(run),
            "total_pence": 0,
            "lines_count": 0,
            "checked": False,
        },
    )
    ids = inputs.logs.ids()
    by_person: dict[str, list[Any]] = {}  # placements in the order read, once, not per line
    for placement in inputs.placements:
        by_person.setdefault(placement.package.person.reference, []).append(placement)
    lines = [
        _line(run, invoice, position, item, ids, inputs, by_person)
        for position, item in enumerate(kept.iter_rows(named=True), start=1)
    ]
    lines += block_lines(run, invoice, lines, inputs, start_position=len(lines) + 1)
    InvoiceLine.objects.bulk_create(lines, batch_size=500)
    total = sum(line.amount_pence for line in lines)
    invoice.total_pence, invoice.lines_count = total, len(lines)
    # The checks a reader of the invoice can trust: the stored lines add up to the total,
    # and each line's streams add up to the line.
    summed = sum(
        line.amount_pence
        for line in InvoiceLine.objects.filter(invoice=invoice).only("amount_pence")
    )
    streams_add_up = all(line.council_pence + line.nhs_pence == line.amount_pence for line in lines)
    invoice.checked = summed == total and streams_add_up
    invoice.save(update_fields=["total_pence", "lines_count", "checked"])
    if not invoice.checked:
        raise InputError(f"invoice lines sum to {summed}p, not {total}p", key="invoice")
    run.stream_totals = {
        "council": sum(line.council_pence for line in lines),
        "nhs_chc": sum(line.nhs_pence for line in lines),
    }
    run.block_pence = sum(line.amount_pence for line in lines if line.outcome == BLOCK_OUTCOME)
    return withheld


def _placement_for(item: dict[str, Any], inputs: RunInputs, by_person: dict[str, list[Any]]) -> Any:
    """The placement a line is paid under: its planned visit's, else (an unplanned visit) the
    person's placement in force on the day, else the person's latest in the period."""
    planned_id = item["planned_id"]
    if planned_id:
        return inputs.behind.get(planned_id.split(":", 1)[0])
    mine = by_person.get(item["person_ref"], [])
    for placement in reversed(mine):
        if rates.placed_on(placement) <= item["visit_date"]:
            return placement
    return mine[-1] if mine else None


def _line(
    run: ReconciliationRun,
    invoice: Invoice,
    position: int,
    item: dict[str, Any],
    ids: dict[Any, int],
    inputs: RunInputs,
    by_person: dict[str, list[Any]],
) -> InvoiceLine:
    key = (item["provider_ref"], item["person_ref"], item["carer_id"], item["check_in"])
    log_id = ids.get(key) if item["carer_id"] and item["check_in"] else None
    facts = inputs.people.get(item["person_ref"])
    if facts is None:
        raise InputError(f"no person {item['person_ref']} in this run", key="person")
    placement = _placement_for(item, inputs, by_person)
    council, nhs = split(item["amount_pence"], facts)
    return InvoiceLine(
        run=run,
        invoice=invoice,
        position=position,
        planned_id=item["planned_id"] or "",
        person_id=facts.id,
        visit_start=item["visit_start"],
        outcome=item["outcome"],
        purchase_order=rates.purchase_order_number(placement) if placement is not None else "",
        band=item["band"] or facts.band,
        zone_code=facts.zone_code,
        funding=facts.funding,
        council_pence=council,
        nhs_pence=nhs,
        carer_index=item["carer_index"] or 1,
        carer_id=item["carer_id"] or "",
        check_in=item["check_in"],
        check_out=item["check_out"],
        method=item["method"] or "",
        actual_minutes=item["actual_minutes"],
        planned_minutes=item["planned_minutes"],
        payable_minutes=item["payable_minutes"],
        billable_minutes=item["billable_minutes"],
        rate_pence_per_hour=to_pence(Decimal(str(item["rate_per_hour"]))),
        day_type=item["day_type"] or "",
        enhancements=item["enhancements"] or "",
        amount_pence=item["amount_pence"],
        log_id=log_id,
    )


@dataclass(frozen=True)
class Guarantee:
    """An appointment's guaranteed minutes a week, where, and at what rate."""

    appointment: Any
    minutes: int
    zones: frozenset[str]
    pence: int
    uplifts: tuple[Any, ...]


def guarantees(council: Any, provider: Any) -> list[Guarantee]:
    """The provider's active appointments with block hours on the council's frameworks."""
    from homecare.commissioning.models import Appointment

    found = []
    for appointment in (
        Appointment.objects.filter(
            provider=provider,
            framework__council=council,
            active=True,
            block_hours_per_week__gt=0,
        )
        .select_related("framework")
        .prefetch_related("lot__zones", "rates", "framework__fee_uplifts")
        .order_by("pk")
    ):
        rate = appointment.hourly_rate
        if rate is None:
            band_rates = [r.hourly_rate for r in appointment.rates.all()]
            rate = min(band_rates) if band_rates else None
        if rate is None:
            raise InputError(
                f"{appointment.lot} guarantees block hours but has no rate to pay them at",
                key="block_hours",
            )
        found.append(
            Guarantee(
                appointment=appointment,
                minutes=int(appointment.block_hours_per_week * 60),
                zones=frozenset(z.code for z in appointment.lot.zones.all()),
                pence=to_pence(Decimal(rate)),
                uplifts=tuple(appointment.framework.fee_uplifts.all()),
            )
        )
    return found


def block_lines(
    run: ReconciliationRun,
    invoice: Invoice,
    lines: list[InvoiceLine],
    inputs: RunInputs,
    *,
    start_position: int,
) -> list[InvoiceLine]:
    """The period's block-hours lines: each week's guaranteed minutes not used."""
    made: list[InvoiceLine] = []
    terms = guarantees(run.council, run.provider)
    if not terms:
        return made
    framework_of = {p.package.person_id: p.request.framework_id for p in inputs.placements}
    for week in range(4):
        monday = run.period_start + timedelta(days=7 * week)
        sunday = monday + timedelta(days=6)
        for term in terms:
            if term.appointment.framework.start_date > sunday:
                continue
            used = sum(
                line.payable_minutes
                for line in lines
                if line.zone_code in term.zones
                and framework_of.get(line.person_id) == term.appointment.framework_id
                and monday <= line.visit_start.astimezone(LONDON).date() <= sunday
            )
            short = term.minutes - used
            if short <= 0:
                continue
            pence = _rate_on(term, monday)
            amount = int((Decimal(pence) * short / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            zone = next(iter(term.zones)) if len(term.zones) == 1 else ""
            made.append(
                InvoiceLine(
                    run=run,
                    invoice=invoice,
                    position=start_position + len(made),
                    person=None,
                    visit_start=datetime(monday.year, monday.month, monday.day, tzinfo=LONDON),
                    outcome=BLOCK_OUTCOME,
                    purchase_order=f"BLOCK-{term.appointment.pk:06d}",
                    zone_code=zone,
                    funding=Funding.COUNCIL,
                    council_pence=amount,
                    nhs_pence=0,
                    planned_minutes=term.minutes,
                    actual_minutes=used,
                    payable_minutes=short,
                    billable_minutes=short,
                    rate_pence_per_hour=pence,
                    day_type="week",
                    enhancements="",
                    amount_pence=amount,
                )
            )
    return made


def _rate_on(term: Guarantee, day: date) -> int:
    """The appointment's rate on ``day`` after the framework's uplifts dated since it began."""
    pence = term.pence
    began = term.appointment.framework.start_date
    for uplift in sorted(term.uplifts, key=lambda u: u.effective_from):
        if began < uplift.effective_from <= day and not uplift.band_rates:
            pence = rates.uplifted(pence, uplift, "")
    return pence
