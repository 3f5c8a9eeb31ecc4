"""Inputs of the cost-of-care model: frozen dataclasses that check themselves, read from TOML
or from a web form's dict. Every error is an InputError naming the source and the dotted key
(``on_costs.employer_ni_and_pension``). The model itself is in ``carecore.pricing.cost_of_care``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from carecore.errors import InputError
from carecore.params import check_keys, read_toml, require_table
from carecore.units import MINUTES_PER_HOUR, to_decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE = Decimal(1)
ALL_BAND = "all"
SurplusBase = Literal["cost", "price"]

# Display order of the lines; the on-costs, under their own names, go after travel pay.
PAY_LINES = ("contact_pay", "travel_pay")
COST_LINES = ("mileage", "direct_cost", "overheads", "surplus", "price")
RESERVED_NAMES = frozenset(PAY_LINES + COST_LINES)

TIME_CHOICES = (("travel_minutes_per_contact_hour",), ("visit_minutes", "travel_minutes_per_visit"))
MILEAGE_CHOICES = (("cost_per_contact_hour",), ("miles_per_contact_hour", "pence_per_mile"))
OVERHEAD_CHOICES = (("share_of_price_percent",), ("cost_per_contact_hour",))
TOP_TABLES = ("pay", "time", "on_costs", "mileage", "overheads", "surplus", "bands")


def _flat(choices: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return tuple(key for choice in choices for key in choice)


def _dotted(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _check_amount(
    value: Decimal | None, key: str, *, positive: bool = False, source: str | None = None
) -> None:
    if value is None:
        return
    if positive and value <= 0:
        raise InputError(f"must be more than zero, got {value}", key=key, source=source)
    if value < 0:
        raise InputError(f"cannot be negative, got {value}", key=key, source=source)


def _one_of(single: Decimal | None, *pair: Decimal | None) -> bool:
    """True when exactly one alternative is given: ``single``, or every one of ``pair``."""
    if single is not None:
        return all(value is None for value in pair)
    return all(value is not None for value in pair)


@dataclass(frozen=True)
class TravelTime:
    """Travel between visits, which the provider pays the care worker for.

    Give either ``minutes_per_contact_hour`` or both ``visit_minutes`` and
    ``travel_minutes_per_visit`` (then per contact hour = 60 / visit_minutes * travel).
    """

    minutes_per_contact_hour: Decimal | None = None
    visit_minutes: Decimal | None = None
    travel_minutes_per_visit: Decimal | None = None

    def __post_init__(self) -> None:
        _check_amount(self.minutes_per_contact_hour, "time.travel_minutes_per_contact_hour")
        _check_amount(self.visit_minutes, "time.visit_minutes", positive=True)
        _check_amount(self.travel_minutes_per_visit, "time.travel_minutes_per_visit")
        if not _one_of(
            self.minutes_per_contact_hour, self.visit_minutes, self.travel_minutes_per_visit
        ):
            raise InputError(
                "give either travel_minutes_per_contact_hour, or visit_minutes and "
                "travel_minutes_per_visit",
                key="time",
            )

    def per_contact_hour(self) -> Decimal:
        """Travel minutes per contact hour."""
        if self.minutes_per_contact_hour is not None:
            return self.minutes_per_contact_hour
        assert self.visit_minutes is not None and self.travel_minutes_per_visit is not None
        return MINUTES_PER_HOUR / self.visit_minutes * self.travel_minutes_per_visit


@dataclass(frozen=True)
class Mileage:
    """Mileage paid to care workers: £ per contact hour, or miles per contact hour at pence/mile."""

    cost_per_contact_hour: Decimal | None = None
    miles_per_contact_hour: Decimal | None = None
    pence_per_mile: Decimal | None = None

    def __post_init__(self) -> None:
        _check_amount(self.cost_per_contact_hour, "mileage.cost_per_contact_hour")
        _check_amount(self.miles_per_contact_hour, "mileage.miles_per_contact_hour")
        _check_amount(self.pence_per_mile, "mileage.pence_per_mile")
        if not _one_of(
            self.cost_per_contact_hour, self.miles_per_contact_hour, self.pence_per_mile
        ):
            raise InputError(
                "give either cost_per_contact_hour, or miles_per_contact_hour and pence_per_mile",
                key="mileage",
            )

    def per_contact_hour(self) -> Decimal:
        """Mileage in £ per contact hour."""
        if self.cost_per_contact_hour is not None:
            return self.cost_per_contact_hour
        assert self.miles_per_contact_hour is not None and self.pence_per_mile is not None
        return self.miles_per_contact_hour * self.pence_per_mile / HUNDRED


@dataclass(frozen=True)
class Overheads:
    """Business overheads: a percentage share of the price, or £ per contact hour."""

    share_of_price_percent: Decimal | None = None
    cost_per_contact_hour: Decimal | None = None

    def __post_init__(self) -> None:
        share, cost = self.share_of_price_percent, self.cost_per_contact_hour
        _check_amount(share, "overheads.share_of_price_percent")
        _check_amount(cost, "overheads.cost_per_contact_hour")
        if (share is None) == (cost is None):
            raise InputError(
                "give either share_of_price_percent or cost_per_contact_hour", key="overheads"
            )
        if share is not None and share >= HUNDRED:
            raise InputError(
                f"must be below 100, got {share}", key="overheads.share_of_price_percent"
            )


@dataclass(frozen=True)
class Surplus:
    """Surplus (profit or return on operations) as a percentage of the cost or of the price."""

    percent: Decimal
    of: SurplusBase

    def __post_init__(self) -> None:
        _check_amount(self.percent, "surplus.percent")
        if self.of not in ("cost", "price"):
            raise InputError(f"must be 'cost' or 'price', got {self.of!r}", key="surplus.of")
        if self.of == "price" and self.percent >= HUNDRED:
            raise InputError(
                f"a surplus of the price must be below 100, got {self.percent}",
                key="surplus.percent",
            )


@dataclass(frozen=True)
class Band:
    """A pricing band with its own travel time and mileage (rural care needs more of both)."""

    name: str
    time: TravelTime
    mileage: Mileage


@dataclass(frozen=True)
class CostOfCareInputs:
    """Everything the model needs. ``on_costs`` are (name, percent of gross pay) in order."""

    hourly_wage: Decimal
    time: TravelTime
    on_costs: tuple[tuple[str, Decimal], ...]
    mileage: Mileage
    overheads: Overheads
    surplus: Surplus
    bands: tuple[Band, ...] = ()
    source: str = "inputs"

    def __post_init__(self) -> None:
        src = self.source
        _check_amount(self.hourly_wage, "pay.hourly_wage", positive=True, source=src)
        seen: set[str] = set()
        for name, percent in self.on_costs:
            key = f"on_costs.{name}"
            if not name or name in RESERVED_NAMES or name in seen:
                why = "is repeated" if name in seen else "clashes with a line of the model"
                raise InputError(f"on-cost name {name!r} {why}", key=key, source=src)
            seen.add(name)
            _check_amount(percent, key, source=src)
        names = [band.name for band in self.bands]
        if len(set(names)) != len(names) or "" in names:
            raise InputError("band names must be distinct and non-empty", key="bands", source=src)
        self._check_shares()

    def _check_shares(self) -> None:
        share = self.overheads.share_of_price_percent
        rate = self.surplus.percent / HUNDRED
        if share is None:
            return
        taken = (
            share / HUNDRED * (ONE + rate) if self.surplus.of == "cost" else share / HUNDRED + rate
        )
        if taken >= ONE:
            raise InputError(
                f"overheads ({share}% of price) and surplus ({self.surplus.percent}% of "
                f"{self.surplus.of}) take 100% or more of the price, so no price covers them",
                key="overheads.share_of_price_percent",
                source=self.source,
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "inputs") -> CostOfCareInputs:
        """Build inputs from parsed TOML or a web form's dict (numbers may be strings)."""
        try:
            return _parse(data, source)
        except InputError as error:
            if error.source is not None:
                raise
            # The parts check themselves without knowing the file; name it here.
            raise InputError(error.message, source=source, row=error.row, key=error.key) from None

    def with_wage(self, hourly_wage: Decimal) -> CostOfCareInputs:
        """The same inputs with another hourly wage (£ per hour)."""
        return replace(self, hourly_wage=hourly_wage)

    def priced_bands(self) -> tuple[Band, ...]:
        """The named bands, or one band called ``all`` when the inputs name none."""
        return self.bands or (Band(ALL_BAND, self.time, self.mileage),)


