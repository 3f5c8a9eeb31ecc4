"""Carers' rounds with Google OR-Tools' routing library: the comparison for the PyVRP solver.

The model is the one OR-Tools' documentation teaches, built as well as its API allows:

- a node per visit plus a start and an end node per carer (carers may start and finish at
  different places), one vehicle per carer;
- arc costs of ``distance weight x distance + travel weight x travel time`` (and, when the
  weight is set, a charge for a visit done by a carer the person does not know);
- a time dimension whose transit is the visit's duration plus the travel, with slack for
  waiting; a visit's cumul (its start) is at least ``earliest_start``, and starting after
  ``latest_start`` costs the lateness weight per unit (a soft upper bound); each carer's
  round starts within the shift, and ending after the shift costs the overtime weight;
- skills by taking the carers who lack them out of the visit's vehicle variable;
- each pair as constraints on the solver: when both visits are done, two different
  vehicles, and the second starting ``min_gap``..``max_gap`` after the first.

Every visit is optional at a penalty far above any round's cost, so the first-solution
heuristics always return something and the local search works dropped visits back in; a
visit still dropped at the end is reported by :func:`evaluate` as in no round.

The search: guided local search from a first solution; it stalls within seconds on
synchronised problems, so the time is shared between several first-solution strategies and
the best rounds kept (a small portfolio, measured better than one long run). Each strategy's
search stops after a time limit, or after ``branches`` branches of OR-Tools' constraint
solver (a cumulative search limit, so the nested searches of every local search move count)
with no clock at all: a budget of work, so the same problem, seed and budget give the same
rounds on any machine. (OR-Tools' ``solution_limit`` alone cannot be that budget: guided
local search on a small day can run for ever without finding another solution.)

What OR-Tools cannot say: the maximum lateness (the Mankowska objective charges it) is not a
sum over visits, so it is left out of OR-Tools' objective; the rounds are still judged by
:func:`evaluate`, which charges it. Pair constraints tie routes together, which OR-Tools'
local search filters do not see: moves are checked by constraint propagation after the
fact, which is why it searches synchronised problems slowly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# OR-Tools ships .pyi stubs but no py.typed marker, so mypy treats it as untyped.
from ortools.constraint_solver import (  # type: ignore[import-untyped]
    pywrapcp,
    routing_enums_pb2,
)

from carecore.errors import InputError
from carecore.rostering.model import IntMatrix, RosterProblem
from carecore.rostering.schedule import Evaluation, Round, SolveResult, evaluate

SOLVER_NAME = "or-tools"
# Tried in turn, each for an equal share of the time; the best rounds win. The first one
# inserts visits at their full cost (lateness included) and does best on its own.
DEFAULT_STRATEGIES = (
    "LOCAL_CHEAPEST_COST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
)
# The smallest positive weight becomes this many integer cost units, so rounding the
# weights to whole numbers keeps their ratios to three figures.
_COST_RESOLUTION = 1000
# No integer cost coefficient above this, so that costs stay far inside int64.
_MAX_COEFFICIENT = 10**6
# Search limits that never bind (milliseconds, failures, solutions), and an LNS time limit
# (seconds) longer than any large-neighbourhood move takes, for searches on a budget.
_UNLIMITED = 2**62
_NO_LNS_TIME_LIMIT = 10**6


@dataclass(frozen=True)
class _Coefficients:
    """The objective's weights as whole cost units per problem unit (same scale for all)."""

    distance: int
    travel_time: int
    lateness: int
    overtime: int
    unfamiliar: int


def solve_with_ortools(
    problem: RosterProblem,
    *,
    seconds: float | None = None,
    branches: int | None = None,
    seed: int = 1,
    strategies: Sequence[str] = DEFAULT_STRATEGIES,
) -> SolveResult:
    """Plan the rounds with OR-Tools in about ``seconds`` of wall time, or on a budget.

    Each of ``strategies`` (names of OR-Tools' first-solution strategies) builds rounds that
    guided local search then improves, for an equal share of the time, or each for
    ``branches`` branches of the constraint solver (a budget of work: with no ``seconds``
    nothing stops on the clock and the answer is the same on any machine; the budget also
    lets OR-Tools' large-neighbourhood moves run to their end rather than to their own
    0.1 s limit); with both, whichever comes first.
    The best rounds by :func:`evaluate` are returned. ``seed`` reseeds OR-Tools' constraint
    solver; its routing search is nearly deterministic, so runs on a time limit differ more
    by the time than by the seed. When OR-Tools finds no solution at all, every carer gets
    an empty round and the evaluation lists the visits left out.
    """
    if seconds is None and branches is None:
        raise InputError("give a time limit or a number of branches", key="seconds")
    if seconds is not None and seconds <= 0:
        raise InputError("the time limit must be positive", key="seconds")
    if branches is not None and branches < 1:
        raise InputError("the branch limit must be at least 1", key="branches")
    known = routing_enums_pb2.FirstSolutionStrategy.Value.keys()
    if not strategies or any(name not in known for name in strategies):
        raise InputError(f"unknown first-solution strategies {strategies!r}", key="strategies")
    began = time.perf_counter()
    empty = tuple(Round(carer, ()) for carer in range(len(problem.carers)))
    best_rounds, best = empty, evaluate(problem, empty)
    # OR-Tools needs at least one vehicle and something to route.
    runs = strategies if problem.visits and problem.carers else ()
    for turn, strategy in enumerate(runs):
        share = None
        if seconds is not None:
            left = seconds - (time.perf_counter() - began)
            share = left / (len(strategies) - turn)
            if share <= 0:
                break
        orders = _solve(problem, share, branches, seed, strategy)
        if orders is None:
            continue
        rounds = tuple(Round(carer, tuple(order)) for carer, order in enumerate(orders))
        evaluation = evaluate(problem, rounds)
        if _rank(evaluation) < _rank(best):
            best_rounds, best = rounds, evaluation
    return SolveResult(
        problem_name=problem.name,
        solver=SOLVER_NAME,
        rounds=best_rounds,
        evaluation=best,
        seconds_given=seconds if seconds is not None else 0.0,
        seconds_used=time.perf_counter() - began,
        seed=seed,
    )


