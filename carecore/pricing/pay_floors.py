"""Hourly pay floors by date: the legal minimum and the Living Wage Foundation's voluntary rates.

The figures are data (``pay_floors.csv`` beside this module), every row with its source:

- ``national_living_wage``: the legal floor, the National Living Wage (25 and over from
  1 April 2016, 23 and over from 1 April 2021, 21 and over from 1 April 2024) or, for younger
  workers and before April 2016, the National Minimum Wage rate for the worker's age.
- ``real_living_wage`` and ``london_living_wage``: the Living Wage Foundation's rates for workers
  aged 18 and over, in force from the day they are announced each autumn (accredited employers
  then have about six months to pay them).

Each period lists every age band in force from its ``effective_from``; a period lasts until the
next one of its kind, and the last period of a kind states ``effective_to``, the last day the
data can vouch for. Dates outside the data raise InputError rather than guess.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from carecore.errors import InputError
from carecore.units import to_decimal

KINDS = ("national_living_wage", "real_living_wage", "london_living_wage")
ALIASES = {"national_minimum_wage": "national_living_wage"}
COLUMNS = (
    "kind",
    "effective_from",
    "effective_to",
    "min_age",
    "max_age",
    "amount",
    "name",
    "source",
)
DATA_FILE = "pay_floors.csv"


@dataclass(frozen=True)
class PayFloor:
    """One hourly rate (``amount``, £ per hour) for workers aged ``min_age`` to ``max_age``."""

    kind: str
    name: str
    amount: Decimal
    effective_from: date
    effective_to: date | None
    min_age: int
    max_age: int | None
    source: str

    def covers_age(self, age: int) -> bool:
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "amount": self.amount,
            "effective_from": self.effective_from,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "source": self.source,
        }


@dataclass(frozen=True)
class PayFloorTable:
    """Every pay floor of the data, checked for gaps in the age bands."""

    floors: tuple[PayFloor, ...]
    source: str = DATA_FILE

    def __post_init__(self) -> None:
        for kind in KINDS:
            _check_kind(self._of(kind), kind, self.source)

    def _of(self, kind: str) -> list[PayFloor]:
        return sorted(
            (floor for floor in self.floors if floor.kind == kind),
            key=lambda floor: (floor.effective_from, floor.min_age),
        )

    def coverage(self, kind: str) -> tuple[date, date]:
        """First and last day for which the data holds a ``kind`` rate."""
        floors = self._of(_kind(kind))
        last = max(floor.effective_to for floor in floors if floor.effective_to is not None)
        return floors[0].effective_from, last

    def periods(self, kind: str) -> list[tuple[date, list[PayFloor]]]:
        """The ``kind`` rates grouped by the day they took effect, oldest first."""
        grouped: dict[date, list[PayFloor]] = {}
        for floor in self._of(_kind(kind)):
            grouped.setdefault(floor.effective_from, []).append(floor)
        return list(grouped.items())

    def on(self, day: date, kind: str = "national_living_wage", age: int | None = None) -> PayFloor:
        """The ``kind`` floor in force on ``day`` for a worker of ``age`` (None: the adult rate)."""
        kind = _kind(kind)
        first, last = self.coverage(kind)
        if not first <= day <= last:
            raise InputError(
                f"no {kind} rate for {day.isoformat()}: the data covers {first.isoformat()} "
                f"to {last.isoformat()}",
                key="date",
                source=self.source,
            )
        band = [rows for start, rows in self.periods(kind) if start <= day][-1]
        if age is None:
            return max(band, key=lambda floor: floor.min_age)
        for floor in band:
            if floor.covers_age(age):
                return floor
        youngest = min(floor.min_age for floor in band)
        raise InputError(
            f"no {kind} rate for age {age} on {day.isoformat()} (rates start at {youngest})",
            key="age",
        )


def _kind(kind: str) -> str:
    kind = ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise InputError(
            f"unknown pay floor {kind!r} (expected one of: {', '.join(KINDS)})", key="kind"
        )
    return kind


def _check_kind(floors: list[PayFloor], kind: str, source: str) -> None:
    """Each period's age bands must run without gaps from the youngest to an open top."""
    if not floors:
        raise InputError(f"no {kind} rates", source=source)
    grouped: dict[date, list[PayFloor]] = {}
    for floor in floors:
        grouped.setdefault(floor.effective_from, []).append(floor)
    starts = sorted(grouped)
    for start in starts:
        band = sorted(grouped[start], key=lambda floor: floor.min_age)
        for lower, upper in itertools.pairwise(band):
            if lower.max_age is None or lower.max_age + 1 != upper.min_age:
                raise InputError(
                    f"{kind} age bands from {start} overlap or leave a gap", source=source
                )
        if band[-1].max_age is not None:
            raise InputError(f"{kind} rates from {start} have no top age band", source=source)
        ends = {floor.effective_to for floor in band}
        latest = start == starts[-1]
        if (not latest and ends != {None}) or (latest and None in ends):
            raise InputError(f"{kind}: only the latest rates give effective_to", source=source)


