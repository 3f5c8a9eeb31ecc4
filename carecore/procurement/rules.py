"""Tender rules: weights, floor and ceiling, formulas, quality bar and tiers, from TOML.

The rules file has four tables (``weights``, ``price``, ``quality``, ``appointment``) and an
optional ``lots`` table whose entries override any of them for one lot. The web form builds the
same mapping and calls :meth:`TenderRules.from_mapping`. See docs/tender-evaluation.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.params import check_keys, read_toml
from carecore.units import to_decimal

PRICE_FORMULAS = ("lowest", "relative_to_ceiling", "linear")
TIE_BREAKS = ("quality", "price", "name")
DEFAULT_TIE_BREAK = ("quality", "price", "name")
RESERVED_TIERS = ("reserve", "excluded")
HUNDRED = Decimal(100)

_SECTIONS = ("weights", "price", "quality", "appointment")
_TOP_KEYS = ("title", *_SECTIONS, "lots")
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "weights": ("price", "quality"),
    "price": ("formula", "floor", "ceiling", "band_shares"),
    "quality": ("max_score", "min_score", "min_criterion_score", "criteria"),
    "appointment": ("tiers", "appoint", "remaining_tier", "tie_break"),
}


@dataclass(frozen=True)
class LotRules:
    """How one lot is evaluated. Money in pounds per hour; weights in marks out of 100.

    ``floor``/``ceiling`` apply to the price used (the hourly rate, or the band-weighted
    average); ``band_floors``/``band_ceilings`` apply to each band's rate. Scores are on the
    scale 0 to ``max_score``. ``tiers`` lists the tier of each appointed place in rank order;
    ``remaining_tier`` (if set) appoints every further valid bid at that tier.
    """

    price_weight: Decimal
    quality_weight: Decimal
    tiers: tuple[str, ...] = ()
    remaining_tier: str | None = None
    price_formula: str = "lowest"
    floor: Decimal | None = None
    ceiling: Decimal | None = None
    band_floors: dict[str, Decimal] = field(default_factory=dict, hash=False)
    band_ceilings: dict[str, Decimal] = field(default_factory=dict, hash=False)
    band_shares: dict[str, Decimal] = field(default_factory=dict, hash=False)
    max_score: Decimal = HUNDRED
    min_quality: Decimal | None = None
    min_criterion_score: Decimal | None = None
    criteria: dict[str, Decimal] = field(default_factory=dict, hash=False)
    tie_break: tuple[str, ...] = DEFAULT_TIE_BREAK
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        self._check_weights()
        self._check_price()
        self._check_quality()
        self._check_appointment()

    def _error(self, message: str, key: str) -> InputError:
        return InputError(message, key=key, source=self.source)

    def _check_weights(self) -> None:
        for key, weight in (("price", self.price_weight), ("quality", self.quality_weight)):
            if not 0 <= weight <= HUNDRED:
                raise self._error(f"must be between 0 and 100, got {weight}", f"weights.{key}")
        if self.price_weight + self.quality_weight != HUNDRED:
            total = self.price_weight + self.quality_weight
            raise self._error(
                f"price and quality weights must add up to 100, got {self.price_weight} + "
                f"{self.quality_weight} = {total}",
                "weights",
            )

    def _check_price(self) -> None:
        if self.price_formula not in PRICE_FORMULAS:
            raise self._error(
                f"unknown price formula {self.price_formula!r} "
                f"(expected one of: {', '.join(PRICE_FORMULAS)})",
                "price.formula",
            )
        for key, value in (("floor", self.floor), ("ceiling", self.ceiling)):
            if value is not None and value <= 0:
                raise self._error(f"must be more than £0, got {value}", f"price.{key}")
        for key, table in (("floor", self.band_floors), ("ceiling", self.band_ceilings)):
            for band, value in table.items():
                if value <= 0:
                    raise self._error(f"must be more than £0, got {value}", f"price.{key}.{band}")
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise self._error(
                f"the floor £{self.floor} is above the ceiling £{self.ceiling}", "price.floor"
            )
        for band, band_floor in self.band_floors.items():
            band_ceiling = _lookup(self.band_ceilings, band)
            if band_ceiling is not None and band_floor > band_ceiling:
                raise self._error(
                    f"the {band} floor £{band_floor} is above its ceiling £{band_ceiling}",
                    f"price.floor.{band}",
                )
        self._check_formula_needs()
        _check_weight_table(self.band_shares, "price.band_shares", self.source)

    def _check_formula_needs(self) -> None:
        has_ceiling = self.ceiling is not None or bool(self.band_ceilings)
        has_floor = self.floor is not None or bool(self.band_floors)
        if self.price_formula in ("relative_to_ceiling", "linear") and not has_ceiling:
            raise self._error(f"the {self.price_formula!r} formula needs a ceiling", "price")
        if self.price_formula == "linear":
            if not has_floor:
                raise self._error("the 'linear' formula needs a floor", "price")
            if bool(self.band_floors) != bool(self.band_ceilings):
                raise self._error(
                    "the 'linear' formula needs floor and ceiling both overall or both per band",
                    "price",
                )
            if self.floor is not None and self.floor == self.ceiling:
                raise self._error("the 'linear' formula needs the floor below the ceiling", "price")

    def _check_quality(self) -> None:
        if self.max_score <= 0:
            raise self._error(f"must be more than 0, got {self.max_score}", "quality.max_score")
        for key, value in (
            ("min_score", self.min_quality),
            ("min_criterion_score", self.min_criterion_score),
        ):
            if value is not None and not 0 <= value <= self.max_score:
                raise self._error(
                    f"must be between 0 and the maximum score {self.max_score}, got {value}",
                    f"quality.{key}",
                )
        _check_weight_table(self.criteria, "quality.criteria", self.source)

    def _check_appointment(self) -> None:
        for tier in (*self.tiers, self.remaining_tier):
            if tier is None:
                continue
            if not tier.strip():
                raise self._error("a tier name cannot be empty", "appointment.tiers")
            if tier.strip().casefold() in RESERVED_TIERS:
                raise self._error(
                    f"{tier!r} is a status, not a tier: choose another name", "appointment.tiers"
                )
        if not self.tiers and self.remaining_tier is None:
            raise self._error(
                "say how many providers to appoint per lot: appointment.tiers, "
                "appointment.appoint or appointment.remaining_tier",
                "appointment",
            )
        for item in self.tie_break:
            if item not in TIE_BREAKS:
                raise self._error(
                    f"unknown tie-break {item!r} (expected some of: {', '.join(TIE_BREAKS)})",
                    "appointment.tie_break",
                )
        if len(set(self.tie_break)) != len(self.tie_break):
            raise self._error("a tie-break is listed twice", "appointment.tie_break")

    @property
    def places(self) -> int:
        """How many providers are appointed in named tiers (not counting ``remaining_tier``)."""
        return len(self.tiers)

    def to_dict(self) -> dict[str, object]:
        """These rules as plain values for JSON (money and weights stay Decimal)."""
        return {
            "price_weight": self.price_weight,
            "quality_weight": self.quality_weight,
            "price_formula": self.price_formula,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "band_floors": dict(self.band_floors),
            "band_ceilings": dict(self.band_ceilings),
            "band_shares": dict(self.band_shares),
            "max_score": self.max_score,
            "min_quality": self.min_quality,
            "min_criterion_score": self.min_criterion_score,
            "criteria": dict(self.criteria),
            "tiers": list(self.tiers),
            "remaining_tier": self.remaining_tier,
            "tie_break": list(self.tie_break),
        }


@dataclass(frozen=True)
class TenderRules:
    """The rules of one tender: the defaults and any per-lot overrides (keyed by lot name)."""

    default: LotRules
    lots: dict[str, LotRules] = field(default_factory=dict, hash=False)
    title: str = ""
    source: str | None = field(default=None, compare=False)

    def for_lot(self, lot: str) -> LotRules:
        """The rules for ``lot`` (names match ignoring case), or the defaults."""
        found = _lookup(self.lots, lot)
        return found if found is not None else self.default

    @property
    def max_score(self) -> Decimal:
        """The highest maximum quality score of any lot, for checking bid files on loading."""
        return max(rules.max_score for rules in (self.default, *self.lots.values()))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str | None = None) -> TenderRules:
        """Rules from a parsed TOML document or the web form's equivalent mapping."""
        check_keys(data, _TOP_KEYS, source=source)
        title = data.get("title", "")
        if not isinstance(title, str):
            raise InputError("expected text", key="title", source=source)
        sections = {name: _table(data, name, "", source) for name in _SECTIONS}
        if "weights" not in data:
            raise InputError("missing table (give price and quality)", key="weights", source=source)
        if "appointment" not in data:
            raise InputError(
                "missing table (say how many providers to appoint per lot)",
                key="appointment",
                source=source,
            )
        default = _lot_rules(sections, "", source)
        lots: dict[str, LotRules] = {}
        for name, override in _table(data, "lots", "", source).items():
            where = f"lots.{name}"
            if not isinstance(override, Mapping):
                raise InputError("expected a table", key=where, source=source)
            if _lookup(lots, name) is not None:
                raise InputError("this lot is listed twice", key=where, source=source)
            check_keys(override, _SECTIONS, where=where, source=source)
            merged = _merge(sections, override, where, source)
            lots[name] = _lot_rules(merged, where, source)
        return cls(default=default, lots=lots, title=title, source=source)


