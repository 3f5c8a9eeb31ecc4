"""Local search on the exact objective: the polish that PyVRP's hard windows cannot give.

PyVRP sees distance and travel under hard windows; the rounds are judged on lateness, the
latest lateness, overtime and unfamiliar carers too, and on pairs kept in step. This module
scores rounds with the same timing rule as :func:`carecore.rostering.schedule.evaluate`
(earliest consistent starts, pushed later until nothing moves), written for speed on plain
lists, and improves them by late acceptance hill climbing over relocations, swaps, segment
reversals and moves of a pair's two visits together.

Every move keeps the hard rules that the moves can see (skills, each pair on two carers);
rounds that wait on each other score infinity and are never accepted. The search counts
*evaluations*, not seconds, so the same seed and budget give the same rounds; the deadline
is only a guard against a slow machine.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from carecore.rostering.model import RosterProblem

INFEASIBLE = math.inf
SEARCH_PASSES = 12
Routes = list[list[int]]


class Scorer:
    """The exact objective of rounds given as one visit list per carer (index = carer)."""

    def __init__(self, problem: RosterProblem) -> None:
        visits, carers = problem.visits, problem.carers
        self.problem = problem
        self.visit_count = len(visits)
        self.carer_count = len(carers)
        self.travel: list[list[int]] = problem.travel_time.tolist()
        self.dist: list[list[int]] = problem.distance.tolist()
        self.loc = [v.location for v in visits]
        self.dur = [v.duration for v in visits]
        self.early = [v.earliest_start for v in visits]
        self.late = [v.latest_start for v in visits]
        self.pairs = [(p.first, p.second, p.min_gap, p.max_gap) for p in problem.pairs]
        self.partner = [-1] * len(visits)
        for first, second, _, _ in self.pairs:
            self.partner[first], self.partner[second] = second, first
        self.start_loc = [c.start_location for c in carers]
        self.end_loc = [c.end_location for c in carers]
        self.shift_start = [c.shift_start for c in carers]
        self.shift_end = [c.shift_end for c in carers]
        self.can = [[c.can_do(v) for v in visits] for c in carers]
        self.able = [[k for k, c in enumerate(carers) if c.can_do(v)] for v in visits]
        self.unfamiliar = [
            [bool(v.preferred_carers) and c.name not in v.preferred_carers for v in visits]
            for c in carers
        ]
        self.weights = problem.weights
        self.scale = problem.scale
        # The same bound on sweeps as the exact evaluation: more means a cycle.
        self.sweeps = 2 * len(self.pairs) + 2
        # Passes allowed before rounds count as waiting on each other. Rounds that time at
        # all take a few (at most 5 seen on the 100-patient benchmarks), while rounds that
        # wait on each other use every pass, so the search stops at SEARCH_PASSES: it may
        # pass over a rare slow-to-time set of rounds, never accept an untimeable one.
        # ``exact()`` restores the evaluation's bound (for the caller's own rounds).
        self.passes = min(self.sweeps, SEARCH_PASSES)
        self.evaluations = 0
        # Work done in evaluations; a pruned evaluation (see ``limit``) counts a third.
        self.work = 0.0
        # Rounds whose travel alone scores above ``limit`` are not timed: their travel
        # score (a lower bound of the objective) is returned instead. The local search
        # sets it to the worst score it would accept.
        self.limit = INFEASIBLE
        w = problem.weights
        unfamiliar_cost = w.unfamiliar_carer * problem.scale
        self.leg_cost = [
            [(w.distance * d + w.travel_time * t) for d, t in zip(drow, trow, strict=True)]
            for drow, trow in zip(self.dist, self.travel, strict=True)
        ]
        self.visit_cost = [[unfamiliar_cost * u for u in row] for row in self.unfamiliar]

    def exact(self, on: bool = True) -> None:
        """Time with the exact evaluation's bound on passes (on) or the search's (off)."""
        self.passes = self.sweeps if on else min(self.sweeps, SEARCH_PASSES)

    def travel_score(self, routes: Routes) -> float:
        """The objective's travel and continuity part: a lower bound of the score."""
        total = 0.0
        leg, loc = self.leg_cost, self.loc
        for c, route in enumerate(routes):
            if not route:
                continue
            where = self.start_loc[c]
            extra = self.visit_cost[c]
            for v in route:
                here = loc[v]
                total += leg[where][here] + extra[v]
                where = here
            total += leg[where][self.end_loc[c]]
        return total / self.scale

    def starts(self, routes: Routes) -> list[int] | None:
        """Earliest consistent start of every visit, or None when the rounds wait on each other.

        The same least fixed point as the exact evaluation, reached faster: each pair pulled
        into its gaps re-times its round at once, from the moved visit on and only as far
        as starts change. These passes move starts at least as far as the evaluation's
        sweeps, and never past the least fixed point, so the same bound on passes tells
        rounds that wait on each other.
        """
        travel, loc, dur = self.travel, self.loc, self.dur
        starts = [-1] * self.visit_count
        floor = self.early[:]
        owner = [-1] * self.visit_count
        place = [0] * self.visit_count
        for c, route in enumerate(routes):
            where, free = self.start_loc[c], self.shift_start[c]
            for k, v in enumerate(route):
                owner[v], place[v] = c, k
                begin = free + travel[where][loc[v]]
                if floor[v] > begin:
                    begin = floor[v]
                starts[v] = begin
                floor[v] = begin
                where, free = loc[v], begin + dur[v]
        if not self.pairs:
            return starts
        for _ in range(self.passes):
            moved_any = False
            for first, second, low, high in self.pairs:
                a, b = starts[first], starts[second]
                if a < 0 or b < 0:
                    continue
                if b < a + low:
                    floor[second] = a + low
                    moved = second
                elif a < b - high:
                    floor[first] = b - high
                    moved = first
                else:
                    continue
                moved_any = True
                # Re-time the moved visit's round from it on, at once.
                route = routes[owner[moved]]
                k = place[moved]
                if k == 0:
                    where, free = self.start_loc[owner[moved]], self.shift_start[owner[moved]]
                else:
                    before = route[k - 1]
                    where, free = loc[before], starts[before] + dur[before]
                for v in route[k:]:
                    begin = free + travel[where][loc[v]]
                    if floor[v] > begin:
                        begin = floor[v]
                    elif starts[v] == begin and v != moved:
                        break  # the rest of the round is unchanged
                    starts[v] = begin
                    floor[v] = begin
                    where, free = loc[v], begin + dur[v]
            if not moved_any:
                return starts
        return None

    def score(self, routes: Routes) -> float:
        """The objective as ``evaluate`` computes it; infinity when the rounds cannot be
        timed; a lower bound above ``limit`` when their travel alone scores above it."""
        if self.limit < INFEASIBLE:
            bound = self.travel_score(routes)
            if bound > self.limit:
                self.work += 0.3
                return bound
        self.evaluations += 1
        self.work += 1.0
        starts = self.starts(routes)
        if starts is None:
            return INFEASIBLE
        travel, dist, loc = self.travel, self.dist, self.loc
        distance = travel_time = overtime = unfamiliar = 0
        for c, route in enumerate(routes):
            if not route:
                continue
            where = self.start_loc[c]
            row = self.unfamiliar[c]
            for v in route:
                here = loc[v]
                distance += dist[where][here]
                travel_time += travel[where][here]
                unfamiliar += row[v]
                where = here
            end_leg = travel[where][self.end_loc[c]]
            distance += dist[where][self.end_loc[c]]
            travel_time += end_leg
            last = route[-1]
            end = starts[last] + self.dur[last] + end_leg
            if end > self.shift_end[c]:
                overtime += end - self.shift_end[c]
        total_late = max_late = 0
        for v, begin in enumerate(starts):
            lateness = begin - self.late[v]
            if lateness > 0:
                total_late += lateness
                if lateness > max_late:
                    max_late = lateness
        w = self.weights
        return (
            w.distance * distance
            + w.travel_time * travel_time
            + w.total_lateness * total_late
            + w.max_lateness * max_late
            + w.overtime * overtime
            + w.unfamiliar_carer * unfamiliar * self.scale
        ) / self.scale


