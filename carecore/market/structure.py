"""The market structure a delivery model implies: who is appointed at which tier in which
zone, at what rates, with what guaranteed block, and how many care workers each provider has
in each zone at the start.

Principal providers are a fact of the market, not of the model: in each zone with a prime
role, the ``principals_per_zone`` framework providers with the largest share of its workforce
(then best quality, then ref). The prime and lead-block models appoint them as primes / leads;
the open and DPS models put everyone on one list, and the results still report the share of
work the principals win, to show whether they "naturally emerge" (seed 000 paragraph 31).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from carecore.brokerage.market import AppointmentState, ProviderState, Tier
from carecore.market.demand import area_weekly_rates
from carecore.market.scenario import DeliveryModel, Scenario
from carecore.market.supply import Economics, caseload_minutes

SIXTY = Decimal(60)


def principals(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Each zone's principal providers (empty where the zone has no prime role)."""
    count = scenario.supply.principals_per_zone
    result: dict[str, tuple[str, ...]] = {}
    for zone in scenario.zones:
        if not zone.has_prime or count == 0:
            result[zone.code] = ()
            continue
        present = [
            p
            for p in scenario.supply.providers
            if p.role == "framework" and p.zones.get(zone.code, 0.0) > 0
        ]
        present.sort(key=lambda p: (-p.zones[zone.code], -p.quality, p.ref))
        result[zone.code] = tuple(p.ref for p in present[:count])
    return result


@dataclass(frozen=True)
class Pairs:
    """Every (provider, zone) where a provider has workers, and its share of the zone."""

    provider: list[int]
    zone: list[str]
    share: list[float]

    def index(self) -> dict[tuple[int, str], int]:
        return {(p, z): i for i, (p, z) in enumerate(zip(self.provider, self.zone, strict=True))}


def provider_zone_pairs(scenario: Scenario) -> Pairs:
    providers, zones, shares = [], [], []
    totals: dict[str, float] = {}
    for spec in scenario.supply.providers:
        for zone, weight in spec.zones.items():
            totals[zone] = totals.get(zone, 0.0) + weight
    for index, spec in enumerate(scenario.supply.providers):
        for zone, weight in sorted(spec.zones.items()):
            if weight > 0:
                providers.append(index)
                zones.append(zone)
                shares.append(weight / totals[zone])
    return Pairs(providers, zones, shares)


def zone_needs(scenario: Scenario, econ: Economics) -> dict[str, tuple[float, float]]:
    """Carer minutes and worker minutes a week the expected caseload of each zone needs at
    the start."""
    per_band = caseload_minutes(scenario, econ)
    caseload = area_weekly_rates(scenario) * scenario.demand.mean_length_weeks
    need: dict[str, tuple[float, float]] = {}
    for area, people in zip(scenario.areas, caseload, strict=True):
        carer, worker = per_band[area.band]
        before = need.get(area.zone, (0.0, 0.0))
        need[area.zone] = (before[0] + float(people) * carer, before[1] + float(people) * worker)
    return need


def carer_share_by_zone(
    scenario: Scenario, need: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """Carer hours per worker hour of each zone's typical caseload (``need`` from
    :func:`zone_needs`): how providers turn free worker time into the free carer hours they
    declare to the council."""
    shares = {}
    for zone in scenario.zones:
        carer, worker = need.get(zone.code, (0.0, 0.0))
        shares[zone.code] = carer / worker if worker else 1.0
    return shares


def staffed_workers(
    scenario: Scenario, pairs: Pairs, need: Mapping[str, tuple[float, float]]
) -> npt.NDArray[np.float64]:
    """Workers each pair starts with: ``capacity_margin`` x the worker hours its zone's expected
    caseload needs (``need`` from :func:`zone_needs`), split by the pair's share, in workers
    of ``hours_per_worker``."""
    minutes_per_worker = scenario.supply.hours_per_worker * 60
    margin = scenario.supply.capacity_margin
    return np.array(
        [
            margin * need.get(zone, (0.0, 0.0))[1] * share / minutes_per_worker
            for zone, share in zip(pairs.zone, pairs.share, strict=True)
        ],
        dtype=np.float64,
    )


def provider_states(scenario: Scenario) -> dict[str, ProviderState]:
    return {
        p.ref: ProviderState(p.ref, p.name, p.quality, "active") for p in scenario.supply.providers
    }


def appointments(
    scenario: Scenario,
    model: DeliveryModel,
    leading: Mapping[str, tuple[str, ...]],
    block_hours: Mapping[str, Decimal],
) -> tuple[AppointmentState, ...]:
    """One appointment per provider and tier, covering the zones it works in, at the band
    rates. Framework providers are primes in the zones they lead if the model appoints
    principals, supplementary elsewhere; back-up and spot providers keep their tier."""
    rates = dict(scenario.costs.band_rates)
    result = []
    for spec in scenario.supply.providers:
        zones = {zone for zone, weight in spec.zones.items() if weight > 0}
        by_tier: dict[Tier, set[str]] = {}
        if spec.role == "back_up":
            by_tier[Tier.BACK_UP] = zones
        elif spec.role == "spot":
            by_tier[Tier.SPOT] = zones
        else:
            led = {z for z in zones if model.appoint_principals and spec.ref in leading.get(z, ())}
            if led:
                by_tier[Tier.PRIME] = led
            if zones - led:
                by_tier[Tier.SUPPLEMENTARY] = zones - led
        for tier, covered in by_tier.items():
            block = block_hours.get(spec.ref, Decimal(0)) if tier == Tier.PRIME else Decimal(0)
            result.append(
                AppointmentState(
                    provider_ref=spec.ref,
                    lot_code=f"{tier.value}-{spec.ref}",
                    zone_codes=frozenset(covered),
                    tier=tier,
                    rank=1,
                    band_rates=rates,
                    block_hours_per_week=block,
                )
            )
    return tuple(result)


def block_minutes(model: DeliveryModel, carer_minutes: Mapping[str, int]) -> dict[str, int]:
    """Guaranteed block per lead (carer minutes a week): ``block_factor`` x its carer minutes
    at the start, whole minutes."""
    if model.block_factor <= 0:
        return {}
    return {ref: round(model.block_factor * minutes) for ref, minutes in carer_minutes.items()}


def block_rate_pence(scenario: Scenario, ref: str, leading: Mapping[str, tuple[str, ...]]) -> int:
    """Rate (pence per carer hour) of a lead's unused block: its zones' commonest band by
    people aged 65+, so an urban lead's block is paid at the urban rate."""
    people: dict[str, int] = {}
    for area in scenario.areas:
        if ref in leading.get(area.zone, ()):
            people[area.band] = people.get(area.band, 0) + area.population_65_plus
    if not people:
        return 0
    band = max(sorted(people), key=lambda b: people[b])
    return scenario.costs.rate_pence(band)


def hours_from_minutes(minutes: int) -> Decimal:
    """Carer hours from whole minutes, exactly as the brokerage counts them (minutes / 60)."""
    return Decimal(minutes) / SIXTY
