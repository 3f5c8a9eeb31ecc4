"""Does a care worker's pay meet the hourly floor over ALL the time they work?

The National Minimum Wage is judged on pay averaged over all working time in the pay reference
period, not on the hourly rate for contact time. Travel between visits, waiting between
visits, training and time on call at the employer's direction are working time (commuting from
home to the first visit is not), so a contact rate above the floor can still leave the worker
below it. HMRC enforces the rule this way in social care.

    effective hourly pay = total pay / (paid hours + unpaid working hours)
    meets the floor      = total pay >= all working hours * floor
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from carecore.errors import InputError
from carecore.pricing.pay_floors import PayFloor, PayFloorTable, floor_on
from carecore.units import PENNY

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class PayCheck:
    """The verdict for one pay reference period. Money in £, time in hours."""

    day: date
    floor: PayFloor
    hourly_pay: Decimal
    paid_hours: Decimal
    unpaid_hours: Decimal

    @property
    def total_pay(self) -> Decimal:
        return self.hourly_pay * self.paid_hours

    @property
    def all_working_hours(self) -> Decimal:
        return self.paid_hours + self.unpaid_hours

    @property
    def required_pay(self) -> Decimal:
        """The least pay that meets the floor over all working hours (£, exact)."""
        return self.all_working_hours * self.floor.amount

    @property
    def effective_hourly_pay(self) -> Decimal:
        """Total pay over all working hours (£ per hour, exact)."""
        return self.total_pay / self.all_working_hours

    @property
    def meets_floor(self) -> bool:
        return self.total_pay >= self.required_pay

    @property
    def headroom(self) -> Decimal:
        """Pay above the floor, rounded DOWN to the penny so it is never overstated (£)."""
        return (self.total_pay - self.required_pay).quantize(PENNY, rounding=ROUND_FLOOR)

    @property
    def shortfall(self) -> Decimal:
        """Pay missing to meet the floor, rounded UP to the penny so paying it is enough (£)."""
        return (self.required_pay - self.total_pay).quantize(PENNY, rounding=ROUND_CEILING)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape; ``headroom`` when the floor is met, else ``shortfall``."""
        verdict = {"headroom": self.headroom} if self.meets_floor else {"shortfall": self.shortfall}
        return {
            "meets_floor": self.meets_floor,
            "floor_name": self.floor.name,
            "floor_kind": self.floor.kind,
            "floor_per_hour": self.floor.amount,
            "effective_hourly_pay": self.effective_hourly_pay.quantize(
                RATE_PLACES, rounding=ROUND_HALF_UP
            ),
            "hourly_pay": self.hourly_pay,
            "total_pay": self.total_pay.quantize(PENNY, rounding=ROUND_HALF_UP),
            "paid_hours": self.paid_hours,
            "unpaid_hours": self.unpaid_hours,
            "all_working_hours": self.all_working_hours,
            **verdict,
            "date": self.day,
            "source": self.floor.source,
        }


def check_pay(
    *,
    hourly_pay: Decimal,
    paid_hours: Decimal,
    unpaid_hours: Decimal,
    day: date,
    kind: str = "national_living_wage",
    age: int | None = None,
    table: PayFloorTable | None = None,
) -> PayCheck:
    """Check pay of ``hourly_pay`` (£/hour) for ``paid_hours`` (contact time) against the floor
    over paid plus ``unpaid_hours`` (travel, waiting, training: hours worked but not paid).

    The floor is ``kind`` on ``day`` for ``age`` (None: the adult rate, the NLW for 21/23/25+).
    """
    if hourly_pay < 0:
        raise InputError(f"cannot be negative, got {hourly_pay}", key="hourly_pay")
    if paid_hours < 0:
        raise InputError(f"cannot be negative, got {paid_hours}", key="contact_hours")
    if unpaid_hours < 0:
        raise InputError(f"cannot be negative, got {unpaid_hours}", key="unpaid_hours")
    if paid_hours + unpaid_hours <= 0:
        raise InputError("no working hours to check", key="contact_hours")
    floor = floor_on(day, kind, age, table=table)
    return PayCheck(
        day=day,
        floor=floor,
        hourly_pay=hourly_pay,
        paid_hours=paid_hours,
        unpaid_hours=unpaid_hours,
    )
