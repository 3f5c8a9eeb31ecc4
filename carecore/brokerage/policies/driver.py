"""Run a policy to the end against a function that answers each round: the market
simulation and the tests use this; the live platform calls ``next_round`` and ``choose``
itself as offers go out and answers come in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from carecore.brokerage.market import MarketSnapshot
from carecore.brokerage.packages import PackageSpec
from carecore.brokerage.policies.base import (
    AllocationPolicy,
    Choice,
    OfferResponse,
    OfferRound,
    RoundRecord,
    check_aware,
    instant,
)
from carecore.errors import InputError

Responder = Callable[[OfferRound], Sequence[OfferResponse]]


@dataclass(frozen=True)
class AllocationOutcome:
    """Where the package went (``provider_ref`` None: exhausted, spot-purchase), at what rate
    (pounds/hour), after which rounds, decided when, and why."""

    provider_ref: str | None
    rate: Decimal | None
    rounds: tuple[RoundRecord, ...]
    decided_at: datetime
    reason: str

    @property
    def placed(self) -> bool:
        return self.provider_ref is not None

    @property
    def exhausted(self) -> bool:
        return self.provider_ref is None

    @property
    def providers_asked(self) -> tuple[str, ...]:
        return tuple(ref for record in self.rounds for ref in record.round.provider_refs)


def run_allocation(
    policy: AllocationPolicy,
    package: PackageSpec,
    market: MarketSnapshot,
    respond: Responder,
    start: datetime,
) -> AllocationOutcome:
    """Loop rounds until a provider is chosen or the policy is exhausted.

    ``respond(round)`` returns every answer the round will get; answers after the round's
    deadline are ignored (the offer expired). Answers are fed to ``choose`` in order of
    arrival, as the live platform would, so a first-acceptance round closes at the first
    acceptance and later answers are never seen.
    """
    now = check_aware(start, "start")
    history: list[RoundRecord] = []
    asked: set[str] = set()
    while True:
        round = policy.next_round(package, market, history, now)
        if round is None:
            tried = sum(len(r.round.provider_refs) for r in history)
            return AllocationOutcome(
                None,
                None,
                tuple(history),
                now,
                f"no eligible provider left after {len(history)} rounds and {tried} "
                "providers: spot purchase needed",
            )
        repeated = asked.intersection(round.provider_refs)
        if repeated:
            raise InputError(f"{policy.name} offered the package twice to {sorted(repeated)}")
        asked.update(round.provider_refs)
        choice, seen, now = _settle(policy, package, market, round, respond(round), now)
        history.append(RoundRecord(round, tuple(seen)))
        if choice.provider_ref is not None:
            return AllocationOutcome(
                choice.provider_ref, choice.rate, tuple(history), now, choice.reason
            )


def _settle(
    policy: AllocationPolicy,
    package: PackageSpec,
    market: MarketSnapshot,
    round: OfferRound,
    responses: Sequence[OfferResponse],
    sent_at: datetime,
) -> tuple[Choice, list[OfferResponse], datetime]:
    """Feed answers one at a time until the policy stops waiting; then, if still waiting,
    decide at the deadline. Returns the choice, the answers seen and when it was made."""
    # Answers from providers not offered this round are dropped, as the platform would.
    in_time = sorted(
        (
            r
            for r in responses
            if r.provider_ref in round.provider_refs and instant(r.at) <= instant(round.deadline)
        ),
        key=lambda r: (instant(r.at), round.provider_refs.index(r.provider_ref)),
    )
    seen: list[OfferResponse] = []
    for response in in_time:
        seen.append(response)
        moment = max(response.at, sent_at, key=instant)
        choice = policy.choose(package, market, round, seen, moment)
        if not choice.wait:
            return choice, seen, moment
    choice = policy.choose(package, market, round, seen, round.deadline)
    if choice.wait:
        raise InputError(f"{policy.name} kept round {round.number} open past its deadline")
    return choice, seen, round.deadline
