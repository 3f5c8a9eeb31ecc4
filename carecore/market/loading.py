"""Scenarios from TOML (or the same mapping from a web form). Unknown keys are errors that
name the key; a file may start from a shipped scenario with ``base = "leicestershire"`` and
change only what it gives (tables merge key by key; lists such as ``[[supply.providers]]``
replace the base's list whole).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from carecore.errors import InputError
from carecore.market import sections
from carecore.market.checks import (
    table,
    tables,
    text,
    whole,
)
from carecore.market.scenario import (
    Scenario,
)
from carecore.params import check_keys, read_toml, toml_date

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SCENARIO = "leicestershire"

TOP_KEYS = (
    "base",
    "scenario",
    "geography",
    "demand",
    "supply",
    "brokerage",
    "costs",
    "models",
    "exits",
)
SCENARIO_KEYS = ("name", "description", "start_date", "horizon_weeks", "warm_up_weeks", "seed")


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with the engine."""
    return sorted(path.stem for path in DATA_DIR.glob("*.toml"))


@functools.cache
def default_scenario() -> Scenario:
    """The shipped Leicestershire scenario (cached: it reads the default geography once)."""
    return load_scenario(DATA_DIR / f"{DEFAULT_SCENARIO}.toml")


def load_scenario(source: str | Path | Mapping[str, Any] | None = None) -> Scenario:
    """A scenario from a TOML file, a shipped name (``"leicestershire"``) or a mapping.

    ``None`` gives the default. Errors are :class:`InputError` naming the file and the key.
    """
    if source is None:
        return default_scenario()
    if isinstance(source, Mapping):
        table_ = source
        return _with_source(lambda: build_scenario(resolve_base(table_)), None, "mapping")
    path = _scenario_path(source)
    label = path.name if path.parent == DATA_DIR else str(source)
    return _with_source(lambda: build_scenario(resolve_base(read_toml(path))), label, label)


def _scenario_path(source: str | Path) -> Path:
    shipped = DATA_DIR / f"{source}.toml"
    if isinstance(source, str) and "/" not in source and shipped.is_file():
        return shipped
    return Path(source)


def _with_source(build: Callable[[], Scenario], source: str | None, label: str) -> Scenario:
    """Build, naming ``source`` in any error, and record where the scenario came from."""
    try:
        result = build()
    except InputError as exc:
        if source is None or exc.source is not None:
            raise
        raise InputError(exc.message, key=exc.key, source=source) from None
    return replace(result, source=label)


def resolve_base(data: Mapping[str, Any]) -> dict[str, Any]:
    """The table with its ``base`` scenario merged underneath (recursively)."""
    if "base" not in data:
        return dict(data)
    name = text(data["base"], "base")
    path = _scenario_path(name)
    if not path.is_file():
        raise InputError(
            f"unknown base scenario {name!r} (shipped: {', '.join(shipped_scenarios())})",
            key="base",
        )
    under = resolve_base(read_toml(path))
    return merge(under, {k: v for k, v in data.items() if k != "base"})


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: tables merge key by key, anything else replaces."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def build_scenario(data: Mapping[str, Any]) -> Scenario:
    """A :class:`Scenario` from a complete table (no ``base``)."""
    check_keys(data, TOP_KEYS)
    head = table(data.get("scenario", {}), "scenario")
    check_keys(head, SCENARIO_KEYS, where="scenario")
    for key in ("name", "start_date", "horizon_weeks", "seed"):
        if key not in head:
            raise InputError("missing", key=f"scenario.{key}")
    start = toml_date(head["start_date"], "scenario.start_date")
    costs = sections.costs(sections.required_table(data, "costs"), start)
    zones, areas, rural = sections.geography(sections.required_table(data, "geography"))
    return Scenario(
        name=text(head["name"], "scenario.name"),
        description=text(head.get("description", ""), "scenario.description", blank=True),
        start_date=start,
        horizon_weeks=whole(head["horizon_weeks"], "scenario.horizon_weeks"),
        warm_up_weeks=whole(head.get("warm_up_weeks", 0), "scenario.warm_up_weeks"),
        seed=whole(head["seed"], "scenario.seed"),
        zones=zones,
        areas=areas,
        rural_bands=rural,
        demand=sections.demand(sections.required_table(data, "demand")),
        supply=sections.supply(sections.required_table(data, "supply")),
        brokerage=sections.brokerage(table(data.get("brokerage", {}), "brokerage")),
        costs=costs,
        models=sections.models(sections.required_table(data, "models")),
        exits=tuple(
            sections.provider_exit(row, i)
            for i, row in enumerate(tables(data.get("exits", []), "exits"))
        ),
    )
