"""Prime cascade (Leicestershire 2020, seed 000 paragraph 13): primes first, in quality order.

Primes of the package's zone are offered the package one at a time (``batch_size`` at a
time) in quality order; then the supplementary providers; then back-up. In the Rural Free
Zone, where no prime role exists, the cascade starts with supplementary providers simply
because the zone has no prime appointments. When every tier is used up the policy returns
``None``: the broker spot-purchases and records why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from carecore.brokerage.market import MarketSnapshot, Tier
from carecore.brokerage.packages import PackageSpec
from carecore.brokerage.policies.base import (
    Choice,
    OfferResponse,
    OfferRound,
    OfferTimeouts,
    RoundRecord,
    accepted_choice,
    active_acceptances,
    answers_in_round,
    asked_providers,
    check_tiers,
    eligible_providers,
    no_acceptance,
)
from carecore.errors import InputError

DEFAULT_CASCADE = (Tier.PRIME, Tier.SUPPLEMENTARY, Tier.BACK_UP)


@dataclass(frozen=True)
class PrimeCascade:
    """Tier by tier in ``tiers`` order, ``batch_size`` providers a round, best quality first."""

    tiers: tuple[Tier, ...] = DEFAULT_CASCADE
    batch_size: int = 1
    respect_capacity: bool = True
    timeouts: OfferTimeouts = field(default_factory=OfferTimeouts)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", check_tiers(self.tiers, "tiers"))
        if not self.tiers:
            raise InputError("at least one tier is needed", key="tiers")
        if isinstance(self.batch_size, bool) or not 1 <= self.batch_size <= 100:
            raise InputError(f"must be 1 to 100, got {self.batch_size!r}", key="batch_size")

    @property
    def name(self) -> str:
        return "prime_cascade"

    def next_round(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        history: Sequence[RoundRecord],
        now: datetime,
    ) -> OfferRound | None:
        asked = asked_providers(history)
        for tier in self.tiers:
            refs = eligible_providers(
                package, market, tier, respect_capacity=self.respect_capacity, exclude=asked
            )
            if refs:
                return OfferRound(
                    number=len(history) + 1,
                    tier=tier.value,
                    provider_refs=refs[: self.batch_size],
                    deadline=self.timeouts.deadline_for(package, now),
                    kind="offer",
                    closes_on_first_accept=True,
                )
        return None

    def choose(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        round: OfferRound,
        responses: Sequence[OfferResponse],
        now: datetime,
    ) -> Choice:
        answers = answers_in_round(round, responses, now)
        accepted = active_acceptances(answers, market)
        if not accepted:
            return no_acceptance(round, answers, now)
        return accepted_choice(
            package,
            market,
            accepted[0].provider_ref,
            f"first acceptance in round {round.number} ({Tier(round.tier).words})",
        )
