"""Rate cards: what a council pays per contact hour in each price band, and when.

A card holds one or more effective-dated periods. Each period has a rate per band in pounds
per contact hour, a minimum billable time, an optional billing increment and the enhancements
(second and further carers, weekends, bank holidays). Cards load from TOML; unknown keys are
errors naming the key. Pricing a visit against a card is in :mod:`carecore.pricing.visit_price`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.params import check_keys, read_toml, toml_date
from carecore.units import to_decimal

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "rate_cards"
CURRENCY = "GBP"
MINUTES_PER_DAY = 24 * 60
MAX_PERCENT = Decimal(1000)
# What happens on a day that is both a weekend and a (card-declared) holiday.
PRECEDENCE_RULES = ("replace", "higher", "stack")
INCREMENT_ROUNDING = ("up", "nearest")

ENHANCEMENT_KEYS = (
    "double_handed_percent",
    "weekend_percent",
    "bank_holiday_percent",
    "weekend_and_bank_holiday",
    "extra_holidays",
)
PERIOD_KEYS = (
    "effective_from",
    "effective_to",
    "rates",
    "minimum_billable_minutes",
    "billing_increment_minutes",
    "increment_rounding",
    "enhancements",
)
CARD_KEYS = ("name", "council", "currency", "illustrative", "source", "notes", "periods")

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")


@contextmanager
def _located(where: str, source: str | Path | None) -> Iterator[None]:
    """Give an InputError raised by a dataclass check the file and dotted key it came from."""
    try:
        yield
    except InputError as exc:
        if exc.source is not None:
            raise
        key = f"{where}.{exc.key}" if where and exc.key else (exc.key or where or None)
        raise InputError(exc.message, source=source, key=key) from None


def _dotted(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _percent(value: object, key: str) -> Decimal:
    amount = to_decimal(value, key=key)
    if not Decimal(0) <= amount <= MAX_PERCENT:
        raise InputError(f"must be a percent from 0 to {MAX_PERCENT}, got {value}", key=key)
    return amount


def _whole_minutes(value: object, key: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected whole minutes, got {value!r}", key=key)
    if not low <= value <= high:
        raise InputError(f"must be from {low} to {high} minutes, got {value}", key=key)
    return value


def _is_month_day(text: object) -> bool:
    match = _MONTH_DAY.match(text) if isinstance(text, str) else None
    if match is None:
        return False
    try:
        date(2024, int(match.group(1)), int(match.group(2)))  # a leap year allows 02-29
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Enhancements:
    """Uplifts, in percent, paid on top of a period's hourly rate.

    ``double_handed_percent`` is what each carer after the first is paid, as a percent of the
    one-carer amount (100: every carer at the full rate). ``weekend_percent`` applies on
    Saturdays and Sundays, ``bank_holiday_percent`` on England and Wales bank holidays and on
    the card's ``extra_holidays`` ("MM-DD", e.g. "12-25" to pay Christmas Day itself when it
    falls at a weekend). ``weekend_and_bank_holiday`` says what a day that is both gets:
    "replace" (the bank-holiday uplift replaces the weekend one; the default), "higher" (the
    larger of the two) or "stack" (both, each as a percent of the base amount).
    """

    double_handed_percent: Decimal = Decimal(100)
    weekend_percent: Decimal = Decimal(0)
    bank_holiday_percent: Decimal = Decimal(0)
    weekend_and_bank_holiday: str = "replace"
    extra_holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("double_handed_percent", "weekend_percent", "bank_holiday_percent"):
            object.__setattr__(self, name, _percent(getattr(self, name), name))
        if self.weekend_and_bank_holiday not in PRECEDENCE_RULES:
            raise InputError(
                f"must be one of {', '.join(PRECEDENCE_RULES)}, "
                f"got {self.weekend_and_bank_holiday!r}",
                key="weekend_and_bank_holiday",
            )
        for text in self.extra_holidays:
            if not _is_month_day(text):
                raise InputError(
                    f"expected a month and day as MM-DD, got {text!r}", key="extra_holidays"
                )

    def is_extra_holiday(self, day: date) -> bool:
        """Whether the card pays ``day`` at the bank-holiday rate in addition to GOV.UK's list."""
        return f"{day.month:02d}-{day.day:02d}" in self.extra_holidays

    @classmethod
    def from_dict(
        cls,
        table: Mapping[str, Any],
        *,
        where: str = "enhancements",
        source: str | Path | None = None,
    ) -> Enhancements:
        check_keys(table, ENHANCEMENT_KEYS, where=where, source=source)
        with _located(where, source):
            extra = table.get("extra_holidays", ())
            if not isinstance(extra, list | tuple):
                raise InputError("expected a list of MM-DD strings", key="extra_holidays")
            values = {k: v for k, v in table.items() if k != "extra_holidays"}
            return cls(**values, extra_holidays=tuple(extra))

    def to_dict(self) -> dict[str, object]:
        return {
            "double_handed_percent": self.double_handed_percent,
            "weekend_percent": self.weekend_percent,
            "bank_holiday_percent": self.bank_holiday_percent,
            "weekend_and_bank_holiday": self.weekend_and_bank_holiday,
            "extra_holidays": list(self.extra_holidays),
        }


