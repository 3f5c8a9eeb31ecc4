"""The rule that gives every area a zone and a band (docs/geography.md explains it in a paragraph).

Towns are modelled as built-up circles: a town of P people covers P / density km², so its circle
has radius sqrt(P / (pi x density)). Distances to a town are great-circle km to the edge of its
circle (0 inside). Towns whose circles touch count as one town for size, so Leicester with its
suburbs is one large town.

* Zone: the zone of the nearest zone town (great-circle km between centres); except that a
  rural or isolated area farther than ``rural_free_km`` from every zone town, in a district
  that is a rural-free zone's territory, goes to that rural-free zone.
* Band: urban within ``urban_km`` of a large town (``large_town_population`` or more); fringe
  within ``fringe_km`` of one; otherwise isolated if more than ``isolated_km`` from every town
  of ``town_population`` or more, else rural. The scheme maps these four classes to its bands.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carecore.errors import InputError
from carecore.geography.definition import REMOTENESS, RuleParams, ZonesDefinition
from carecore.geography.gazetteer import Place, find_place, places_near
from carecore.geography.model import Area, Geography
from carecore.geography.spatial import distance_km


@dataclass(frozen=True)
class Town:
    """A town for banding: centre (WGS84 degrees), people, built-up radius (km), and whether
    its built-up cluster is large."""

    name: str
    lat: float
    lon: float
    population: int
    radius_km: float
    large: bool


@dataclass(frozen=True)
class ZoneTown:
    """A zone's named town located on the map (WGS84 degrees, all-age population)."""

    name: str
    zone: str
    lat: float
    lon: float
    population: int


def built_up_radius_km(population: int, density_per_km2: float) -> float:
    """Radius in km of a circle holding ``population`` people at ``density_per_km2``."""
    return math.sqrt(max(population, 0) / (math.pi * density_per_km2))


