"""The one evaluation every solver is judged by: start times, lateness, pairs and the checks."""

from __future__ import annotations

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights
from carecore.rostering.schedule import Round, evaluate

# Places on a line, one unit of travel per unit of distance: 0 home, then 10, 20, 30.
LINE = np.array([[abs(a - b) for b in (0, 10, 20, 30)] for a in (0, 10, 20, 30)], dtype=np.int64)


def _problem(visits, carers=None, pairs=(), weights=None):
    carers = carers or (
        Carer("A", 0, 0, 0, 1000),
        Carer("B", 0, 0, 0, 1000),
    )
    return RosterProblem(
        name="line",
        visits=tuple(visits),
        carers=tuple(carers),
        travel_time=LINE,
        distance=LINE,
        pairs=tuple(pairs),
        weights=weights or Weights(distance=1, travel_time=0, total_lateness=1),
    )


def test_a_round_starts_each_visit_when_the_carer_arrives_or_the_window_opens():
    problem = _problem(
        [Visit("v1", 1, 0, 100, 5), Visit("v2", 2, 40, 100, 5)],
    )
    result = evaluate(problem, [Round(0, (0, 1))])
    # v1: arrive at 10; v2: leave at 15, arrive 25, wait for the window at 40.
    assert result.starts == (10, 40)
    assert result.rounds[0].waiting == 15
    assert result.rounds[0].distance == 10 + 10 + 20
    assert result.rounds[0].commute_time == 10 + 20
    assert result.rounds[0].travel_between_visits == 10
    assert result.feasible


def test_starting_after_the_window_is_lateness_counted_in_the_objective():
    problem = _problem([Visit("v1", 3, 0, 20, 5)])
    result = evaluate(problem, [Round(0, (0,))])
    assert result.starts == (30,)
    assert result.lateness == (10,)
    assert result.objective == 60 + 10
    assert result.feasible  # lateness is soft


def test_a_simultaneous_pair_waits_for_the_later_carer():
    problem = _problem(
        [Visit("far", 3, 0, 100, 5), Visit("p1", 1, 0, 100, 5), Visit("p2", 1, 0, 100, 5)],
        pairs=[Pair(1, 2)],
    )
    # A goes to 30 first then back to 10 (arrives 55); B goes straight to 10 (arrives 10).
    result = evaluate(problem, [Round(0, (0, 1)), Round(1, (2,))])
    assert result.starts[1] == result.starts[2] == 55
    assert result.rounds[1].waiting == 45
    assert result.feasible


def test_a_sequential_pair_starts_the_second_visit_within_its_gaps():
    problem = _problem(
        [Visit("p1", 1, 0, 100, 5), Visit("p2", 2, 0, 100, 5)],
        pairs=[Pair(0, 1, min_gap=30, max_gap=40)],
    )
    result = evaluate(problem, [Round(0, (0,)), Round(1, (1,))])
    assert result.starts == (10, 40)


def test_the_first_visit_of_a_sequential_pair_is_held_back_when_the_second_is_late():
    problem = _problem(
        [Visit("far", 3, 0, 100, 50), Visit("p1", 1, 0, 100, 5), Visit("p2", 2, 0, 100, 5)],
        pairs=[Pair(1, 2, min_gap=0, max_gap=10)],
    )
    # B reaches p2 only after 'far' (starts 30, leaves 80, arrives 90): p1 must start >= 80.
    result = evaluate(problem, [Round(0, (1,)), Round(1, (0, 2))])
    assert result.starts[2] == 90
    assert result.starts[1] == 80


def test_rounds_that_wait_on_each_other_cannot_be_timed():
    problem = _problem(
        [
            Visit("a1", 1, 0, 100, 5),
            Visit("b1", 2, 0, 100, 5),
            Visit("a2", 2, 0, 100, 5),
            Visit("b2", 1, 0, 100, 5),
        ],
        # a1 with b2 together, b1 with a2 together; A does a1 then a2, B does b1 then b2.
        pairs=[Pair(0, 3), Pair(1, 2)],
    )
    result = evaluate(problem, [Round(0, (0, 2)), Round(1, (1, 3))])
    assert not result.feasible
    assert any("wait on each other" in p for p in result.problems)


def test_a_pair_done_by_one_carer_is_reported():
    problem = _problem(
        [Visit("p1", 1, 0, 100, 5), Visit("p2", 2, 0, 100, 5)],
        pairs=[Pair(0, 1, min_gap=0, max_gap=50)],
    )
    result = evaluate(problem, [Round(0, (0, 1))])
    assert any("need two carers and have one" in p for p in result.problems)


def test_a_missing_visit_a_repeated_visit_and_a_missing_skill_are_each_reported():
    carers = (Carer("A", 0, 0, 0, 1000, frozenset({"PEG"})), Carer("B", 0, 0, 0, 1000))
    problem = _problem(
        [
            Visit("v1", 1, 0, 100, 5, skill="PEG"),
            Visit("v2", 2, 0, 100, 5),
            Visit("v3", 3, 0, 9, 5),
        ],
        carers=carers,
    )
    result = evaluate(problem, [Round(1, (0, 1)), Round(0, (1,))])
    joined = " | ".join(result.problems)
    assert "lacks the skill PEG for v1" in joined
    assert "visit v2 is in two rounds" in joined
    assert "visit v3 is in no round" in joined


def test_overtime_past_the_shift_costs_but_is_allowed():
    carers = (Carer("A", 0, 0, 0, 40),)
    problem = _problem(
        [Visit("v1", 3, 0, 100, 5)],
        carers=carers,
        weights=Weights(distance=0, travel_time=0, total_lateness=0, overtime=2),
    )
    result = evaluate(problem, [Round(0, (0,))])
    assert result.rounds[0].end == 65
    assert result.overtime == 25
    assert result.objective == 50


def test_a_visit_done_by_a_carer_the_person_does_not_know_costs_the_continuity_weight():
    problem = _problem(
        [Visit("v1", 1, 0, 100, 5, person="P1", preferred_carers=("B",))],
        weights=Weights(distance=0, travel_time=0, unfamiliar_carer=7),
    )
    assert evaluate(problem, [Round(0, (0,))]).objective == 7
    assert evaluate(problem, [Round(1, (0,))]).objective == 0


def test_a_problem_refuses_a_visit_no_carer_can_do():
    with pytest.raises(InputError, match="no carer holds the skill"):
        _problem([Visit("v1", 1, 0, 100, 5, skill="PEG")])


def test_a_problem_refuses_a_pair_only_one_carer_can_do():
    carers = (Carer("A", 0, 0, 0, 1000, frozenset({"PEG"})), Carer("B", 0, 0, 0, 1000))
    with pytest.raises(InputError, match="two different carers"):
        _problem(
            [Visit("p1", 1, 0, 100, 5, skill="PEG"), Visit("p2", 1, 0, 100, 5, skill="PEG")],
            carers=carers,
            pairs=[Pair(0, 1)],
        )


def test_a_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(InputError, match="before the earliest start"):
        Visit("v1", 1, 50, 40, 5)