def _rank(evaluation: Evaluation) -> tuple[int, float]:
    """Fewer broken rules first (an empty result breaks one per visit), then the cost."""
    return len(evaluation.problems), evaluation.objective


def _solve(
    problem: RosterProblem,
    seconds: float | None,
    branches: int | None,
    seed: int,
    first_solution: str,
) -> list[list[int]] | None:
    """Each carer's visits in order, or None when OR-Tools returns no solution. Stops at
    ``seconds`` of wall time or ``branches`` of the solver's branches (None: no such limit;
    OR-Tools' default has no time limit)."""
    visits, carers = len(problem.visits), len(problem.carers)
    # Nodes 0..visits-1 are the visits; then each carer's start node and end node.
    starts = [visits + 2 * k for k in range(carers)]
    ends = [visits + 2 * k + 1 for k in range(carers)]
    manager = pywrapcp.RoutingIndexManager(visits + 2 * carers, carers, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.solver().ReSeed(seed)
    coefficients = _coefficients(problem)
    _add_arc_costs(problem, routing, coefficients)
    horizon = _horizon(problem)
    time_dimension = _add_time_dimension(problem, routing, coefficients, horizon)
    _add_visit_rules(problem, routing, manager, coefficients, horizon)
    _add_pairs(problem, routing, manager, time_dimension)

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    if seconds is not None:
        parameters.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if branches is not None:
        # Large-neighbourhood moves end on their own, not at their 0.1 s default.
        parameters.lns_time_limit.FromSeconds(_NO_LNS_TIME_LIMIT)
        # Cumulative: every nested search of the local search counts against the budget.
        work = routing.solver().Limit(_UNLIMITED, branches, _UNLIMITED, _UNLIMITED, False, True)
        routing.AddSearchMonitor(work)
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return None
    orders: list[list[int]] = []
    for vehicle in range(carers):
        order: list[int] = []
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        while not routing.IsEnd(index):
            order.append(int(manager.IndexToNode(index)))
            index = solution.Value(routing.NextVar(index))
        orders.append(order)
    return orders


def _coefficients(problem: RosterProblem) -> _Coefficients:
    """Scale every weight by one factor into whole numbers, so their ratios hold."""
    weights = problem.weights
    # evaluate() charges an unfamiliar carer per visit, in reported units (times scale).
    raw = {
        "distance": weights.distance,
        "travel_time": weights.travel_time,
        "lateness": weights.total_lateness,
        "overtime": weights.overtime,
        "unfamiliar": weights.unfamiliar_carer * problem.scale,
    }
    positive = [w for w in raw.values() if w > 0]
    if not positive:
        return _Coefficients(0, 0, 0, 0, 0)
    factor = min(_COST_RESOLUTION / min(positive), _MAX_COEFFICIENT / max(positive))
    scaled = {name: round(w * factor) for name, w in raw.items()}
    # A weight too small to survive the cap still counts for something.
    scaled = {name: max(1, c) if raw[name] > 0 else 0 for name, c in scaled.items()}
    return _Coefficients(**scaled)


def _node_locations(problem: RosterProblem) -> list[int]:
    locations = [v.location for v in problem.visits]
    for carer in problem.carers:
        locations += [carer.start_location, carer.end_location]
    return locations


def _node_matrix(problem: RosterProblem, matrix: IntMatrix) -> IntMatrix:
    """The matrix between nodes; a carer's own start-to-end arc is free (an unused carer)."""
    locations = np.asarray(_node_locations(problem), dtype=np.int64)
    nodes = np.asarray(matrix[np.ix_(locations, locations)], dtype=np.int64)
    visits = len(problem.visits)
    for k in range(len(problem.carers)):
        nodes[visits + 2 * k, visits + 2 * k + 1] = 0
    return nodes


def _add_arc_costs(
    problem: RosterProblem, routing: pywrapcp.RoutingModel, coefficients: _Coefficients
) -> None:
    cost = coefficients.distance * _node_matrix(
        problem, problem.distance
    ) + coefficients.travel_time * _node_matrix(problem, problem.travel_time)
    preferring = [i for i, v in enumerate(problem.visits) if v.preferred_carers]
    if not preferring or coefficients.unfamiliar == 0:
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost.tolist()))
        return
    # Continuity of carer depends on who arrives, so each carer gets its own cost matrix:
    # arriving at a visit whose person does not know this carer costs the unfamiliar weight.
    for vehicle, carer in enumerate(problem.carers):
        own = cost.copy()
        for index in preferring:
            if carer.name not in problem.visits[index].preferred_carers:
                own[:, index] += coefficients.unfamiliar
        routing.SetArcCostEvaluatorOfVehicle(routing.RegisterTransitMatrix(own.tolist()), vehicle)


