"""Results: one replication's figures, their mean and 95% confidence interval over
replications per model, and a comparison of models. All frozen, all with ``to_dict()``
(JSON-friendly: ``Decimal`` as text, so no money passes through a float).

Units are in the names: days, hours a week (carer hours), pence (``int``) and pounds
(``Decimal``). ``None`` means "not defined in this run" (e.g. no rural package arrived).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from carecore.errors import InputError

PENNY = Decimal("0.01")
CONFIDENCE = 0.95


@dataclass(frozen=True)
class ReplicationResult:
    """The figures of one run of one delivery model, over the horizon (warm-up excluded).

    Waits: a *request* opens when a package arrives (or its provider fails) and closes when it
    is placed; ``*_days_to_place`` quantiles (linear interpolation, as
    ``carecore.reports.brokerage_kpis.percentile``) are over requests opened in the horizon,
    a request never placed counting with the time it waited (a lower bound). Shares within 2
    and 7 days are over requests opened at least 7 days before the end. Means of the waiting
    list, caseload and workforce are time-averages. Money is exact: each package's days of
    care are billed as one line at rate x carer minutes, rounded half up to the penny.
    """

    scenario: str
    model: str
    replication: int
    seed: int
    weeks: int
    requests: int
    placed: int
    withdrawn_waiting: int
    waiting_at_end: int
    rebrokered: int
    spot_placements: int
    arrivals_per_week: float
    new_hours_per_week: float
    median_days_to_place: float | None
    p90_days_to_place: float | None
    share_placed_within_2_days: float | None
    share_placed_within_7_days: float | None
    median_days_rural: float | None
    median_days_urban: float | None
    share_within_7_days_rural: float | None
    share_within_7_days_urban: float | None
    mean_waiting_list: float
    mean_unmet_hours_per_week: float
    offers: int
    rounds: int
    offer_acceptance_rural: float | None
    offer_acceptance_urban: float | None
    share_placements_with_principal: float | None
    share_people_with_principal: float | None
    hhi: float
    mean_people_served: float
    mean_hours_per_week: float
    hours_per_person: float | None
    mean_care_workers: float
    turnover_per_year: float | None
    spend_pence: int
    spot_spend_pence: int
    block_unused_pence: int
    delivered_carer_hours: Decimal
    cost_per_hour: Decimal | None
    travel_miles: float
    co2_kg: float
    placements_by_tier: Mapping[str, int] = field(default_factory=dict, hash=False)
    placements_by_zone: Mapping[str, Mapping[str, int]] = field(default_factory=dict, hash=False)
    ends_by_reason: Mapping[str, int] = field(default_factory=dict, hash=False)
    median_days_by_zone: Mapping[str, float | None] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


#: Figures summarised over replications; the rest are labels or tables.
METRICS: tuple[str, ...] = tuple(
    f.name
    for f in fields(ReplicationResult)
    if f.name not in ("scenario", "model", "replication", "seed", "weeks")
    and f.name
    not in ("placements_by_tier", "placements_by_zone", "ends_by_reason", "median_days_by_zone")
)
#: Metrics summarised exactly in Decimal (pence or pounds), never through a float.
EXACT_METRICS = frozenset(
    {
        "spend_pence",
        "spot_spend_pence",
        "block_unused_pence",
        "delivered_carer_hours",
        "cost_per_hour",
    }
)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Estimate:
    """Mean over ``n`` replications and its 95% t-interval (``low`` to ``high``); the interval
    is ``None`` with fewer than two values. Money and hours are ``Decimal`` to the penny / the
    hundredth; everything else ``float``."""

    mean: float | Decimal | None
    half_width: float | Decimal | None
    low: float | Decimal | None
    high: float | Decimal | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def t_quantile(n: int) -> float:
    """The two-sided 95% Student t quantile for ``n`` values (``n - 1`` degrees of freedom)."""
    from scipy.stats import t  # heavy; only when summarising

    return float(t.ppf(0.5 + CONFIDENCE / 2, n - 1))


def estimate(values: Sequence[float | int | Decimal | None], *, exact: bool = False) -> Estimate:
    """The mean and 95% t-interval of the values that are not ``None``."""
    given = [v for v in values if v is not None]
    n = len(given)
    if n == 0:
        return Estimate(None, None, None, None, 0)
    if exact:
        return _exact_estimate([Decimal(v) for v in given])
    floats = [float(v) for v in given]
    mean = math.fsum(floats) / n
    if n < 2:
        return Estimate(mean, None, None, None, n)
    variance = math.fsum((v - mean) ** 2 for v in floats) / (n - 1)
    half = t_quantile(n) * math.sqrt(variance / n)
    return Estimate(mean, half, mean - half, mean + half, n)


def _exact_estimate(values: list[Decimal]) -> Estimate:
    n = len(values)
    mean = sum(values, Decimal(0)) / n
    if n < 2:
        return Estimate(mean.quantize(PENNY, ROUND_HALF_UP), None, None, None, n)
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / (n - 1)
    half = Decimal(repr(t_quantile(n))) * (variance / n).sqrt()
    return Estimate(
        mean.quantize(PENNY, ROUND_HALF_UP),
        half.quantize(PENNY, ROUND_HALF_UP),
        (mean - half).quantize(PENNY, ROUND_HALF_UP),
        (mean + half).quantize(PENNY, ROUND_HALF_UP),
        n,
    )


@dataclass(frozen=True)
class ModelSummary:
    """One delivery model over its replications: an :class:`Estimate` per metric, and the
    placements by tier summed over replications."""

    scenario: str
    model: str
    replications: int
    estimates: Mapping[str, Estimate] = field(hash=False)
    placements_by_tier: Mapping[str, int] = field(hash=False)

    def __getitem__(self, metric: str) -> Estimate:
        try:
            return self.estimates[metric]
        except KeyError:
            raise InputError(f"unknown metric {metric!r}", key="metric") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "model": self.model,
            "replications": self.replications,
            "estimates": {name: e.to_dict() for name, e in self.estimates.items()},
            "placements_by_tier": dict(self.placements_by_tier),
        }


def summarise(results: Iterable[ReplicationResult]) -> ModelSummary:
    """Mean and 95% t-interval of every metric over replications of one model (and one
    scenario); raises :class:`InputError` for an empty or mixed list."""
    rows = list(results)
    if not rows:
        raise InputError("no results to summarise", key="results")
    labels = {(r.scenario, r.model) for r in rows}
    if len(labels) > 1:
        raise InputError(
            f"results of more than one scenario or model: {sorted(labels)}", key="results"
        )
    tiers: dict[str, int] = {}
    for row in rows:
        for tier, count in row.placements_by_tier.items():
            tiers[tier] = tiers.get(tier, 0) + count
    return ModelSummary(
        scenario=rows[0].scenario,
        model=rows[0].model,
        replications=len(rows),
        estimates={
            name: estimate([getattr(r, name) for r in rows], exact=name in EXACT_METRICS)
            for name in METRICS
        },
        placements_by_tier=dict(sorted(tiers.items())),
    )


@dataclass(frozen=True)
class Comparison:
    """Several delivery models on one scenario, the same seed and replications (common random
    numbers: replication ``r`` of every model sees the same packages arrive)."""

    scenario: str
    seed: int
    replications: int
    summaries: tuple[ModelSummary, ...]
    results: tuple[ReplicationResult, ...]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(s.model for s in self.summaries)

    def summary(self, model: str) -> ModelSummary:
        for item in self.summaries:
            if item.model == model:
                return item
        raise InputError(
            f"no results for model {model!r} (have: {', '.join(self.models)})", key="model"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "models": [s.to_dict() for s in self.summaries],
            "results": [r.to_dict() for r in self.results],
        }
