"""Carers' daily rounds: PyVRP for the routing, the exact evaluation for everything else.

PyVRP cannot express lateness (its windows are hard) or pairs of visits that need two
carers in step, so the search alternates two engines, always keeping the best rounds by
the exact objective of :func:`carecore.rostering.schedule.evaluate`:

1. start from the caller's rounds (re-planning), rounds built greedily by the exact
   objective, and PyVRP's rounds with every pair pinned at the times the greedy rounds
   give and single visits no later than there (warm-started from them);
2. then, in turns: late acceptance local search on the exact objective (relocations,
   swaps, reversals, a pair's visits moved together, random kicks when it stalls), and
   PyVRP re-solving with pairs pinned where the best rounds time them (some pins shifted
   at random) and each single visit allowed no more lateness than it has now, warm-started
   from the best rounds, so that PyVRP cuts travel without making anyone later.

Large problems (hundreds of visits, when exact best insertion would take over a tenth of
the time, see :func:`needs_quick_start`) start instead from :func:`quick_rounds` (each
visit, in window order, appended where it costs least: milliseconds, exact timing) and
give PyVRP 80% of the clock in a few longer turns with a short late-acceptance history;
there the exact local search costs too much per move to do more than polish. Every stage
watches the clock (construction is bounded, PyVRP gets only what is left less a reserve
for the last stage, repairs stop at the deadline), so the answer comes within about
``seconds``: 448 visits and 96 carers in 0.47 s of 0.5 and 3.4 s of 4.5, where the exact
greedy construction alone took 117 s.

Rounds from PyVRP that put a pair on one carer are repaired (the second visit moves to
its best place with another carer) before they count. The answer is never worse than
feasible ``initial`` rounds, and its ``problems`` are empty whenever any feasible rounds
were found (the greedy rounds always can be timed).

Determinism: both engines run on a :class:`SearchBudget` of work (exact evaluations,
PyVRP iterations), PyVRP-style: a checked frozen dataclass. Given a budget and no
``seconds``, nothing reads the clock and the same problem, seed, budget and ``initial``
give the same rounds on any machine (what the tests use). Given ``seconds`` alone, the
budget is derived from them and the problem's size (:meth:`SearchBudget.for_seconds`) and
the clock is a guard that stops the search early on a slow or busy machine;
``seconds_used`` says what it took. Speed is measured by ``benchmarks/``, never asserted.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from carecore.errors import InputError
from carecore.rostering.improve import (
    INFEASIBLE,
    Routes,
    Scorer,
    SearchState,
    carer_of,
    greedy_rounds,
    late_acceptance,
)
from carecore.rostering.model import RosterProblem
from carecore.rostering.pyvrp_model import build_model, solve_model
from carecore.rostering.schedule import Round, SolveResult, evaluate

# Work per second per (visit + carer), about what one unloaded core of the development
# machine does in 3/4 of a second (exact evaluations in the local search) and 1/4 of a
# second (PyVRP iterations), so that on an idle machine the budget, not the clock, ends
# the search (on a busy one the clock does, and the answer depends on its speed).
_EVALUATIONS_PER_SECOND_PER_ITEM = 340_000
_PYVRP_ITERATIONS_PER_SECOND_PER_ITEM = 6_000
# Share of the clock PyVRP may take (its guard), and how many turns the search takes.
_PYVRP_SHARE = 0.25
_TURNS = 8
# Large problems (hundreds of visits): when the exact greedy construction would take more
# than this share of the clock (estimated at the rate below, evaluations per second per
# item: 0.37 ms an evaluation for 448 visits and 96 carers on a busy core, halved), the
# search starts from quick_rounds instead and gives PyVRP most of the clock, in fewer and
# longer turns with a short late-acceptance history (PyVRP's default of 300 iterations is
# more than it runs in a turn, so it would wander instead of descending). PyVRP does about
# 190 iterations a second on 448 visits and 96 carers (a busy core; more on an idle one).
_GREEDY_SHARE = 0.1
_EVALUATION_RATE = 700_000
_LARGE_PYVRP_SHARE = 0.8
_LARGE_PYVRP_ITERATIONS_PER_SECOND_PER_ITEM = 130_000
_LARGE_TURNS = 4
_LARGE_HISTORY = 10

Progress = Callable[[float, float], None]


def needs_quick_start(problem: RosterProblem, seconds: float) -> bool:
    """True when building rounds by exact best insertion would take too much of ``seconds``:
    about one evaluation per visit, carer and place, each costing time in proportion to the
    problem's size."""
    n, k = len(problem.visits), len(problem.carers)
    evaluations = n * (k + n / 2)
    return evaluations * (n + k) / _EVALUATION_RATE > _GREEDY_SHARE * seconds


