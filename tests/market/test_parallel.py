"""Replications on Dask: the same numbers as serial runs, in task order, with progress.

A LocalCluster of two workers takes a few seconds to start, so only three tests start one.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from carecore.errors import InputError
from carecore.market import Scenario, compare
from carecore.market.parallel import Task, compare_parallel, run_tasks

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """An existing two-worker cluster, reached by its scheduler address as a user would."""
    import logging

    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_a_local_cluster_gives_the_serial_numbers_and_reports_each_run(small: Scenario) -> None:
    calls: list[tuple[int, int]] = []
    parallel = compare_parallel(
        small,
        ["prime", "dps"],
        replications=3,
        seed=5,
        workers=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    serial = compare(small, ["prime", "dps"], replications=3, seed=5)
    assert parallel.to_dict() == serial.to_dict()
    assert parallel == serial
    # Called once per run as it arrives, counting up to the total.
    assert calls == [(done, 6) for done in range(1, 7)]


def test_results_come_back_in_task_order_whatever_order_they_finish(
    small: Scenario, scheduler: str
) -> None:
    # The first task simulates ten times as long as each of the others, so on two workers
    # they overtake it.
    long = replace(small, horizon_weeks=small.horizon_weeks * 10)
    tasks = [Task(long, "prime", 0, 3)] + [Task(small, "open", r, 3) for r in range(4)]
    arrivals: list[int] = []
    results = run_tasks(
        tasks, scheduler=scheduler, on_result=lambda index, _result: arrivals.append(index)
    )
    assert [(r.model, r.replication, r.weeks) for r in results] == [
        (t.model, t.replication, t.scenario.horizon_weeks) for t in tasks
    ]
    assert sorted(arrivals) == list(range(len(tasks)))
    assert arrivals != sorted(arrivals)  # they did finish out of order: the order is restored
    assert results[0] == run_tasks(tasks[:1], workers=1)[0]


def test_an_existing_cluster_gives_the_serial_numbers(small: Scenario, scheduler: str) -> None:
    parallel = compare_parallel(small, ["lead-block"], replications=2, seed=9, scheduler=scheduler)
    assert parallel == compare(small, ["lead-block"], replications=2, seed=9)


def test_an_error_in_a_callback_stops_the_run_and_is_raised(
    small: Scenario, scheduler: str
) -> None:
    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    tasks = [Task(small, "prime", r, 1) for r in range(4)]
    with pytest.raises(Stop):
        run_tasks(tasks, scheduler=scheduler, progress=stop)


def test_one_worker_runs_here_with_the_same_numbers(small: Scenario) -> None:
    calls: list[tuple[int, int]] = []
    here = compare_parallel(
        small,
        ["open"],
        replications=2,
        seed=4,
        workers=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert here == compare(small, ["open"], replications=2, seed=4)
    assert calls == [(1, 2), (2, 2)]


def test_no_tasks_need_no_cluster() -> None:
    assert run_tasks([], workers=2) == []


@pytest.mark.parametrize(
    ("workers", "scheduler", "message"),
    [
        (0, None, "must be 1 or more"),
        (True, None, "must be 1 or more"),
        (2, "tcp://127.0.0.1:8786", "not both"),
        (None, "  ", "must not be blank"),
    ],
)
def test_bad_workers_or_scheduler_are_refused(
    small: Scenario, workers: int | None, scheduler: str | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        run_tasks([Task(small, "prime", 0, 1)], workers=workers, scheduler=scheduler)


def test_an_unknown_model_fails_before_any_run(small: Scenario) -> None:
    with pytest.raises(InputError, match="unknown delivery model 'closed'"):
        run_tasks([Task(small, "prime", 0, 1), Task(small, "closed", 0, 1)], workers=2)
    with pytest.raises(InputError, match="replications"):
        compare_parallel(small, ["prime"], replications=0, workers=1)


def test_importing_the_engine_or_the_command_does_not_import_dask() -> None:
    probe = (
        "import sys\n"
        "import carecore.market, carecore.market.parallel, carecore.market.sweep\n"
        "import homecare.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