def load_cost_of_care(path: str | Path) -> CostOfCareInputs:
    """Read cost-of-care inputs from a TOML file; bad input raises InputError naming the key."""
    return CostOfCareInputs.from_mapping(read_toml(path), source=str(path))


# --- parsing: TOML tables to dataclasses ----------------------------------------------------


def _number(
    table: Mapping[str, Any], key: str, where: str, source: str, *, positive: bool = False
) -> Decimal | None:
    if key not in table:
        return None
    dotted = _dotted(where, key)
    value = to_decimal(table[key], key=dotted, source=source)
    _check_amount(value, dotted, positive=positive, source=source)
    return value


def _choice(
    table: Mapping[str, Any], choices: tuple[tuple[str, ...], ...], where: str, source: str
) -> tuple[str, ...]:
    """The one alternative of ``choices`` that ``table`` gives, complete, or an InputError."""
    given = [choice for choice in choices if any(key in table for key in choice)]
    options = "either " + ", or ".join(
        choice[0] if len(choice) == 1 else "both " + " and ".join(choice) for choice in choices
    )
    if not given:
        raise InputError(f"missing: give {options}", key=where, source=source)
    if len(given) > 1:
        clash = next(key for key in given[1] if key in table)
        raise InputError(
            f"give {options}, not both ways at once", key=_dotted(where, clash), source=source
        )
    for key in given[0]:
        if key not in table:
            needed = " and ".join(given[0])
            raise InputError(f"missing (needed: {needed})", key=_dotted(where, key), source=source)
    return given[0]


