"""Policies from TOML (or the same mapping built by a web form); unknown keys are errors.

```toml
kind = "prime_cascade"          # or open_framework, lead_block, mini_competition
batch_size = 1
tiers = ["prime", "supplementary", "back_up"]

[timeouts]
default_hours = 24
by_priority = { urgent = 4 }
by_source = { hospital_discharge = 4 }
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from carecore.brokerage.market import to_tier
from carecore.brokerage.policies.base import (
    AllocationPolicy,
    OfferTimeouts,
    check_tiers,
    hours_to_timedelta,
)
from carecore.brokerage.policies.lead_block import LeadProviderBlock
from carecore.brokerage.policies.mini_competition import MiniCompetition
from carecore.brokerage.policies.open_framework import OpenFramework
from carecore.brokerage.policies.prime_cascade import PrimeCascade
from carecore.errors import InputError
from carecore.params import check_keys, read_toml
from carecore.units import to_decimal

_COMMON = ("kind", "respect_capacity", "timeouts")
_KEYS: dict[str, tuple[str, ...]] = {
    "prime_cascade": ("tiers", "batch_size"),
    "open_framework": ("tiers", "mode"),
    "lead_block": ("lead_tier", "secondary_tiers"),
    "mini_competition": ("tiers", "quality_weight", "price_weight", "ceiling", "bid_window_hours"),
}
POLICY_KINDS = tuple(_KEYS)


def _bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", key=key)
    return value


def _int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected a whole number, got {value!r}", key=key)
    return value


def _str(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"expected text, got {value!r}", key=key)
    return value


def _list(value: object, key: str) -> list[object]:
    if not isinstance(value, list):
        raise InputError(f"expected a list, got {value!r}", key=key)
    return value


_CONVERT: dict[str, Callable[[object, str], Any]] = {
    "respect_capacity": _bool,
    "batch_size": _int,
    "mode": _str,
    "tiers": lambda v, k: check_tiers(_list(v, k), k),
    "secondary_tiers": lambda v, k: check_tiers(_list(v, k), k),
    "lead_tier": to_tier,
    "quality_weight": lambda v, k: to_decimal(v, key=k),
    "price_weight": lambda v, k: to_decimal(v, key=k),
    "ceiling": lambda v, k: to_decimal(v, key=k),
}
_RENAME = {"bid_window_hours": "bid_window"}


def load_policy(path_or_mapping: str | Path | Mapping[str, Any]) -> AllocationPolicy:
    """An allocation policy from a TOML file or a mapping with a ``kind`` key."""
    if isinstance(path_or_mapping, Mapping):
        table, source = path_or_mapping, None
    else:
        table, source = read_toml(path_or_mapping), str(path_or_mapping)
    try:
        return _build(table)
    except InputError as exc:
        if source is None or exc.source is not None:
            raise
        raise InputError(exc.message, key=exc.key, source=source) from None


def _build(table: Mapping[str, Any]) -> AllocationPolicy:
    kind = table.get("kind")
    if kind not in _KEYS:
        raise InputError(f"must be one of {', '.join(POLICY_KINDS)}, got {kind!r}", key="kind")
    check_keys(table, (*_COMMON, *_KEYS[kind]))
    options: dict[str, Any] = {}
    for key, value in table.items():
        if key == "kind":
            continue
        if key == "timeouts":
            if not isinstance(value, Mapping):
                raise InputError("expected a table", key="timeouts")
            options["timeouts"] = OfferTimeouts.from_mapping(value)
        elif key == "bid_window_hours":
            options[_RENAME[key]] = hours_to_timedelta(value, key)
        else:
            options[key] = _CONVERT[key](value, key)
    policies: dict[str, Callable[..., AllocationPolicy]] = {
        "prime_cascade": PrimeCascade,
        "open_framework": OpenFramework,
        "lead_block": LeadProviderBlock,
        "mini_competition": MiniCompetition,
    }
    return policies[kind](**options)
