"""Parameter sweeps: one scenario number over a range of values, times delivery models, times
replications, on Dask (:mod:`carecore.market.parallel`), resumable from a store folder.

```python
from carecore.market import default_scenario
from carecore.market.sweep import parse_values, sweep

result = sweep(default_scenario(), "costs.rural_uplift_percent", parse_values("0:30:5"),
               ["prime", "open"], replications=100, seed=1, store="runs/")
result.summary(Decimal(10), "prime")["median_days_rural"]
```

The parameter is a dotted key into the scenario, as the scenario file names it
(``demand.growth_per_year``, ``supply.capacity_margin``, ``costs.band_rates.RURAL``,
``models.prime.obligation_pence_per_hour``, ``supply.providers.P1.margin_pence``,
``scenario.horizon_weeks``), or the one derived key ``costs.rural_uplift_percent``: the
scenario has no rural uplift of its own (its band rates are the rate card's), so this raises
the rates of its ``rural_bands`` by that percentage, to the penny.

Each finished run is one small JSON file in the store, named by a hash of the scenario as the
value makes it, the model, the replication and the seed, and written atomically (a temporary
file renamed into place). A sweep started again reads the runs it already has instead of
making them; a changed scenario or seed has a different name, so it never reuses them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.market.parallel import Task, run_tasks
from carecore.market.results import Comparison, ModelSummary, ReplicationResult, summarise
from carecore.market.scenario import Scenario

#: The derived parameter: rural band rates raised by this percentage.
RURAL_UPLIFT = "costs.rural_uplift_percent"
#: Bump when a stored run would no longer match what the engine makes (a new result field,
#: a changed model): it is part of every run's hash, so old runs are then ignored.
STORE_FORMAT = 1
#: More values than this is almost certainly a typo in the step.
MAX_VALUES = 1000
#: Attributes that name an item of a list of tables (providers by ref, zones by code, ...).
_ITEM_NAMES = ("ref", "code", "name", "provider")
_PENNY = Decimal("0.01")


# --- values ---------------------------------------------------------------------------------


def parse_values(text: str) -> tuple[Decimal, ...]:
    """``"0:30:5"`` (start, stop and step, both ends included) or ``"0,5,12.5"``, as exact
    decimals, so ``0:1:0.1`` ends at exactly 1."""
    spec = text.strip()
    if not spec:
        raise InputError("give a range start:stop:step or a list a,b,c", key="values")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise InputError(f"expected start:stop:step, got {text!r}", key="values")
        start, stop, step = (_decimal(p, text) for p in parts)
        if step <= 0:
            raise InputError(f"the step must be above 0, got {step}", key="values")
        if stop < start:
            raise InputError(f"the stop {stop} is below the start {start}", key="values")
        count = int((stop - start) / step) + 1
        if count > MAX_VALUES:
            raise InputError(f"{count} values is more than {MAX_VALUES}", key="values")
        return tuple(start + step * i for i in range(count))
    values = tuple(_decimal(p, text) for p in spec.split(","))
    if len(set(values)) != len(values):
        raise InputError(f"a value is repeated in {text!r}", key="values")
    if len(values) > MAX_VALUES:
        raise InputError(f"{len(values)} values is more than {MAX_VALUES}", key="values")
    return values


def _decimal(part: str, text: str) -> Decimal:
    try:
        value = Decimal(part.strip())
    except InvalidOperation:
        raise InputError(f"{part.strip()!r} is not a number (in {text!r})", key="values") from None
    if not value.is_finite():
        raise InputError(f"{part.strip()!r} is not a finite number", key="values")
    return value


# --- setting a parameter --------------------------------------------------------------------


def with_parameter(scenario: Scenario, parameter: str, value: Decimal) -> Scenario:
    """A copy of ``scenario`` with the number at dotted key ``parameter`` set to ``value``.

    Every level is rebuilt with ``dataclasses.replace``, so the scenario's own checks run and
    an out-of-range value is an :class:`InputError` naming its key.
    """
    if parameter == RURAL_UPLIFT:
        return _with_rural_uplift(scenario, value)
    parts = parameter.split(".")
    if not parameter.strip() or any(not p for p in parts):
        raise InputError("expected a dotted key such as demand.growth_per_year", key="parameter")
    if parts[0] in ("scenario", "geography"):
        # The file's [scenario] and [geography] tables are the scenario's own fields.
        parts = parts[1:]
        if not parts:
            raise InputError(f"expected {parameter}.<key>", key=parameter)
    return _set(scenario, parts, value, parameter, done=[])  # type: ignore[no-any-return]


def _set(node: Any, parts: Sequence[str], value: Decimal, parameter: str, done: list[str]) -> Any:
    if not parts:
        return _number_like(node, value, parameter)
    head, rest = parts[0], parts[1:]
    here = ".".join([*done, head])
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        names = [f.name for f in fields(node) if f.init]
        if head not in names:
            raise InputError(
                f"unknown key {head!r} (expected one of: {', '.join(names)})", key=here
            )
        new = _set(getattr(node, head), rest, value, parameter, [*done, head])
        return dataclasses.replace(node, **{head: new})
    if isinstance(node, Mapping):
        if head not in node:
            raise InputError(
                f"unknown key {head!r} (expected one of: {', '.join(map(str, node))})", key=here
            )
        return {**node, head: _set(node[head], rest, value, parameter, [*done, head])}
    if isinstance(node, tuple) and node and dataclasses.is_dataclass(node[0]):
        index = _item(node, head, here)
        new = _set(node[index], rest, value, parameter, [*done, head])
        return (*node[:index], new, *node[index + 1 :])
    raise InputError(f"{'.'.join(done) or parameter} has no key {head!r}", key=parameter)


def _item(items: tuple[Any, ...], head: str, here: str) -> int:
    for index, item in enumerate(items):
        if any(str(getattr(item, name, None)) == head for name in _ITEM_NAMES):
            return index
    if head.isdigit() and int(head) < len(items):
        return int(head)
    known = [next((str(getattr(i, n)) for n in _ITEM_NAMES if hasattr(i, n)), "?") for i in items]
    raise InputError(f"no item {head!r} (have: {', '.join(known)})", key=here)


def _number_like(current: Any, value: Decimal, parameter: str) -> Any:
    """``value`` in the type of the number it replaces: a whole number for an ``int``, exact
    for a ``Decimal`` (money), a ``float`` for the rest."""
    if isinstance(current, bool) or not isinstance(current, int | float | Decimal | None):
        raise InputError(
            f"is not a number to sweep (it is {type(current).__name__})", key=parameter
        )
    if isinstance(current, Decimal):
        return value
    if isinstance(current, int):
        if value != value.to_integral_value():
            raise InputError(f"must be a whole number, got {value}", key=parameter)
        return int(value)
    return float(value)


def _with_rural_uplift(scenario: Scenario, percent: Decimal) -> Scenario:
    if percent <= -100:
        raise InputError(f"must be above -100, got {percent}", key=RURAL_UPLIFT)
    if not scenario.rural_bands:
        raise InputError("the scenario has no rural bands", key="geography.rural_bands")
    factor = 1 + percent / 100
    rates = {
        band: (rate * factor).quantize(_PENNY, ROUND_HALF_UP)
        if band in scenario.rural_bands
        else rate
        for band, rate in scenario.costs.band_rates.items()
    }
    return dataclasses.replace(
        scenario, costs=dataclasses.replace(scenario.costs, band_rates=rates)
    )


# --- the store ------------------------------------------------------------------------------


def scenario_hash(scenario: Scenario) -> str:
    """A SHA-256 of everything in the scenario (and the store format), the same in every
    process: two scenarios with the same hash give the same runs."""
    text = json.dumps(
        {"format": STORE_FORMAT, "scenario": _canonical(scenario)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        body = {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
        return {"type": type(value).__name__, **body}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)  # exact, and 1 and 1.0 stay apart
    if isinstance(value, Decimal | date | time):
        return f"{type(value).__name__}:{value}"
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot hash {type(value).__name__} in a scenario")


def result_from_dict(data: Mapping[str, Any]) -> ReplicationResult:
    """The :class:`ReplicationResult` that ``to_dict()`` wrote (``Decimal`` from text)."""
    names = {f.name for f in fields(ReplicationResult)}
    if set(data) != names:
        raise ValueError(f"fields differ: {sorted(set(data) ^ names)}")
    values: dict[str, Any] = {}
    for item in fields(ReplicationResult):
        value = data[item.name]
        if isinstance(value, str) and "Decimal" in str(item.type):
            value = Decimal(value)
        values[item.name] = value
    return ReplicationResult(**values)


class RunStore:
    """Finished runs as one JSON file each: ``<folder>/<hash>/<model>/r<rep>-s<seed>.json``,
    where ``<hash>`` is the first 20 hex digits of :func:`scenario_hash` of the scenario as
    the swept value makes it. The full hash is inside and checked on reading."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(f"{self.folder} is a file, not a folder", key="store")

    def path(self, digest: str, task: Task) -> Path:
        name = f"r{task.replication}-s{task.seed}.json"
        return self.folder / digest[:20] / _safe(task.model) / name

    def load(self, digest: str, task: Task) -> ReplicationResult | None:
        """The stored run, or ``None`` if there is none or it does not match (a half-written
        or foreign file is made again rather than trusted)."""
        try:
            record = json.loads(self.path(digest, task).read_text(encoding="utf-8"))
            if (
                record.get("format") != STORE_FORMAT
                or record.get("scenario_hash") != digest
                or record.get("model") != task.model
                or record.get("replication") != task.replication
                or record.get("seed") != task.seed
            ):
                return None
            return result_from_dict(record["result"])
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def save(
        self, digest: str, task: Task, result: ReplicationResult, label: Mapping[str, str]
    ) -> Path:
        target = self.path(digest, task)
        target.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "format": STORE_FORMAT,
            "scenario_hash": digest,
            **label,
            "model": task.model,
            "replication": task.replication,
            "seed": task.seed,
            "result": result.to_dict(),
        }
        # Write beside the target, then rename: a run interrupted mid-write leaves a stray
        # temporary file, never a half-written run that a restart would trust.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(record, stream, separators=(",", ":"))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)  # mkstemp makes it private; a store is shared data
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "_"


