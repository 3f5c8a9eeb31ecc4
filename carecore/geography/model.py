"""Areas, zones and pricing bands as data: frozen dataclasses that check themselves."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from carecore.errors import InputError
from carecore.geography.spatial import Outline

ZONE_KINDS: tuple[str, ...] = ("large", "medium", "small_town", "small_rural", "rural_free")


@dataclass(frozen=True)
class Band:
    """A pricing band. ``rank`` orders bands from the cheapest, least remote (0) upwards."""

    code: str
    name: str
    rank: int

    def __post_init__(self) -> None:
        if not self.code or not self.code.strip():
            raise InputError("band code is empty", key="code")
        if self.rank < 0:
            raise InputError(f"band {self.code}: rank must be 0 or more", key="rank")


@dataclass(frozen=True)
class BandScheme:
    """A council's bands, ordered by rank (e.g. Urban, Fringe, Rural, Isolated)."""

    name: str
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        if not self.bands:
            raise InputError(f"band scheme {self.name!r} has no bands", key="bands")
        codes = [b.code for b in self.bands]
        if len(set(codes)) != len(codes):
            raise InputError(f"band scheme {self.name!r} repeats a band code", key="bands")
        ranks = sorted(b.rank for b in self.bands)
        if ranks != list(range(len(self.bands))):
            raise InputError(
                f"band scheme {self.name!r}: ranks must be 0..{len(self.bands) - 1}, once each",
                key="bands",
            )
        object.__setattr__(self, "bands", tuple(sorted(self.bands, key=lambda b: b.rank)))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(b.code for b in self.bands)

    def band(self, code: str) -> Band:
        for b in self.bands:
            if b.code == code:
                return b
        raise InputError(f"no band {code!r} in scheme {self.name!r}", key="band")


@dataclass(frozen=True)
class Area:
    """A place care is delivered in: a GeoNames town or village, or an ONS LSOA.

    ``lat``/``lon`` are WGS84 degrees; ``population_65_plus`` is people aged 65 and over
    (a Census count for LSOAs, an estimate for GeoNames places); ``ons_rural_urban`` is the
    ONS 2021 rural-urban class (e.g. ``UN1``) when known.
    """

    code: str
    name: str
    lat: float
    lon: float
    population_65_plus: int
    district: str
    ons_rural_urban: str | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise InputError("area code is empty", key="code")
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            raise InputError(f"area {self.code}: latitude {self.lat} out of range", key="lat")
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise InputError(f"area {self.code}: longitude {self.lon} out of range", key="lon")
        if self.population_65_plus < 0:
            raise InputError(
                f"area {self.code}: population aged 65+ is negative", key="population_65_plus"
            )


@dataclass(frozen=True)
class Zone:
    """A contract zone: named towns (empty for a Rural Free Zone) and whether it has primes."""

    code: str
    name: str
    kind: str
    towns: tuple[str, ...]
    has_prime: bool = True

    def __post_init__(self) -> None:
        if not self.code:
            raise InputError("zone code is empty", key="code")
        if self.kind not in ZONE_KINDS:
            raise InputError(
                f"zone {self.code}: kind {self.kind!r} is not one of {', '.join(ZONE_KINDS)}",
                key="kind",
            )


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Geography:
    """Areas, each in exactly one zone and one band of ``scheme``.

    ``zone_of`` and ``band_of`` map an area code to a zone code and a band code. ``outline``
    is the council's boundary when known (used to draw maps).
    """

    scheme: BandScheme
    zones: tuple[Zone, ...]
    areas: tuple[Area, ...]
    zone_of: Mapping[str, str] = field(hash=False)
    band_of: Mapping[str, str] = field(hash=False)
    outline: Outline | None = field(default=None, compare=False, hash=False, repr=False)
    source: str = ""
    _areas_by_code: dict[str, Area] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _zones_by_code: dict[str, Zone] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone_of", _frozen(self.zone_of))
        object.__setattr__(self, "band_of", _frozen(self.band_of))
        zone_codes = {z.code for z in self.zones}
        if len(zone_codes) != len(self.zones):
            raise InputError("two zones share a code", key="zones")
        band_codes = set(self.scheme.codes)
        seen: set[str] = set()
        for area in self.areas:
            if area.code in seen:
                raise InputError(f"area code {area.code} appears twice", key="code")
            seen.add(area.code)
            if self.zone_of.get(area.code) not in zone_codes:
                raise InputError(f"area {area.code} has no known zone", key="zone")
            if self.band_of.get(area.code) not in band_codes:
                raise InputError(f"area {area.code} has no known band", key="band")
        self._areas_by_code.update((a.code, a) for a in self.areas)
        self._zones_by_code.update((z.code, z) for z in self.zones)

    def area(self, code: str) -> Area:
        try:
            return self._areas_by_code[code]
        except KeyError:
            raise InputError(f"no area {code!r}", key="area") from None

    def zone(self, code: str) -> Zone:
        try:
            return self._zones_by_code[code]
        except KeyError:
            raise InputError(f"no zone {code!r}", key="zone") from None

    def zone_of_area(self, code: str) -> Zone:
        return self.zone(self.zone_of[self.area(code).code])

    def band_of_area(self, code: str) -> Band:
        return self.scheme.band(self.band_of[self.area(code).code])

    def areas_in_zone(self, code: str) -> tuple[Area, ...]:
        zone = self.zone(code)
        return tuple(a for a in self.areas if self.zone_of[a.code] == zone.code)

    def areas_in_band(self, code: str) -> tuple[Area, ...]:
        band = self.scheme.band(code)
        return tuple(a for a in self.areas if self.band_of[a.code] == band.code)
