"""Mini-competition on a dynamic purchasing system (Rotherham 2019, seed 004 section 8.2;
adam-style e-brokerage): eligible providers bid an hourly rate within a window.

At the deadline (or once everyone has answered) each valid bid scores
``price_weight x lowest bid / bid + quality_weight x quality / best quality among bidders``
(default 40 and 60). Bids above ``ceiling`` are excluded; an acceptance without a bid rate
bids its tendered rate for the band. The highest total wins; ties go to quality, then
reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from carecore.brokerage.market import MarketSnapshot, Tier
from carecore.brokerage.packages import PackageSpec
from carecore.brokerage.policies.base import (
    Choice,
    OfferResponse,
    OfferRound,
    OfferTimeouts,
    RoundRecord,
    add_elapsed,
    answers_in_round,
    asked_providers,
    check_tiers,
    eligible_in_any_tier,
    is_settled,
    no_acceptance,
)
from carecore.brokerage.policies.open_framework import ALL_TIERS
from carecore.errors import InputError

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoredBid:
    """A valid bid and its score (marks out of 100, unrounded)."""

    provider_ref: str
    rate: Decimal
    quality: Decimal
    price_score: Decimal
    quality_score: Decimal

    @property
    def total(self) -> Decimal:
        return self.price_score + self.quality_score


@dataclass(frozen=True)
class MiniCompetition:
    quality_weight: Decimal = Decimal(60)
    price_weight: Decimal = Decimal(40)
    ceiling: Decimal | None = None
    bid_window: timedelta | None = None
    tiers: tuple[Tier, ...] = ALL_TIERS
    respect_capacity: bool = True
    timeouts: OfferTimeouts = field(default_factory=OfferTimeouts)

    def __post_init__(self) -> None:
        for key in ("quality_weight", "price_weight"):
            weight = getattr(self, key)
            if not isinstance(weight, Decimal) or not 0 <= weight <= HUNDRED:
                raise InputError(f"must be between 0 and 100, got {weight!r}", key=key)
        if self.quality_weight + self.price_weight != HUNDRED:
            raise InputError(
                f"quality and price weights must add up to 100, got {self.quality_weight} + "
                f"{self.price_weight}",
                key="price_weight",
            )
        if self.ceiling is not None and not self.ceiling > 0:
            raise InputError(f"must be more than 0, got {self.ceiling}", key="ceiling")
        if self.bid_window is not None and self.bid_window <= timedelta(0):
            raise InputError("must be longer than zero", key="bid_window_hours")
        object.__setattr__(self, "tiers", check_tiers(self.tiers, "tiers"))
        if not self.tiers:
            raise InputError("at least one tier is needed", key="tiers")

    @property
    def name(self) -> str:
        return "mini_competition"

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
        refs.sort()  # a competition has no favourites: invitations in reference order
        if self.bid_window is not None:
            deadline = add_elapsed(now, self.bid_window)
        else:
            deadline = self.timeouts.deadline_for(package, now)
        return OfferRound(len(history) + 1, "open", tuple(refs), deadline, "bid", False)

    def score(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        responses: Sequence[OfferResponse],
    ) -> list[ScoredBid]:
        """Valid bids, best first. Invalid: declined, provider not active, no rate, or a
        rate above the ceiling."""
        bids: list[tuple[str, Decimal, Decimal]] = []
        for answer in responses:
            ref = answer.provider_ref
            if not answer.accepted or not market.is_active(ref):
                continue
            rate = answer.bid_rate
            if rate is None:
                rate = market.rate_for(ref, package.band_code, package.zone_code)
            if rate is None or (self.ceiling is not None and rate > self.ceiling):
                continue
            bids.append((ref, rate, market.providers[ref].quality_score))
        if not bids:
            return []
        lowest = min(rate for _, rate, _ in bids)
        best_quality = max(quality for _, _, quality in bids)
        scored = [
            ScoredBid(
                ref,
                rate,
                quality,
                lowest / rate * self.price_weight,
                quality / best_quality * self.quality_weight if best_quality > 0 else Decimal(0),
            )
            for ref, rate, quality in bids
        ]
        scored.sort(key=lambda bid: (-bid.total, -bid.quality, bid.provider_ref))
        return scored

    def choose(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        round: OfferRound,
        responses: Sequence[OfferResponse],
        now: datetime,
    ) -> Choice:
        answers = answers_in_round(round, responses, now)
        if not is_settled(round, answers, now):
            return Choice(None, None, f"bidding open in round {round.number}", wait=True)
        scored = self.score(package, market, answers)
        if not scored:
            failed = no_acceptance(round, answers, now)
            if any(a.accepted for a in answers):
                return Choice(
                    None, None, f"round {round.number}: no valid bid (above ceiling or no rate)"
                )
            return failed
        best = scored[0]
        return Choice(
            best.provider_ref,
            best.rate,
            f"highest score {best.total.quantize(Decimal('0.01'))} of {len(scored)} valid bids "
            f"in round {round.number} (bid £{best.rate}/hour)",
        )
