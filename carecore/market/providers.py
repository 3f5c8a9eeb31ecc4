"""The provider side of one run: care workers and committed time per (provider, zone), the
live market snapshot the policies read, and how providers answer offers, bid and fail.

One :class:`~carecore.brokerage.market.MarketSnapshot` is built per run and kept current in
place: its free-hours and block-hours mappings are plain dicts this class updates as work
is committed and released and as the workforce changes, so a policy sees the market as it
is at each call without a snapshot being rebuilt per offer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import numpy as np

from carecore.brokerage.market import MarketSnapshot
from carecore.brokerage.policies import OfferResponse
from carecore.market.scenario import DeliveryModel, Scenario
from carecore.market.structure import (
    appointments,
    block_minutes,
    block_rate_pence,
    carer_share_by_zone,
    hours_from_minutes,
    principals,
    provider_states,
    provider_zone_pairs,
    staffed_workers,
    zone_needs,
)
from carecore.market.supply import (
    Economics,
    Terms,
    Workforce,
    accepts,
    reservation_pence,
    threshold_pence,
)
from carecore.units import to_pence

#: Round tiers in which a principal is offered work as prime or lead (its obligation applies).
LEAD_TIERS = frozenset({"prime", "lead"})


class ProviderMarket:
    def __init__(self, scenario: Scenario, model: DeliveryModel, econ: Economics) -> None:
        self.scenario = scenario
        self.model = model
        specs = scenario.supply.providers
        self.refs = [p.ref for p in specs]
        self.index = {ref: i for i, ref in enumerate(self.refs)}
        self.margin = [p.margin_pence for p in specs]
        self.choosiness = [p.choosiness_pence for p in specs]
        self.markup = [p.bid_markup_pence for p in specs]
        self.response_hours = [p.response_hours for p in specs]
        self.active = [True] * len(specs)
        self.pairs = provider_zone_pairs(scenario)
        self.pair_of = self.pairs.index()
        need = zone_needs(scenario, econ)
        self.workforce = Workforce(
            scenario,
            list(zip(self.pairs.provider, self.pairs.zone, strict=True)),
            staffed_workers(scenario, self.pairs, need),
        )
        self.committed = [0] * len(self.pairs.provider)
        self.carer_share = carer_share_by_zone(scenario, need)
        self.leading = principals(scenario)
        self.band_rates = {band: scenario.costs.rate_pence(band) for band in scenario.costs.bands}
        ceiling = model.policy.get("ceiling")
        self.ceiling_pence = None if ceiling is None else to_pence(Decimal(str(ceiling)))
        self.spot_by_zone: dict[str, list[int]] = {}
        for i in sorted(range(len(specs)), key=lambda i: (-specs[i].quality, specs[i].ref)):
            if specs[i].role == "spot":
                for zone, weight in specs[i].zones.items():
                    if weight > 0:
                        self.spot_by_zone.setdefault(zone, []).append(i)
        self.block: dict[str, int] = {}
        self.block_used: dict[str, int] = {}
        self.block_rate: dict[str, int] = {}
        self.free_hours: dict[tuple[str, str], Decimal] = {}
        self.block_hours_used: dict[str, Decimal] = {}
        self.states = provider_states(scenario)
        self.snapshot: MarketSnapshot | None = None

    def pairs_by_zone(self) -> dict[str, list[int]]:
        result: dict[str, list[int]] = {}
        for pair, zone in enumerate(self.pairs.zone):
            result.setdefault(zone, []).append(pair)
        return result

    def is_principal(self, provider: int, zone: str) -> bool:
        return self.refs[provider] in self.leading.get(zone, ())

    def open(self, carer_minutes: Mapping[str, int]) -> MarketSnapshot:
        """The snapshot the policy reads, once the caseload is placed: each lead's guaranteed
        block comes from its carer minutes then (``carer_minutes`` by provider ref)."""
        leads = {ref for refs in self.leading.values() for ref in refs}
        if self.model.appoint_principals:
            held = {ref: carer_minutes.get(ref, 0) for ref in sorted(leads)}
            self.block = block_minutes(self.model, held)
        self.block_used = {ref: carer_minutes.get(ref, 0) for ref in self.block}
        self.block_rate = {
            ref: block_rate_pence(self.scenario, ref, self.leading) for ref in self.block
        }
        self.block_hours_used.update(
            (ref, hours_from_minutes(used)) for ref, used in self.block_used.items()
        )
        blocks = {ref: hours_from_minutes(minutes) for ref, minutes in self.block.items()}
        self.snapshot = MarketSnapshot(
            providers=self.states,
            appointments=appointments(self.scenario, self.model, self.leading, blocks),
            free_hours=self.free_hours,
            block_hours_used=self.block_hours_used,
        )
        for pair in range(len(self.committed)):
            self.declare(pair)
        return self.snapshot

    def declare(self, pair: int) -> None:
        """Keep the snapshot's free hours of a (provider, zone) current: the carer hours its
        free worker time would give at the zone's typical travel, whole hours, never below 0
        (the provider's own answer then checks the package's actual travel)."""
        zone = self.pairs.zone[pair]
        free = self.workforce.capacity_minutes(pair) - self.committed[pair]
        key = (self.refs[self.pairs.provider[pair]], zone)
        self.free_hours[key] = Decimal(int(max(0, free) * self.carer_share[zone]) // 60)

    def use(self, pair: int, worker_minutes: int, carer_minutes: int) -> None:
        """Commit (or with negatives, release) worker time, and count a lead's block hours."""
        self.committed[pair] += worker_minutes
        if self.snapshot is None:
            return  # the caseload is being placed: the snapshot is built after
        self.declare(pair)
        ref = self.refs[self.pairs.provider[pair]]
        if ref in self.block_used:
            self.block_used[ref] += carer_minutes
            self.block_hours_used[ref] = hours_from_minutes(self.block_used[ref])

    def _room(self, pair: int, terms: Terms) -> float | None:
        """The pair's utilisation if the package fits in its free worker time, else None."""
        capacity = self.workforce.capacity_minutes(pair)
        committed = self.committed[pair]
        if capacity - committed < terms.worker_minutes:
            return None
        return committed / capacity

    def answer(
        self, p: int, terms: Terms, band: str, zone: str, tier: str, noise: float, now: datetime
    ) -> tuple[OfferResponse, bool]:
        """Provider ``p``'s answer to an offer, and whether it counts as an answer to the
        offer (a provider asked outside its zones does not): no room, or its valuation
        against its threshold, or in a mini-competition a bid from its reservation rate."""
        ref = self.refs[p]
        pair = self.pair_of.get((p, zone))
        if pair is None:
            return OfferResponse(ref, False, now, "does not work in this zone"), False
        utilisation = self._room(pair, terms)
        if utilisation is None:
            return OfferResponse(ref, False, now, "no capacity in the zone"), True
        obligation = self.model.obligation_pence_per_hour if tier in LEAD_TIERS else 0.0
        threshold = threshold_pence(self.margin[p], self.choosiness[p], utilisation, obligation)
        if self.model.bidding:
            return self._bid(p, terms, threshold, noise, now), True
        taken = accepts(self.band_rates[band], terms, noise, threshold)
        return OfferResponse(
            ref, taken, now, "" if taken else "not viable for us at this rate"
        ), True

    def _bid(
        self, p: int, terms: Terms, threshold: float, noise: float, now: datetime
    ) -> OfferResponse:
        """Its reservation rate plus its markup, in whole pence, capped at the ceiling; a
        decline if the ceiling is below its reservation rate."""
        ref = self.refs[p]
        reserve = reservation_pence(terms, noise, threshold)
        ceiling = self.ceiling_pence
        if ceiling is not None and reserve > ceiling:
            return OfferResponse(ref, False, now, "the ceiling is below our cost")
        bid = math.ceil(max(reserve, 1.0) + self.markup[p])
        if ceiling is not None:
            bid = min(bid, ceiling)
        return OfferResponse(ref, True, now, "", Decimal(bid) / 100)

    def spot_taker(
        self, terms: Terms, band: str, zone: str, noise: list[float]
    ) -> tuple[int, int] | None:
        """Spot purchase: the zone's spot agencies, best quality first, at the band rate plus
        the premium; the first with room that finds it worth taking, and the rate (pence)."""
        premium = Decimal(repr(self.scenario.brokerage.spot_premium))
        rate = to_pence(Decimal(self.band_rates[band]) * (1 + premium) / 100)
        for p in self.spot_by_zone.get(zone, []):
            if not self.active[p]:
                continue
            utilisation = self._room(self.pair_of[(p, zone)], terms)
            if utilisation is None:
                continue
            threshold = threshold_pence(self.margin[p], self.choosiness[p], utilisation)
            if accepts(rate, terms, noise[p], threshold):
                return p, rate
        return None

    def week(self, rng: np.random.Generator, hours: float) -> int:
        """A week of leavers and hires; returns how many left."""
        before = self.workforce.leavers
        self.workforce.week(rng, hours)
        for pair in range(len(self.committed)):
            self.declare(pair)
        return self.workforce.leavers - before

    def fail(self, provider: int, staff_moving: float) -> None:
        """The provider exits: ``staff_moving`` of its workers join the other active
        providers of each zone, the rest leave care work."""
        ref = self.refs[provider]
        self.active[provider] = False
        self.states[ref] = replace(self.states[ref], status="exited")
        for pair, owner in enumerate(self.pairs.provider):
            if owner == provider:
                self._move_staff(pair, round(int(self.workforce.workers[pair]) * staff_moving))
                self.workforce.leave_all(pair)
                self.declare(pair)

    def _move_staff(self, leaving: int, count: int) -> None:
        """``count`` workers of pair ``leaving`` join the other active providers of its zone,
        split in proportion to their workers (largest remainders get the odd ones)."""
        zone = self.pairs.zone[leaving]
        others = [
            pair
            for pair, owner in enumerate(self.pairs.provider)
            if pair != leaving and self.pairs.zone[pair] == zone and self.active[owner]
        ]
        weights = [max(int(self.workforce.workers[pair]), 0) for pair in others]
        total = sum(weights)
        if count <= 0 or not total:
            return
        exact = [count * w / total for w in weights]
        shares = [int(x) for x in exact]
        for i in sorted(range(len(others)), key=lambda i: (shares[i] - exact[i], i))[
            : count - sum(shares)
        ]:
            shares[i] += 1
        for pair, joining in zip(others, shares, strict=True):
            self.workforce.join(pair, joining)
            self.declare(pair)
