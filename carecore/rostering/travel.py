"""Travel between visits: where carers' driving time and distance come from.

Every source answers the same question, :meth:`TravelSource.matrix`: for these points (and,
when known, their pricing bands), how many whole seconds and whole metres is it from each
one to each other one? Whole numbers because the router (PyVRP) takes integer matrices.

Three sources, chosen on the command line with ``--travel`` (see :func:`travel_source_from`):

* :class:`StraightLineTravel` (the default, no data needed): great-circle distance times a
  road factor, at a speed set by the pricing bands of the two ends.
* :class:`~carecore.rostering.travel_file.MatrixFileTravel`: a council's own matrix file.
* :class:`~carecore.rostering.travel_osrm.OsrmTravel`: an OSRM routing server.

The straight-line defaults (factor and speeds) and where they come from are in
``carecore/rostering/data/travel.toml``; :mod:`carecore.rostering.travel_calibration` fits
them to real road distances and times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from carecore.errors import InputError
from carecore.geography.model import Geography
from carecore.params import check_keys, read_toml, require_table
from carecore.units import to_decimal

# The international mile, exactly (Weights and Measures Act 1985): mileage is paid per mile.
METRES_PER_MILE = Decimal("1609.344")
SECONDS_PER_HOUR = 3600
# IUGG mean Earth radius (R1). A sphere is within about 0.5% of the WGS84 ellipsoid, far
# inside the uncertainty of any road factor.
EARTH_RADIUS_METRES = 6_371_008.8
DEFAULTS_FILE = "travel.toml"
STRAIGHT_LINE = "straight-line"

IntMatrix = npt.NDArray[np.int64]


def metres_to_miles(metres: int | Decimal) -> Decimal:
    """Miles in ``metres``, exactly (1 mile = 1609.344 m), for mileage paid per mile."""
    return Decimal(metres) / METRES_PER_MILE


def miles_to_metres(miles: int | Decimal) -> Decimal:
    """Metres in ``miles``, exactly."""
    return Decimal(miles) * METRES_PER_MILE


def mph_to_metres_per_second(mph: Decimal | float) -> float:
    """A speed in miles per hour as metres per second."""
    return float(Decimal(str(mph)) * METRES_PER_MILE / SECONDS_PER_HOUR)


@dataclass(frozen=True)
class Point:
    """A place on the map: WGS84 latitude and longitude in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, limit in (("lat", self.lat, 90), ("lon", self.lon, 180)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"expected degrees as a number, got {value!r}", key=name)
            if not (math.isfinite(value) and -limit <= value <= limit):
                raise InputError(f"must be from -{limit} to {limit} degrees, got {value}", key=name)


