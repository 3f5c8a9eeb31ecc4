"""Pricing one visit against a rate card, line by line, so that a total equals its lines.

Rounding rule: each line (one carer's base amount, or one enhancement for one carer) is
worked out exactly from the unrounded one-carer amount and then rounded half up to the
penny; the visit's total is the sum of its rounded lines. An invoice built from these lines
therefore adds up to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from carecore.errors import InputError
from carecore.pricing.bank_holidays import FIRST_YEAR, LAST_YEAR, bank_holiday_name
from carecore.pricing.rate_cards import Enhancements, RateCard, RatePeriod
from carecore.units import MINUTES_PER_HOUR, as_london, round_pounds

MAX_CARERS = 4
HUNDRED = Decimal(100)
# Names for the fixed days a card most often pays on the day itself, whatever the weekday.
_FIXED_HOLIDAYS = {(1, 1): "New Year’s Day", (12, 25): "Christmas Day", (12, 26): "Boxing Day"}
ROUNDING_RULE = (
    "each line rounded half up to the penny from the exact amount; the total is the sum of "
    "the rounded lines"
)


@dataclass(frozen=True)
class AppliedEnhancement:
    """An uplift paid on a visit: ``kind`` is "weekend" or "bank_holiday"; percent of base."""

    kind: str
    title: str
    percent: Decimal


@dataclass(frozen=True)
class PriceLine:
    """One line of a visit's price, in pounds rounded half up to the penny.

    ``percent`` is the share of the one-carer base amount this line pays: 100 for the first
    carer's base line, the double-handed percent for a further carer, the uplift for an
    enhancement line (of that carer's base).
    """

    carer: int
    kind: str
    description: str
    percent: Decimal
    amount: Decimal

    def to_dict(self) -> dict[str, object]:
        return {
            "carer": self.carer,
            "kind": self.kind,
            "description": self.description,
            "percent": self.percent,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class VisitPrice:
    """The price of one visit with its breakdown; money in pounds, time in minutes."""

    card: str
    band: str
    start: datetime
    day_type: str
    holiday: str | None
    minutes: int
    billable_minutes: int
    carers: int
    rate_per_hour: Decimal
    enhancements: tuple[AppliedEnhancement, ...]
    lines: tuple[PriceLine, ...]

    @property
    def per_carer(self) -> tuple[Decimal, ...]:
        """Each carer's amount: the sum of that carer's rounded lines."""
        return tuple(
            sum((line.amount for line in self.lines if line.carer == carer), Decimal("0.00"))
            for carer in range(1, self.carers + 1)
        )

    @property
    def total(self) -> Decimal:
        """Pounds for the visit: the sum of its rounded lines."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def to_dict(self) -> dict[str, object]:
        return {
            "card": self.card,
            "band": self.band,
            "start": self.start,
            "day_type": self.day_type,
            "holiday": self.holiday,
            "minutes": self.minutes,
            "billable_minutes": self.billable_minutes,
            "carers": self.carers,
            "rate_per_hour": self.rate_per_hour,
            "enhancements": [
                {"kind": e.kind, "title": e.title, "percent": e.percent} for e in self.enhancements
            ],
            "lines": [line.to_dict() for line in self.lines],
            "per_carer": list(self.per_carer),
            "total": self.total,
            "rounding": ROUNDING_RULE,
        }


def _whole(value: object, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"must be a whole number from {low} to {high}, got {value!r}", key=key)
    return value


def _holiday_title(day: date, enhancements: Enhancements) -> str | None:
    """The holiday's title if ``day`` is paid at the bank-holiday rate, else None."""
    if enhancements.bank_holiday_percent > 0:
        title = bank_holiday_name(day, key="start")  # strict: an uncovered year is an error
    elif FIRST_YEAR <= day.year <= LAST_YEAR:
        title = bank_holiday_name(day)
    else:
        title = None  # no uplift is paid, so the list running out changes nothing
    if title is None and enhancements.is_extra_holiday(day):
        name = _FIXED_HOLIDAYS.get((day.month, day.day), f"{day:%d %B}")
        title = f"{name} (on the day, under this card)"
    return title


def applicable_enhancements(
    day: date, enhancements: Enhancements
) -> tuple[str, str | None, tuple[AppliedEnhancement, ...]]:
    """The day type, holiday title and uplifts paid on ``day`` (London date) under a card."""
    holiday = _holiday_title(day, enhancements)
    weekend = day.weekday() >= 5
    day_type = "bank_holiday" if holiday else "weekend" if weekend else "weekday"
    weekend_uplift = AppliedEnhancement("weekend", f"{day:%A}", enhancements.weekend_percent)
    applied: list[AppliedEnhancement] = []
    if holiday is not None:
        holiday_uplift = AppliedEnhancement(
            "bank_holiday", holiday, enhancements.bank_holiday_percent
        )
        rule = enhancements.weekend_and_bank_holiday
        if weekend and rule == "stack":
            applied = [weekend_uplift, holiday_uplift]
        elif weekend and rule == "higher" and weekend_uplift.percent > holiday_uplift.percent:
            applied = [weekend_uplift]
        else:
            applied = [holiday_uplift]
    elif weekend:
        applied = [weekend_uplift]
    return day_type, holiday, tuple(e for e in applied if e.percent > 0)


def _lines(
    period: RatePeriod,
    rate: Decimal,
    billable: int,
    carers: int,
    applied: tuple[AppliedEnhancement, ...],
) -> tuple[PriceLine, ...]:
    base_text = f"{billable} min at £{rate} per hour"
    lines: list[PriceLine] = []
    for carer in range(1, carers + 1):
        share = HUNDRED if carer == 1 else period.enhancements.double_handed_percent
        # One division at the end keeps the amount exact until it is rounded.
        exact_base = rate * billable * share / (MINUTES_PER_HOUR * HUNDRED)
        text = base_text if carer == 1 else f"{base_text}, further carer at {share}%"
        lines.append(PriceLine(carer, "base", text, share, round_pounds(exact_base)))
        for uplift in applied:
            exact = rate * billable * share * uplift.percent / (MINUTES_PER_HOUR * HUNDRED**2)
            text = f"{uplift.title}: {uplift.kind.replace('_', ' ')} +{uplift.percent}%"
            lines.append(PriceLine(carer, uplift.kind, text, uplift.percent, round_pounds(exact)))
    return tuple(lines)


def price_visit(
    card: RateCard, *, band: str, minutes: int, carers: int, start: datetime
) -> VisitPrice:
    """Price one visit in pounds under ``card``.

    ``minutes`` is the visit's length in whole minutes (planned or delivered, as the caller
    pays), ``carers`` how many carers attend (1 to 4), ``start`` when it starts (a naive
    datetime is London wall-clock time). The period, weekend and bank holiday are decided by
    the London date on which the visit starts. Billable minutes are the minutes rounded to the
    card's increment, then raised to its minimum. Each line is rounded half up to the penny
    and the total is the sum of the lines. Bad input raises InputError naming the argument.
    """
    if not isinstance(start, datetime):
        raise InputError(f"expected a date and time, got {start!r}", key="start")
    _whole(minutes, "minutes", 1, 24 * MINUTES_PER_HOUR)
    _whole(carers, "carers", 1, MAX_CARERS)
    local = as_london(start)
    period = card.rates_on(local.date(), key="start")
    band_name = period.band_name(band)
    rate = period.rates[band_name]
    billable = period.billable_minutes(minutes)
    day_type, holiday, applied = applicable_enhancements(local.date(), period.enhancements)
    return VisitPrice(
        card=card.name,
        band=band_name,
        start=local,
        day_type=day_type,
        holiday=holiday,
        minutes=minutes,
        billable_minutes=billable,
        carers=carers,
        rate_per_hour=rate,
        enhancements=applied,
        lines=_lines(period, rate, billable, carers, applied),
    )
