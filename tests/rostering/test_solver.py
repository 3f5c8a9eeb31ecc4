"""Carers' rounds from the PyVRP-based solver on small problems whose best answer is known.

Every search here runs on a budget of work (exact evaluations, PyVRP iterations) with no
clock, so each result is the same on a busy machine as on an idle one; how fast the solver
is lives in ``benchmarks/``, never here.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.rostering.improve import Scorer
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights
from carecore.rostering.sample_days import home_care_day
from carecore.rostering.schedule import Round, evaluate
from carecore.rostering.solver import (
    SearchBudget,
    needs_quick_start,
    quick_rounds,
    search,
    solve_rounds,
)
from tests.rostering.standins import brute_force_best

DAY = 10_000
# Enough work for the search to reach the optimum of these small problems, checked by
# brute force (deterministic: no clock), in a few hundredths of a second each.
SMALL = SearchBudget(evaluations=3000, pyvrp_iterations=60)


def line_problem(
    positions: list[int],
    windows: list[tuple[int, int]],
    *,
    carers: int = 1,
    duration: int = 0,
    weights: Weights | None = None,
    skills: list[str | None] | None = None,
    carer_skills: list[frozenset[str]] | None = None,
    pairs: tuple[Pair, ...] = (),
    preferred: list[tuple[str, ...]] | None = None,
) -> RosterProblem:
    """Visits at points on a line (location 0 is the office at 0), travel = distance."""
    points = [0, *positions]
    matrix = np.abs(np.subtract.outer(points, points)).astype(np.int64)
    visits = tuple(
        Visit(
            name=f"v{i}",
            location=i + 1,
            earliest_start=windows[i][0],
            latest_start=windows[i][1],
            duration=duration,
            skill=skills[i] if skills else None,
            preferred_carers=preferred[i] if preferred else (),
        )
        for i in range(len(positions))
    )
    team = tuple(
        Carer(
            name=f"c{k}",
            start_location=0,
            end_location=0,
            shift_start=0,
            shift_end=DAY,
            skills=carer_skills[k] if carer_skills else frozenset(),
        )
        for k in range(carers)
    )
    return RosterProblem(
        name="line",
        visits=visits,
        carers=team,
        travel_time=matrix,
        distance=matrix,
        pairs=pairs,
        weights=weights or Weights(),
    )


def test_visits_on_a_line_are_done_in_one_sweep_out_and_back() -> None:
    problem = line_problem([10, 20, 30], [(0, DAY)] * 3)
    result = solve_rounds(problem, budget=SMALL)
    assert result.evaluation.travel_time == 60
    assert [r.visits for r in result.rounds] in ([(0, 1, 2)], [(2, 1, 0)])
    assert result.evaluation.problems == ()


def test_visits_on_both_sides_at_the_same_time_go_to_two_carers() -> None:
    # Both visits must start at 10 and lateness is dear: one carer each side.
    problem = line_problem([-10, 10], [(10, 10), (10, 10)], carers=2, duration=5)
    result = solve_rounds(problem, budget=SMALL)
    assert result.evaluation.total_lateness == 0
    assert result.evaluation.travel_time == 40
    assert len(result.rounds) == 2


def test_a_late_visit_is_served_late_rather_than_skipped() -> None:
    # The second visit cannot be reached in its window: it is late, not left out.
    problem = line_problem([10, 100], [(0, 10), (0, 20)], duration=5)
    result = solve_rounds(problem, budget=SMALL)
    assert result.evaluation.problems == ()
    # Out to 10 (start 10, leave 15), on to 100 (start 105): 85 late, 200 travelled.
    assert result.evaluation.total_lateness == 85
    assert result.evaluation.objective == 200 + 10 * 85


def test_a_pair_with_two_skilled_carers_gets_both_at_the_same_start() -> None:
    problem = line_problem(
        [10, 10, 40],
        [(20, 30), (20, 30), (0, DAY)],
        carers=2,
        duration=10,
        pairs=(Pair(0, 1),),
    )
    result = solve_rounds(problem, budget=SMALL)
    ev = result.evaluation
    assert ev.problems == ()
    assert ev.carer_of[0] != ev.carer_of[1]
    assert ev.starts[0] == ev.starts[1]
    assert ev.objective == pytest.approx(brute_force_best(problem))


def test_skills_are_respected() -> None:
    problem = line_problem(
        [10, 20, 30, 40],
        [(0, DAY)] * 4,
        carers=2,
        skills=["hoist", None, "hoist", "meds"],
        carer_skills=[frozenset({"hoist"}), frozenset({"meds"})],
    )
    result = solve_rounds(problem, budget=SMALL)
    ev = result.evaluation
    assert ev.problems == ()
    for visit, carer in zip(problem.visits, ev.carer_of, strict=True):
        assert problem.carers[carer].can_do(visit)
    assert ev.objective == pytest.approx(brute_force_best(problem))


def test_continuity_changes_the_carer_when_it_costs_no_extra_travel() -> None:
    weights = Weights(unfamiliar_carer=50.0)
    problem = line_problem([10], [(0, DAY)], carers=2, weights=weights, preferred=[("c1",)])
    result = solve_rounds(problem, budget=SMALL)
    assert result.rounds == (Round(1, (0,)),)
    assert result.evaluation.unfamiliar_visits == 0


def test_continuity_gives_way_when_the_known_carer_is_far_dearer() -> None:
    # c1 is the only one the person knows, and the only one with the skill for a call
    # across town at the same time: doing both would make that call later.
    weights = Weights(unfamiliar_carer=1.0)
    problem = line_problem(
        [10, 500],
        [(20, 20), (20, 20)],
        carers=2,
        weights=weights,
        preferred=[("c1",), ()],
        duration=5,
        skills=[None, "meds"],
        carer_skills=[frozenset(), frozenset({"meds"})],
    )
    result = solve_rounds(problem, budget=SMALL)
    assert result.evaluation.objective == pytest.approx(brute_force_best(problem))
    assert result.evaluation.unfamiliar_visits == 1


def random_problem(seed: int, visits: int = 5, carers: int = 2) -> RosterProblem:
    rng = random.Random(seed)
    points = [(rng.randint(0, 50), rng.randint(0, 50)) for _ in range(visits + 1)]
    matrix = np.array(
        [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in points] for a in points], dtype=np.int64
    )
    made = []
    for i in range(visits):
        opens = rng.randint(0, 150)
        made.append(Visit(f"v{i}", i + 1, opens, opens + rng.randint(0, 40), rng.randint(5, 20)))
    pairs = (Pair(0, 1, 0, rng.choice((0, 10))),) if rng.random() < 0.6 else ()
    if pairs:
        made[1] = Visit("v1", made[0].location, made[0].earliest_start, made[0].latest_start, 10)
    team = tuple(Carer(f"c{k}", 0, 0, 0, 400) for k in range(carers))
    return RosterProblem(
        name=f"random-{seed}",
        visits=tuple(made),
        carers=team,
        travel_time=matrix,
        distance=matrix,
        pairs=pairs,
        weights=Weights(distance=0.5, travel_time=1.0, total_lateness=3.0, max_lateness=2.0),
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_search_reaches_the_brute_force_optimum_on_small_problems(seed: int) -> None:
    problem = random_problem(seed)
    result = solve_rounds(problem, budget=SMALL, seed=seed)
    assert result.evaluation.problems == ()
    assert result.evaluation.objective == pytest.approx(brute_force_best(problem))


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_score_is_the_exact_evaluation(seed: int) -> None:
    problem = random_problem(seed, visits=8, carers=3)
    scorer = Scorer(problem)
    rng = random.Random(seed)
    for _ in range(30):
        routes: list[list[int]] = [[] for _ in problem.carers]
        for v in range(len(problem.visits)):
            routes[rng.randrange(len(routes))].append(v)
        for r in routes:
            rng.shuffle(r)
        exact = evaluate(problem, [Round(c, tuple(r)) for c, r in enumerate(routes)])
        score = scorer.score(routes)
        if any("wait on each other" in p for p in exact.problems):
            assert score == float("inf")
        else:
            assert score == pytest.approx(exact.objective)
            assert tuple(scorer.starts(routes) or ()) == exact.starts


def test_initial_rounds_are_never_made_worse() -> None:
    problem = random_problem(3, visits=7, carers=2)
    start = [Round(0, (0, 2, 3, 4, 5, 6)), Round(1, (1,))]
    before = evaluate(problem, start)
    assert before.problems == ()
    result = solve_rounds(problem, budget=SMALL, initial=start)
    assert result.evaluation.objective <= before.objective + 1e-9


def test_initial_rounds_missing_a_visit_are_completed() -> None:
    problem = line_problem([10, 20, 30], [(0, DAY)] * 3, carers=2)
    result = solve_rounds(problem, budget=SMALL, initial=[Round(0, (0, 1))])
    assert result.evaluation.problems == ()


def test_the_same_seed_and_budget_give_the_same_rounds() -> None:
    problem = random_problem(7, visits=9, carers=3)
    budget = SearchBudget(evaluations=3000, pyvrp_iterations=200)
    runs = [search(problem, budget, seed=5) for _ in range(2)]
    runs.append(solve_rounds(problem, budget=budget, seed=5))
    assert runs[0].rounds == runs[1].rounds == runs[2].rounds
    # No clock was given: none is reported.
    assert all(run.seconds_given == 0.0 for run in runs)


def test_progress_is_reported_with_the_best_objective_falling() -> None:
    problem = random_problem(2, visits=8, carers=3)
    seen: list[tuple[float, float]] = []
    result = solve_rounds(problem, budget=SMALL, progress=lambda t, b: seen.append((t, b)))
    assert seen
    assert [b for _, b in seen] == sorted((b for _, b in seen), reverse=True)
    assert seen[-1][1] == pytest.approx(result.evaluation.objective)


def test_the_search_needs_some_time_or_some_work() -> None:
    problem = line_problem([10], [(0, DAY)])
    with pytest.raises(InputError):
        solve_rounds(problem, seconds=0)
    with pytest.raises(InputError, match="budget of work or seconds"):
        solve_rounds(problem)
    with pytest.raises(InputError, match="evaluation"):
        SearchBudget(evaluations=0, pyvrp_iterations=10)
    with pytest.raises(InputError, match="PyVRP iteration"):
        SearchBudget(evaluations=10, pyvrp_iterations=0)
    with pytest.raises(InputError):
        SearchBudget.for_seconds(problem, -1.0)


def test_seconds_alone_give_a_budget_from_the_size_and_rounds_whatever_the_clock() -> None:
    problem = random_problem(4, visits=6, carers=2)
    budget = SearchBudget.for_seconds(problem, 0.3)
    # From the size and the seconds only, so the same every time; twice the seconds,
    # twice the work.
    assert budget == SearchBudget.for_seconds(problem, 0.3)
    assert SearchBudget.for_seconds(problem, 0.6).evaluations == pytest.approx(
        2 * budget.evaluations, abs=1
    )
    # However slow the machine, the greedy rounds are timed before the clock is looked at,
    # so the answer is feasible.
    result = solve_rounds(problem, seconds=0.3)
    assert result.seconds_given == 0.3
    assert result.evaluation.problems == ()


@pytest.mark.parametrize("seed", range(3))
def test_quick_rounds_can_always_be_timed_with_each_pair_on_two_carers_in_step(seed: int) -> None:
    problem = home_care_day(seed, visits=120, carers=12)
    scorer = Scorer(problem)
    routes = quick_rounds(scorer)
    rounds = [Round(c, tuple(r)) for c, r in enumerate(routes) if r]
    ev = evaluate(problem, rounds)
    assert ev.problems == ()
    assert problem.pairs
    # The starts it set while building are the exact ones.
    assert scorer.starts(routes) == list(ev.starts)


def test_only_problems_too_big_for_exact_insertion_start_quickly() -> None:
    assert not needs_quick_start(random_problem(1, visits=12, carers=3), 3.0)
    assert needs_quick_start(home_care_day(1, visits=300, carers=60), 5.0)


def test_a_day_of_four_hundred_visits_is_planned_from_the_quick_start() -> None:
    # How long it takes is measured by benchmarks/rostering_mankowska.py --large-day.
    problem = home_care_day(7, visits=400, carers=80)
    budget = SearchBudget.for_seconds(problem, 0.5)
    assert budget.quick_start
    result = solve_rounds(problem, budget=budget, seed=1)
    ev = result.evaluation
    assert ev.problems == ()
    # Better than the rounds it starts from, and with few late visits.
    start = Scorer(problem).score(quick_rounds(Scorer(problem)))
    assert ev.objective < start
    assert sum(1 for late in ev.lateness if late > 0) <= len(problem.visits) // 50