def load_tender_rules(path: str | Path) -> TenderRules:
    """Read tender rules from a TOML file; unknown keys and bad values raise InputError."""
    return TenderRules.from_mapping(read_toml(path), source=str(path))


def _lookup(table: Mapping[str, Any], name: str) -> Any:
    wanted = name.strip().casefold()
    for key, value in table.items():
        if key.strip().casefold() == wanted:
            return value
    return None


def _check_weight_table(table: Mapping[str, Decimal], key: str, source: str | None) -> None:
    for name, weight in table.items():
        if weight < 0:
            raise InputError(
                f"must not be negative, got {weight}", key=f"{key}.{name}", source=source
            )
    if table and sum(table.values()) <= 0:
        raise InputError("at least one weight must be more than 0", key=key, source=source)


def _table(data: Mapping[str, Any], name: str, where: str, source: str | None) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        dotted = f"{where}.{name}" if where else name
        raise InputError("expected a table", key=dotted, source=source)
    return dict(value)


def _merge(
    base: Mapping[str, dict[str, Any]],
    override: Mapping[str, Any],
    where: str,
    source: str | None,
) -> dict[str, dict[str, Any]]:
    merged = {name: dict(table) for name, table in base.items()}
    for name in _SECTIONS:
        extra = _table(override, name, where, source)
        check_keys(extra, _SECTION_KEYS[name], where=f"{where}.{name}", source=source)
        # An override that says how many to appoint replaces the default's way of saying it.
        if name == "appointment" and ("tiers" in extra or "appoint" in extra):
            merged[name].pop("tiers", None)
            merged[name].pop("appoint", None)
        merged[name].update(extra)
    return merged


