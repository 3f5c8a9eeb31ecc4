"""Running replications: one pure function Dask can call, and a serial comparison."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from carecore.errors import InputError
from carecore.market.engine import Simulation
from carecore.market.results import Comparison, ReplicationResult, summarise
from carecore.market.scenario import Scenario

#: The delivery models of the shipped scenario, in the order reports show them.
DELIVERY_MODELS = ("prime", "open", "lead-block", "dps")


def run_replication(
    scenario: Scenario, model: str, replication: int, seed: int
) -> ReplicationResult:
    """Simulate ``scenario`` under delivery ``model`` once and return the horizon's figures.

    Pure and picklable: the result depends only on the arguments. Replication ``r`` draws
    from ``numpy.random.SeedSequence(seed).spawn(r + 1)[r]`` (built directly as
    ``SeedSequence(seed, spawn_key=(r,))``), so replications are independent streams and a
    replication's number, not how many there are, fixes its stream. The model is not part of
    the seed: every model sees the same packages arrive (common random numbers).
    """
    if isinstance(replication, bool) or not isinstance(replication, int) or replication < 0:
        raise InputError(f"must be a whole number from 0, got {replication!r}", key="replication")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"must be a whole number from 0, got {seed!r}", key="seed")
    return Simulation(scenario, model, replication, seed).run()


def checked_comparison(
    scenario: Scenario, models: Iterable[str] | None, replications: object, seed: int | None
) -> tuple[list[str], int]:
    """The models to compare (default: all the scenario's) and the seed (default: the
    scenario's), after checking that every model exists and ``replications`` is 1 or more."""
    names = list(models) if models is not None else list(scenario.models)
    if not names:
        raise InputError("no delivery models to compare", key="models")
    for name in names:
        scenario.model(name)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise InputError(f"must be 1 or more, got {replications!r}", key="replications")
    return names, scenario.seed if seed is None else seed


def compare(
    scenario: Scenario,
    models: Iterable[str] | None = None,
    replications: int = 10,
    seed: int | None = None,
    *,
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> Comparison:
    """Every model in ``models`` (default: all the scenario's) over ``replications`` runs, one
    after another on this process, with ``seed`` (default: the scenario's). ``on_result`` is
    called after each run, for a progress bar."""
    names, base_seed = checked_comparison(scenario, models, replications, seed)
    results: list[ReplicationResult] = []
    for name in names:
        for replication in range(replications):
            result = run_replication(scenario, name, replication, base_seed)
            results.append(result)
            if on_result is not None:
                on_result(result)
    summaries = tuple(summarise(r for r in results if r.model == name) for name in names)
    return Comparison(scenario.name, base_seed, replications, summaries, tuple(results))
