"""Lead provider with block hours (Leeds 2014, seed 001 section 3.6): first refusal to the lead.

The lead (an appointment of tier prime covering the zone) is offered the package first while
its guaranteed block (``block_hours_per_week`` less ``block_hours_used``, in carer hours)
still covers the package. If the block is used up, or the lead declines, the secondary
providers (tier supplementary by default) get the offer all at once and the first
acceptance wins. A zone with two leads offers to them one after the other, best quality
first.
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


@dataclass(frozen=True)
class LeadProviderBlock:
    lead_tier: Tier = Tier.PRIME
    secondary_tiers: tuple[Tier, ...] = (Tier.SUPPLEMENTARY,)
    respect_capacity: bool = True
    timeouts: OfferTimeouts = field(default_factory=OfferTimeouts)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lead_tier", check_tiers([self.lead_tier], "lead_tier")[0])
        tiers = check_tiers(self.secondary_tiers, "secondary_tiers")
        object.__setattr__(self, "secondary_tiers", tiers)

    @property
    def name(self) -> str:
        return "lead_block"

    def leads_with_room(
        self, package: PackageSpec, market: MarketSnapshot, exclude: set[str]
    ) -> tuple[str, ...]:
        """Leads not yet asked whose remaining block covers the package's carer hours."""
        hours = package.carer_hours_per_week
        return tuple(
            ref
            for ref in eligible_providers(
                package,
                market,
                self.lead_tier,
                respect_capacity=self.respect_capacity,
                exclude=exclude,
            )
            if market.block_hours_remaining(ref) >= hours
        )

    def next_round(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        history: Sequence[RoundRecord],
        now: datetime,
    ) -> OfferRound | None:
        asked = asked_providers(history)
        deadline = self.timeouts.deadline_for(package, now)
        leads = self.leads_with_room(package, market, asked)
        if leads:
            return OfferRound(len(history) + 1, "lead", leads[:1], deadline, "offer", True)
        for tier in self.secondary_tiers:
            refs = eligible_providers(
                package, market, tier, respect_capacity=self.respect_capacity, exclude=asked
            )
            if refs:
                return OfferRound(len(history) + 1, tier.value, refs, deadline, "offer", True)
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
        what = "the lead, within its block" if round.tier == "lead" else round.tier
        return accepted_choice(
            package, market, accepted[0].provider_ref, f"accepted in round {round.number} ({what})"
        )