def _lot_rules(sections: Mapping[str, dict[str, Any]], where: str, source: str | None) -> LotRules:
    prefix = f"{where}." if where else ""
    for name in _SECTIONS:
        check_keys(sections[name], _SECTION_KEYS[name], where=f"{prefix}{name}", source=source)
    weights = sections["weights"]
    for key in ("price", "quality"):
        if key not in weights:
            raise InputError("missing weight", key=f"{prefix}weights.{key}", source=source)
    try:
        return _build(sections, prefix, source)
    except InputError as exc:
        # LotRules names keys within one lot's rules; say which lot's override they came from.
        if not prefix or exc.key is None or exc.key.startswith(prefix):
            raise
        raise InputError(exc.message, key=prefix + exc.key, source=exc.source) from None


def _build(sections: Mapping[str, dict[str, Any]], prefix: str, source: str | None) -> LotRules:
    def number(section: str, key: str, default: Decimal | None = None) -> Decimal | None:
        if key not in sections[section]:
            return default
        return to_decimal(sections[section][key], key=f"{prefix}{section}.{key}", source=source)

    price, quality, appointment = sections["price"], sections["quality"], sections["appointment"]
    floor, band_floors = _limit(price.get("floor"), f"{prefix}price.floor", source)
    ceiling, band_ceilings = _limit(price.get("ceiling"), f"{prefix}price.ceiling", source)
    tiers = _tiers(appointment, f"{prefix}appointment", source)
    return LotRules(
        price_weight=_required(number("weights", "price")),
        quality_weight=_required(number("weights", "quality")),
        tiers=tiers,
        remaining_tier=_text(appointment.get("remaining_tier"), f"{prefix}appointment", source),
        price_formula=str(price.get("formula", "lowest")),
        floor=floor,
        ceiling=ceiling,
        band_floors=band_floors,
        band_ceilings=band_ceilings,
        band_shares=_numbers(price.get("band_shares", {}), f"{prefix}price.band_shares", source),
        max_score=_required(number("quality", "max_score", HUNDRED)),
        min_quality=number("quality", "min_score"),
        min_criterion_score=number("quality", "min_criterion_score"),
        criteria=_numbers(quality.get("criteria", {}), f"{prefix}quality.criteria", source),
        tie_break=_tie_break(appointment.get("tie_break"), f"{prefix}appointment", source),
        source=source,
    )


