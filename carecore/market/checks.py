"""Small value checks shared by the scenario classes: each raises :class:`InputError` naming
the dotted key, so a bad scenario file reads ``scenario.toml, 'demand.growth_per_year': ...``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from carecore.errors import InputError
from carecore.units import to_decimal


def number(
    value: object, key: str, *, low: float | None = None, high: float | None = None
) -> float:
    """A finite number (int or float, not bool) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InputError(f"expected a number, got {value!r}", key=key)
    result = float(value)
    if not math.isfinite(result):
        raise InputError(f"expected a finite number, got {value!r}", key=key)
    if low is not None and result < low:
        raise InputError(f"must be at least {low:g}, got {value!r}", key=key)
    if high is not None and result > high:
        raise InputError(f"must be at most {high:g}, got {value!r}", key=key)
    return result


def whole(value: object, key: str, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number (not bool) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected a whole number, got {value!r}", key=key)
    if low is not None and value < low:
        raise InputError(f"must be at least {low}, got {value}", key=key)
    if high is not None and value > high:
        raise InputError(f"must be at most {high}, got {value}", key=key)
    return value


def share(value: object, key: str) -> float:
    """A fraction from 0 to 1."""
    return number(value, key, low=0.0, high=1.0)


def text(value: object, key: str, *, blank: bool = False) -> str:
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise InputError(f"expected text, got {value!r}", key=key)
    return value


def flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", key=key)
    return value


def pounds(value: object, key: str) -> Decimal:
    """Positive pounds, read exactly (``"18.75"`` or ``18.75``), to the penny at most."""
    amount = to_decimal(value, key=key)
    if amount <= 0:
        raise InputError(f"must be more than zero, got {value!r}", key=key)
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError(f"must be whole pence, got {value!r}", key=key)
    return amount


def table(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError("expected a table", key=key)
    return value


def tables(value: object, key: str) -> list[Mapping[str, Any]]:
    """A list of tables (TOML ``[[key]]``)."""
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise InputError("expected a list of tables ([[...]])", key=key)
    return value


def weights(value: object, key: str, *, positive_total: bool = True) -> dict[str, float]:
    """A table of name = non-negative weight; with ``positive_total`` they must not all be 0."""
    result = {
        str(name): number(w, f"{key}.{name}", low=0.0) for name, w in table(value, key).items()
    }
    if positive_total and not sum(result.values()) > 0:
        raise InputError("the weights must not all be zero", key=key)
    return result


def per_band(
    value: object, key: str, bands: tuple[str, ...], *, low: float = 0.0
) -> dict[str, float]:
    """A number for every band, and no other keys."""
    given = table(value, key)
    for name in given:
        if name not in bands:
            raise InputError(
                f"unknown band (expected one of: {', '.join(bands)})", key=f"{key}.{name}"
            )
    for band in bands:
        if band not in given:
            raise InputError("missing band", key=f"{key}.{band}")
    return {band: number(given[band], f"{key}.{band}", low=low) for band in bands}
