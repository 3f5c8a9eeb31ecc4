"""A council's own travel matrix, from a CSV or JSON file of named points.

CSV (one block of rows per measure, one column per point, as a spreadsheet keeps it)::

    measure,point,lat,lon,Loughborough,Shepshed
    seconds,Loughborough,52.76667,-1.2,0,660
    seconds,Shepshed,52.7711,-1.2951,640,0
    metres,Loughborough,,,0,7400
    metres,Shepshed,,,7350,0

``lat`` and ``lon`` are needed on one row of each point (repeats must agree). Each measure
must have one row per point column (the matrix is square), whole or decimal non-negative
numbers (rounded to whole seconds and metres), and zero from a point to itself.

JSON: ``{"points": [{"name", "lat", "lon"}, ...], "seconds": [[...]], "metres": [[...]]}``
with rows and columns in the order of ``points``.

A point asked for is matched to the nearest named point within ``match_metres``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from carecore.errors import InputError
from carecore.rostering.travel import IntMatrix, Point, TravelMatrix, great_circle_metres

MEASURES = ("seconds", "metres")
CSV_HEAD = ("measure", "point", "lat", "lon")


def _whole(value: object, *, source: str, row: int | None, key: str, measure: str) -> int:
    """A non-negative number of seconds or metres from a cell, rounded half up."""
    if isinstance(value, bool) or value is None:
        raise InputError(
            f"expected a number of {measure}, got {value!r}", source=source, row=row, key=key
        )
    text = str(value).strip() if not isinstance(value, int | float) else repr(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InputError(
            f"expected a number of {measure}, got {value!r}", source=source, row=row, key=key
        ) from None
    if not number.is_finite():
        raise InputError(
            f"expected a finite number of {measure}, got {value!r}", source=source, row=row, key=key
        )
    if number < 0:
        raise InputError(
            f"{measure} cannot be negative, got {value}", source=source, row=row, key=key
        )
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _degrees(text: str, *, source: str, row: int, key: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"expected degrees, got {text!r}", source=source, row=row, key=key
        ) from None


def _point(lat: object, lon: object, *, source: str, row: int | None, key: str) -> Point:
    try:
        return Point(lat, lon)  # type: ignore[arg-type]  # Point checks the types itself
    except InputError as exc:
        raise InputError(exc.message, source=source, row=row, key=f"{key}.{exc.key}") from None


@dataclass(frozen=True)
class _Table:
    names: tuple[str, ...]
    points: tuple[Point, ...]
    seconds: IntMatrix
    metres: IntMatrix


def _read_csv(path: Path) -> _Table:
    source = str(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise InputError("the file is empty", source=source)
    header = [cell.strip() for cell in rows[0]]
    if tuple(h.lower() for h in header[:4]) != CSV_HEAD:
        raise InputError(f"the first columns must be {', '.join(CSV_HEAD)}", source=source, row=1)
    names = header[4:]
    if not names:
        raise InputError("no point columns after measure, point, lat, lon", source=source, row=1)
    if len(set(names)) != len(names) or "" in names:
        raise InputError("point column names must be distinct and not empty", source=source, row=1)
    column = {name: i for i, name in enumerate(names)}
    size = len(names)
    cells = {m: np.full((size, size), -1, dtype=np.int64) for m in MEASURES}
    seen: dict[str, set[str]] = {m: set() for m in MEASURES}
    coords: dict[str, Point] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            raise InputError(
                f"has {len(raw)} cells but the header has {len(header)} (the "
                "matrix must be square: one column per point)",
                source=source,
                row=number,
            )
        measure, name = raw[0].strip().lower(), raw[1].strip()
        if measure not in MEASURES:
            raise InputError(
                f"measure must be seconds or metres, got {raw[0]!r}",
                source=source,
                row=number,
                key="measure",
            )
        if name not in column:
            raise InputError(
                f"point {name!r} has a row but no column (the matrix must be square)",
                source=source,
                row=number,
                key="point",
            )
        if name in seen[measure]:
            raise InputError(
                f"a second {measure} row for {name!r}", source=source, row=number, key="point"
            )
        seen[measure].add(name)
        lat = _degrees(raw[2], source=source, row=number, key="lat")
        lon = _degrees(raw[3], source=source, row=number, key="lon")
        if (lat is None) != (lon is None):
            raise InputError("give both lat and lon, or neither", source=source, row=number)
        if lat is not None and lon is not None:
            point = _point(lat, lon, source=source, row=number, key=name)
            if coords.setdefault(name, point) != point:
                raise InputError(
                    f"{name!r} has other coordinates on an earlier row",
                    source=source,
                    row=number,
                    key="lat",
                )
        i = column[name]
        for j, cell in enumerate(raw[4:]):
            value = _whole(cell, source=source, row=number, key=names[j], measure=measure)
            if i == j and value != 0:
                raise InputError(
                    f"{measure} from {name!r} to itself must be 0, got {value}",
                    source=source,
                    row=number,
                    key=name,
                )
            cells[measure][i, j] = value
    for measure in MEASURES:
        missing = [name for name in names if name not in seen[measure]]
        if missing:
            raise InputError(
                f"no {measure} row for {', '.join(map(repr, missing))} (the matrix "
                "must be square: one row per column)",
                source=source,
            )
    lacking = [name for name in names if name not in coords]
    if lacking:
        raise InputError(f"no lat and lon for {', '.join(map(repr, lacking))}", source=source)
    return _Table(tuple(names), tuple(coords[n] for n in names), cells["seconds"], cells["metres"])


def _json_points(data: Mapping[str, Any], source: str) -> tuple[list[str], list[Point]]:
    raw = data.get("points")
    if not isinstance(raw, list) or not raw:
        raise InputError("expected a list of points", source=source, key="points")
    names, points = [], []
    for index, item in enumerate(raw):
        key = f"points[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"name", "lat", "lon"}:
            raise InputError(
                "expected name, lat and lon (and nothing else)", source=source, key=key
            )
        name = item["name"]
        if not isinstance(name, str) or not name.strip() or name in names:
            raise InputError(
                f"name must be distinct, non-empty text, got {name!r}",
                source=source,
                key=f"{key}.name",
            )
        names.append(name)
        points.append(_point(item["lat"], item["lon"], source=source, row=None, key=key))
    return names, points


def _read_json(path: Path) -> _Table:
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from None
    if not isinstance(data, Mapping):
        raise InputError("expected an object with points, seconds and metres", source=source)
    unknown = set(data) - {"points", *MEASURES}
    if unknown:
        raise InputError(
            "unknown key (expected points, seconds, metres)", source=source, key=sorted(unknown)[0]
        )
    names, points = _json_points(data, source)
    size = len(names)
    arrays = {}
    for measure in MEASURES:
        rows = data.get(measure)
        if not isinstance(rows, list) or len(rows) != size:
            count = len(rows) if isinstance(rows, list) else "no"
            raise InputError(
                f"expected {size} rows, one per point, got {count} (the matrix must be square)",
                source=source,
                key=measure,
            )
        array = np.zeros((size, size), dtype=np.int64)
        for i, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != size:
                count = len(row) if isinstance(row, list) else "no"
                raise InputError(
                    f"row {names[i]!r} has {count} values for {size} points (the "
                    "matrix must be square)",
                    source=source,
                    key=measure,
                )
            for j, cell in enumerate(row):
                key = f"{measure}[{names[i]!r}][{names[j]!r}]"
                array[i, j] = _whole(cell, source=source, row=None, key=key, measure=measure)
        arrays[measure] = array
    return _Table(tuple(names), tuple(points), arrays["seconds"], arrays["metres"])


def _check_diagonal(table: _Table, source: str) -> None:
    for measure, array in (("seconds", table.seconds), ("metres", table.metres)):
        for i, name in enumerate(table.names):
            if array[i, i] != 0:
                raise InputError(
                    f"{measure} from {name!r} to itself must be 0, got {array[i, i]}",
                    source=source,
                    key=name,
                )


@dataclass(frozen=True)
class MatrixFileTravel:
    """Travel read from a matrix file (``.csv`` or ``.json``); see the module docstring.

    ``match_metres`` is how far (great-circle metres) a point asked for may lie from the
    file's nearest named point and still take its row. Bands are ignored: the file's
    figures already include whatever made a trip slow.
    """

    path: Path
    match_metres: float = 25.0
    _table: _Table = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        path = Path(self.path)
        object.__setattr__(self, "path", path)
        if not self.match_metres >= 0:
            raise InputError("must be 0 or more", key="match_metres")
        if not path.is_file():
            raise InputError("matrix file not found", source=path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            table = _read_csv(path)
        elif suffix == ".json":
            table = _read_json(path)
        else:
            raise InputError("a matrix file must end in .csv or .json", source=path)
        _check_diagonal(table, str(path))
        object.__setattr__(self, "_table", table)

    @property
    def points(self) -> Mapping[str, Point]:
        """The file's named points, in file order."""
        return MappingProxyType(dict(zip(self._table.names, self._table.points, strict=True)))

    def _indices(self, points: Sequence[Point]) -> list[int]:
        if not points:
            return []
        distance = great_circle_metres(points, self._table.points)
        nearest = distance.argmin(axis=1)
        for k, point in enumerate(points):
            j = int(nearest[k])
            if distance[k, j] > self.match_metres:
                raise InputError(
                    f"no point in the file within {self.match_metres:g} m of ({point.lat}, "
                    f"{point.lon}); the nearest is {self._table.names[j]!r}, "
                    f"{distance[k, j]:.0f} m away",
                    source=self.path,
                )
        return [int(j) for j in nearest]

    def _take(self, indices: list[int]) -> TravelMatrix:
        index = np.array(indices, dtype=np.intp)
        return TravelMatrix(
            seconds=self._table.seconds[np.ix_(index, index)],
            metres=self._table.metres[np.ix_(index, index)],
            source=f"matrix file {self.path}",
        )

    def matrix(self, points: Sequence[Point], bands: Sequence[str] | None = None) -> TravelMatrix:
        """The file's seconds and metres between the named points nearest ``points``."""
        return self._take(self._indices(points))

    def matrix_for_names(self, names: Sequence[str]) -> TravelMatrix:
        """The file's seconds and metres between the points called ``names``, in that order."""
        position = {name: i for i, name in enumerate(self._table.names)}
        missing = [name for name in names if name not in position]
        if missing:
            raise InputError(
                f"no point called {', '.join(map(repr, missing))} in the file", source=self.path
            )
        return self._take([position[name] for name in names])