# --- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepPoint:
    """One value of the parameter under one model, over its replications."""

    value: Decimal
    model: str
    summary: ModelSummary

    def to_dict(self) -> dict[str, Any]:
        return {"value": str(self.value), "model": self.model, "summary": self.summary.to_dict()}


@dataclass(frozen=True)
class SweepResult:
    """Every value times every model: a :class:`ModelSummary` each. ``runs`` and ``reused``
    (how many came from the store) describe the call, not the results, so they are left out
    of equality: a resumed sweep equals an uninterrupted one."""

    scenario: str
    parameter: str
    values: tuple[Decimal, ...]
    models: tuple[str, ...]
    replications: int
    seed: int
    points: tuple[SweepPoint, ...]
    runs: int = field(default=0, compare=False)
    reused: int = field(default=0, compare=False)

    def summary(self, value: Decimal | int | str, model: str) -> ModelSummary:
        wanted = Decimal(value)
        for point in self.points:
            if point.value == wanted and point.model == model:
                return point.summary
        raise InputError(f"no results for value {value} and model {model!r}", key="sweep")

    def comparisons(self) -> tuple[tuple[Decimal, Comparison], ...]:
        """``(value, Comparison)`` pairs, the shape the committee report's sensitivity chart
        takes (``committee_report_html(..., sweep=result.comparisons())``). The comparisons
        carry the summaries only: a sweep keeps no per-run results in memory."""
        return tuple(
            (
                value,
                Comparison(
                    self.scenario,
                    self.seed,
                    self.replications,
                    tuple(self.summary(value, model) for model in self.models),
                    (),
                ),
            )
            for value in self.values
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "parameter": self.parameter,
            "values": [str(v) for v in self.values],
            "models": list(self.models),
            "replications": self.replications,
            "seed": self.seed,
            "runs": self.runs,
            "reused": self.reused,
            "points": [p.to_dict() for p in self.points],
        }


