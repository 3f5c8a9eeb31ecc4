"""Contract rules for paying home care from call-monitoring logs, loaded from TOML.

The rules say what time is paid (the pay basis, rounding and a minimum), when a visit is
late or short, how far a log may be from its planned start and still match, what a
cancellation at short notice or a "no access" call pays, whether manual logs need approval,
and whether a log with no planned visit is paid. Percentages are exact ``Decimal``; minutes
are whole numbers. Unknown keys in the file are errors naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.params import check_keys, read_toml
from carecore.units import to_decimal

PAY_BASES = ("actual", "planned", "actual_capped", "planned_within_tolerance")
ROUNDINGS = ("none", "minute", "5", "15")
ROUNDING_DIRECTIONS = ("nearest", "up", "down")
SHIPPED_DIR = Path(__file__).resolve().parent / "data"
MINUTES_PER_DAY = 24 * 60
MAX_PERCENT = Decimal(1000)

# TOML table -> {key in the file: field of ContractRules}.
TABLES: dict[str, dict[str, str]] = {
    "pay": {
        "basis": "pay_basis",
        "tolerance_minutes": "tolerance_minutes",
        "tolerance_percent": "tolerance_percent",
        "rounding": "rounding",
        "rounding_direction": "rounding_direction",
        "minimum_minutes": "minimum_minutes",
    },
    "thresholds": {
        "late_minutes": "late_minutes",
        "critical_late_minutes": "critical_late_minutes",
        "short_percent": "short_percent",
    },
    "matching": {"window_minutes": "match_window_minutes"},
    "cancellations": {
        "short_notice_percent": "short_notice_percent",
        "no_access_percent": "no_access_percent",
    },
    "approval": {"manual_logs_need_approval": "manual_needs_approval"},
    "unplanned": {"pay": "pay_unplanned"},
}
TOP_KEYS = ("name", "illustrative", "source", "notes")


def _choice(value: object, allowed: tuple[str, ...], key: str) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or text not in allowed:
        raise InputError(f"must be one of {', '.join(allowed)}, got {value!r}", key=key)
    return text


def _minutes(value: object, key: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected whole minutes, got {value!r}", key=key)
    if not low <= value <= MINUTES_PER_DAY:
        raise InputError(f"must be from {low} to {MINUTES_PER_DAY} minutes, got {value}", key=key)
    return value


def _percent(value: object, key: str) -> Decimal:
    amount = to_decimal(value, key=key)
    if not Decimal(0) <= amount <= MAX_PERCENT:
        raise InputError(f"must be a percent from 0 to {MAX_PERCENT}, got {value}", key=key)
    return amount


def ratio(percent: Decimal) -> tuple[int, int]:
    """``percent`` / 100 as a whole numerator and denominator, for exact integer tests."""
    exact = Fraction(percent) / 100
    return exact.numerator, exact.denominator


@dataclass(frozen=True)
class ContractRules:
    """How delivered time is paid; every field is checked when the rules are made.

    Pay basis: ``actual`` pays the counted actual minutes; ``planned`` the planned minutes;
    ``actual_capped`` the counted actual minutes but never more than planned;
    ``planned_within_tolerance`` the planned minutes when actual is within
    ``tolerance_minutes`` or ``tolerance_percent`` of planned (either is enough), otherwise
    the counted actual minutes.

    Counting actual time: ``rounding`` "none" counts whole minutes completed (seconds are
    dropped); "minute", "5" or "15" round the exact time to that unit in
    ``rounding_direction`` ("nearest" with halves up, the default; "up"; or "down"); a
    nearest rounding never goes below one unit for a visit that took any time. Then the
    counted minutes are raised to ``minimum_minutes``. Under ``actual_capped`` the cap is
    applied last, so a visit is never paid beyond its plan.

    A visit is late when its first carer checks in more than ``late_minutes`` after the
    planned start (``critical_late_minutes`` for time-critical visits) and short when its
    longest carer's time is under ``short_percent`` of planned. A log matches the planned
    visit of the same person and provider whose start is nearest its check-in, if within
    ``match_window_minutes`` either way.
    """

    name: str = "custom"
    illustrative: bool = True
    source: str = ""
    notes: str = ""
    pay_basis: str = "actual"
    tolerance_minutes: int | None = None
    tolerance_percent: Decimal | None = None
    rounding: str = "none"
    rounding_direction: str = "nearest"
    minimum_minutes: int = 0
    late_minutes: int = 30
    critical_late_minutes: int = 15
    short_percent: Decimal = Decimal(75)
    match_window_minutes: int = 120
    short_notice_percent: Decimal = Decimal(100)
    no_access_percent: Decimal = Decimal(100)
    manual_needs_approval: bool = False
    pay_unplanned: bool = False

    def __post_init__(self) -> None:
        for key in ("name", "source", "notes"):
            if not isinstance(getattr(self, key), str):
                raise InputError("expected text", key=key)
        for key in ("illustrative", "manual_needs_approval", "pay_unplanned"):
            if not isinstance(getattr(self, key), bool):
                raise InputError(f"expected true or false, got {getattr(self, key)!r}", key=key)
        _choice(self.pay_basis, PAY_BASES, "pay_basis")
        object.__setattr__(self, "rounding", _choice(self.rounding, ROUNDINGS, "rounding"))
        _choice(self.rounding_direction, ROUNDING_DIRECTIONS, "rounding_direction")
        for key in ("minimum_minutes", "late_minutes", "critical_late_minutes"):
            _minutes(getattr(self, key), key)
        _minutes(self.match_window_minutes, "match_window_minutes", low=1)
        for key in ("short_percent", "short_notice_percent", "no_access_percent"):
            object.__setattr__(self, key, _percent(getattr(self, key), key))
        self._check_tolerance()

    def _check_tolerance(self) -> None:
        if self.tolerance_minutes is not None:
            _minutes(self.tolerance_minutes, "tolerance_minutes")
        if self.tolerance_percent is not None:
            percent = _percent(self.tolerance_percent, "tolerance_percent")
            object.__setattr__(self, "tolerance_percent", percent)
        wants = self.pay_basis == "planned_within_tolerance"
        given = self.tolerance_minutes is not None or self.tolerance_percent is not None
        if wants and not given:
            raise InputError(
                "planned_within_tolerance needs tolerance_minutes or tolerance_percent",
                key="pay_basis",
            )

    @property
    def rounding_minutes(self) -> int | None:
        """The rounding unit in minutes, or None for "none" (whole minutes completed)."""
        if self.rounding == "none":
            return None
        return 1 if self.rounding == "minute" else int(self.rounding)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str | Path | None = None
    ) -> ContractRules:
        """Rules from a TOML-shaped table (see the shipped files); unknown keys are errors."""
        check_keys(data, (*TOP_KEYS, *TABLES), source=source)
        values: dict[str, Any] = {k: data[k] for k in TOP_KEYS if k in data}
        where_of: dict[str, str] = {k: k for k in values}
        for table, keys in TABLES.items():
            if table not in data:
                continue
            part = data[table]
            if not isinstance(part, Mapping):
                raise InputError("expected a table", key=table, source=source)
            check_keys(part, keys, where=table, source=source)
            for key, value in part.items():
                values[keys[key]] = value
                where_of[keys[key]] = f"{table}.{key}"
        try:
            return cls(**values)
        except InputError as exc:
            key = where_of.get(exc.key or "", exc.key)
            raise InputError(exc.message, source=source, key=key) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> ContractRules:
        return cls.from_dict(read_toml(path), source=str(path))

    def to_dict(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def shipped_rules() -> list[str]:
    """Names of the example rules files shipped with the engine."""
    return sorted(path.stem for path in SHIPPED_DIR.glob("*.toml"))


def load_rules(name_or_path: str | Path) -> ContractRules:
    """Shipped rules by name (e.g. ``rotherham-actual``) or rules from a TOML file."""
    shipped = SHIPPED_DIR / f"{name_or_path}.toml"
    if isinstance(name_or_path, str) and "/" not in name_or_path and shipped.is_file():
        return ContractRules.from_dict(read_toml(shipped), source=shipped.name)
    return ContractRules.from_toml(name_or_path)