def _table(data: Mapping[str, Any], key: str, where: str, source: str) -> Mapping[str, Any]:
    return require_table(data, key, where=where, source=source)


def _parse_time(table: Mapping[str, Any], where: str, source: str) -> TravelTime:
    _choice(table, TIME_CHOICES, where, source)
    return TravelTime(
        minutes_per_contact_hour=_number(table, "travel_minutes_per_contact_hour", where, source),
        visit_minutes=_number(table, "visit_minutes", where, source, positive=True),
        travel_minutes_per_visit=_number(table, "travel_minutes_per_visit", where, source),
    )


def _parse_mileage(table: Mapping[str, Any], where: str, source: str) -> Mileage:
    _choice(table, MILEAGE_CHOICES, where, source)
    return Mileage(
        cost_per_contact_hour=_number(table, "cost_per_contact_hour", where, source),
        miles_per_contact_hour=_number(table, "miles_per_contact_hour", where, source),
        pence_per_mile=_number(table, "pence_per_mile", where, source),
    )


def _override(
    base: Mapping[str, Any],
    band: Mapping[str, Any],
    choices: tuple[tuple[str, ...], ...],
    where: str,
    source: str,
) -> Mapping[str, Any]:
    """The base table with the band's keys laid over it.

    Giving any key of one alternative drops the base's other alternative, so a band can say
    ``travel_minutes_per_contact_hour = 20`` over a base given per visit, and vice versa.
    """
    given = [choice for choice in choices if any(key in band for key in choice)]
    if not given:
        return base
    if len(given) > 1:
        _choice(band, choices, where, source)  # raises, naming the clashing key
    kept = {key: base[key] for key in given[0] if key in base}
    return kept | {key: band[key] for key in _flat(choices) if key in band}


