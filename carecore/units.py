"""Money, time and rounding conventions shared by the whole engine.

Money is ``Decimal`` pounds (or ``int`` pence) and never a float in anything that is paid;
rounding to the penny is half up, as councils' finance systems do. Times that are paid or
compared carry the Europe/London time zone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from carecore.errors import InputError

LONDON = ZoneInfo("Europe/London")
PENNY = Decimal("0.01")
MINUTES_PER_HOUR = 60


def to_decimal(value: object, *, key: str | None = None, source: str | None = None) -> Decimal:
    """Read a number exactly: floats go through their shortest ``repr`` (8.72, not 8.7199...)."""
    if isinstance(value, bool):
        raise InputError(f"expected a number, got {value!r}", key=key, source=source)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "").lstrip("£")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise InputError(f"expected a number, got {value!r}", key=key, source=source) from None
        if not result.is_finite():
            raise InputError(f"expected a finite number, got {value!r}", key=key, source=source)
        return result
    raise InputError(f"expected a number, got {value!r}", key=key, source=source)


def round_pounds(amount: Decimal) -> Decimal:
    """Round pounds to the penny, half up (£1.005 becomes £1.01)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def to_pence(amount: Decimal) -> int:
    """Whole pence from pounds, rounding half up."""
    return int(round_pounds(amount) * 100)


def from_pence(pence: int) -> Decimal:
    """Pounds from whole pence, exactly."""
    return (Decimal(pence) / 100).quantize(PENNY)


def as_london(moment: datetime) -> datetime:
    """A moment in Europe/London; a naive datetime is taken to be London wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)