def _horizon(problem: RosterProblem) -> int:
    """A time no earliest-start timing of any rounds can reach: the dimension's capacity."""
    latest = max(
        [c.shift_end for c in problem.carers] + [v.latest_start for v in problem.visits] + [0]
    )
    work = sum(v.duration for v in problem.visits)
    travel = int(problem.travel_time.max(initial=0)) * (len(problem.visits) + 1)
    gaps = sum(p.max_gap for p in problem.pairs)
    return latest + work + travel + gaps + 1


def _add_time_dimension(
    problem: RosterProblem,
    routing: pywrapcp.RoutingModel,
    coefficients: _Coefficients,
    horizon: int,
) -> pywrapcp.RoutingDimension:
    visits = len(problem.visits)
    transit = _node_matrix(problem, problem.travel_time)
    durations = np.zeros(transit.shape[0], dtype=np.int64)
    durations[:visits] = [v.duration for v in problem.visits]
    # Leaving a node takes its service time, then the travel to the next.
    transit += durations[:, np.newaxis]
    callback = routing.RegisterTransitMatrix(transit.tolist())
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dimension = routing.GetDimensionOrDie("time")
    for vehicle, carer in enumerate(problem.carers):
        dimension.CumulVar(routing.Start(vehicle)).SetRange(carer.shift_start, carer.shift_end)
        end = routing.End(vehicle)
        dimension.CumulVar(end).SetRange(carer.shift_start, horizon)
        if coefficients.overtime:
            dimension.SetCumulVarSoftUpperBound(end, carer.shift_end, coefficients.overtime)
        # Ask the finalizer for the earliest times, as evaluate() times the rounds.
        routing.AddVariableMinimizedByFinalizer(dimension.CumulVar(end))
    return dimension


def _add_visit_rules(
    problem: RosterProblem,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    coefficients: _Coefficients,
    horizon: int,
) -> None:
    dimension = routing.GetDimensionOrDie("time")
    penalty = _drop_penalty(problem, coefficients, horizon)
    for node, visit in enumerate(problem.visits):
        index = manager.NodeToIndex(node)
        dimension.CumulVar(index).SetRange(visit.earliest_start, horizon)
        if coefficients.lateness:
            dimension.SetCumulVarSoftUpperBound(index, visit.latest_start, coefficients.lateness)
        routing.AddVariableMinimizedByFinalizer(dimension.CumulVar(index))
        # SetAllowedVehiclesForIndex would tell the search filters too, but its Python
        # binding rejects every list in ortools 9.15 (it wants an absl::Span).
        unable = [k for k, carer in enumerate(problem.carers) if not carer.can_do(visit)]
        if unable:
            routing.VehicleVar(index).RemoveValues(unable)
        routing.AddDisjunction([index], penalty)


def _drop_penalty(problem: RosterProblem, coefficients: _Coefficients, horizon: int) -> int:
    """A cost for leaving a visit out above any round's cost, yet far inside int64."""
    arc = max(coefficients.distance, 1) * int(problem.distance.max(initial=0)) + max(
        coefficients.travel_time, 1
    ) * int(problem.travel_time.max(initial=0))
    late = coefficients.lateness * horizon + coefficients.overtime * horizon
    bound = 2 * arc + late + coefficients.unfamiliar + 1
    ceiling = 2**60 // (len(problem.visits) + 1)
    return min(10 * bound, ceiling)


def _add_pairs(
    problem: RosterProblem,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    dimension: pywrapcp.RoutingDimension,
) -> None:
    solver = routing.solver()
    for pair in problem.pairs:
        first = manager.NodeToIndex(pair.first)
        second = manager.NodeToIndex(pair.second)
        # Two different carers when both are done (a dropped visit's vehicle is -1). Tying
        # the two visits' ActiveVars together would forbid inserting one at a time, which
        # every insertion heuristic and operator does, and leave pairs dropped for good.
        different = solver.IsDifferentVar(routing.VehicleVar(first), routing.VehicleVar(second))
        solver.Add(different >= routing.ActiveVar(first) + routing.ActiveVar(second) - 1)
        # Posted on the solver rather than as dimension.AddNodePrecedence: precedences switch
        # on OR-Tools' global cumul LP in the search filters, which on the Mankowska
        # instances searched markedly worse in the same time.
        gap = dimension.CumulVar(second) - dimension.CumulVar(first)
        solver.Add(gap >= pair.min_gap)
        solver.Add(gap <= pair.max_gap)
