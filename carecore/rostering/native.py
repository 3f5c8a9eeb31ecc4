"""The platform's own rounds format (JSON): one day's visits, carers, pairs and travel.

    {
      "name": "Hinckley, Monday",
      "time_unit": "second",
      "travel_time": [[0, 540], [540, 0]],   # seconds between locations
      "distance": [[0, 4200], [4200, 0]],    # metres
      "carers": [{"name": "A", "start_location": 0, "end_location": 0,
                  "shift_start": "07:00", "shift_end": "14:00", "skills": ["PEG"]}],
      "visits": [{"name": "P1 breakfast", "location": 1, "earliest_start": "08:00",
                  "latest_start": "08:30", "duration_minutes": 30, "skill": null,
                  "person": "P1", "preferred_carers": ["A"]}],
      "pairs": [{"first": "P1 breakfast", "second": "P1 breakfast 2", "min_gap": 0,
                 "max_gap": 0}],
      "weights": {"travel_time": 1, "total_lateness": 10}
    }

Times of day may be "HH:MM" or seconds from midnight; gaps are seconds. Unknown keys are an
error, so a misspelt field is never silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights, as_int_matrix
from carecore.rostering.schedule import Evaluation, Round

_TOP = {"name", "time_unit", "travel_time", "distance", "carers", "visits", "pairs", "weights"}
_CARER = {"name", "start_location", "end_location", "shift_start", "shift_end", "skills"}
_VISIT = {
    "name",
    "location",
    "earliest_start",
    "latest_start",
    "duration_minutes",
    "skill",
    "person",
    "preferred_carers",
}
_PAIR = {"first", "second", "min_gap", "max_gap"}


def read_native(path: str | Path) -> RosterProblem:
    """Read a rounds file in the platform's JSON format."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read the rounds file: {error}", source=source) from error
    try:
        return problem_from_dict(data)
    except InputError as error:
        raise InputError(error.message, source=source, key=error.key) from error


def problem_from_dict(data: Mapping[str, Any]) -> RosterProblem:
    """Build a problem from the JSON shape (see the module's docstring)."""
    _known(data, _TOP, "")
    for needed in ("travel_time", "carers", "visits"):
        if needed not in data:
            raise InputError("is missing", key=needed)
    travel = as_int_matrix(data["travel_time"])
    distance = as_int_matrix(data.get("distance", data["travel_time"]))
    carers = tuple(_carer(item, n) for n, item in enumerate(data["carers"]))
    visits = tuple(_visit(item, n) for n, item in enumerate(data["visits"]))
    index = {v.name: n for n, v in enumerate(visits)}
    if len(index) != len(visits):
        raise InputError("two visits share a name", key="visits")
    pairs = tuple(_pair(item, n, index) for n, item in enumerate(data.get("pairs", [])))
    weights_data = data.get("weights", {})
    _known(weights_data, set(Weights.__dataclass_fields__), "weights.")
    return RosterProblem(
        name=str(data.get("name", "rounds")),
        visits=visits,
        carers=carers,
        travel_time=travel,
        distance=distance,
        pairs=pairs,
        weights=Weights(**{k: float(v) for k, v in weights_data.items()}),
        time_unit=str(data.get("time_unit", "second")),
    )


def _known(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}", key=f"{where}{unknown[0]}")


def time_of_day(value: object, key: str) -> int:
    """Seconds from midnight from "HH:MM" or a whole number of seconds."""
    if isinstance(value, bool):
        raise InputError("must be a time of day", key=key)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and len(value.split(":")) == 2:
        hours, minutes = value.split(":")
        if hours.isdigit() and minutes.isdigit() and int(hours) < 48 and int(minutes) < 60:
            return int(hours) * 3600 + int(minutes) * 60
    raise InputError(f"must be HH:MM or seconds from midnight, got {value!r}", key=key)


def _carer(item: Mapping[str, Any], n: int) -> Carer:
    where = f"carers[{n}]."
    _known(item, _CARER, where)
    try:
        return Carer(
            name=str(item["name"]),
            start_location=int(item["start_location"]),
            end_location=int(item.get("end_location", item["start_location"])),
            shift_start=time_of_day(item.get("shift_start", 0), where + "shift_start"),
            shift_end=time_of_day(item.get("shift_end", "24:00"), where + "shift_end"),
            skills=frozenset(item.get("skills", [])),
        )
    except KeyError as missing:
        raise InputError("is missing", key=f"{where}{missing.args[0]}") from missing


def _visit(item: Mapping[str, Any], n: int) -> Visit:
    where = f"visits[{n}]."
    _known(item, _VISIT, where)
    try:
        earliest = time_of_day(item["earliest_start"], where + "earliest_start")
        return Visit(
            name=str(item["name"]),
            location=int(item["location"]),
            earliest_start=earliest,
            latest_start=time_of_day(item.get("latest_start", earliest), where + "latest_start"),
            duration=int(item["duration_minutes"]) * 60,
            skill=item.get("skill"),
            person=str(item.get("person", "")),
            preferred_carers=tuple(item.get("preferred_carers", ())),
        )
    except KeyError as missing:
        raise InputError("is missing", key=f"{where}{missing.args[0]}") from missing


def _pair(item: Mapping[str, Any], n: int, index: Mapping[str, int]) -> Pair:
    where = f"pairs[{n}]."
    _known(item, _PAIR, where)
    for end in ("first", "second"):
        if item.get(end) not in index:
            raise InputError(f"names no visit ({item.get(end)!r})", key=where + end)
    return Pair(
        index[item["first"]],
        index[item["second"]],
        int(item.get("min_gap", 0)),
        int(item.get("max_gap", 0)),
    )


def rounds_to_dict(
    problem: RosterProblem, rounds: tuple[Round, ...], evaluation: Evaluation
) -> dict[str, Any]:
    """The answer as JSON: each carer's visits with start times, and the checks."""
    scale = problem.scale
    return {
        "problem": problem.name,
        "objective": round(evaluation.objective, 6),
        "feasible": evaluation.feasible,
        "problems": list(evaluation.problems),
        "distance": evaluation.distance / scale,
        "travel_time": evaluation.travel_time / scale,
        "total_lateness": evaluation.total_lateness / scale,
        "max_lateness": evaluation.max_lateness / scale,
        "late_visits": sum(1 for value in evaluation.lateness if value > 0),
        "unfamiliar_visits": evaluation.unfamiliar_visits,
        "routes": [
            {
                "carer": problem.carers[r.carer].name,
                "visits": [
                    {"visit": problem.visits[i].name, "start": evaluation.starts[i] / scale}
                    for i in r.visits
                ],
            }
            for r in rounds
            if r.visits
        ],
    }