def _required(value: Decimal | None) -> Decimal:
    assert value is not None  # callers pass a default or have checked the key is present
    return value


def _limit(
    value: object, key: str, source: str | None
) -> tuple[Decimal | None, dict[str, Decimal]]:
    """A floor or ceiling: one number for the price used, or a table of numbers per band."""
    if value is None:
        return None, {}
    if isinstance(value, Mapping):
        return None, _numbers(value, key, source)
    return to_decimal(value, key=key, source=source), {}


def _numbers(value: object, key: str, source: str | None) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InputError("expected a table of numbers", key=key, source=source)
    return {
        str(name): to_decimal(item, key=f"{key}.{name}", source=source)
        for name, item in value.items()
    }


def _text(value: object, where: str, source: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("expected a tier name", key=f"{where}.remaining_tier", source=source)
    return value.strip()


def _tiers(appointment: Mapping[str, Any], where: str, source: str | None) -> tuple[str, ...]:
    """The tier of each place in rank order, from ``tiers`` (a list) or ``appoint`` (counts)."""
    if "tiers" in appointment and "appoint" in appointment:
        raise InputError(
            "give either tiers (a list) or appoint (counts per tier), not both",
            key=f"{where}.appoint",
            source=source,
        )
    if "tiers" in appointment:
        tiers = appointment["tiers"]
        if not isinstance(tiers, list) or not all(isinstance(tier, str) for tier in tiers):
            raise InputError("expected a list of tier names", key=f"{where}.tiers", source=source)
        return tuple(tier.strip() for tier in tiers)
    counts = appointment.get("appoint", {})
    if not isinstance(counts, Mapping):
        raise InputError(
            "expected a table of counts per tier", key=f"{where}.appoint", source=source
        )
    places: list[str] = []
    for tier, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(
                f"expected a whole number of providers, got {count!r}",
                key=f"{where}.appoint.{tier}",
                source=source,
            )
        places.extend([str(tier).strip()] * count)
    return tuple(places)


def _tie_break(value: object, where: str, source: str | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_TIE_BREAK
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(
            f"expected a list drawn from: {', '.join(TIE_BREAKS)}",
            key=f"{where}.tie_break",
            source=source,
        )
    order = tuple(item.strip().casefold() for item in value)
    # Name always settles what is left, so that the ranking is a total order.
    return order if "name" in order else (*order, "name")