@dataclass(frozen=True)
class RatePeriod:
    """One effective-dated version of a card; ``effective_to`` is the last day (inclusive).

    ``rates`` maps band to pounds per contact hour. A visit is billed for at least
    ``minimum_billable_minutes``; with ``billing_increment_minutes`` its minutes are first
    rounded to that unit ("up", or to the "nearest" unit with halves up, never below one unit).
    """

    effective_from: date
    rates: Mapping[str, Decimal] = field(hash=False)
    effective_to: date | None = None
    minimum_billable_minutes: int = 0
    billing_increment_minutes: int | None = None
    increment_rounding: str = "up"
    enhancements: Enhancements = field(default_factory=Enhancements)

    def __post_init__(self) -> None:
        object.__setattr__(self, "effective_from", toml_date(self.effective_from, "effective_from"))
        if self.effective_to is not None:
            end = toml_date(self.effective_to, "effective_to")
            if end < self.effective_from:
                raise InputError(
                    f"{end} is before effective_from {self.effective_from}", key="effective_to"
                )
            object.__setattr__(self, "effective_to", end)
        object.__setattr__(self, "rates", self._checked_rates())
        _whole_minutes(
            self.minimum_billable_minutes, "minimum_billable_minutes", low=0, high=MINUTES_PER_DAY
        )
        if self.billing_increment_minutes is not None:
            _whole_minutes(
                self.billing_increment_minutes,
                "billing_increment_minutes",
                low=1,
                high=MINUTES_PER_DAY,
            )
        if self.increment_rounding not in INCREMENT_ROUNDING:
            raise InputError(
                f"must be one of {', '.join(INCREMENT_ROUNDING)}", key="increment_rounding"
            )

    def _checked_rates(self) -> dict[str, Decimal]:
        if not isinstance(self.rates, Mapping) or not self.rates:
            raise InputError("expected a table of band = pounds per contact hour", key="rates")
        checked: dict[str, Decimal] = {}
        seen: set[str] = set()
        for band, value in self.rates.items():
            if not isinstance(band, str) or not band.strip() or band.upper() in seen:
                raise InputError(f"band names must be distinct, got {band!r}", key="rates")
            seen.add(band.upper())
            rate = to_decimal(value, key=f"rates.{band}")
            if rate <= 0:
                raise InputError(f"a rate must be above zero, got {value}", key=f"rates.{band}")
            checked[band] = rate
        return checked

    @property
    def bands(self) -> tuple[str, ...]:
        return tuple(self.rates)

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls within this period (both ends inclusive)."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def band_name(self, band: str) -> str:
        """The card's own spelling of ``band``, matched without regard to case."""
        wanted = band.strip().upper() if isinstance(band, str) else ""
        for name in self.rates:
            if name.upper() == wanted:
                return name
        raise InputError(
            f"unknown band {band!r} (this card has: {', '.join(self.rates)})", key="band"
        )

    def rate_for(self, band: str) -> Decimal:
        """Pounds per contact hour for ``band``; an unknown band is an InputError."""
        return self.rates[self.band_name(band)]

    def billable_minutes(self, minutes: int) -> int:
        """Minutes billed for a visit of ``minutes``, after the increment and the minimum."""
        billed = minutes
        unit = self.billing_increment_minutes
        if unit is not None:
            if self.increment_rounding == "up":
                billed = -(-minutes // unit) * unit
            else:
                billed = max(unit, (2 * minutes + unit) // (2 * unit) * unit)
        return max(billed, self.minimum_billable_minutes)

    @classmethod
    def from_dict(
        cls, table: Mapping[str, Any], *, where: str = "periods", source: str | Path | None = None
    ) -> RatePeriod:
        check_keys(table, PERIOD_KEYS, where=where, source=source)
        values = dict(table)
        enhancements = values.pop("enhancements", {})
        if not isinstance(enhancements, Mapping):
            raise InputError("expected a table", key=_dotted(where, "enhancements"), source=source)
        if "effective_from" not in values:
            raise InputError("missing key", key=_dotted(where, "effective_from"), source=source)
        if "rates" not in values:
            raise InputError(
                "missing table of band rates", key=_dotted(where, "rates"), source=source
            )
        parsed = Enhancements.from_dict(
            enhancements, where=_dotted(where, "enhancements"), source=source
        )
        with _located(where, source):
            return cls(**values, enhancements=parsed)

    def to_dict(self) -> dict[str, object]:
        return {
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "rates": dict(self.rates),
            "minimum_billable_minutes": self.minimum_billable_minutes,
            "billing_increment_minutes": self.billing_increment_minutes,
            "increment_rounding": self.increment_rounding,
            "enhancements": self.enhancements.to_dict(),
        }


@dataclass(frozen=True)
class RateCard:
    """A council's named rate card: one or more non-overlapping effective-dated periods.

    ``illustrative`` marks a card (or a card with figures) not taken from a council's
    published rates; ``source`` says where the figures came from. Money is pounds (GBP).
    """

    name: str
    council: str
    periods: tuple[RatePeriod, ...]
    currency: str = CURRENCY
    illustrative: bool = False
    source: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise InputError(
                f"expected lower-case letters, digits and hyphens, got {self.name!r}", key="name"
            )
        if not isinstance(self.council, str) or not self.council.strip():
            raise InputError("expected the council's name", key="council")
        if self.currency != CURRENCY:
            raise InputError(
                f"only {CURRENCY} (pounds) is supported, got {self.currency!r}", key="currency"
            )
        if not isinstance(self.illustrative, bool):
            raise InputError("expected true or false", key="illustrative")
        for key in ("source", "notes"):
            if not isinstance(getattr(self, key), str):
                raise InputError("expected text", key=key)
        periods = tuple(sorted(self.periods, key=lambda period: period.effective_from))
        if not periods:
            raise InputError("a card needs at least one period", key="periods")
        for earlier, later in pairwise(periods):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                raise InputError(
                    f"the period from {earlier.effective_from} overlaps the one from "
                    f"{later.effective_from} (give it an effective_to before that)",
                    key="periods",
                )
        object.__setattr__(self, "periods", periods)

    @property
    def bands(self) -> tuple[str, ...]:
        """Every band named in any period, in the order first seen."""
        return tuple(dict.fromkeys(band for period in self.periods for band in period.bands))

    @property
    def effective_from(self) -> date:
        return self.periods[0].effective_from

    @property
    def effective_to(self) -> date | None:
        return self.periods[-1].effective_to

    def rates_on(self, day: date, *, key: str = "date") -> RatePeriod:
        """The period in force on ``day`` (a datetime counts by its own date)."""
        when = day.date() if isinstance(day, datetime) else day
        for period in self.periods:
            if period.covers(when):
                return period
        spans = "; ".join(
            f"{p.effective_from} to {p.effective_to or 'open-ended'}" for p in self.periods
        )
        raise InputError(f"card {self.name} has no rates on {when} (it covers {spans})", key=key)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | Path | None = None) -> RateCard:
        """A card from a TOML-shaped table: ``[[periods]]``, or one period's keys at the top."""
        check_keys(data, (*CARD_KEYS, *PERIOD_KEYS), source=source)
        card = {k: v for k, v in data.items() if k in CARD_KEYS and k != "periods"}
        single = {k: v for k, v in data.items() if k in PERIOD_KEYS}
        for key in ("name", "council"):
            if key not in card:
                raise InputError("missing key", key=key, source=source)
        if "periods" in data and single:
            raise InputError(
                "give either [[periods]] or one period's keys at the top, not both",
                key=next(iter(single)),
                source=source,
            )
        tables = data.get("periods", [single])
        if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
            raise InputError("expected [[periods]] tables", key="periods", source=source)
        periods = tuple(
            RatePeriod.from_dict(
                t, where=f"periods[{i}]" if "periods" in data else "", source=source
            )
            for i, t in enumerate(tables)
        )
        with _located("", source):
            return cls(**card, periods=periods)

    @classmethod
    def from_toml(cls, path: str | Path, *, source: str | None = None) -> RateCard:
        """A card from a TOML file; errors name ``source`` (default: the path as given)."""
        return cls.from_dict(read_toml(path), source=source or str(path))

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "council": self.council,
            "currency": self.currency,
            "illustrative": self.illustrative,
            "source": self.source,
            "notes": self.notes,
            "bands": list(self.bands),
            "periods": [period.to_dict() for period in self.periods],
        }


def shipped_rate_cards() -> list[str]:
    """Names of the rate cards shipped with the engine, sorted."""
    return sorted(path.stem for path in SHIPPED_DIR.glob("*.toml"))


def load_rate_card(name_or_path: str | Path) -> RateCard:
    """A shipped card by name (e.g. ``leicestershire-2020-21``) or a card from a TOML file."""
    text = str(name_or_path)
    shipped = SHIPPED_DIR / f"{text}.toml"
    if _NAME.match(text) and shipped.is_file():
        return RateCard.from_toml(shipped, source=shipped.name)
    path = Path(name_or_path)
    if path.is_file():
        return RateCard.from_toml(path)
    raise InputError(
        f"unknown rate card {text!r}: give a shipped card "
        f"({', '.join(shipped_rate_cards())}) or the path of a TOML file",
        key="card",
    )
