"""Replications on Dask: many ``(scenario, model, replication, seed)`` runs at once.

A run is :func:`carecore.market.run_replication`, which is pure, so a run gives the same
figures on a worker process as here, whatever order the runs finish in. By default the
runs go to a ``distributed.LocalCluster`` of ``workers`` processes with one thread each (the
engine is pure Python, so threads would only queue on the interpreter lock); given a
``scheduler`` address they go to that cluster instead. One worker and no scheduler runs in
this process, without starting a cluster.

Dask is imported inside the functions: ``import carecore.market`` must stay free of it (the
engine purity test and the command's start-up time depend on that).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from carecore.errors import InputError
from carecore.market.results import Comparison, ReplicationResult, summarise
from carecore.market.runner import checked_comparison, run_replication
from carecore.market.scenario import Scenario

#: ``progress(done, total)``: called as each result arrives, so ``total`` times in all.
Progress = Callable[[int, int], None]
#: ``on_result(index, result)``: called as each run finishes, with its place in the task list.
OnResult = Callable[[int, ReplicationResult], None]


@dataclass(frozen=True)
class Task:
    """One run to make: the arguments of :func:`run_replication`."""

    scenario: Scenario
    model: str
    replication: int
    seed: int


def default_workers() -> int:
    """The cores this process may use (its CPU affinity where the system reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def check_workers(workers: int | None, scheduler: str | None) -> int | None:
    """``workers`` checked (``None`` with a scheduler: that cluster has its own)."""
    if scheduler is not None:
        if workers is not None:
            raise InputError(
                "give a number of workers or a scheduler address, not both (an existing "
                "cluster has its own workers)",
                key="workers",
            )
        if not scheduler.strip():
            raise InputError("must not be blank", key="scheduler")
        return None
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"must be 1 or more, got {workers!r}", key="workers")
    return workers


def run_tasks(
    tasks: Sequence[Task],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    on_result: OnResult | None = None,
) -> list[ReplicationResult]:
    """Run every task and return the results in task order, whatever order they finish in.

    ``progress(done, total)`` and ``on_result(index, result)`` are called in this process as
    each result arrives. If a run or a callback raises, the runs still queued are cancelled
    and the error is raised here; the cluster this call started is closed either way.
    """
    count = check_workers(workers, scheduler)
    for task in tasks:
        task.scenario.model(task.model)  # an unknown model fails here, not on a worker
    if not tasks:
        return []
    if scheduler is None and count == 1:
        return _run_here(tasks, progress, on_result)
    with _client(count, scheduler) as client:
        return _run_on(client, tasks, progress, on_result)


def _run_here(
    tasks: Sequence[Task], progress: Progress | None, on_result: OnResult | None
) -> list[ReplicationResult]:
    results: list[ReplicationResult] = []
    for index, task in enumerate(tasks):
        result = run_replication(task.scenario, task.model, task.replication, task.seed)
        results.append(result)
        if on_result is not None:
            on_result(index, result)
        if progress is not None:
            progress(index + 1, len(tasks))
    return results


def _run_on(
    client: Any,
    tasks: Sequence[Task],
    progress: Progress | None,
    on_result: OnResult | None,
) -> list[ReplicationResult]:
    import distributed

    # distributed ships no type hints; its objects are Any here.
    dist: Any = distributed
    # One copy of each distinct scenario goes to the cluster, not one per run.
    shipped: dict[int, Any] = {}
    for task in tasks:
        if id(task.scenario) not in shipped:
            shipped[id(task.scenario)] = client.scatter(task.scenario, broadcast=True)
    futures = [
        client.submit(
            run_replication,
            shipped[id(task.scenario)],
            task.model,
            task.replication,
            task.seed,
            pure=False,
        )
        for task in tasks
    ]
    place = {future.key: index for index, future in enumerate(futures)}
    results: list[ReplicationResult | None] = [None] * len(tasks)
    try:
        for done, future in enumerate(dist.as_completed(futures), start=1):
            index = place[future.key]
            result = future.result()
            results[index] = result
            if on_result is not None:
                on_result(index, result)
            if progress is not None:
                progress(done, len(tasks))
    finally:
        # After an error (or an interrupt) nothing left queued should keep the workers busy.
        client.cancel([f for f in futures if not f.done()])
    return [r for r in results if r is not None]


@contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    import logging

    import distributed

    dist: Any = distributed

    if scheduler is not None:
        try:
            client = dist.Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(
                f"cannot reach a Dask scheduler at {scheduler}: {exc}", key="scheduler"
            ) from exc
        with client:
            yield client
        return
    cluster = dist.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        with dist.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def compare_parallel(
    scenario: Scenario,
    models: Iterable[str] | None = None,
    replications: int = 10,
    seed: int | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """:func:`carecore.market.compare` on Dask: the same :class:`Comparison`, the same
    numbers, with the runs spread over ``workers`` processes (or a ``scheduler``'s cluster)."""
    names, base_seed = checked_comparison(scenario, models, replications, seed)
    tasks = [Task(scenario, name, r, base_seed) for name in names for r in range(replications)]
    results = run_tasks(tasks, workers=workers, scheduler=scheduler, progress=progress)
    summaries = tuple(summarise(r for r in results if r.model == name) for name in names)
    return Comparison(scenario.name, base_seed, replications, summaries, tuple(results))