@dataclass
class SearchState:
    """Where a search stands: current and best rounds with their scores."""

    current: Routes
    current_score: float
    best: Routes
    best_score: float


def carer_of(routes: Routes, visit_count: int) -> list[int]:
    """Each visit's carer index (-1 when unassigned)."""
    found = [-1] * visit_count
    for c, route in enumerate(routes):
        for v in route:
            found[v] = c
    return found


def _best_insertion(
    scorer: Scorer, routes: Routes, carer: int, visit: int
) -> tuple[float, Routes | None]:
    """Insert ``visit`` into ``carer``'s round at its best place (routes not changed)."""
    target = routes[carer]
    best_score, best_routes = INFEASIBLE, None
    for pos in range(len(target) + 1):
        trial = routes[:]
        trial[carer] = [*target[:pos], visit, *target[pos:]]
        value = scorer.score(trial)
        if value < best_score:
            best_score, best_routes = value, trial
    return best_score, best_routes


def _without(routes: Routes, carer: int, visit: int) -> Routes:
    trial = routes[:]
    trial[carer] = [v for v in routes[carer] if v != visit]
    return trial


def _move_relocate(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    v = rng.randrange(scorer.visit_count)
    owner = carer_of(routes, scorer.visit_count)
    mate = scorer.partner[v]
    choices = [c for c in scorer.able[v] if mate < 0 or c != owner[mate]]
    target = rng.choice(choices)
    value, trial = _best_insertion(scorer, _without(routes, owner[v], v), target, v)
    return (value, trial) if trial is not None else (INFEASIBLE, routes)


def _move_swap(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    n = scorer.visit_count
    v, w = rng.randrange(n), rng.randrange(n)
    owner = carer_of(routes, n)
    cv, cw = owner[v], owner[w]
    if cv == cw or not scorer.can[cw][v] or not scorer.can[cv][w]:
        return INFEASIBLE, routes
    mv, mw = scorer.partner[v], scorer.partner[w]
    if mv >= 0 and mv != w and owner[mv] == cw:
        return INFEASIBLE, routes
    if mw >= 0 and mw != v and owner[mw] == cv:
        return INFEASIBLE, routes
    trial = routes[:]
    trial[cv] = [w if x == v else x for x in routes[cv]]
    trial[cw] = [v if x == w else x for x in routes[cw]]
    return scorer.score(trial), trial


def _move_reverse(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    c = rng.randrange(scorer.carer_count)
    route = routes[c]
    if len(route) < 2:
        return INFEASIBLE, routes
    i = rng.randrange(len(route) - 1)
    j = rng.randrange(i + 2, min(len(route), i + 4) + 1)
    trial = routes[:]
    trial[c] = route[:i] + route[i:j][::-1] + route[j:]
    return scorer.score(trial), trial


def _move_pair(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    if not scorer.pairs:
        return _move_relocate(scorer, routes, rng)
    first, second, _, _ = rng.choice(scorer.pairs)
    owner = carer_of(routes, scorer.visit_count)
    trial = _without(_without(routes, owner[first], first), owner[second], second)
    ca = rng.choice(scorer.able[first])
    others = [c for c in scorer.able[second] if c != ca]
    if not others:
        return INFEASIBLE, routes
    cb = rng.choice(others)
    # Time the first visit against rounds without the second, then place the second.
    _, placed = _best_insertion(scorer, trial, ca, first)
    if placed is None:
        return INFEASIBLE, routes
    value, done = _best_insertion(scorer, placed, cb, second)
    return (value, done) if done is not None else (INFEASIBLE, routes)


def _move_exchange(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    c = rng.randrange(scorer.carer_count)
    route = routes[c]
    if len(route) < 2:
        return INFEASIBLE, routes
    i, j = rng.sample(range(len(route)), 2)
    changed = route[:]
    changed[i], changed[j] = changed[j], changed[i]
    trial = routes[:]
    trial[c] = changed
    return scorer.score(trial), trial


def _move_segment(scorer: Scorer, routes: Routes, rng: random.Random) -> tuple[float, Routes]:
    """Move two or three consecutive visits to the best place in the same round."""
    c = rng.randrange(scorer.carer_count)
    route = routes[c]
    if len(route) < 3:
        return INFEASIBLE, routes
    length = rng.choice((2, 3)) if len(route) > 3 else 2
    i = rng.randrange(len(route) - length + 1)
    segment, rest = route[i : i + length], route[:i] + route[i + length :]
    best_score, best_routes = INFEASIBLE, routes
    for pos in range(len(rest) + 1):
        if pos == i:
            continue
        trial = routes[:]
        trial[c] = rest[:pos] + segment + rest[pos:]
        value = scorer.score(trial)
        if value < best_score:
            best_score, best_routes = value, trial
    return best_score, best_routes


_MOVES: tuple[Callable[[Scorer, Routes, random.Random], tuple[float, Routes]], ...] = (
    _move_relocate,
    _move_relocate,
    _move_swap,
    _move_exchange,
    _move_reverse,
    _move_segment,
    _move_pair,
)


def perturb(scorer: Scorer, routes: Routes, rng: random.Random, strength: int) -> Routes:
    """``strength`` random relocations that keep skills and pairs on two carers (a kick)."""
    current = routes
    for _ in range(strength):
        v = rng.randrange(scorer.visit_count)
        owner = carer_of(current, scorer.visit_count)
        mate = scorer.partner[v]
        choices = [c for c in scorer.able[v] if mate < 0 or c != owner[mate]]
        target = rng.choice(choices)
        trial = _without(current, owner[v], v)
        pos = rng.randrange(len(trial[target]) + 1)
        trial[target] = [*trial[target][:pos], v, *trial[target][pos:]]
        if scorer.starts(trial) is not None:
            current = trial
    return current


def late_acceptance(
    scorer: Scorer,
    state: SearchState,
    *,
    evaluations: int,
    rng: random.Random,
    deadline: float | None = None,
    history: int = 60,
    stall: int = 0,
) -> SearchState:
    """Late acceptance hill climbing from ``state.current`` for a budget of evaluations.

    A move is taken when it is no worse than the current rounds or than the rounds of
    ``history`` steps ago; the best seen is kept. After ``stall`` evaluations without a
    new best (0: never) the search restarts from the best with a random kick. Budgets
    count :attr:`Scorer.work`. ``deadline`` (``time.monotonic()`` seconds) stops early on
    a slow machine: the only time-dependent part.
    """
    stop_at = scorer.work + evaluations
    current, current_score = state.current, state.current_score
    best, best_score = state.best, state.best_score
    memory = [current_score] * history
    step = 0
    last_gain = scorer.work
    while scorer.work < stop_at:
        if stall and scorer.work - last_gain > stall:
            scorer.limit = INFEASIBLE
            current = perturb(scorer, best, rng, 2 + rng.randrange(3))
            current_score = scorer.score(current)
            memory = [current_score] * history
            last_gain = scorer.work
        if deadline is not None and time.monotonic() > deadline:
            break
        move = _MOVES[rng.randrange(len(_MOVES))]
        scorer.limit = max(current_score, memory[step % history])
        value, trial = move(scorer, current, rng)
        scorer.limit = INFEASIBLE
        slot = step % history
        if value <= current_score or value < memory[slot]:
            current, current_score = trial, value
            if value < best_score - 1e-9:
                best, best_score = trial, value
                last_gain = scorer.work
        if current_score < memory[slot]:
            memory[slot] = current_score
        step += 1
    scorer.limit = INFEASIBLE
    return SearchState(current, current_score, best, best_score)


def greedy_rounds(scorer: Scorer) -> Routes:
    """Rounds built visit by visit in order of earliest start, each at its cheapest place.

    Pairs go in together on two different carers. When no place can be timed, the visit
    is put at the end of a round: appending in time order never makes rounds wait on
    each other, so the result can always be timed.
    """
    problem = scorer.problem
    routes: Routes = [[] for _ in problem.carers]
    order = sorted(range(scorer.visit_count), key=lambda v: (scorer.early[v], scorer.late[v], v))
    placed: set[int] = set()
    for v in order:
        if v in placed:
            continue
        mate = scorer.partner[v]
        if mate < 0:
            best_score, best_routes = INFEASIBLE, None
            for c in scorer.able[v]:
                # Places whose travel alone scores above the best so far are not timed.
                scorer.limit = best_score
                value, trial = _best_insertion(scorer, routes, c, v)
                if trial is not None and value < best_score:
                    best_score, best_routes = value, trial
            scorer.limit = INFEASIBLE
            routes = best_routes if best_routes is not None else _appended(routes, v, scorer)
            placed.add(v)
            continue
        routes = _place_pair(scorer, routes, v, mate)
        placed.update((v, mate))
    return routes


def _appended(routes: Routes, v: int, scorer: Scorer) -> Routes:
    c = min(scorer.able[v], key=lambda k: (len(routes[k]), k))
    trial = routes[:]
    trial[c] = routes[c] + [v]
    return trial


def _place_pair(scorer: Scorer, routes: Routes, a: int, b: int) -> Routes:
    best_score, best_routes = INFEASIBLE, None
    for ca in scorer.able[a]:
        _, with_a = _best_insertion(scorer, routes, ca, a)
        if with_a is None:
            continue
        for cb in scorer.able[b]:
            if cb == ca:
                continue
            scorer.limit = best_score
            value, trial = _best_insertion(scorer, with_a, cb, b)
            if trial is not None and value < best_score:
                best_score, best_routes = value, trial
    scorer.limit = INFEASIBLE
    if best_routes is not None:
        return best_routes
    ca = min(scorer.able[a], key=lambda k: (len(routes[k]), k))
    cb = min((k for k in scorer.able[b] if k != ca), key=lambda k: (len(routes[k]), k))
    trial = routes[:]
    trial[ca] = routes[ca] + [a]
    trial[cb] = routes[cb] + [b]
    return trial


def as_routes(rounds: Sequence[tuple[int, Sequence[int]]], carer_count: int) -> Routes:
    """One visit list per carer from (carer, visits) rounds."""
    routes: Routes = [[] for _ in range(carer_count)]
    for carer, visits in rounds:
        routes[carer] = list(visits)
    return routes
