"""Solomon's VRPTW benchmarks solved with PyVRP and scored against the best-known solutions.

The convention is the DIMACS one the benchmark folder's README fixes: the objective is total
distance only (not fewest vehicles first), and every Euclidean distance is truncated to one
decimal. ``pyvrp.read(path, round_func="dimacs")`` builds exactly that matrix, scaled by 10 to
integers ("tenths"); travel times equal distances, and time windows and service times are
scaled the same way. Every figure here is computed on that one matrix, so a gap is never a
comparison across conventions. Distances and times handed back are in the instance's own
units (tenths / 10).

Feasibility is checked by :func:`check_routes`, written here from the instance data alone, so
a reported result does not rest on the solver's word about itself.

By default :func:`solve_solomon` runs two searches, a plain PyVRP one and a
:class:`RoutePressure` one, and keeps the shorter feasible answer. Neither wins everywhere:
pressure finds the fewer, shorter routes of RC101-like instances and pushes some R2/RC2
instances to too few routes. The rule is the same for every instance; nothing is chosen by
name or by the best-known value.

Every search stops on a time limit (``seconds``, wall or processor clock), on a budget of
PyVRP iterations (``iterations``, each search its own: with no ``seconds`` nothing reads
the clock, so the answer is the same on any machine, busy or idle, and whether the two
searches run at once or in turn), or on whichever comes first when both are given.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import pyvrp
import vrplib  # type: ignore[import-untyped]
from pyvrp import Activity, ActivityType, ProblemData, Route, Solution, SolveParams
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

# pyvrp's "dimacs" rounding multiplies by 10 and truncates: one decimal kept, as integers.
SCALE = 10

Routes = Sequence[Sequence[int]]
Clock = Literal["wall", "process"]
Method = Literal["best_of_two", "plain"]


@dataclass(frozen=True)
class SolomonResult:
    """One solved instance, with its distance against the best known on the same matrix.

    ``distance`` and ``best_known`` are total distances in the instance's units (one decimal);
    ``gap_percent`` is ``100 * (distance - best_known) / best_known``, negative when the best
    known is beaten. ``routes`` lists each vehicle's clients in visiting order, by their
    VRPLIB numbers (the depot is 0 and never listed). ``seconds_given`` is the run-time
    limit (0: none), ``iterations_given`` the PyVRP iterations each search had (0: no
    such budget) and ``seconds_used`` the wall time the solve took. ``feasible`` is the verdict of
    :func:`check_routes`; ``problems`` holds what it found when not feasible.
    ``searches`` lists each search run as (label, distance, feasible) and ``chosen`` names
    the one reported: the shortest feasible of them.
    """

    name: str
    distance: float
    best_known: float
    gap_percent: float
    routes: tuple[tuple[int, ...], ...]
    seconds_given: float
    seconds_used: float
    feasible: bool
    problems: tuple[str, ...] = ()
    searches: tuple[tuple[str, float, bool], ...] = ()
    chosen: str = ""
    iterations_given: int = 0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must not be empty")
        if self.distance < 0 or self.best_known <= 0:
            raise ValueError("distance must be >= 0 and best_known > 0")
        if self.seconds_given < 0 or self.iterations_given < 0 or self.seconds_used < 0:
            raise ValueError("seconds and iterations must not be negative")
        if self.seconds_given == 0 and self.iterations_given == 0:
            raise ValueError("a result needs a time limit or an iteration budget")
        if self.feasible == bool(self.problems):
            raise ValueError("a result is feasible exactly when no problems were found")
        expected_gap = 100 * (self.distance - self.best_known) / self.best_known
        if abs(expected_gap - self.gap_percent) > 1e-6:
            raise ValueError(f"gap_percent {self.gap_percent} disagrees with the distances")
        if self.searches:
            feasible = [d for _, d, ok in self.searches if ok] or [d for _, d, _ in self.searches]
            if self.distance != min(feasible) or self.chosen not in {s[0] for s in self.searches}:
                raise ValueError("the reported distance is not the shortest feasible search's")


def read_solomon(path: str | Path) -> ProblemData:
    """Read a Solomon instance in VRPLIB format on the DIMACS matrix (tenths, truncated).

    Raises ValueError unless the instance, as PyVRP builds it, prices distance and nothing
    else: one vehicle type, no fixed or duration cost, one unit of cost per unit of
    distance, every client required. Then PyVRP's objective is the benchmark's objective.
    """
    data = pyvrp.read(path, round_func="dimacs")
    if data.num_vehicle_types != 1 or data.num_depots != 1:
        raise ValueError(f"{path}: expected one depot and one vehicle type (a Solomon instance)")
    vehicle = data.vehicle_type(0)
    if (vehicle.fixed_cost, vehicle.unit_distance_cost, vehicle.unit_duration_cost) != (0, 1, 0):
        raise ValueError(f"{path}: PyVRP's objective would not be total distance alone")
    if not all(client.required for client in data.clients()):
        raise ValueError(f"{path}: every client of a Solomon instance must be required")
    return data


def route_distance_tenths(data: ProblemData, routes: Routes) -> int:
    """Total distance of ``routes`` (VRPLIB client numbers) in tenths, depot to depot."""
    matrix = data.distance_matrix(0)
    depot = data.depot(0).location
    total = 0
    for route in routes:
        if not route:
            continue
        stops = [depot, *route, depot]
        total += sum(int(matrix[a, b]) for a, b in pairwise(stops))
    return total


def check_routes(data: ProblemData, routes: Routes) -> list[str]:
    """The ways ``routes`` break the instance's rules; an empty list means feasible.

    ``routes`` lists each vehicle's clients by VRPLIB number (depot 0 excluded). Checked,
    from the instance data only: every client served exactly once, no more routes than
    vehicles, each route's delivered load within capacity, and the schedule. A vehicle
    leaves the depot when it opens, travels (by the duration matrix, which for Solomon is
    the distance), waits if early, must start service no later than the window's close,
    serves for the service time, and must be back before the depot closes. Times in
    messages are in the instance's units.
    """
    if data.num_vehicle_types != 1:
        raise ValueError("check_routes handles one vehicle type (Solomon's homogeneous fleet)")
    vehicle = data.vehicle_type(0)
    by_number = {client.location: client for client in data.clients()}
    problems: list[str] = []

    used = [route for route in routes if route]
    if len(used) > vehicle.num_available:
        problems.append(f"{len(used)} routes but only {vehicle.num_available} vehicles")

    served = Counter(number for route in routes for number in route)
    for number, times in sorted(served.items()):
        if number not in by_number:
            problems.append(f"{number} is not a client of this instance")
        elif times > 1:
            problems.append(f"client {number} is served {times} times")
    missing = sorted(set(by_number) - set(served))
    if missing:
        problems.append(f"clients never served: {missing}")

    for index, route in enumerate(used, start=1):
        known = [number for number in route if number in by_number]
        problems.extend(_load_problems(data, index, known))
        problems.extend(_schedule_problems(data, index, known))
    return problems


def _load_problems(data: ProblemData, index: int, route: Sequence[int]) -> list[str]:
    capacity = np.asarray(data.vehicle_type(0).capacity, dtype=np.int64)
    by_number = {client.location: client for client in data.clients()}
    problems = []
    # Solomon clients only receive goods, but pickups are summed too so a pickup-only
    # instance is not passed by mistake.
    for kind in ("delivery", "pickup"):
        load = sum(
            (np.asarray(getattr(by_number[n], kind), dtype=np.int64) for n in route),
            np.zeros_like(capacity),
        )
        if (load > capacity).any():
            problems.append(
                f"route {index}: {kind} load {load.tolist()} over capacity {capacity.tolist()}"
            )
    return problems


def _schedule_problems(data: ProblemData, index: int, route: Sequence[int]) -> list[str]:
    vehicle = data.vehicle_type(0)
    durations = data.duration_matrix(0)
    by_number = {client.location: client for client in data.clients()}
    problems = []
    here = data.depot(vehicle.start_depot).location
    now = int(vehicle.tw_early)
    for number in route:
        client = by_number[number]
        now += int(durations[here, number])
        if now > client.tw_late:
            problems.append(
                f"route {index}: client {number} reached at {now / SCALE:g}, "
                f"after its window closes at {client.tw_late / SCALE:g}"
            )
        now = max(now, int(client.tw_early)) + int(client.service_duration)
        here = number
    end_depot = data.depot(vehicle.end_depot)
    now += int(durations[here, end_depot.location])
    # pyvrp.read puts the depot's hours on the vehicle; a depot's own close counts too.
    closes = min(int(vehicle.tw_late), int(end_depot.tw_late))
    if now > closes:
        problems.append(
            f"route {index}: back at the depot at {now / SCALE:g}, "
            f"after it closes at {closes / SCALE:g}"
        )
    return problems


def best_known(path_sol: str | Path, data: ProblemData) -> float:
    """The best-known total distance, recomputed from the ``.sol`` file's routes.

    Distance in the instance's units, on the same truncated matrix as ``data``. Raises
    ValueError when our own check finds the routes infeasible (too many vehicles for the
    fleet PyVRP builds included), so a bad reference is never trusted.
    """
    routes = vrplib.read_solution(str(path_sol))["routes"]
    problems = check_routes(data, routes)
    if problems:
        raise ValueError(f"{path_sol}: the best-known routes are not feasible: {problems}")
    return route_distance_tenths(data, routes) / SCALE


@dataclass(frozen=True)
class RoutePressure:
    """Search first with a price on each route used, then on distance alone from there.

    For ``share`` of the time (or of the iterations) every route costs ``cost_per_route``
    (instance's distance units) on top of its distance, which pushes the search towards
    fewer, fuller routes; the rest of the time starts from that best and minimises distance
    alone, so the answer is still judged by the benchmark's objective. On RC101 the plain
    search tends to stall at 16 routes while the best known uses 15; on some wide-window
    instances (R211, RC206) the pressure costs distance, which is why it runs beside a plain
    search, not instead.
    """

    cost_per_route: float = 20.0
    share: float = 0.5

    def __post_init__(self) -> None:
        if self.cost_per_route <= 0:
            raise ValueError("cost_per_route must be positive")
        if not 0 < self.share < 1:
            raise ValueError("share must be strictly between 0 and 1")


class MaxProcessTime:
    """PyVRP stopping criterion on the processor time of this process, in seconds.

    Unlike ``MaxRuntime`` (wall clock) it gives the search the same work on a busy machine
    as on an idle one; on an idle machine the two agree for PyVRP's single thread.
    """

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._seconds = seconds
        self._started: float | None = None

    def __call__(self, best_cost: float) -> bool:
        if self._started is None:
            self._started = time.process_time()
        return time.process_time() - self._started > self._seconds


def _stop(seconds: float | None, iterations: int | None, clock: Clock) -> StoppingCriterion:
    """PyVRP's stopping rule: the time limit on ``clock``, the iteration budget, or both
    (whichever comes first)."""
    criteria: list[StoppingCriterion] = []
    if iterations is not None:
        criteria.append(MaxIterations(max(iterations, 0)))
    if seconds is not None:
        limit = max(seconds, 0.0)
        criteria.append(MaxRuntime(limit) if clock == "wall" else MaxProcessTime(limit))
    if not criteria:
        raise ValueError("a search needs a time limit or an iteration budget")
    return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)


def _split(total: float | None, share: float) -> tuple[float | None, float | None]:
    """``total`` (seconds) split into ``share`` and the rest; None stays None."""
    return (None, None) if total is None else (share * total, total - share * total)


def _search(
    data: ProblemData,
    *,
    seconds: float | None,
    iterations: int | None,
    seed: int,
    params: SolveParams,
    pressure: RoutePressure | None,
    clock: Clock,
) -> Solution:
    initial = None
    remaining, remaining_iterations = seconds, iterations
    if pressure is not None:
        first, remaining = _split(seconds, pressure.share)
        first_iterations = None
        if iterations is not None:
            first_iterations = round(pressure.share * iterations)
            remaining_iterations = iterations - first_iterations
        vehicle = data.vehicle_type(0)
        priced = data.replace(
            vehicle_types=[vehicle.replace(fixed_cost=round(pressure.cost_per_route * SCALE))]
        )
        found = pyvrp.solve(
            priced,
            stop=_stop(first, first_iterations, clock),
            seed=seed,
            collect_stats=False,
            params=params,
        ).best
        # The same clients on the same vehicles, rebuilt on the unpriced instance.
        initial = Solution(
            data,
            [
                Route(data, [Activity(ActivityType.CLIENT, a.idx) for a in r if a.is_client()], 0)
                for r in found.routes()
            ],
        )
    return pyvrp.solve(
        data,
        stop=_stop(remaining, remaining_iterations, clock),
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
        initial_solution=initial,
    ).best


@dataclass(frozen=True)
class Candidate:
    """One search's answer: ``label`` ("plain" or "pressure"), its routes (VRPLIB client
    numbers), their total distance in tenths on the truncated matrix, and our own check."""

    label: str
    routes: tuple[tuple[int, ...], ...]
    distance_tenths: int
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """True when :func:`check_routes` found nothing wrong."""
        return not self.problems


def _candidate(
    path: str,
    label: str,
    seconds: float | None,
    iterations: int | None,
    deadline: float | None,
    seed: int,
    params: SolveParams | None,
    pressure: RoutePressure | None,
    clock: Clock,
) -> Candidate:
    """Run one search on the instance at ``path``; top level so a child process can run it.

    With ``deadline`` (a ``time.time()`` instant) the search gets what is left until then,
    so the time a child spends starting up counts against the caller's limit.
    """
    data = read_solomon(path)
    if deadline is not None and seconds is not None:
        seconds = min(seconds, deadline - time.time())
    best = _search(
        data,
        seconds=seconds,
        iterations=iterations,
        seed=seed,
        params=params if params is not None else SolveParams(),
        pressure=pressure,
        clock=clock,
    )
    routes = tuple(
        tuple(data.client(activity.idx).location for activity in route if activity.is_client())
        for route in best.routes()
    )
    distance = route_distance_tenths(data, routes)
    if distance != best.distance():
        raise RuntimeError(f"{label}: our distance {distance} != PyVRP's {best.distance()}")
    return Candidate(label, routes, distance, tuple(check_routes(data, routes)))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _best_of_two(
    path: Path,
    *,
    seconds: float | None,
    iterations: int | None,
    seed: int,
    params: SolveParams | None,
    pressure: RoutePressure,
    clock: Clock,
    started: float,
) -> list[Candidate]:
    """The plain and the route-pressure searches: at once on two cores, else in turn.

    In parallel each child has the whole time limit (wall clock: until ``started +
    seconds``); in turn each has half. Each search has the whole iteration budget either
    way, so on a budget alone the answer does not depend on the cores. PyVRP's
    ``SolveParams`` cannot be pickled, so explicit ``params`` also mean running in turn, in
    this process.
    """
    searches: list[tuple[str, RoutePressure | None]] = [("plain", None), ("pressure", pressure)]
    wall = clock == "wall"
    if _cores() >= 2 and params is None:
        deadline = started + seconds if wall and seconds is not None else None
        # "spawn": a fresh interpreter, so nothing of the caller's state (threads, open
        # handles) is forked; the children import this module again.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            futures = [
                pool.submit(
                    _candidate,
                    str(path),
                    label,
                    seconds,
                    iterations,
                    deadline,
                    seed,
                    None,
                    how,
                    clock,
                )
                for label, how in searches
            ]
            return [future.result() for future in futures]
    half = seconds / 2 if seconds is not None else None
    candidates = []
    for number, (label, how) in enumerate(searches, start=1):
        deadline = started + half * number if wall and half is not None else None
        candidates.append(
            _candidate(str(path), label, half, iterations, deadline, seed, params, how, clock)
        )
    return candidates


def _choose(candidates: Sequence[Candidate]) -> Candidate:
    """The shortest feasible candidate, the first listed on a tie; if none is feasible,
    the shortest (its problems are then reported)."""
    feasible = [c for c in candidates if c.feasible]
    return min(feasible or candidates, key=lambda c: c.distance_tenths)


def solve_solomon(
    path: str | Path,
    *,
    seconds: float | None = None,
    iterations: int | None = None,
    seed: int = 1,
    params: SolveParams | None = None,
    method: Method = "best_of_two",
    pressure: RoutePressure | None = None,
    clock: Clock = "wall",
) -> SolomonResult:
    """Solve one instance with PyVRP within ``seconds`` or ``iterations`` and score it.

    ``iterations`` is each search's budget of PyVRP iterations (a route-pressure search
    spends ``pressure.share`` of it priced); given without ``seconds`` nothing reads the
    clock but to report ``seconds_used``, and the answer is the same on any machine. With
    both, each search stops at whichever comes first.

    ``method`` "best_of_two" (default) runs a plain PyVRP search and a
    :class:`RoutePressure` search (``pressure``, default ``RoutePressure()``) and keeps the
    shorter feasible answer by our own check and distance: in two processes at once, each
    with the whole limit, when two cores are available; otherwise one after the other with
    half each. "plain" runs one PyVRP search (with ``pressure`` given, that one search is
    the route-pressure one). Each search uses ``seed``. ``clock`` "wall" stops on elapsed
    time (the limit covers starting the processes), "process" on processor time, per search.

    The best known comes from the ``.sol`` file beside ``path``. Distances are recomputed
    from the routes on the truncated matrix (tenths), not taken from the solver.
    """
    if seconds is None and iterations is None:
        raise ValueError("give seconds or iterations")
    if seconds is not None and seconds <= 0:
        raise ValueError("seconds must be positive")
    if iterations is not None and iterations < 1:
        raise ValueError("iterations must be at least 1")
    if method not in ("best_of_two", "plain"):
        raise ValueError(f"unknown method {method!r}")
    path = Path(path)
    data = read_solomon(path)
    reference = best_known(path.with_suffix(".sol"), data)
    # Elapsed time is measured, not a date read: it is what the limit was spent on, and it
    # includes PyVRP's initial construction, which its stopping criteria do not count.
    started_wall = time.time()
    started = time.perf_counter()
    if method == "plain":
        label = "plain" if pressure is None else "pressure"
        candidates = [
            _candidate(str(path), label, seconds, iterations, None, seed, params, pressure, clock)
        ]
    else:
        candidates = _best_of_two(
            path,
            seconds=seconds,
            iterations=iterations,
            seed=seed,
            params=params,
            pressure=pressure if pressure is not None else RoutePressure(),
            clock=clock,
            started=started_wall,
        )
    used = time.perf_counter() - started
    chosen = _choose(candidates)
    reference_tenths = round(reference * SCALE)
    return SolomonResult(
        name=path.stem,
        distance=chosen.distance_tenths / SCALE,
        best_known=reference,
        gap_percent=100 * (chosen.distance_tenths - reference_tenths) / reference_tenths,
        routes=chosen.routes,
        seconds_given=seconds if seconds is not None else 0.0,
        seconds_used=used,
        feasible=chosen.feasible,
        problems=chosen.problems,
        searches=tuple((c.label, c.distance_tenths / SCALE, c.feasible) for c in candidates),
        chosen=chosen.label,
        iterations_given=iterations if iterations is not None else 0,
    )