def _parse_band(name: str, band: Any, data: Mapping[str, Any], source: str) -> Band:
    where = f"bands.{name}"
    if not isinstance(band, Mapping):
        raise InputError("expected a table", key=where, source=source)
    check_keys(band, (*_flat(TIME_CHOICES), "mileage"), where=where, source=source)
    time = _override(_table(data, "time", "", source), band, TIME_CHOICES, where, source)
    mileage_base = _table(data, "mileage", "", source)
    mileage = mileage_base
    if "mileage" in band:
        mileage_band = _table(band, "mileage", where, source)
        check_keys(mileage_band, _flat(MILEAGE_CHOICES), where=f"{where}.mileage", source=source)
        mileage = _override(mileage_base, mileage_band, MILEAGE_CHOICES, f"{where}.mileage", source)
    # Name the band in errors only when the band changed the table.
    time_where = where if any(key in band for key in _flat(TIME_CHOICES)) else "time"
    mileage_where = f"{where}.mileage" if "mileage" in band else "mileage"
    return Band(
        name,
        _parse_time(time, time_where, source),
        _parse_mileage(mileage, mileage_where, source),
    )


def _parse_on_costs(table: Mapping[str, Any], source: str) -> tuple[tuple[str, Decimal], ...]:
    on_costs = []
    for name in table:
        percent = _number(table, name, "on_costs", source)
        assert percent is not None
        on_costs.append((str(name), percent))
    return tuple(on_costs)


def _parse_surplus(table: Mapping[str, Any], source: str) -> Surplus:
    check_keys(table, ("percent", "of"), where="surplus", source=source)
    percent = _number(table, "percent", "surplus", source)
    if percent is None or "of" not in table:
        missing = "surplus.percent" if percent is None else "surplus.of"
        raise InputError("missing", key=missing, source=source)
    of = table["of"]
    if of not in ("cost", "price"):
        raise InputError(f"must be 'cost' or 'price', got {of!r}", key="surplus.of", source=source)
    return Surplus(percent=percent, of=of)


def _parse(data: Mapping[str, Any], source: str) -> CostOfCareInputs:
    check_keys(data, TOP_TABLES, source=source)
    pay = _table(data, "pay", "", source)
    check_keys(pay, ("hourly_wage",), where="pay", source=source)
    wage = _number(pay, "hourly_wage", "pay", source, positive=True)
    if wage is None:
        raise InputError("missing", key="pay.hourly_wage", source=source)
    time = _table(data, "time", "", source)
    check_keys(time, _flat(TIME_CHOICES), where="time", source=source)
    mileage = _table(data, "mileage", "", source)
    check_keys(mileage, _flat(MILEAGE_CHOICES), where="mileage", source=source)
    overheads = _table(data, "overheads", "", source)
    check_keys(overheads, _flat(OVERHEAD_CHOICES), where="overheads", source=source)
    _choice(overheads, OVERHEAD_CHOICES, "overheads", source)
    bands_table = _table(data, "bands", "", source) if "bands" in data else {}
    return CostOfCareInputs(
        hourly_wage=wage,
        time=_parse_time(time, "time", source),
        on_costs=_parse_on_costs(_table(data, "on_costs", "", source), source),
        mileage=_parse_mileage(mileage, "mileage", source),
        overheads=Overheads(
            share_of_price_percent=_number(
                overheads, "share_of_price_percent", "overheads", source
            ),
            cost_per_contact_hour=_number(overheads, "cost_per_contact_hour", "overheads", source),
        ),
        surplus=_parse_surplus(_table(data, "surplus", "", source), source),
        bands=tuple(
            _parse_band(str(name), band, data, source) for name, band in bands_table.items()
        ),
        source=source,
    )