def prepare_towns(places: Iterable[Place], rule: RuleParams) -> tuple[Town, ...]:
    """Towns of ``rule.town_population`` or more, with radii and the size of their clusters."""
    kept = sorted(
        (p for p in places if p.population >= rule.town_population),
        key=lambda p: (p.lat, p.lon, p.name),
    )
    radii = [built_up_radius_km(p.population, rule.built_up_density_per_km2) for p in kept]
    parent = list(range(len(kept)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(kept):
        for j in range(i + 1, len(kept)):
            b = kept[j]
            if abs(a.lat - b.lat) > 0.2:  # sorted by latitude: no later town can touch
                break
            if distance_km(a.lat, a.lon, b.lat, b.lon) <= radii[i] + radii[j]:
                parent[root(i)] = root(j)
    cluster_people: dict[int, int] = {}
    for i, p in enumerate(kept):
        cluster_people[root(i)] = cluster_people.get(root(i), 0) + p.population
    return tuple(
        Town(
            name=p.name,
            lat=p.lat,
            lon=p.lon,
            population=p.population,
            radius_km=radii[i],
            large=cluster_people[root(i)] >= rule.large_town_population,
        )
        for i, p in enumerate(kept)
    )


def edge_km(lat: float, lon: float, town: Town) -> float:
    """Great-circle km from a point to the edge of a town's built-up circle (0 inside)."""
    return max(0.0, distance_km(lat, lon, town.lat, town.lon) - town.radius_km)


def remoteness(lat: float, lon: float, towns: Sequence[Town], rule: RuleParams) -> str:
    """The remoteness class of a point: urban, fringe, rural or isolated."""
    to_large = min((edge_km(lat, lon, t) for t in towns if t.large), default=math.inf)
    if to_large <= rule.urban_km:
        return "urban"
    if to_large <= rule.fringe_km:
        return "fringe"
    to_any = min((edge_km(lat, lon, t) for t in towns), default=math.inf)
    return "isolated" if to_any > rule.isolated_km else "rural"


RURAL_FREE_CLASSES = ("rural", "isolated")


def zone_for(
    lat: float,
    lon: float,
    district: str,
    remoteness_class: str,
    zone_towns: Sequence[ZoneTown],
    definition: ZonesDefinition,
) -> str:
    """The zone code of a point in ``district`` of the given remoteness class.

    A rural-free zone takes only rural and isolated areas: a suburb on the edge of a city that
    is not a zone town (Thurnby, beside Leicester) stays with its nearest zone town.
    """
    nearest = min(zone_towns, key=lambda t: (distance_km(lat, lon, t.lat, t.lon), t.name))
    if (
        remoteness_class in RURAL_FREE_CLASSES
        and distance_km(lat, lon, nearest.lat, nearest.lon) > definition.rule.rural_free_km
    ):
        for zone_code, districts in definition.rural_free_districts.items():
            if district in districts:
                return zone_code
    return nearest.zone


def _centre(areas: Sequence[Area], definition: ZonesDefinition) -> tuple[float, float]:
    if definition.outline is not None:
        ring = definition.outline.county.polygons[0][0]
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return (sum(a.lat for a in areas) / len(areas), sum(a.lon for a in areas) / len(areas))


def resolve_zone_towns(
    definition: ZonesDefinition, near: tuple[float, float]
) -> tuple[ZoneTown, ...]:
    """Locate every zone town: fixed coordinates from [towns], else GeoNames by name.

    A name used by several GB places resolves to the one inside the council's outline when
    there is one, else to the one nearest ``near`` (lat, lon).
    """
    located = []
    for town, zone_code in definition.zone_of_town().items():
        spec = definition.towns.get(town)
        if spec is not None and spec.lat is not None and spec.lon is not None:
            located.append(ZoneTown(town, zone_code, spec.lat, spec.lon, spec.population or 0))
            continue
        name = spec.geonames if spec is not None and spec.geonames else town
        place = find_place(name, near=near, within=definition.outline)
        if place is None:
            raise InputError(
                f"zone town {town!r} is not in GeoNames as {name!r}; give its lat, lon and "
                "population under [towns]",
                key=f"towns.{town}",
                source=definition.source or None,
            )
        located.append(ZoneTown(town, zone_code, place.lat, place.lon, place.population))
    return tuple(located)


def banding_places(
    areas: Sequence[Area], definition: ZonesDefinition, zone_towns: Sequence[ZoneTown]
) -> list[Place]:
    """GeoNames towns within ``towns_search_km`` of any area, plus fixed zone towns."""
    rule = definition.rule
    lat_c = (min(a.lat for a in areas) + max(a.lat for a in areas)) / 2
    lon_c = (min(a.lon for a in areas) + max(a.lon for a in areas)) / 2
    half_diagonal = max(distance_km(lat_c, lon_c, a.lat, a.lon) for a in areas)
    candidates = places_near(
        lat_c, lon_c, half_diagonal + rule.towns_search_km, min_population=rule.town_population
    )
    places = [
        p
        for p in candidates
        if any(distance_km(a.lat, a.lon, p.lat, p.lon) <= rule.towns_search_km for a in areas)
    ]
    known = {(p.lat, p.lon) for p in places}
    for t in zone_towns:
        if (t.lat, t.lon) not in known:
            places.append(Place(0, t.name, t.lat, t.lon, t.population))
    return places


def assign_geography(
    areas: Sequence[Area],
    zones_definition: ZonesDefinition,
    *,
    places: Sequence[Place] | None = None,
) -> Geography:
    """Give every area a zone and a band under ``zones_definition``.

    ``places`` are the towns used for banding (default: GeoNames places near the areas).
    Areas without a district take it from the definition's outline when it has one.
    """
    if not areas:
        raise InputError("no areas to assign", source=zones_definition.source or None)
    zone_towns = resolve_zone_towns(zones_definition, _centre(areas, zones_definition))
    if places is None:
        places = banding_places(areas, zones_definition, zone_towns)
    towns = prepare_towns(places, zones_definition.rule)
    outline = zones_definition.outline
    filled = []
    zone_of: dict[str, str] = {}
    band_of: dict[str, str] = {}
    for area in areas:
        if not area.district and outline is not None:
            area = dataclasses.replace(area, district=outline.district_of(area.lat, area.lon) or "")
        filled.append(area)
        kind = remoteness(area.lat, area.lon, towns, zones_definition.rule)
        zone_of[area.code] = zone_for(
            area.lat, area.lon, area.district, kind, zone_towns, zones_definition
        )
        band_of[area.code] = zones_definition.band_for[kind]
    return Geography(
        scheme=zones_definition.scheme,
        zones=zones_definition.zones,
        areas=tuple(filled),
        zone_of=zone_of,
        band_of=band_of,
        outline=outline,
        source=zones_definition.source,
    )


__all__ = [
    "REMOTENESS",
    "Town",
    "ZoneTown",
    "assign_geography",
    "built_up_radius_km",
    "edge_km",
    "prepare_towns",
    "remoteness",
    "resolve_zone_towns",
    "zone_for",
]
