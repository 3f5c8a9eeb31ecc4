"""The rounds as a PyVRP model: what PyVRP can express, with the timing decided outside it.

Each visit is a PyVRP client at a location of its own (a copy of its place), so that edges
*into* a visit can cost more for carers who cannot do it; each carer is a vehicle type
with one vehicle, its own start and end depots and its shift. Carers alike in what they
may do and whom they are familiar to share a routing profile whose cost matrix is the
problem's weights (distance and travel time) in whole numbers, plus a prohibitive cost
into visits the carer lacks the skill for and the continuity cost into visits of people
who do not know the carer.

PyVRP's windows are hard and it has no lateness cost and no synchronised visits, so the
caller chooses every visit's window: a pair is pinned at chosen start times (the first
visit's window is one instant, the second's is the gap after it), which also forces a
simultaneous pair onto two carers, and a single visit gets its window plus an allowance
of lateness. PyVRP then minimises travel within those windows; the exact evaluation
retimes its rounds afterwards.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from carecore.rostering.model import IntMatrix, RosterProblem
from carecore.rostering.schedule import Round

# Cost units per objective unit (per problem unit times the weight): keeps weights such
# as 1/3 exact enough in whole numbers.
_COST_RESOLUTION = 100.0
_NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class PyvrpModel:
    """PyVRP data for one choice of windows, with the maps back to the problem."""

    data: pyvrp.ProblemData
    # Vehicle type index = carer index; client index = visit index.
    forbidden_cost: int


def _class_key(problem: RosterProblem, carer: int) -> tuple[frozenset[int], frozenset[int]]:
    person = problem.carers[carer]
    cannot = frozenset(i for i, v in enumerate(problem.visits) if not person.can_do(v))
    unfamiliar = frozenset(
        i
        for i, v in enumerate(problem.visits)
        if v.preferred_carers and person.name not in v.preferred_carers
    )
    return cannot, unfamiliar


def base_cost(problem: RosterProblem) -> IntMatrix:
    """Whole-number cost of each leg between problem locations: the weighted travel."""
    w = problem.weights
    factor = _COST_RESOLUTION / max(w.distance, w.travel_time, 1e-9)
    cost = (w.distance * problem.distance + w.travel_time * problem.travel_time) * factor
    return np.asarray(np.rint(cost), dtype=np.int64)


def build_model(
    problem: RosterProblem,
    windows: Sequence[tuple[int, int]],
    *,
    shift_allowance: int = 0,
) -> PyvrpModel:
    """PyVRP data with ``windows[i]`` as visit i's hard start window.

    ``shift_allowance`` lets rounds end that long after the shift (overtime is soft in the
    problem, hard in PyVRP).
    """
    depot_places = sorted(
        {c.start_location for c in problem.carers} | {c.end_location for c in problem.carers}
    )
    depot_of = {place: k for k, place in enumerate(depot_places)}
    places = depot_places + [v.location for v in problem.visits]
    index = np.asarray(places, dtype=np.int64)
    duration = np.asarray(problem.travel_time[np.ix_(index, index)], dtype=np.int64)
    cost = base_cost(problem)[np.ix_(index, index)]
    w = problem.weights
    unfamiliar_cost = round(
        w.unfamiliar_carer * problem.scale * _COST_RESOLUTION / max(w.distance, w.travel_time, 1e-9)
    )
    forbidden = int(
        min(_NEVER // (len(places) + 1), max(1, int(cost.max())) * len(places) * 10 + 10**6)
    )
    first_visit = len(depot_places)

    profiles: dict[tuple[frozenset[int], frozenset[int]], int] = {}
    matrices: list[IntMatrix] = []
    profile_of: list[int] = []
    for k in range(len(problem.carers)):
        key = _class_key(problem, k)
        if key not in profiles:
            matrix = cost.copy()
            for visit in key[0]:
                matrix[:, first_visit + visit] += forbidden
            for visit in key[1]:
                matrix[:, first_visit + visit] += unfamiliar_cost
            np.fill_diagonal(matrix, 0)
            profiles[key] = len(matrices)
            matrices.append(matrix)
        profile_of.append(profiles[key])

    locations = [pyvrp.Location(0, 0, name=str(p)) for p in places]
    depots = [pyvrp.Depot(k, name=f"place {p}") for k, p in enumerate(depot_places)]
    clients = [
        pyvrp.Client(
            location=first_visit + i,
            service_duration=v.duration,
            tw_early=int(windows[i][0]),
            tw_late=int(windows[i][1]),
            name=v.name,
        )
        for i, v in enumerate(problem.visits)
    ]
    vehicles = [
        pyvrp.VehicleType(
            num_available=1,
            start_depot=depot_of[c.start_location],
            end_depot=depot_of[c.end_location],
            tw_early=c.shift_start,
            tw_late=min(_NEVER, c.shift_end + shift_allowance),
            profile=profile_of[k],
            name=c.name,
        )
        for k, c in enumerate(problem.carers)
    ]
    # PyVRP's stubs type matrices loosely; these are square int64 arrays.
    distances: list[Any] = list(matrices)
    durations: list[Any] = [duration] * len(matrices)
    data = pyvrp.ProblemData(locations, clients, depots, vehicles, distances, durations)
    return PyvrpModel(data=data, forbidden_cost=forbidden)


def to_solution(model: PyvrpModel, rounds: Sequence[Round]) -> pyvrp.Solution:
    """Rounds as a PyVRP solution of the model (a warm start)."""
    client = pyvrp.ActivityType.CLIENT
    routes = [
        pyvrp.Route(model.data, [pyvrp.Activity(client, v) for v in r.visits], r.carer)
        for r in rounds
        if r.visits
    ]
    return pyvrp.Solution(model.data, routes)


def solve_model(
    model: PyvrpModel,
    *,
    iterations: int,
    seconds: float | None,
    seed: int,
    initial: Sequence[Round] | None = None,
    history: int | None = None,
) -> tuple[Round, ...] | None:
    """PyVRP's best rounds within the windows, or None when it finds no feasible rounds.

    Stops after ``iterations`` (the deterministic budget) or ``seconds`` (a guard on the
    wall clock; None for none, so the answer depends only on the data, seed and start).
    ``history``: the length of PyVRP's late-acceptance history (None: its default).
    """
    criteria: list[StoppingCriterion] = [MaxIterations(max(1, iterations))]
    if seconds is not None:
        criteria.append(MaxRuntime(max(0.01, seconds)))
    stop = MultipleCriteria(criteria)
    start = to_solution(model, initial) if initial is not None else None
    params = pyvrp.SolveParams()
    if history is not None:
        params = pyvrp.SolveParams(ils=IteratedLocalSearchParams(history_length=history))
    with warnings.catch_warnings():
        # Pinned pairs can make feasibility hard for PyVRP; an infeasible answer is
        # handled below, so its warning about penalties at their bound is noise here.
        warnings.simplefilter("ignore")
        result = pyvrp.solve(
            model.data,
            stop,
            seed=seed,
            collect_stats=False,
            display=False,
            initial_solution=start,
            params=params,
        )
    best = result.best
    if not best.is_feasible():
        return None
    rounds: list[Round] = []
    for route in best.routes():
        visits = tuple(a.idx for a in route.schedule() if a.is_client())
        rounds.append(Round(route.vehicle_type(), visits))
    if any(_forbidden_edge(model, r) for r in rounds):
        return None
    return tuple(sorted(rounds, key=lambda r: r.carer))


def _forbidden_edge(model: PyvrpModel, r: Round) -> bool:
    vehicle = model.data.vehicle_type(r.carer)
    matrix = model.data.distance_matrix(vehicle.profile)
    first_visit = model.data.num_depots
    return any(int(matrix[0, first_visit + v]) >= model.forbidden_cost for v in r.visits)
