"""Carbon from carers' driving: per zone, a year's total, and what a change of zones saves.

Miles come from the rounds (:class:`carecore.rostering.round_stats.RoundTotals`, metres
driven between visits) and are turned into kg CO2e with one emission factor per mile, a
frozen parameter loaded from ``data/emission_factors.toml`` with its citation. Every figure
is ``Decimal`` and unrounded, so a total is exactly the sum of its rows; round only to show
(the factor itself has five significant figures, so more than three in a result is noise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.params import check_keys, read_toml, require_table
from carecore.rostering.round_stats import RoundTotals
from carecore.units import to_decimal

EMISSION_FACTORS = Path(__file__).resolve().parent / "data" / "emission_factors.toml"
KG_PER_TONNE = Decimal(1000)
WEEKS_PER_YEAR = 52
FACTOR_KEYS = (
    "kg_co2e_per_mile",
    "year",
    "vehicle",
    "source",
    "url",
    "checked_against_publication",
    "note",
)


@dataclass(frozen=True)
class EmissionFactor:
    """kg CO2e per vehicle mile, with where it comes from.

    ``checked_against_publication`` is false when the figure was read from a copy rather
    than the publication itself, or stands in for the factor that was wanted; ``note`` says
    which.
    """

    name: str
    kg_co2e_per_mile: Decimal
    year: int
    vehicle: str
    source: str
    url: str = ""
    checked_against_publication: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kg_co2e_per_mile, Decimal) or self.kg_co2e_per_mile <= 0:
            raise InputError(
                f"must be a number above zero, got {self.kg_co2e_per_mile!r}",
                key="kg_co2e_per_mile",
            )
        if isinstance(self.year, bool) or not isinstance(self.year, int) or self.year < 1990:
            raise InputError(f"expected the factor set's year, got {self.year!r}", key="year")
        for key in ("name", "vehicle", "source"):
            text = getattr(self, key)
            if not isinstance(text, str) or not text.strip():
                raise InputError("expected text saying what the factor is", key=key)
        if not isinstance(self.checked_against_publication, bool):
            raise InputError("expected true or false", key="checked_against_publication")

    def citation(self) -> str:
        """``0.28276 kg CO2e per mile, Medium car ... (year 2020): source, url``."""
        text = (
            f"{self.kg_co2e_per_mile} kg CO2e per mile, {self.vehicle} ({self.year}): {self.source}"
        )
        text += f", {self.url}" if self.url else ""
        return text if self.checked_against_publication else f"{text} [not checked: {self.note}]"


def load_emission_factor(path: str | Path | None = None, name: str | None = None) -> EmissionFactor:
    """A factor from a TOML file (the shipped one by default), the file's ``default`` unless
    ``name`` is given. Unknown keys and missing values raise :class:`InputError`."""
    source = Path(path) if path is not None else EMISSION_FACTORS
    data = read_toml(source)
    check_keys(data, ("default", "factors"), source=source)
    factors = require_table(data, "factors", source=source)
    chosen = name if name is not None else data.get("default")
    if not isinstance(chosen, str) or chosen not in factors:
        raise InputError(
            f"no factor named {chosen!r} (the file has: {', '.join(factors)})",
            key="default" if name is None else "name",
            source=source,
        )
    return _factor(chosen, require_table(factors, chosen, where="factors", source=source), source)


def _factor(name: str, table: Mapping[str, Any], source: Path) -> EmissionFactor:
    where = f"factors.{name}"
    check_keys(table, FACTOR_KEYS, where=where, source=source)
    for key in ("kg_co2e_per_mile", "year", "vehicle", "source"):
        if key not in table:
            raise InputError("missing", key=f"{where}.{key}", source=source)
    try:
        return EmissionFactor(
            name=name,
            kg_co2e_per_mile=to_decimal(table["kg_co2e_per_mile"], key=f"{where}.kg_co2e_per_mile"),
            year=table["year"],
            vehicle=table["vehicle"],
            source=table["source"],
            url=table.get("url", ""),
            checked_against_publication=table.get("checked_against_publication", False),
            note=table.get("note", ""),
        )
    except InputError as error:
        key = error.key if error.key and error.key.startswith(where) else f"{where}.{error.key}"
        raise InputError(error.message, key=key, source=source) from None


@dataclass(frozen=True)
class ZoneCarbon:
    """One zone's driving: miles and kg CO2e a week, tonnes CO2e a year (unrounded)."""

    zone: str
    band: str
    miles_per_week: Decimal
    kg_co2e_per_week: Decimal
    tonnes_co2e_per_year: Decimal


