"""What must hold of the rounds whatever the problem (issue 6), on seeded random problems.

The monotonic rules hold *by design*: the changed problem's search is seeded with the
original problem's answer, which stays feasible in it and no dearer (an extra carer may
stay idle; a wider window never makes a start later), and the solver never returns worse
than the rounds it is given. They are also checked cold, without that seed, on problems
small enough that the search reaches the optimum (checked by brute force). Every search
runs on a budget of work with no clock, so the results do not depend on the machine.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights
from carecore.rostering.solver import SearchBudget, solve_rounds
from tests.rostering.standins import brute_force_best

BUDGET = SearchBudget(evaluations=4000, pyvrp_iterations=80)


def random_problem(seed: int, *, visits: int, carers: int, pairs: int) -> RosterProblem:
    """Visits on a 60 x 60 grid (travel = Manhattan distance), some double-handed."""
    rng = random.Random(seed)
    points = [(rng.randint(0, 60), rng.randint(0, 60)) for _ in range(visits + 1)]
    matrix = np.array(
        [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in points] for a in points], dtype=np.int64
    )
    skills = ("hoist", "meds")
    made: list[Visit] = []
    for i in range(visits):
        opens = rng.randint(0, 200)
        made.append(
            Visit(
                f"v{i}",
                i + 1,
                opens,
                opens + rng.randint(0, 60),
                rng.randint(5, 25),
                skill=rng.choice((None, None, "hoist", "meds")),
            )
        )
    linked: list[Pair] = []
    for k in range(min(pairs, visits // 2)):
        a, b = 2 * k, 2 * k + 1
        made[b] = replace(made[b], location=made[a].location, skill=None)
        made[b] = replace(
            made[b], earliest_start=made[a].earliest_start, latest_start=made[a].latest_start
        )
        low = rng.choice((0, 0, 5))
        linked.append(Pair(a, b, low, low + rng.choice((0, 15))))
    team = tuple(
        Carer(f"c{k}", 0, 0, 0, 500, skills=frozenset(rng.sample(skills, rng.randint(1, 2))))
        for k in range(carers)
    )
    # Every skill held by someone (and by two, so pairs can be staffed).
    team = tuple(replace(c, skills=frozenset(skills)) if k < 2 else c for k, c in enumerate(team))
    return RosterProblem(
        name=f"random-{seed}",
        visits=tuple(made),
        carers=team,
        travel_time=matrix,
        distance=matrix,
        pairs=tuple(linked),
        weights=Weights(distance=0.5, travel_time=1.0, total_lateness=5.0, max_lateness=2.0),
    )


def with_extra_carer(problem: RosterProblem) -> RosterProblem:
    extra = Carer("extra", 0, 0, 0, 500, skills=frozenset({"hoist", "meds"}))
    return replace(problem, carers=(*problem.carers, extra))


def with_wider_windows(problem: RosterProblem, by: int) -> RosterProblem:
    wider = tuple(
        replace(v, earliest_start=max(0, v.earliest_start - by), latest_start=v.latest_start + by)
        for v in problem.visits
    )
    return replace(problem, visits=wider)


@pytest.mark.parametrize("seed", range(8))
def test_more_carers_never_make_the_rounds_dearer(seed: int) -> None:
    problem = random_problem(seed, visits=9, carers=2, pairs=2)
    before = solve_rounds(problem, budget=BUDGET, seed=seed)
    more = with_extra_carer(problem)
    after = solve_rounds(more, budget=BUDGET, seed=seed, initial=before.rounds)
    assert after.evaluation.problems == ()
    assert after.evaluation.objective <= before.evaluation.objective + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_widening_every_window_never_makes_the_rounds_dearer(seed: int) -> None:
    problem = random_problem(seed, visits=9, carers=3, pairs=2)
    before = solve_rounds(problem, budget=BUDGET, seed=seed)
    wider = with_wider_windows(problem, by=20)
    after = solve_rounds(wider, budget=BUDGET, seed=seed, initial=before.rounds)
    assert after.evaluation.problems == ()
    assert after.evaluation.objective <= before.evaluation.objective + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_more_carers_and_wider_windows_never_hurt_from_a_cold_start(seed: int) -> None:
    # Small enough that every cold search reaches the brute-force optimum.
    problem = random_problem(100 + seed, visits=5, carers=2, pairs=1)
    base = solve_rounds(problem, budget=BUDGET, seed=seed).evaluation.objective
    assert base == pytest.approx(brute_force_best(problem))
    for changed in (with_extra_carer(problem), with_wider_windows(problem, by=20)):
        cold = solve_rounds(changed, budget=BUDGET, seed=seed).evaluation.objective
        assert cold == pytest.approx(brute_force_best(changed))
        assert cold <= base + 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_a_double_handed_visit_always_has_two_carers_within_the_gap(seed: int) -> None:
    problem = random_problem(200 + seed, visits=10, carers=3, pairs=3)
    result = solve_rounds(problem, budget=BUDGET, seed=seed)
    ev = result.evaluation
    assert ev.problems == ()
    assert problem.pairs
    for pair in problem.pairs:
        assert ev.carer_of[pair.first] != ev.carer_of[pair.second]
        assert pair.min_gap <= ev.starts[pair.second] - ev.starts[pair.first] <= pair.max_gap