def _date(text: str, key: str, row: int, source: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"expected a date YYYY-MM-DD, got {text!r}", key=key, row=row, source=source
        ) from None


def _int(text: str, key: str, row: int, source: str) -> int:
    if not text.strip().isdigit():
        raise InputError(f"expected a whole number, got {text!r}", key=key, row=row, source=source)
    return int(text)


def _row(record: dict[str, str], row: int, source: str) -> PayFloor:
    for column in COLUMNS:
        if column not in ("effective_to", "max_age") and not (record.get(column) or "").strip():
            raise InputError("missing value", key=column, row=row, source=source)
    amount = to_decimal(record["amount"], key="amount", source=source)
    if amount <= 0:
        raise InputError(
            f"must be more than zero, got {amount}", key="amount", row=row, source=source
        )
    to_text, max_text = record["effective_to"].strip(), record["max_age"].strip()
    return PayFloor(
        kind=_kind(record["kind"].strip()),
        name=record["name"].strip(),
        amount=amount,
        effective_from=_date(record["effective_from"], "effective_from", row, source),
        effective_to=_date(to_text, "effective_to", row, source) if to_text else None,
        min_age=_int(record["min_age"], "min_age", row, source),
        max_age=_int(max_text, "max_age", row, source) if max_text else None,
        source=record["source"].strip(),
    )


def read_pay_floors(lines: Iterable[str], *, source: str = DATA_FILE) -> PayFloorTable:
    """Parse pay floor rows (CSV with the header ``COLUMNS``); row 2 is the first data row."""
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InputError(f"expected columns {', '.join(COLUMNS)}", row=1, source=source)
    floors = tuple(_row(record, number, source) for number, record in enumerate(reader, start=2))
    return PayFloorTable(floors, source=source)


def load_pay_floors(path: str | Path | None = None) -> PayFloorTable:
    """The pay floors shipped with carecore, or those in the CSV at ``path``."""
    if path is None:
        return _shipped()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    return read_pay_floors(io.StringIO(text), source=str(path))


@cache
def _shipped() -> PayFloorTable:
    text = resources.files("carecore.pricing").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return read_pay_floors(io.StringIO(text), source=DATA_FILE)


def floor_on(
    day: date,
    kind: str = "national_living_wage",
    age: int | None = None,
    *,
    table: PayFloorTable | None = None,
) -> PayFloor:
    """The hourly pay floor (£ per hour) of ``kind`` in force on ``day``.

    ``kind`` is ``national_living_wage`` (the legal floor: NLW or the NMW rate for ``age``),
    ``real_living_wage`` or ``london_living_wage``. ``age`` None means the adult top rate.
    A day outside the data raises InputError.
    """
    return (table or _shipped()).on(day, kind, age)
