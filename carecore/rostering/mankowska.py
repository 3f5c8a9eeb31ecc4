"""Mankowska, Meisel and Bierwirth's home health care instances (JSON, hhcrsp collection).

The published objective is (total distance + total tardiness + maximum tardiness) / 3, where
tardiness is a service's start past its patient's window end; travel time equals distance.
Distances carry three decimals, so every figure is scaled by 1000 into whole numbers and
reported back divided by it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights, as_int_matrix

SCALE = 1000
OBJECTIVE = Weights(
    distance=1 / 3,
    travel_time=0.0,
    total_lateness=1 / 3,
    max_lateness=1 / 3,
    overtime=0.0,
)
# The instances give no shifts: a day long enough never to bind.
_OPEN_SHIFT_END = 10**9


def read_mankowska(path: str | Path) -> RosterProblem:
    """Read one instance file into a :class:`RosterProblem` (units x 1000)."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read the instance: {error}", source=source) from error
    try:
        return _problem(source.stem, data)
    except (KeyError, TypeError, IndexError, ValueError) as error:
        if isinstance(error, InputError):
            raise InputError(error.message, source=source, key=error.key) from error
        raise InputError(f"not a Mankowska instance: {error!r}", source=source) from error


def _problem(name: str, data: dict[str, Any]) -> RosterProblem:
    matrix = as_int_matrix(data["distances"], scale=SCALE)
    durations = {s["id"]: s.get("default_duration") for s in data["services"]}
    visits: list[Visit] = []
    pairs: list[Pair] = []
    # The distance matrix lists the office first, then the patients in file order.
    for number, patient in enumerate(data["patients"], start=1):
        early, late = (round(t * SCALE) for t in patient["time_window"])
        indices = []
        for need in patient["required_caregivers"]:
            duration = need.get("duration") or durations[need["service"]]
            indices.append(len(visits))
            visits.append(
                Visit(
                    name=f"{patient['id']}/{need['service']}",
                    location=number,
                    earliest_start=early,
                    latest_start=late,
                    duration=round(duration * SCALE),
                    skill=need["service"],
                    person=patient["id"],
                )
            )
        if len(indices) == 2:
            sync = patient["synchronization"]
            low, high = sync.get("distance") or (0, 0)
            if sync["type"] == "simultaneous":
                low = high = 0
            pairs.append(Pair(indices[0], indices[1], round(low * SCALE), round(high * SCALE)))
    carers = tuple(
        Carer(
            name=c["id"],
            start_location=0,
            end_location=0,
            shift_start=0,
            shift_end=_OPEN_SHIFT_END,
            skills=frozenset(c["abilities"]),
        )
        for c in data["caregivers"]
    )
    return RosterProblem(
        name=name,
        visits=tuple(visits),
        carers=carers,
        travel_time=matrix,
        distance=matrix,
        pairs=tuple(pairs),
        weights=OBJECTIVE,
        scale=SCALE,
        time_unit="instance unit",
    )


def best_published(folder: str | Path) -> dict[str, float]:
    """The best published objective per instance file name, from ``mankowska_best.md``."""
    table = Path(folder) / "mankowska_best.md"
    best: dict[str, float] = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].endswith(".json"):
            best[cells[0]] = float(cells[4])
    return best
