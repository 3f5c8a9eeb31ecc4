"""Stand-ins for the rostering tests: travel along a meridian and a one-carer solver."""

from __future__ import annotations

import itertools

import numpy as np

from carecore.rostering.improve import Scorer
from carecore.rostering.model import RosterProblem
from carecore.rostering.schedule import Evaluation, Round, evaluate
from carecore.rostering.travel import TravelMatrix


class AlongTheMeridian:
    """Travel that depends on latitude only: 0.001 degrees is 100 seconds and 1,000 metres."""

    def matrix(self, points, bands=None):
        lat = np.array([p.lat for p in points])
        gap = np.abs(lat[:, None] - lat[None, :])
        seconds = np.rint(gap * 100_000).astype(np.int64)
        return TravelMatrix(seconds=seconds, metres=seconds * 10, source="test meridian")


def one_carer_in_time_order(problem, seconds, seed):
    """A stand-in solver: the first carer does everything, earliest window first."""
    order = tuple(
        sorted(range(len(problem.visits)), key=lambda i: problem.visits[i].earliest_start)
    )
    rounds = (Round(0, order),)
    return rounds, evaluate(problem, rounds)


def take_turns(
    problem: RosterProblem, seconds: float, seed: int
) -> tuple[tuple[Round, ...], Evaluation]:
    """A stand-in solver: each visit to the next carer in turn (a double-handed visit's two
    halves to two carers), each round in time order, timed by the engine's evaluation."""
    count = len(problem.carers)
    lists: list[list[int]] = [[] for _ in range(count)]
    partner = problem.partner()
    placed: set[int] = set()
    turn = 0
    for index in range(len(problem.visits)):
        if index in placed:
            continue
        lists[turn % count].append(index)
        placed.add(index)
        if index in partner:
            pair = partner[index]
            other = pair.second if pair.first == index else pair.first
            lists[(turn + 1) % count].append(other)
            placed.add(other)
        turn += 1
    rounds = tuple(
        Round(carer, tuple(sorted(visits, key=lambda i: problem.visits[i].earliest_start)))
        for carer, visits in enumerate(lists)
    )
    return rounds, evaluate(problem, rounds)


def brute_force_best(problem: RosterProblem) -> float:
    """The optimum by trying every assignment of visits to carers and every order."""
    scorer = Scorer(problem)
    n, k = len(problem.visits), len(problem.carers)
    best = float("inf")
    for owners in itertools.product(range(k), repeat=n):
        if any(not scorer.can[c][v] for v, c in enumerate(owners)):
            continue
        if any(owners[a] == owners[b] for a, b, _, _ in scorer.pairs):
            continue
        groups = [[v for v in range(n) if owners[v] == c] for c in range(k)]
        for orders in itertools.product(*(itertools.permutations(g) for g in groups)):
            best = min(best, scorer.score([list(o) for o in orders]))
    return best