def sweep(
    scenario: Scenario,
    parameter: str,
    values: Iterable[Decimal | int | str],
    models: Iterable[str] | None = None,
    replications: int = 10,
    seed: int | None = None,
    *,
    store: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run ``scenario`` with ``parameter`` at each of ``values``, under each model, over
    ``replications`` runs (replication ``r`` of every value and model shares its random
    stream, so differences come from the value, not from luck).

    With ``store``, runs already there are read, not made, and each new run is saved as it
    finishes, so an interrupted sweep started again gives the same totals.
    ``progress(done, total)`` counts stored runs as done from the start.
    """
    points = tuple(Decimal(v) for v in values)
    if not points:
        raise InputError("no values to sweep", key="values")
    if len(set(points)) != len(points):
        raise InputError("a value is repeated", key="values")
    names = tuple(models) if models is not None else tuple(scenario.models)
    if not names:
        raise InputError("no delivery models to run", key="models")
    if len(set(names)) != len(names):
        raise InputError("a model is repeated", key="models")
    for name in names:
        scenario.model(name)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise InputError(f"must be 1 or more, got {replications!r}", key="replications")
    base_seed = scenario.seed if seed is None else seed
    if isinstance(base_seed, bool) or not isinstance(base_seed, int) or base_seed < 0:
        raise InputError(f"must be a whole number from 0, got {base_seed!r}", key="seed")

    # Every value is applied (and checked) before anything runs.
    varied = [with_parameter(scenario, parameter, value) for value in points]
    digests = [scenario_hash(s) for s in varied]
    tasks: list[Task] = []
    keys: list[tuple[str, Mapping[str, str]]] = []
    for value, changed, digest in zip(points, varied, digests, strict=True):
        label = {"scenario": scenario.name, "parameter": parameter, "value": str(value)}
        for name in names:
            for replication in range(replications):
                tasks.append(Task(changed, name, replication, base_seed))
                keys.append((digest, label))

    runs = RunStore(store) if store is not None else None
    results: list[ReplicationResult | None] = [None] * len(tasks)
    if runs is not None:
        for index, (task, (digest, _)) in enumerate(zip(tasks, keys, strict=True)):
            results[index] = runs.load(digest, task)
    missing = [i for i, r in enumerate(results) if r is None]
    reused = len(tasks) - len(missing)

    def arrived(position: int, result: ReplicationResult) -> None:
        index = missing[position]
        results[index] = result
        if runs is not None:
            digest, label = keys[index]
            runs.save(digest, tasks[index], result, label)

    def advanced(done: int, _total: int) -> None:
        if progress is not None:
            progress(reused + done, len(tasks))

    advanced(0, len(missing))  # the stored runs count as done from the start
    run_tasks(
        [tasks[i] for i in missing],
        workers=workers,
        scheduler=scheduler,
        progress=advanced,
        on_result=arrived,
    )
    finished = [r for r in results if r is not None]
    summaries = []
    for number, value in enumerate(points):
        for offset, name in enumerate(names):
            start = (number * len(names) + offset) * replications
            summaries.append(
                SweepPoint(value, name, summarise(finished[start : start + replications]))
            )
    return SweepResult(
        scenario=scenario.name,
        parameter=parameter,
        values=points,
        models=names,
        replications=replications,
        seed=base_seed,
        points=tuple(summaries),
        runs=len(tasks),
        reused=reused,
    )
