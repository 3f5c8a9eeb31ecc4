"""Exact arithmetic for scores and how to show it: rank on fractions, print 2 places."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor

TWO_PLACES = Decimal("0.01")


def rounded(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, computed exactly.

    Rounding the fraction itself (not a 28-digit Decimal of it) avoids double rounding.
    """
    scale = 10**places
    scaled = abs(value) * scale
    whole = floor(scaled + Fraction(1, 2))
    result = Decimal(whole) / Decimal(scale)
    if value < 0:
        result = -result
    return result.quantize(Decimal(1).scaleb(-places))


def points(value: Fraction) -> Decimal:
    """A score for display: two decimal places."""
    return rounded(value, 2)


def price(value: Fraction) -> Decimal:
    """A price used, in pounds: exact when it has at most 4 decimals, else rounded to 4.

    Shown to the penny when it is a whole number of pence.
    """
    four = rounded(value, 4)
    if four == four.quantize(TWO_PLACES):
        return four.quantize(TWO_PLACES)
    return four.normalize()  # 19.776, not 19.7760: the working shows the digits that matter


def plain(value: Decimal | Fraction) -> str:
    """A weight or score as written: 40, 62.5, 4.25 (no exponent, no trailing zeros)."""
    number = value if isinstance(value, Decimal) else rounded(value, 4)
    text = format(number.normalize(), "f")
    return text


def money(value: Decimal | Fraction) -> str:
    """Pounds as shown in workings: £16.00, or £20.0375 when the price has part pennies."""
    number = value if isinstance(value, Decimal) else price(value)
    if number == number.quantize(TWO_PLACES):
        return f"£{number.quantize(TWO_PLACES)}"
    return f"£{format(number.normalize(), 'f')}"
