"""The OR-Tools comparison solver: small problems with known answers, and a benchmark.

Every search here stops after a number of the constraint solver's branches with no time
limit, so its answer does not depend on how busy the machine is. OR-Tools against the best
published, in time, is measured by ``benchmarks/rostering_mankowska.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.rostering import solver_ortools
from carecore.rostering.mankowska import read_mankowska
from carecore.rostering.model import Carer, Pair, RosterProblem, Visit, Weights
from carecore.rostering.solver_ortools import solve_with_ortools

MINUTE = 60
DAY_START = 8 * 3600
DAY_END = 18 * 3600
# Branches of the constraint solver for each first-solution strategy's search: ample for
# these small days (a few hundredths of a second each).
BRANCHES = 300


def _line_matrix(places: int, *, minutes_apart: int = 10) -> np.ndarray:
    """Places on a straight road, each ``minutes_apart`` from the next (seconds, metres)."""
    where = np.arange(places)
    return np.abs(where[:, None] - where[None, :]).astype(np.int64) * minutes_apart * MINUTE


def _carer(
    name: str, *, start: int = 0, end: int = 0, skills: frozenset[str] = frozenset()
) -> Carer:
    return Carer(name, start, end, DAY_START, DAY_END, skills)


def _visit(
    name: str, location: int, *, skill: str | None = None, preferred: tuple[str, ...] = ()
) -> Visit:
    return Visit(
        name,
        location,
        DAY_START,
        DAY_END - 3600,
        30 * MINUTE,
        skill=skill,
        preferred_carers=preferred,
    )


def test_one_carer_on_a_straight_road_drives_out_and_back_once() -> None:
    matrix = _line_matrix(5)
    problem = RosterProblem(
        name="road",
        visits=tuple(_visit(f"v{i}", i) for i in (3, 1, 4, 2)),
        carers=(_carer("ann"),),
        travel_time=matrix,
        distance=matrix,
    )
    result = solve_with_ortools(problem, branches=BRANCHES)
    # Out to the far end and back: 2 x 4 legs of 10 minutes is the least travel possible.
    assert result.evaluation.feasible
    assert result.evaluation.travel_time == 2 * 4 * 10 * MINUTE
    assert result.evaluation.objective == 2 * 4 * 10 * MINUTE
    assert result.solver == "or-tools"
    places = [problem.visits[i].location for i in result.rounds[0].visits]
    assert places in ([1, 2, 3, 4], [4, 3, 2, 1])


def test_a_simultaneous_pair_gets_two_different_carers_starting_together() -> None:
    matrix = _line_matrix(4)
    # Bea starts three places away, so she arrives 20 minutes after Ann could: Ann waits.
    problem = RosterProblem(
        name="double-handed",
        visits=(_visit("hoist-a", 1), _visit("hoist-b", 1)),
        carers=(_carer("ann", start=0, end=0), _carer("bea", start=3, end=3)),
        travel_time=matrix,
        distance=matrix,
        pairs=(Pair(0, 1),),
    )
    result = solve_with_ortools(problem, branches=BRANCHES)
    evaluation = result.evaluation
    assert evaluation.feasible, evaluation.problems
    assert evaluation.carer_of[0] != evaluation.carer_of[1]
    assert evaluation.starts[0] == evaluation.starts[1] == DAY_START + 20 * MINUTE


def test_a_pair_with_a_gap_starts_the_second_visit_within_it() -> None:
    matrix = _line_matrix(3)
    problem = RosterProblem(
        name="medication-then-check",
        visits=(_visit("meds", 1), _visit("check", 1)),
        carers=(_carer("ann"), _carer("bea")),
        travel_time=matrix,
        distance=matrix,
        pairs=(Pair(0, 1, min_gap=45 * MINUTE, max_gap=60 * MINUTE),),
    )
    evaluation = solve_with_ortools(problem, branches=BRANCHES).evaluation
    assert evaluation.feasible, evaluation.problems
    assert 45 * MINUTE <= evaluation.starts[1] - evaluation.starts[0] <= 60 * MINUTE
    assert evaluation.carer_of[0] != evaluation.carer_of[1]


def test_a_visit_needing_a_skill_goes_to_the_carer_who_holds_it_even_if_further() -> None:
    matrix = _line_matrix(4)
    problem = RosterProblem(
        name="skills",
        visits=(_visit("peg-feed", 1, skill="peg"), _visit("lunch", 1)),
        carers=(
            _carer("ann", start=0, end=0),
            _carer("bea", start=3, end=3, skills=frozenset({"peg"})),
        ),
        travel_time=matrix,
        distance=matrix,
    )
    evaluation = solve_with_ortools(problem, branches=BRANCHES).evaluation
    assert evaluation.feasible, evaluation.problems
    assert evaluation.carer_of[0] == 1
    # Lunch is on Bea's way: sending Ann as well would cost her a round trip.
    assert evaluation.carer_of[1] == 1


def test_a_person_gets_the_carer_they_know_when_the_weight_asks_for_it() -> None:
    matrix = _line_matrix(3)
    problem = RosterProblem(
        name="continuity",
        visits=(_visit("tea", 1, preferred=("bea",)),),
        carers=(_carer("ann", start=0, end=0), _carer("bea", start=2, end=2)),
        travel_time=matrix,
        distance=matrix,
        weights=Weights(travel_time=1.0, unfamiliar_carer=3600.0),
    )
    evaluation = solve_with_ortools(problem, branches=BRANCHES).evaluation
    assert evaluation.carer_of[0] == 1
    assert evaluation.unfamiliar_visits == 0


def test_a_visit_out_of_reach_in_time_is_done_late_rather_than_dropped() -> None:
    matrix = _line_matrix(3, minutes_apart=30)
    early = Visit("early", 2, DAY_START, DAY_START, 10 * MINUTE)
    problem = RosterProblem(
        name="late",
        visits=(early,),
        carers=(_carer("ann"),),
        travel_time=matrix,
        distance=matrix,
        weights=Weights(travel_time=1.0, total_lateness=10.0),
    )
    evaluation = solve_with_ortools(problem, branches=BRANCHES).evaluation
    # An hour's drive from a shift starting at the window's end: an hour late, no less.
    assert evaluation.lateness == (3600,)
    assert evaluation.objective == 2 * 3600 + 10 * 3600


def test_work_past_the_end_of_the_shift_is_charged_as_overtime_not_refused() -> None:
    matrix = _line_matrix(2)
    long_visit = Visit("sit-in", 1, DAY_START, DAY_START + 3600, 4 * 3600)
    short_shift = Carer("ann", 0, 0, DAY_START, DAY_START + 2 * 3600)
    problem = RosterProblem(
        name="overtime",
        visits=(long_visit,),
        carers=(short_shift,),
        travel_time=matrix,
        distance=matrix,
        weights=Weights(travel_time=1.0, overtime=10.0),
    )
    evaluation = solve_with_ortools(problem, branches=BRANCHES).evaluation
    # 10 minutes there, 4 hours' care, 10 minutes back, against a 2-hour shift.
    assert evaluation.feasible, evaluation.problems
    assert evaluation.overtime == 20 * MINUTE + 2 * 3600
    assert evaluation.objective == 20 * MINUTE + 10 * (20 * MINUTE + 2 * 3600)


def test_a_day_with_no_visits_gives_every_carer_an_empty_round() -> None:
    matrix = _line_matrix(2)
    problem = RosterProblem(
        name="quiet day",
        visits=(),
        carers=(_carer("ann"), _carer("bea")),
        travel_time=matrix,
        distance=matrix,
    )
    result = solve_with_ortools(problem, branches=BRANCHES)
    assert [r.visits for r in result.rounds] == [(), ()]
    assert result.evaluation.feasible
    assert result.evaluation.objective == 0


def _one_visit() -> RosterProblem:
    matrix = _line_matrix(2)
    return RosterProblem(
        name="none",
        visits=(_visit("v", 1),),
        carers=(_carer("ann"),),
        travel_time=matrix,
        distance=matrix,
    )


def test_a_time_limit_or_solution_limit_that_is_not_positive_is_refused() -> None:
    with pytest.raises(InputError):
        solve_with_ortools(_one_visit(), seconds=0)
    with pytest.raises(InputError, match="branch limit"):
        solve_with_ortools(_one_visit(), branches=0)
    with pytest.raises(InputError, match="time limit or a number of branches"):
        solve_with_ortools(_one_visit())


def test_a_time_limit_is_reported_and_a_budget_alone_reports_none() -> None:
    # With both, whichever comes first: the branches of one visit, long before a minute.
    timed = solve_with_ortools(_one_visit(), seconds=60, branches=BRANCHES)
    assert timed.seconds_given == 60
    assert timed.evaluation.feasible
    assert solve_with_ortools(_one_visit(), branches=BRANCHES).seconds_given == 0.0


def test_the_same_budget_gives_the_same_rounds(benchmarks_dir: Path) -> None:
    problem = read_mankowska(benchmarks_dir / "mankowska" / "InstanzCPLEX_HCSRP_10_2.json")
    runs = [solve_with_ortools(problem, branches=BRANCHES) for _ in range(2)]
    assert runs[0].rounds == runs[1].rounds


def test_mankowska_ten_patients_gets_feasible_rounds_on_a_budget(
    benchmarks_dir: Path,
) -> None:
    problem = read_mankowska(benchmarks_dir / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json")
    result = solve_with_ortools(problem, branches=BRANCHES)
    assert result.evaluation.feasible, result.evaluation.problems
    assert sorted(i for r in result.rounds for i in r.visits) == list(range(len(problem.visits)))


def test_when_ortools_finds_no_rounds_every_carer_gets_an_empty_round_listing_every_visit(
    benchmarks_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = read_mankowska(benchmarks_dir / "mankowska" / "InstanzCPLEX_HCSRP_25_1.json")
    # What OR-Tools does when its time limit ends before a first solution: no solution.
    monkeypatch.setattr(solver_ortools, "_solve", lambda *args: None)
    result = solve_with_ortools(problem, branches=BRANCHES)
    assert len(result.rounds) == len(problem.carers)
    assert all(r.visits == () for r in result.rounds)
    assert not result.evaluation.feasible
    assert len(result.evaluation.problems) == len(problem.visits)
    assert result.solver == "or-tools"
