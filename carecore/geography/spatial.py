"""Distances and polygons on the small scale of one county (kilometres, WGS84 degrees).

Distances are great-circle kilometres (haversine on a sphere of radius 6,371 km). Polygons are
rings of (lat, lon) pairs; a point is inside a shape when it is inside its outer ring and outside
every hole. At county scale the error of treating degrees as a flat grid for containment is far
below the precision of the boundaries themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0

LatLon = tuple[float, float]
Ring = tuple[LatLon, ...]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points (degrees)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def ring_contains(ring: Sequence[LatLon], lat: float, lon: float) -> bool:
    """Even-odd ray casting: is (lat, lon) inside the closed ring?"""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def _segment_km(lat: float, lon: float, a: LatLon, b: LatLon) -> float:
    """Distance in km from a point to a segment, on a local flat projection."""
    kx = 111.32 * math.cos(math.radians(lat))
    ky = 110.574
    ax, ay = (a[1] - lon) * kx, (a[0] - lat) * ky
    bx, by = (b[1] - lon) * kx, (b[0] - lat) * ky
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


@dataclass(frozen=True)
class Shape:
    """One or more polygons, each an outer ring with holes (all rings as (lat, lon) pairs)."""

    polygons: tuple[tuple[Ring, tuple[Ring, ...]], ...]

    def contains(self, lat: float, lon: float) -> bool:
        for outer, holes in self.polygons:
            if ring_contains(outer, lat, lon) and not any(
                ring_contains(h, lat, lon) for h in holes
            ):
                return True
        return False

    def edge_distance_km(self, lat: float, lon: float) -> float:
        """Distance in km from the point to the nearest edge of any ring."""
        best = math.inf
        for outer, holes in self.polygons:
            for ring in (outer, *holes):
                for i in range(len(ring)):
                    best = min(best, _segment_km(lat, lon, ring[i - 1], ring[i]))
        return best

    def rings(self) -> tuple[Ring, ...]:
        return tuple(r for outer, holes in self.polygons for r in (outer, *holes))


@dataclass(frozen=True)
class Outline:
    """A council's area: the county shape (with excluded enclaves as holes) and its districts."""

    name: str
    county: Shape
    districts: tuple[tuple[str, Shape], ...]
    excluded: tuple[tuple[str, Shape], ...] = ()

    def contains(self, lat: float, lon: float) -> bool:
        return self.county.contains(lat, lon) and not any(
            shape.contains(lat, lon) for _, shape in self.excluded
        )

    def district_of(self, lat: float, lon: float, *, tolerance_km: float = 1.0) -> str | None:
        """The district containing the point; else the nearest within ``tolerance_km``.

        Boundaries are simplified, so a point can fall in a sliver between two districts; the
        tolerance gives it to the nearer one rather than to none.
        """
        for name, shape in self.districts:
            if shape.contains(lat, lon):
                return name
        best_name, best_km = None, tolerance_km
        for name, shape in self.districts:
            km = shape.edge_distance_km(lat, lon)
            if km <= best_km:
                best_name, best_km = name, km
        return best_name