@dataclass(frozen=True)
class SearchBudget:
    """The work a search may do, counted rather than timed (checked when made).

    ``evaluations``: exact evaluations for the late-acceptance search, in all (a pruned
    evaluation counts a third); ``pyvrp_iterations``: PyVRP iterations, in all, shared over
    its turns; ``quick_start``: start from :func:`quick_rounds` rather than the exact greedy
    rounds and give PyVRP most of the work in fewer, longer turns (for problems of hundreds
    of visits, see :func:`needs_quick_start`).
    """

    evaluations: int
    pyvrp_iterations: int
    quick_start: bool = False

    def __post_init__(self) -> None:
        if self.evaluations < 1:
            raise InputError("the search needs at least one evaluation", key="evaluations")
        if self.pyvrp_iterations < 1:
            raise InputError(
                "the search needs at least one PyVRP iteration", key="pyvrp_iterations"
            )

    @classmethod
    def for_seconds(cls, problem: RosterProblem, seconds: float) -> SearchBudget:
        """About the work an unloaded core of the development machine does in ``seconds`` on
        ``problem`` (from its size only, so the same seconds always give the same budget)."""
        if seconds <= 0:
            raise InputError("the search needs a positive number of seconds", key="seconds")
        size = max(1, len(problem.visits) + len(problem.carers))
        quick = needs_quick_start(problem, seconds)
        if quick:
            local_rate = _EVALUATIONS_PER_SECOND_PER_ITEM / 0.75 * (1 - _LARGE_PYVRP_SHARE)
            pyvrp_rate = _LARGE_PYVRP_ITERATIONS_PER_SECOND_PER_ITEM * _LARGE_PYVRP_SHARE
        else:
            local_rate, pyvrp_rate = (
                _EVALUATIONS_PER_SECOND_PER_ITEM,
                _PYVRP_ITERATIONS_PER_SECOND_PER_ITEM,
            )
        return cls(
            evaluations=max(200, int(seconds * local_rate / size)),
            pyvrp_iterations=max(50, int(seconds * pyvrp_rate / size)),
            quick_start=quick,
        )


def solve_rounds(
    problem: RosterProblem,
    *,
    seconds: float | None = None,
    budget: SearchBudget | None = None,
    seed: int = 1,
    initial: Sequence[Round] | None = None,
    progress: Progress | None = None,
) -> SolveResult:
    """The best rounds found on a budget of work, or in about ``seconds`` of search.

    With ``budget`` and no ``seconds`` there is no clock: the answer depends only on the
    problem, seed, budget and ``initial``. With ``seconds`` alone the budget is
    :meth:`SearchBudget.for_seconds` and the clock also stops the search early on a slow or
    busy machine; every stage watches it, so the answer comes within about ``seconds``
    (plus a few hundredths of a second per hundred visits for the last stage to finish).
    With both, the budget is spent with ``seconds`` as the guard. ``initial`` rounds (the
    current plan) are evaluated first and the answer is never worse than them when they
    are feasible. ``progress`` is called with (seconds used so far, best objective so far)
    after each stage of the search.
    """
    if seconds is not None and seconds <= 0:
        raise InputError("the search needs a positive number of seconds", key="seconds")
    if budget is None:
        if seconds is None:
            raise InputError("the search needs a budget of work or seconds", key="budget")
        budget = SearchBudget.for_seconds(problem, seconds)
    return search(problem, budget, seed=seed, initial=initial, progress=progress, seconds=seconds)