def _frozen_matrix(values: object, name: str, source: str) -> IntMatrix:
    raw = np.asarray(values)
    # Casting would silently cut 61.7 seconds to 61 (or NaN to nonsense): sources round.
    if raw.dtype.kind == "f" and not (np.isfinite(raw).all() and (raw == np.rint(raw)).all()):
        raise InputError("expected whole numbers", key=name, source=source or None)
    array = np.array(raw, dtype=np.int64, copy=True)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InputError(
            f"{name} must be a square matrix, got shape {array.shape}",
            key=name,
            source=source or None,
        )
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Whole seconds and whole metres from each point (row) to each point (column).

    Both arrays are square, the same size, never negative, with zeros on the diagonal, and
    read-only. They need not be symmetric (one-way streets). ``source`` says where the
    figures came from, for reports ("straight line x1.3 ...", a file name, an OSRM URL).
    """

    seconds: IntMatrix
    metres: IntMatrix
    source: str

    def __post_init__(self) -> None:
        seconds = _frozen_matrix(self.seconds, "seconds", self.source)
        metres = _frozen_matrix(self.metres, "metres", self.source)
        if seconds.shape != metres.shape:
            raise InputError(
                f"seconds is {seconds.shape[0]} square but metres is {metres.shape[0]}",
                source=self.source or None,
            )
        for name, array in (("seconds", seconds), ("metres", metres)):
            if (array < 0).any():
                row, col = (int(i) for i in np.argwhere(array < 0)[0])
                raise InputError(
                    f"negative value at [{row}, {col}]", key=name, source=self.source or None
                )
            if np.diagonal(array).any():
                raise InputError(
                    "the diagonal (a point to itself) must be 0",
                    key=name,
                    source=self.source or None,
                )
        object.__setattr__(self, "seconds", seconds)
        object.__setattr__(self, "metres", metres)

    @property
    def size(self) -> int:
        """The number of points."""
        return int(self.seconds.shape[0])


@runtime_checkable
class TravelSource(Protocol):
    """Anything that can give travel times and distances between points."""

    def matrix(self, points: Sequence[Point], bands: Sequence[str] | None = None) -> TravelMatrix:
        """Seconds and metres between every pair of ``points``; ``bands`` (one pricing band
        code per point, e.g. ``URBAN``) is used by sources that price speed by band."""
        ...


def great_circle_metres(
    origins: Sequence[Point], destinations: Sequence[Point]
) -> npt.NDArray[np.float64]:
    """Haversine distances in metres from each origin (row) to each destination (column)."""
    lat1 = np.radians(np.array([p.lat for p in origins], dtype=np.float64))[:, None]
    lon1 = np.radians(np.array([p.lon for p in origins], dtype=np.float64))[:, None]
    lat2 = np.radians(np.array([p.lat for p in destinations], dtype=np.float64))[None, :]
    lon2 = np.radians(np.array([p.lon for p in destinations], dtype=np.float64))[None, :]
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    # Clipping keeps arcsin defined when rounding lifts ``a`` a hair above 1 (antipodes).
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_METRES * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return result.reshape(len(origins), len(destinations))


def haversine_metres(points: Sequence[Point]) -> npt.NDArray[np.float64]:
    """Great-circle distances in metres between every pair of ``points`` (a square array)."""
    return great_circle_metres(points, points)


def _band_key(code: str) -> str:
    return code.strip().upper()


def _speed(value: object, key: str, source: str | None) -> Decimal:
    speed = to_decimal(value, key=key, source=source)
    if not Decimal(0) < speed <= Decimal(100):
        raise InputError(
            f"must be more than 0 and at most 100 mph, got {value}", key=key, source=source
        )
    return speed


@dataclass(frozen=True)
class StraightLineTravel:
    """Great-circle distance times ``road_factor``, driven at a speed set by the bands.

    ``road_factor`` is road metres per straight-line metre (1 to 3). Speeds are miles per
    hour by band code (matched ignoring case); ``default_speed_mph`` is used when no bands
    are given. Floats are read through their shortest repr and every figure is kept as an
    exact ``Decimal``. A band with no speed is an error, not a silent default, because a
    misspelt band would otherwise quietly change every round it touches.
    """

    road_factor: Decimal | float
    speeds_mph_by_band: Mapping[str, Decimal | float] = field(default_factory=dict, hash=False)
    default_speed_mph: Decimal | float = Decimal(25)
    basis: str = ""

    def __post_init__(self) -> None:
        factor = to_decimal(self.road_factor, key="road_factor")
        if not Decimal(1) <= factor <= Decimal(3):
            raise InputError(f"must be from 1 to 3, got {self.road_factor}", key="road_factor")
        speeds: dict[str, Decimal] = {}
        for code, mph in self.speeds_mph_by_band.items():
            key = _band_key(code)
            if not key or key in speeds:
                raise InputError(f"band {code!r} is empty or repeated", key="speeds_mph_by_band")
            speeds[key] = _speed(mph, f"speeds_mph_by_band.{code}", None)
        object.__setattr__(self, "road_factor", factor)
        object.__setattr__(self, "speeds_mph_by_band", MappingProxyType(speeds))
        object.__setattr__(
            self, "default_speed_mph", _speed(self.default_speed_mph, "default_speed_mph", None)
        )

    def _speeds_metres_per_second(
        self, count: int, bands: Sequence[str] | None
    ) -> npt.NDArray[np.float64]:
        if bands is None:
            return np.full(count, mph_to_metres_per_second(self.default_speed_mph))
        if len(bands) != count:
            raise InputError(f"{len(bands)} bands for {count} points", key="bands")
        speeds = []
        for band in bands:
            mph = self.speeds_mph_by_band.get(_band_key(band))
            if mph is None:
                known = ", ".join(self.speeds_mph_by_band) or "none"
                raise InputError(f"no speed for band {band!r} (known: {known})", key="bands")
            speeds.append(mph_to_metres_per_second(mph))
        return np.array(speeds, dtype=np.float64)

    def matrix(self, points: Sequence[Point], bands: Sequence[str] | None = None) -> TravelMatrix:
        """Road metres = great-circle metres x road factor; seconds = road metres / speed.

        The speed of a trip is the harmonic mean of its two ends' band speeds: the trip is
        taken to run half its length in each band, so its time is the sum of the two halves'
        times. That keeps the matrix symmetric, gives a band's own speed when both ends share
        it, and sits between "the slower end" (too pessimistic for a town-to-village hop) and
        the plain mean of speeds (which understates time, since slow miles take longer).
        """
        metres = haversine_metres(points) * float(self.road_factor)
        speed = self._speeds_metres_per_second(len(points), bands)
        seconds_per_metre = (1 / speed[:, None] + 1 / speed[None, :]) / 2
        return TravelMatrix(
            seconds=np.rint(metres * seconds_per_metre).astype(np.int64),
            metres=np.rint(metres).astype(np.int64),
            source=self.describe(),
        )

    def describe(self) -> str:
        """A one-line account of the model and its figures, for reports."""
        speeds = ", ".join(f"{band} {mph} mph" for band, mph in self.speeds_mph_by_band.items())
        text = f"{STRAIGHT_LINE}: great-circle x {self.road_factor}"
        text += f"; speeds {speeds}" if speeds else f"; {self.default_speed_mph} mph"
        return f"{text} ({self.basis})" if self.basis else text


@dataclass(frozen=True)
class OsrmDefaults:
    """Defaults for an OSRM server: routing profile, seconds to wait, and the server's
    ``--max-table-size`` (sources x destinations per request may not pass its square)."""

    profile: str = "driving"
    timeout_seconds: float = 30.0
    max_table_size: int = 100

    def __post_init__(self) -> None:
        if not self.profile or "/" in self.profile:
            raise InputError(f"not a profile name: {self.profile!r}", key="osrm.profile")
        if not 0 < self.timeout_seconds <= 3600:
            raise InputError("must be more than 0 and at most 3600", key="osrm.timeout_seconds")
        if not 2 <= self.max_table_size <= 100_000:
            raise InputError("must be from 2 to 100000", key="osrm.max_table_size")


@dataclass(frozen=True)
class TravelDefaults:
    """The shipped (or a council's) travel settings, read by :func:`load_travel_defaults`."""

    straight_line: StraightLineTravel
    osrm: OsrmDefaults
    source: str = ""


STRAIGHT_LINE_KEYS = (
    "road_factor",
    "road_factor_basis",
    "default_speed_mph",
    "speeds_basis",
    "speeds_mph_by_band",
)
OSRM_KEYS = ("profile", "timeout_seconds", "max_table_size")


def _text(table: Mapping[str, Any], key: str, where: str, source: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise InputError("expected text", key=f"{where}.{key}", source=source)
    return value


def _straight_line(table: Mapping[str, Any], source: str) -> StraightLineTravel:
    check_keys(table, STRAIGHT_LINE_KEYS, where="straight_line", source=source)
    if "road_factor" not in table:
        raise InputError("missing", key="straight_line.road_factor", source=source)
    speeds = table.get("speeds_mph_by_band", {})
    if not isinstance(speeds, Mapping):
        raise InputError("expected a table", key="straight_line.speeds_mph_by_band", source=source)
    basis = "; ".join(
        text
        for text in (
            _text(table, "road_factor_basis", "straight_line", source),
            _text(table, "speeds_basis", "straight_line", source),
        )
        if text
    )
    try:
        return StraightLineTravel(
            road_factor=to_decimal(table["road_factor"], key="road_factor"),
            speeds_mph_by_band={
                str(k): _speed(v, f"straight_line.speeds_mph_by_band.{k}", source)
                for k, v in speeds.items()
            },
            default_speed_mph=_speed(
                table.get("default_speed_mph", 25), "straight_line.default_speed_mph", source
            ),
            basis=basis,
        )
    except InputError as exc:
        if exc.source:  # already names the file and its dotted key
            raise
        key = f"straight_line.{exc.key}" if exc.key else "straight_line"
        raise InputError(exc.message, key=key, source=source) from None


def _osrm(table: Mapping[str, Any], source: str) -> OsrmDefaults:
    check_keys(table, OSRM_KEYS, where="osrm", source=source)
    profile = table.get("profile", "driving")
    timeout = table.get("timeout_seconds", 30)
    size = table.get("max_table_size", 100)
    if not isinstance(profile, str):
        raise InputError("expected text", key="osrm.profile", source=source)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InputError("expected a number of seconds", key="osrm.timeout_seconds", source=source)
    if isinstance(size, bool) or not isinstance(size, int):
        raise InputError("expected a whole number", key="osrm.max_table_size", source=source)
    try:
        return OsrmDefaults(profile=profile, timeout_seconds=float(timeout), max_table_size=size)
    except InputError as exc:
        raise InputError(exc.message, key=exc.key, source=source) from None


def default_travel_path() -> Path:
    """Path of the shipped travel defaults (TOML)."""
    return Path(str(resources.files("carecore.rostering") / "data" / DEFAULTS_FILE))


def load_travel_defaults(path: str | Path | None = None) -> TravelDefaults:
    """Travel settings from ``path`` (the shipped ``travel.toml`` when None).

    Unknown keys and bad values are :class:`InputError` naming the file and dotted key.
    """
    file = Path(path) if path is not None else default_travel_path()
    source = str(file)
    data = read_toml(file)
    check_keys(data, ("straight_line", "osrm"), source=source)
    straight = _straight_line(require_table(data, "straight_line", source=source), source)
    osrm_table = data.get("osrm", {})
    if not isinstance(osrm_table, Mapping):
        raise InputError("expected a table", key="osrm", source=source)
    return TravelDefaults(straight_line=straight, osrm=_osrm(osrm_table, source), source=source)


def geography_points(
    geography: Geography, area_codes: Iterable[str] | None = None
) -> tuple[list[Point], list[str]]:
    """The points and band codes of ``area_codes`` (every area when None), in that order."""
    by_code = {area.code: area for area in geography.areas}
    codes = list(area_codes) if area_codes is not None else list(by_code)
    points, bands = [], []
    for code in codes:
        area = by_code.get(code)
        if area is None:
            raise InputError(f"no area {code!r} in the geography", key="area")
        points.append(Point(area.lat, area.lon))
        bands.append(geography.band_of[code])
    return points, bands


def travel_source_from(spec: str | None, *, defaults: TravelDefaults | None = None) -> TravelSource:
    """The travel source named by the CLI's ``--travel``.

    ``None`` or ``"straight-line"``: the straight-line model with the shipped defaults. An
    ``http://`` or ``https://`` URL: an OSRM server at that address. Anything else: the path
    of a matrix file (``.csv`` or ``.json``), which must exist.
    """
    settings = defaults or load_travel_defaults()
    text = (spec or STRAIGHT_LINE).strip()
    if text.lower() == STRAIGHT_LINE:
        return settings.straight_line
    if text.lower().startswith(("http://", "https://")):
        # Imported here: those modules import this one for Point and TravelMatrix.
        from carecore.rostering.travel_osrm import OsrmTravel

        return OsrmTravel(
            text,
            profile=settings.osrm.profile,
            timeout=settings.osrm.timeout_seconds,
            max_table_size=settings.osrm.max_table_size,
        )
    from carecore.rostering.travel_file import MatrixFileTravel

    path = Path(text)
    if not path.is_file():
        raise InputError(
            f"--travel is not '{STRAIGHT_LINE}', an http(s) URL, or an existing matrix file",
            source=text,
        )
    return MatrixFileTravel(path)
