"""The solver on Mankowska's 10-patient instances: feasible rounds, pairs kept, on a budget.

Every search runs on a budget of work (no clock), so the answers are the same on a busy
machine as on an idle one. How near the best published objectives the solver gets in a
given time (all ten at the best published in 3 s each on the development machine) is
measured and recorded by ``benchmarks/rostering_mankowska.py``, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carecore.rostering.improve import Scorer, greedy_rounds
from carecore.rostering.mankowska import read_mankowska
from carecore.rostering.solver import SearchBudget, solve_rounds

BUDGET = SearchBudget(evaluations=5000, pyvrp_iterations=100)
TEN_PATIENTS = [f"InstanzCPLEX_HCSRP_10_{k}.json" for k in range(1, 11)]


@pytest.fixture(scope="module")
def mankowska_dir(benchmarks_dir: Path) -> Path:
    folder = benchmarks_dir / "mankowska"
    if not folder.is_dir():
        pytest.skip(f"no Mankowska instances in {benchmarks_dir}")
    return folder


def _greedy_objective(path: Path) -> float:
    scorer = Scorer(read_mankowska(path))
    scorer.exact()
    return scorer.score(greedy_rounds(scorer))


@pytest.mark.parametrize("name", TEN_PATIENTS)
def test_ten_patient_rounds_are_feasible_keep_every_pair_and_never_lose_to_their_start(
    mankowska_dir: Path, name: str
) -> None:
    path = mankowska_dir / name
    if not path.exists():
        pytest.skip(f"{name} is not in {mankowska_dir}")
    problem = read_mankowska(path)
    result = solve_rounds(problem, budget=BUDGET, seed=1)
    ev = result.evaluation
    assert ev.problems == ()
    assert problem.pairs
    for pair in problem.pairs:
        assert ev.carer_of[pair.first] != ev.carer_of[pair.second]
        assert pair.min_gap <= ev.starts[pair.second] - ev.starts[pair.first] <= pair.max_gap
    assert ev.objective <= _greedy_objective(path) + 1e-9


def test_the_search_improves_on_the_greedy_start(mankowska_dir: Path) -> None:
    # Instance 10_4: greedy rounds 270.417, and the search finds far better on its budget.
    path = mankowska_dir / "InstanzCPLEX_HCSRP_10_4.json"
    result = solve_rounds(read_mankowska(path), budget=BUDGET, seed=1)
    assert result.evaluation.objective < 0.9 * _greedy_objective(path)