def _check_weeks(weeks_per_year: int | Decimal, weeks_covered: int | Decimal) -> None:
    for key, value in (("weeks_per_year", weeks_per_year), ("weeks_covered", weeks_covered)):
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or value <= 0:
            raise InputError(f"must be a number of weeks above zero, got {value!r}", key=key)


def carbon_by_zone(
    totals: Iterable[RoundTotals],
    factor: EmissionFactor,
    weeks_per_year: int | Decimal = WEEKS_PER_YEAR,
    *,
    weeks_covered: int | Decimal = 1,
) -> tuple[ZoneCarbon, ...]:
    """Each zone's miles and kg CO2e a week and tonnes CO2e a year, in the order given.

    ``weeks_covered`` is how many weeks of rounds the totals add up (1: a week of rounds);
    a year is ``weeks_per_year`` such weeks. Miles are those the totals hold (driving between
    visits as the rounds measured it).
    """
    _check_weeks(weeks_per_year, weeks_covered)
    covered = Decimal(weeks_covered)
    rows = []
    for zone in totals:
        miles = zone.travel_miles / covered
        kg = miles * factor.kg_co2e_per_mile
        rows.append(
            ZoneCarbon(
                zone=zone.zone,
                band=zone.band,
                miles_per_week=miles,
                kg_co2e_per_week=kg,
                tonnes_co2e_per_year=kg * weeks_per_year / KG_PER_TONNE,
            )
        )
    return tuple(rows)


def annual_tonnes(rows: Iterable[ZoneCarbon]) -> Decimal:
    """Tonnes CO2e a year over all the rows (exactly their sum)."""
    return sum((row.tonnes_co2e_per_year for row in rows), Decimal(0))


@dataclass(frozen=True)
class ZoneChangeSaving:
    """What a different set of rounds (zones merged or split) saves a year.

    ``*_saved`` are current minus alternative: negative means the change costs more miles
    and carbon.
    """

    current_miles_per_year: Decimal
    alternative_miles_per_year: Decimal
    miles_per_year_saved: Decimal
    current_tonnes_per_year: Decimal
    alternative_tonnes_per_year: Decimal
    tonnes_per_year_saved: Decimal


def zone_change_saving(
    current_totals: Iterable[RoundTotals],
    alternative_totals: Iterable[RoundTotals],
    factor: EmissionFactor,
    weeks_per_year: int | Decimal = WEEKS_PER_YEAR,
    *,
    weeks_covered: int | Decimal = 1,
) -> ZoneChangeSaving:
    """Miles and tonnes CO2e a year saved by rounds planned on other zones.

    Both sets of totals must cover the same visits over the same ``weeks_covered``. Only the
    visit count is checked: a different count is an :class:`InputError`, as the comparison
    would not be like for like.
    """
    now, alt = list(current_totals), list(alternative_totals)
    now_visits, alt_visits = sum(t.visits for t in now), sum(t.visits for t in alt)
    if now_visits != alt_visits:
        raise InputError(
            f"the alternative rounds make {alt_visits} visits and the current ones "
            f"{now_visits}: compare rounds that serve the same visits",
            key="alternative_totals",
        )
    current = carbon_by_zone(now, factor, weeks_per_year, weeks_covered=weeks_covered)
    alternative = carbon_by_zone(alt, factor, weeks_per_year, weeks_covered=weeks_covered)
    return _saving(current, alternative, weeks_per_year)


def _saving(
    current: tuple[ZoneCarbon, ...],
    alternative: tuple[ZoneCarbon, ...],
    weeks_per_year: int | Decimal,
) -> ZoneChangeSaving:
    now_miles = sum((row.miles_per_week for row in current), Decimal(0)) * weeks_per_year
    alt_miles = sum((row.miles_per_week for row in alternative), Decimal(0)) * weeks_per_year
    now_tonnes, alt_tonnes = annual_tonnes(current), annual_tonnes(alternative)
    return ZoneChangeSaving(
        current_miles_per_year=now_miles,
        alternative_miles_per_year=alt_miles,
        miles_per_year_saved=now_miles - alt_miles,
        current_tonnes_per_year=now_tonnes,
        alternative_tonnes_per_year=alt_tonnes,
        tonnes_per_year_saved=now_tonnes - alt_tonnes,
    )
