"""Open framework (Leicestershire 2021, seed 000 paragraphs 30-31): offer to everyone at once.

Every approved, active provider covering the zone gets the offer in one round. In
``first_accept`` mode the first acceptance wins and the round closes; in
``best_quality_by_deadline`` mode the round stays open to its deadline (or until everyone
has answered) and the best quality score among acceptances wins (then earliest answer, then
reference). A later round goes only to providers approved since (a dynamic purchasing
system admits new providers at any time); with none, the policy is exhausted.
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
    eligible_in_any_tier,
    is_settled,
    no_acceptance,
)
from carecore.errors import InputError

OPEN_MODES = ("first_accept", "best_quality_by_deadline")
#: Every tier: on an open framework the tier a provider joined at does not matter.
ALL_TIERS = tuple(tier for tier in Tier if tier != Tier.SPOT)


@dataclass(frozen=True)
class OpenFramework:
    mode: str = "first_accept"
    tiers: tuple[Tier, ...] = ALL_TIERS
    respect_capacity: bool = True
    timeouts: OfferTimeouts = field(default_factory=OfferTimeouts)

    def __post_init__(self) -> None:
        if self.mode not in OPEN_MODES:
            raise InputError(
                f"must be one of {', '.join(OPEN_MODES)}, got {self.mode!r}", key="mode"
            )
        object.__setattr__(self, "tiers", check_tiers(self.tiers, "tiers"))
        if not self.tiers:
            raise InputError("at least one tier is needed", key="tiers")

    @property
    def name(self) -> str:
        return "open_framework"

    def next_round(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        history: Sequence[RoundRecord],
        now: datetime,
    ) -> OfferRound | None:
        asked = asked_providers(history)
        refs = eligible_in_any_tier(
            package, market, self.tiers, respect_capacity=self.respect_capacity, exclude=asked
        )
        if not refs:
            return None
        # Quality order across tiers, so the round's order means the same in every tier.
        refs.sort(key=lambda ref: (-market.providers[ref].quality_score, ref))
        return OfferRound(
            number=len(history) + 1,
            tier="open",
            provider_refs=tuple(refs),
            deadline=self.timeouts.deadline_for(package, now),
            kind="offer",
            closes_on_first_accept=self.mode == "first_accept",
        )

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
        if self.mode == "first_accept":
            if accepted:
                ref = accepted[0].provider_ref
                return accepted_choice(
                    package, market, ref, f"first acceptance in round {round.number}"
                )
            return no_acceptance(round, answers, now)
        if not is_settled(round, answers, now):
            return Choice(
                None,
                None,
                f"collecting answers to round {round.number} until the deadline",
                wait=True,
            )
        if not accepted:
            return no_acceptance(round, answers, now)
        order = {a.provider_ref: i for i, a in enumerate(accepted)}
        best = min(order, key=lambda ref: (-market.providers[ref].quality_score, order[ref], ref))
        score = market.providers[best].quality_score
        return accepted_choice(
            package,
            market,
            best,
            f"best quality ({score}) of {len(accepted)} acceptances in round {round.number}",
        )
