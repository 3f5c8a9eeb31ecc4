"""Is a carer paid at least the legal floor for the whole of a round?

Under the minimum-wage rules travel between visits and waiting between visits are working
time; the journey from home to the first visit and back from the last is commuting and is
not. A provider that pays only contact time at a rate above the floor can still pay below
it over the round: the foundation's pay check (``carecore.pricing.pay_check``) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carecore.pricing.pay_check import PayCheck, check_pay
from carecore.pricing.pay_floors import PayFloorTable
from carecore.rostering.schedule import RoundMeasures

SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class RoundTime:
    """A round's working time in hours (exact): contact, travel between visits, waiting."""

    contact_hours: Decimal
    travel_hours: Decimal
    waiting_hours: Decimal

    @property
    def working_hours(self) -> Decimal:
        return self.contact_hours + self.travel_hours + self.waiting_hours


def round_time(measures: RoundMeasures, *, seconds_per_unit: int = 1) -> RoundTime:
    """Working time of one round; ``seconds_per_unit`` converts the problem's time unit."""

    def hours(amount: int) -> Decimal:
        # Multiply before dividing so whole minutes and hours stay exact.
        return Decimal(amount * seconds_per_unit) / SECONDS_PER_HOUR

    return RoundTime(
        contact_hours=hours(measures.contact),
        travel_hours=hours(measures.travel_between_visits),
        waiting_hours=hours(measures.waiting),
    )


def check_round_pay(
    measures: RoundMeasures,
    *,
    hourly_pay: Decimal,
    day: date,
    travel_paid: bool = False,
    waiting_paid: bool = False,
    seconds_per_unit: int = 1,
    kind: str = "national_living_wage",
    table: PayFloorTable | None = None,
) -> PayCheck:
    """Pay at ``hourly_pay`` (£/hour) for contact time (and travel or waiting when paid),
    checked against the floor ``kind`` on ``day`` over all the round's working time."""
    time = round_time(measures, seconds_per_unit=seconds_per_unit)
    paid, unpaid = time.contact_hours, Decimal(0)
    for hours, is_paid in ((time.travel_hours, travel_paid), (time.waiting_hours, waiting_paid)):
        if is_paid:
            paid += hours
        else:
            unpaid += hours
    return check_pay(
        hourly_pay=hourly_pay, paid_hours=paid, unpaid_hours=unpaid, day=day, kind=kind, table=table
    )
