"""A council's zones definition: bands, zones with their towns, and the rule's thresholds (TOML).

See ``carecore/geography/data/leicestershire.toml`` for a complete example and
docs/geography.md for every key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from carecore.errors import InputError
from carecore.geography.model import Band, BandScheme, Zone
from carecore.geography.spatial import Outline, Ring, Shape
from carecore.params import check_keys, read_toml, require_table

REMOTENESS: tuple[str, ...] = ("urban", "fringe", "rural", "isolated")


@dataclass(frozen=True)
class RuleParams:
    """Thresholds of the zone and band rule. Distances in km, densities in people per km².

    Each town is modelled as a built-up circle holding its population at
    ``built_up_density_per_km2``; towns whose circles touch count as one town for size.
    """

    built_up_density_per_km2: float = 4000.0
    large_town_population: int = 10_000
    town_population: int = 2_500
    urban_km: float = 0.25
    fringe_km: float = 1.0
    isolated_km: float = 4.0
    rural_free_km: float = 4.0
    towns_search_km: float = 30.0

    def __post_init__(self) -> None:
        for name in ("built_up_density_per_km2", "large_town_population", "town_population"):
            if getattr(self, name) <= 0:
                raise InputError("must be more than 0", key=f"rule.{name}")
        for name in ("urban_km", "fringe_km", "isolated_km", "rural_free_km", "towns_search_km"):
            if getattr(self, name) < 0:
                raise InputError("must be 0 or more", key=f"rule.{name}")
        if self.fringe_km < self.urban_km:
            raise InputError("must be at least rule.urban_km", key="rule.fringe_km")
        if self.town_population > self.large_town_population:
            raise InputError(
                "must not exceed rule.large_town_population", key="rule.town_population"
            )


@dataclass(frozen=True)
class TownSpec:
    """Where a zone town is when GeoNames spells it differently or lacks it.

    Either ``geonames`` (the GeoNames name) or ``lat``/``lon``/``population`` (WGS84 degrees,
    all-age residents) with a ``note`` saying where they come from.
    """

    name: str
    geonames: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int | None = None
    note: str = ""

    @property
    def is_fixed(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class ZonesDefinition:
    """Everything a council decides about its geography, apart from its list of areas.

    ``rural_free_districts`` maps a rural-free zone's code to the districts that are its
    territory; ``band_for`` maps each remoteness class (urban, fringe, rural, isolated) to a
    band code of ``scheme``.
    """

    name: str
    scheme: BandScheme
    zones: tuple[Zone, ...]
    rule: RuleParams = field(default_factory=RuleParams)
    band_for: Mapping[str, str] = field(default_factory=dict, hash=False)
    rural_free_districts: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    towns: Mapping[str, TownSpec] = field(default_factory=dict, hash=False)
    exclude_places: tuple[str, ...] = ()
    rename_places: Mapping[str, str] = field(default_factory=dict, hash=False)
    outline: Outline | None = field(default=None, compare=False, repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        band_for = dict(self.band_for) or self._default_band_for()
        object.__setattr__(self, "band_for", MappingProxyType(band_for))
        object.__setattr__(
            self, "rural_free_districts", MappingProxyType(dict(self.rural_free_districts))
        )
        object.__setattr__(self, "towns", MappingProxyType(dict(self.towns)))
        object.__setattr__(self, "rename_places", MappingProxyType(dict(self.rename_places)))
        self._check()

    def _default_band_for(self) -> dict[str, str]:
        if len(self.scheme.bands) != len(REMOTENESS):
            raise InputError(
                f"the scheme has {len(self.scheme.bands)} bands, so say which band each of "
                f"{', '.join(REMOTENESS)} gets",
                key="scheme.from_remoteness",
                source=self.source or None,
            )
        return dict(zip(REMOTENESS, self.scheme.codes, strict=True))

    def _check(self) -> None:
        where = self.source or None
        if set(self.band_for) != set(REMOTENESS):
            raise InputError(
                f"needs exactly the keys {', '.join(REMOTENESS)}",
                key="scheme.from_remoteness",
                source=where,
            )
        ranks = [self.scheme.band(self.band_for[r]).rank for r in REMOTENESS]
        if ranks != sorted(ranks):
            raise InputError(
                "a more remote class must not get a cheaper band",
                key="scheme.from_remoteness",
                source=where,
            )
        if not self.zones:
            raise InputError("no zones", key="zones", source=where)
        seen_codes: set[str] = set()
        town_zone: dict[str, str] = {}
        for zone in self.zones:
            if zone.code in seen_codes:
                raise InputError(f"zone code {zone.code!r} repeats", key="zones.code", source=where)
            seen_codes.add(zone.code)
            for town in zone.towns:
                if town in town_zone:
                    raise InputError(
                        f"town {town!r} is in zones {town_zone[town]!r} and {zone.code!r}",
                        key="zones.towns",
                        source=where,
                    )
                town_zone[town] = zone.code
            if not zone.towns and not self.rural_free_districts.get(zone.code):
                raise InputError(
                    f"zone {zone.code!r} has no towns and no districts, so no area can be in it",
                    key="zones.towns",
                    source=where,
                )
        if not town_zone:
            raise InputError("no zone names a town", key="zones.towns", source=where)

    def zone_of_town(self) -> dict[str, str]:
        """Town name -> zone code."""
        return {t: z.code for z in self.zones for t in z.towns}


_TOP_KEYS = ("name", "outline", "scheme", "rule", "zones", "towns", "places")
_ZONE_KEYS = ("code", "name", "kind", "towns", "has_prime", "districts")
_TOWN_KEYS = ("geonames", "lat", "lon", "population", "note")


def load_zones_definition(path: str | Path) -> ZonesDefinition:
    """Read a zones definition from TOML; unknown or missing keys raise InputError naming them."""
    source = Path(path)
    data = read_toml(source)
    check_keys(data, _TOP_KEYS, source=source)
    name = _text(data, "name", "", source)
    scheme_table = require_table(data, "scheme", source=source)
    scheme, band_for = _scheme(scheme_table, source)
    rule_table = data.get("rule", {})
    _expect_table(rule_table, "rule", source)
    check_keys(rule_table, RuleParams.__dataclass_fields__, where="rule", source=source)
    rule = _build(RuleParams, rule_table, "rule", source)
    zones_list = data.get("zones")
    if not isinstance(zones_list, list) or not zones_list:
        raise InputError("expected at least one [[zones]] table", key="zones", source=source)
    zones: list[Zone] = []
    territories: dict[str, tuple[str, ...]] = {}
    for k, table in enumerate(zones_list):
        zone, districts = _zone(table, f"zones[{k}]", source)
        zones.append(zone)
        if districts:
            territories[zone.code] = districts
    towns_table = data.get("towns", {})
    _expect_table(towns_table, "towns", source)
    towns = {n: _town(n, t, source) for n, t in towns_table.items()}
    places = data.get("places", {})
    _expect_table(places, "places", source)
    check_keys(places, ("exclude", "rename"), where="places", source=source)
    exclude = _strings(places.get("exclude", []), "places.exclude", source)
    rename = places.get("rename", {})
    _expect_table(rename, "places.rename", source)
    for old, new in rename.items():
        if not isinstance(new, str) or not new.strip():
            raise InputError("expected a name", key=f"places.rename.{old}", source=source)
    outline = None
    if "outline" in data:
        outline = load_outline(source.parent / _text(data, "outline", "", source))
    return ZonesDefinition(
        name=name,
        scheme=scheme,
        zones=tuple(zones),
        rule=rule,
        band_for=band_for,
        rural_free_districts=territories,
        towns=towns,
        exclude_places=exclude,
        rename_places={old: new.strip() for old, new in rename.items()},
        outline=outline,
        source=str(source),
    )


def _scheme(table: Mapping[str, Any], source: Path) -> tuple[BandScheme, dict[str, str]]:
    check_keys(table, ("name", "bands", "from_remoteness"), where="scheme", source=source)
    bands_list = table.get("bands")
    if not isinstance(bands_list, list) or not bands_list:
        raise InputError("expected a list of bands", key="scheme.bands", source=source)
    bands = []
    for rank, item in enumerate(bands_list):
        where = f"scheme.bands[{rank}]"
        _expect_table(item, where, source)
        check_keys(item, ("code", "name"), where=where, source=source)
        code = _text(item, "code", where, source)
        bands.append(Band(code=code, name=_text(item, "name", where, source), rank=rank))
    try:
        scheme = BandScheme(name=_text(table, "name", "scheme", source), bands=tuple(bands))
    except InputError as exc:
        raise InputError(exc.message, key="scheme.bands", source=source) from None
    mapping = table.get("from_remoteness", {})
    _expect_table(mapping, "scheme.from_remoteness", source)
    check_keys(mapping, REMOTENESS, where="scheme.from_remoteness", source=source)
    for key, code in mapping.items():
        if code not in scheme.codes:
            raise InputError(
                f"{code!r} is not a band code", key=f"scheme.from_remoteness.{key}", source=source
            )
    return scheme, dict(mapping)


def _zone(table: object, where: str, source: Path) -> tuple[Zone, tuple[str, ...]]:
    _expect_table(table, where, source)
    assert isinstance(table, Mapping)
    check_keys(table, _ZONE_KEYS, where=where, source=source)
    has_prime = table.get("has_prime", True)
    if not isinstance(has_prime, bool):
        raise InputError("expected true or false", key=f"{where}.has_prime", source=source)
    try:
        zone = Zone(
            code=_text(table, "code", where, source),
            name=_text(table, "name", where, source),
            kind=_text(table, "kind", where, source),
            towns=_strings(table.get("towns", []), f"{where}.towns", source),
            has_prime=has_prime,
        )
    except InputError as exc:
        raise InputError(exc.message, key=f"{where}.{exc.key}", source=source) from None
    return zone, _strings(table.get("districts", []), f"{where}.districts", source)


def _town(name: str, table: object, source: Path) -> TownSpec:
    where = f"towns.{name}"
    _expect_table(table, where, source)
    assert isinstance(table, Mapping)
    check_keys(table, _TOWN_KEYS, where=where, source=source)
    spec: TownSpec = _build(TownSpec, {"name": name, **table}, where, source)
    fixed = spec.lat is not None or spec.lon is not None
    if fixed and (spec.lat is None or spec.lon is None or spec.population is None):
        raise InputError("give lat, lon and population together", key=where, source=source)
    if fixed == (spec.geonames is not None):
        raise InputError("give either geonames or lat/lon/population", key=where, source=source)
    return spec


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"float": (int, float), "int": (int,), "str": (str,)}


def _build(cls: Any, table: Mapping[str, Any], where: str, source: Path) -> Any:
    """Construct a parameter dataclass, naming the key whose value has the wrong type."""
    for key, value in table.items():
        declared = str(cls.__dataclass_fields__[key].type).replace(" | None", "")
        allowed = _PYTHON_TYPES.get(declared)
        if allowed and (isinstance(value, bool) or not isinstance(value, allowed)):
            kind = {"str": "text", "int": "a whole number"}.get(declared, "a number")
            raise InputError(f"expected {kind}, got {value!r}", key=f"{where}.{key}", source=source)
    try:
        return cls(**table)
    except InputError as exc:
        raise InputError(exc.message, key=exc.key, source=source) from None


def _text(table: Mapping[str, Any], key: str, where: str, source: Path) -> str:
    dotted = f"{where}.{key}" if where else key
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError("expected non-empty text", key=dotted, source=source)
    return value.strip()


def _strings(value: object, key: str, source: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError("expected a list of names", key=key, source=source)
    return tuple(v.strip() for v in value)


def _expect_table(value: object, key: str, source: Path) -> None:
    if not isinstance(value, Mapping):
        raise InputError("expected a table", key=key, source=source)


def _shape(polygons: object, key: str, source: Path) -> Shape:
    try:
        assert isinstance(polygons, list)
        return Shape(
            tuple(
                (
                    _ring(p["outer"]),
                    tuple(_ring(h) for h in p.get("holes", [])),
                )
                for p in polygons
            )
        )
    except (AssertionError, KeyError, TypeError, ValueError):
        raise InputError(
            "expected a list of {outer, holes} polygons", key=key, source=source
        ) from None


def _ring(points: list[list[float]]) -> Ring:
    ring = tuple((float(lat), float(lon)) for lat, lon in points)
    if len(ring) < 3:
        raise ValueError("a ring needs three points")
    return ring


def load_outline(path: str | Path) -> Outline:
    """Read a boundary document (county, excluded, districts) written by outline_build."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", source=source)
    for key in ("county", "districts"):
        if key not in data:
            raise InputError("missing key", key=key, source=source)
    return Outline(
        name=str(data.get("name", "")),
        county=_shape(data["county"], "county", source),
        districts=tuple(
            (n, _shape(p, f"districts.{n}", source)) for n, p in sorted(data["districts"].items())
        ),
        excluded=tuple(
            (n, _shape(p, f"excluded.{n}", source))
            for n, p in sorted(data.get("excluded", {}).items())
        ),
    )
