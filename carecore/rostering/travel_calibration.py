"""Fitting the straight-line model to real road distances and times.

A council that has real figures (an OSRM server, a matrix file from its own routing tool,
or mileage claims with both ends known) can replace the shipped assumptions with its own:

* :func:`fit_road_factor`: the road factor from (origin, destination, road metres) pairs,
  by least squares through the origin, with the number of pairs and their spread.
* :func:`fit_speed_mph`: one speed from (road metres, seconds) trips.
* :func:`fit_straight_line`: both at once from any :class:`TravelSource` over a set of points, with
  a speed per band from the trips that start and end in the same band, ready to use as a
  :class:`StraightLineTravel`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

import numpy as np

from carecore.errors import InputError
from carecore.rostering.travel import (
    METRES_PER_MILE,
    SECONDS_PER_HOUR,
    Point,
    StraightLineTravel,
    TravelSource,
    great_circle_metres,
)


@dataclass(frozen=True)
class FitResult:
    """A road factor fitted by least squares through the origin (road = factor x straight).

    ``pairs`` were used; ``skipped`` had both ends at one place (a zero straight line says
    nothing about the factor). The spread is of each pair's own ratio road / straight:
    ``ratio_min``, ``ratio_max`` and ``ratio_sd`` (population standard deviation).
    ``standard_error`` is the factor's, and ``rms_residual_metres`` the typical miss.
    """

    road_factor: float
    pairs: int
    skipped: int
    ratio_min: float
    ratio_max: float
    ratio_sd: float
    standard_error: float
    rms_residual_metres: float

    def factor_decimal(self, places: int = 2) -> Decimal:
        """The factor rounded half up to ``places`` decimals, for a TOML file or a report."""
        return Decimal(repr(self.road_factor)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    def describe(self) -> str:
        """One line for a report: the factor, how many pairs, and how widely they spread."""
        return (
            f"road factor {self.road_factor:.3f} (s.e. {self.standard_error:.3f}) from "
            f"{self.pairs} pairs; per-pair ratios {self.ratio_min:.2f} to {self.ratio_max:.2f}, "
            f"s.d. {self.ratio_sd:.2f}"
        )


def _road_metres(value: object, index: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InputError(f"expected road metres as a number, got {value!r}", key=f"pairs[{index}]")
    metres = float(value)
    if not (math.isfinite(metres) and metres >= 0):
        raise InputError(f"road metres must be 0 or more, got {value}", key=f"pairs[{index}]")
    return metres


def fit_road_factor(pairs: Sequence[tuple[Point, Point, float | int | Decimal]]) -> FitResult:
    """Fit road metres = factor x great-circle metres over ``pairs`` of (origin,
    destination, road metres), by least squares through the origin.

    The factor is sum(straight x road) / sum(straight^2): long trips weigh more, as they do
    in a carer's mileage. Pairs whose ends are the same place are skipped. Raises
    :class:`InputError` when no pair has two different places.
    """
    straight = []
    road = []
    skipped = 0
    for index, (origin, destination, metres) in enumerate(pairs):
        crow = float(great_circle_metres([origin], [destination])[0, 0])
        value = _road_metres(metres, index)
        if crow <= 0:
            skipped += 1
            continue
        straight.append(crow)
        road.append(value)
    if not straight:
        raise InputError("no pair with two different places to fit a road factor", key="pairs")
    x = np.array(straight)
    y = np.array(road)
    factor = float(x @ y / (x @ x))
    residual = y - factor * x
    n = len(x)
    # With one pair the fit is exact and its error unknown; report 0 rather than divide by 0.
    variance = float(residual @ residual) / (n - 1) if n > 1 else 0.0
    ratios = y / x
    return FitResult(
        road_factor=factor,
        pairs=n,
        skipped=skipped,
        ratio_min=float(ratios.min()),
        ratio_max=float(ratios.max()),
        ratio_sd=float(ratios.std()),
        standard_error=math.sqrt(variance / float(x @ x)),
        rms_residual_metres=math.sqrt(float(residual @ residual) / n),
    )


def fit_speed_mph(trips: Sequence[tuple[float | int, float | int]]) -> float:
    """One average speed in miles per hour from (road metres, seconds) trips: total
    distance over total time, so that the fitted speed reproduces the total time driven."""
    metres = 0.0
    seconds = 0.0
    for index, (distance, duration) in enumerate(trips):
        if (
            not (math.isfinite(distance) and math.isfinite(duration))
            or distance < 0
            or duration < 0
        ):
            raise InputError(
                f"expected metres and seconds of 0 or more, got {distance}, {duration}",
                key=f"trips[{index}]",
            )
        metres += distance
        seconds += duration
    if seconds <= 0 or metres <= 0:
        raise InputError("no trip with both distance and time to fit a speed", key="trips")
    return metres / seconds * SECONDS_PER_HOUR / float(METRES_PER_MILE)


@dataclass(frozen=True)
class StraightLineFit:
    """A road factor and speeds fitted against a reference travel source.

    ``speeds_mph_by_band`` has a speed for each band with trips inside it; ``overall_mph``
    is from every trip, and stands in for a band that had none.
    """

    fit: FitResult
    overall_mph: float
    speeds_mph_by_band: Mapping[str, float] = field(default_factory=dict)
    reference: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "speeds_mph_by_band", MappingProxyType(dict(self.speeds_mph_by_band))
        )

    def as_straight_line(self, bands: Sequence[str] = ()) -> StraightLineTravel:
        """The straight-line source with these figures (one decimal of mph, two of factor);
        ``bands`` lists band codes that must have a speed even if they had no trips."""
        speeds = {b: Decimal(f"{mph:.1f}") for b, mph in self.speeds_mph_by_band.items()}
        for band in bands:
            speeds.setdefault(band, Decimal(f"{self.overall_mph:.1f}"))
        return StraightLineTravel(
            road_factor=self.fit.factor_decimal(2),
            speeds_mph_by_band=speeds,
            default_speed_mph=Decimal(f"{self.overall_mph:.1f}"),
            basis=f"calibrated against {self.reference}: {self.fit.describe()}",
        )


def fit_straight_line(
    reference: TravelSource, points: Sequence[Point], bands: Sequence[str] | None = None
) -> StraightLineFit:
    """Fit the road factor and speeds to ``reference`` (e.g. an OSRM server) over every
    pair of ``points``; band speeds come from pairs whose two ends share a band."""
    if bands is not None and len(bands) != len(points):
        raise InputError(f"{len(bands)} bands for {len(points)} points", key="bands")
    real = reference.matrix(points, bands)
    size = len(points)
    pairs = [
        (points[i], points[j], int(real.metres[i, j]))
        for i in range(size)
        for j in range(size)
        if i != j
    ]
    fit = fit_road_factor(pairs)
    off = ~np.eye(size, dtype=bool)
    overall = fit_speed_mph(
        list(zip(real.metres[off].tolist(), real.seconds[off].tolist(), strict=True))
    )
    speeds: dict[str, float] = {}
    if bands is not None:
        codes = np.array([b.strip().upper() for b in bands])
        for code in sorted(set(codes.tolist())):
            same = (codes[:, None] == code) & (codes[None, :] == code) & off
            if same.any() and real.seconds[same].sum() > 0 and real.metres[same].sum() > 0:
                trips = list(
                    zip(real.metres[same].tolist(), real.seconds[same].tolist(), strict=True)
                )
                speeds[code] = fit_speed_mph(trips)
    return StraightLineFit(
        fit=fit, overall_mph=overall, speeds_mph_by_band=speeds, reference=real.source
    )