def search(
    problem: RosterProblem,
    budget: SearchBudget,
    *,
    seed: int = 1,
    initial: Sequence[Round] | None = None,
    progress: Progress | None = None,
    seconds: float | None = None,
) -> SolveResult:
    """The search on a budget of work (see :class:`SearchBudget`). With ``seconds`` None
    there is no clock at all and the answer depends only on the problem, seed, budget and
    ``initial``; otherwise the clock is a guard that may stop it early."""
    evaluations, pyvrp_iterations = budget.evaluations, budget.pyvrp_iterations
    quick_start = budget.quick_start
    began = time.monotonic()
    deadline = began + seconds if seconds is not None else None
    scorer = Scorer(problem)
    rng = random.Random(seed)
    turns = _LARGE_TURNS if quick_start else _TURNS
    share = _LARGE_PYVRP_SHARE if quick_start else _PYVRP_SHARE
    history = _LARGE_HISTORY if quick_start else None
    local_budget = evaluations
    # Kick the local search after this many evaluations without a new best.
    stall = max(2000, min(300 * (len(problem.visits) + len(problem.carers)), local_budget // 8))
    per_turn_iterations = max(10, pyvrp_iterations // (turns + 1))
    # Time the last stage needs after PyVRP stops (model, repair, timing): kept in hand.
    reserve = 0.01 + 2e-4 * (len(problem.visits) + len(problem.carers))

    def pyvrp_seconds() -> float | None:
        """PyVRP's own guard: its share of the clock split over its turns, and never past
        the deadline less the reserve (0 when there is no time left for a turn; None when
        there is no clock, so only its iterations stop it). On a quick start, a turn takes
        what is left when that is less than two turns' share (the model costs time to
        build, so one longer turn beats two short ones)."""
        if seconds is None or deadline is None:
            return None
        turn = seconds * share / (turns + 1)
        left = deadline - time.monotonic() - reserve
        if left <= 0.02:
            return 0.0
        return left if quick_start and left < 2 * turn else min(turn, left)

    candidates: list[Routes] = []
    if initial is not None:
        # The caller's rounds are timed exactly, however slowly their pairs settle.
        scorer.exact()
        completed = complete_rounds(scorer, initial, deadline=deadline)
        if completed is not None:
            candidates.append(completed)
        scorer.exact(False)
    candidates.append(quick_rounds(scorer) if quick_start else greedy_rounds(scorer))
    scorer.exact()
    best, best_score = _pick(scorer, candidates)
    scorer.exact(False)
    if best is None:  # pragma: no cover - greedy rounds can always be timed
        raise InputError("no rounds could be timed for this problem")

    def report() -> None:
        if progress is not None:
            progress(time.monotonic() - began, best_score)

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    def pyvrp_turn(routes: Routes, *, shift: bool) -> Routes | None:
        guard = pyvrp_seconds()
        if guard is not None and guard <= 0:
            return None
        return _pyvrp_turn(
            scorer,
            routes,
            rng,
            per_turn_iterations,
            guard,
            shift=shift,
            history=history,
            deadline=deadline,
        )

    report()
    found = pyvrp_turn(best, shift=False)
    state = SearchState(best, best_score, best, best_score)
    if found is not None:
        value = scorer.score(found)
        if value < state.best_score:
            state = SearchState(found, value, found, value)
    best_score = state.best_score
    report()
    for turn in range(turns):
        if late():
            break
        state = late_acceptance(
            scorer,
            state,
            evaluations=local_budget // turns,
            rng=rng,
            deadline=deadline,
            stall=stall,
        )
        best_score = state.best_score
        report()
        if turn == turns - 1 or late():
            break
        found = pyvrp_turn(state.best, shift=turn % 2 == 1)
        if found is not None:
            value = scorer.score(found)
            if value < state.best_score:
                state = SearchState(found, value, found, value)
            elif value < INFEASIBLE:
                state = SearchState(found, value, state.best, state.best_score)
        best_score = state.best_score
        report()

    rounds = tuple(Round(c, tuple(r)) for c, r in enumerate(state.best) if r)
    return SolveResult(
        problem_name=problem.name,
        solver="pyvrp+exact-search",
        rounds=rounds,
        evaluation=evaluate(problem, rounds),
        seconds_given=seconds if seconds is not None else 0.0,
        seconds_used=time.monotonic() - began,
        seed=seed,
    )


def _pick(scorer: Scorer, candidates: list[Routes]) -> tuple[Routes | None, float]:
    best, best_score = None, INFEASIBLE
    for routes in candidates:
        value = scorer.score(routes)
        if value < best_score:
            best, best_score = routes, value
    return best, best_score


def _pyvrp_turn(
    scorer: Scorer,
    routes: Routes,
    rng: random.Random,
    iterations: int,
    seconds: float | None,
    *,
    shift: bool,
    history: int | None = None,
    deadline: float | None = None,
) -> Routes | None:
    """PyVRP re-solve with windows taken from ``routes``' exact timing (warm-started)."""
    problem = scorer.problem
    starts = scorer.starts(routes)
    if starts is None:
        return None
    windows = [
        (v.earliest_start, max(v.latest_start, starts[i])) for i, v in enumerate(problem.visits)
    ]
    for first, second, low, high in scorer.pairs:
        at = starts[first]
        if shift and rng.random() < 0.3:
            width = max(
                1, problem.visits[first].latest_start - problem.visits[first].earliest_start
            )
            at = max(
                problem.visits[first].earliest_start, at + rng.randint(-width // 8, width // 8)
            )
        windows[first] = (at, at)
        windows[second] = (at + low, at + high)
    overtime = 0
    for c, route in enumerate(routes):
        if route:
            last = route[-1]
            end = (
                starts[last] + scorer.dur[last] + scorer.travel[scorer.loc[last]][scorer.end_loc[c]]
            )
            overtime = max(overtime, end - scorer.shift_end[c])
    model = build_model(problem, windows, shift_allowance=overtime)
    warm = [Round(c, tuple(r)) for c, r in enumerate(routes) if r]
    found = solve_model(
        model,
        iterations=iterations,
        seconds=seconds,
        seed=rng.randrange(2**31),
        initial=warm,
        history=history,
    )
    if found is None:
        return None
    return repair_pairs(
        scorer, [list(r) for r in _as_routes(found, scorer.carer_count)], deadline=deadline
    )


def _as_routes(rounds: Sequence[Round], carer_count: int) -> Routes:
    routes: Routes = [[] for _ in range(carer_count)]
    for r in rounds:
        routes[r.carer] = list(r.visits)
    return routes


def repair_pairs(scorer: Scorer, routes: Routes, *, deadline: float | None = None) -> Routes | None:
    """Move the second visit of any pair done by one carer to its best place with another;
    None if that cannot be timed or the ``deadline`` (``time.monotonic()``) passes first."""
    owner = carer_of(routes, scorer.visit_count)
    for first, second, _, _ in scorer.pairs:
        if owner[first] != owner[second]:
            continue
        if deadline is not None and time.monotonic() > deadline:
            return None
        trial = routes[:]
        trial[owner[second]] = [v for v in routes[owner[second]] if v != second]
        best = _best_insertion(scorer, trial, second, avoid=owner[first])
        if best is None:
            return None
        routes = best
        owner = carer_of(routes, scorer.visit_count)
    return routes if scorer.score(routes) < INFEASIBLE else None


def _best_insertion(scorer: Scorer, routes: Routes, visit: int, *, avoid: int) -> Routes | None:
    """``routes`` with ``visit`` at its cheapest place by the exact objective, never in the
    round of carer ``avoid`` (its pair's other carer; -1 for none); None if nowhere fits."""
    best, best_score = None, INFEASIBLE
    for c in scorer.able[visit]:
        if c == avoid:
            continue
        for pos in range(len(routes[c]) + 1):
            option = routes[:]
            option[c] = [*routes[c][:pos], visit, *routes[c][pos:]]
            value = scorer.score(option)
            if value < best_score:
                best, best_score = option, value
    return best


def complete_rounds(
    scorer: Scorer, rounds: Sequence[Round], *, deadline: float | None = None
) -> Routes | None:
    """Given rounds made feasible: unknown, repeated or unskilled visits dropped, missing
    visits inserted at their best place, pairs split; None if that cannot be timed or the
    ``deadline`` (``time.monotonic()``) passes first."""
    routes: Routes = [[] for _ in range(scorer.carer_count)]
    seen: set[int] = set()
    for r in rounds:
        if not 0 <= r.carer < scorer.carer_count:
            continue
        for v in r.visits:
            if 0 <= v < scorer.visit_count and v not in seen and scorer.can[r.carer][v]:
                routes[r.carer].append(v)
                seen.add(v)
    for v in range(scorer.visit_count):
        if v in seen:
            continue
        if deadline is not None and time.monotonic() > deadline:
            return None
        mate = scorer.partner[v]
        avoid = carer_of(routes, scorer.visit_count)[mate] if mate >= 0 else -1
        best = _best_insertion(scorer, routes, v, avoid=avoid)
        if best is None:
            return None
        routes = best
        seen.add(v)
    return repair_pairs(scorer, routes, deadline=deadline)


def quick_rounds(scorer: Scorer, shortlist: int = 8) -> Routes:
    """Rounds built in a few milliseconds per hundred visits: each visit, in order of its
    window, is added to the end of the round where it costs least (the extra travel, plus
    lateness and overtime at their weights); a pair goes to the cheapest two carers among
    each visit's ``shortlist`` cheapest, started together within their gap.

    Appending in time order never makes rounds wait on each other and never moves a start
    already set, so the starts computed here are the exact ones and the rounds can always
    be timed. For problems where :func:`greedy_rounds` (exact best insertion) is too slow.
    """
    problem = scorer.problem
    travel = np.asarray(problem.travel_time, dtype=np.int64)
    dist = np.asarray(problem.distance, dtype=np.int64)
    loc, dur, early, late = scorer.loc, scorer.dur, scorer.early, scorer.late
    w = problem.weights
    w_late, w_over = w.total_lateness + w.max_lateness, w.overtime
    routes: Routes = [[] for _ in range(scorer.carer_count)]
    where = np.asarray(scorer.start_loc, dtype=np.int64)
    free = np.asarray(scorer.shift_start, dtype=np.int64)
    home = np.asarray(scorer.end_loc, dtype=np.int64)
    shift_end = np.asarray(scorer.shift_end, dtype=np.int64)
    extra = np.asarray(scorer.visit_cost, dtype=np.float64).reshape(scorer.carer_count, -1)
    able = [np.asarray(c, dtype=np.int64) for c in scorer.able]

    def options(v: int) -> list[tuple[float, int, int]]:
        """(cost, start, carer) of adding visit v at the end of each able carer's round."""
        here, carers = loc[v], able[v]
        there, back = where[carers], home[carers]
        start = np.maximum(free[carers] + travel[there, here], early[v])
        back_before = np.maximum(free[carers] + travel[there, back], shift_end[carers])
        over = np.maximum(0, start + dur[v] + travel[here, back] - back_before)
        cost = (
            w.travel_time * (travel[there, here] + travel[here, back] - travel[there, back])
            + w.distance * (dist[there, here] + dist[here, back] - dist[there, back])
            + extra[carers, v]
            + w_late * np.maximum(0, start - late[v])
            + w_over * over
        )
        return list(zip(cost.tolist(), start.tolist(), carers.tolist(), strict=True))

    def put(c: int, v: int, start: int) -> None:
        routes[c].append(v)
        where[c], free[c] = loc[v], start + dur[v]

    gaps: dict[int, tuple[int, int, int, int]] = {}
    for pair in scorer.pairs:
        gaps[pair[0]] = gaps[pair[1]] = pair
    placed = [False] * scorer.visit_count
    for v in sorted(range(scorer.visit_count), key=lambda v: (early[v], late[v], v)):
        if placed[v]:
            continue
        if v not in gaps:
            _, start, c = min(options(v))
            put(c, v, start)
            placed[v] = True
            continue
        a, b, low, high = gaps[v]
        size = shortlist
        choice = None
        while choice is None:
            best = INFEASIBLE
            shortlist_b = heapq.nsmallest(size, options(b))
            for cost_a, start_a, ca in heapq.nsmallest(size, options(a)):
                for cost_b, start_b, cb in shortlist_b:
                    if ca == cb:
                        continue
                    # The later carer sets the time (within the gap); lateness is re-costed.
                    sb = max(start_b, start_a + low)
                    sa = max(start_a, sb - high)
                    value = (
                        cost_a
                        + cost_b
                        + w_late * (max(0, sa - late[a]) - max(0, start_a - late[a]))
                        + w_late * (max(0, sb - late[b]) - max(0, start_b - late[b]))
                    )
                    if value < best:
                        best, choice = value, (ca, sa, cb, sb)
            if choice is None and size >= scorer.carer_count:  # pragma: no cover - checked
                raise InputError("a pair needs two carers with the skills")  # by the problem
            size = scorer.carer_count  # the shortlists held one carer only: try them all
        ca, sa, cb, sb = choice
        put(ca, a, sa)
        put(cb, b, sb)
        placed[a] = placed[b] = True
    return routes
