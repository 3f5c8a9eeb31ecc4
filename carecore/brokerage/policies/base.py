"""What every allocation policy shares: the records of rounds and answers, the protocol,
offer time-outs and the eligibility rules.

A policy is pure: it decides from a :class:`~carecore.brokerage.market.MarketSnapshot`, the
rounds so far and ``now`` (a time-zone aware datetime the caller passes), and never reads
the clock or the database. The live platform and the market simulation call the same
objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from carecore.brokerage.market import MarketSnapshot, Tier, to_tier
from carecore.brokerage.packages import PRIORITIES, SOURCES, PackageSpec
from carecore.errors import InputError
from carecore.params import check_keys
from carecore.units import to_decimal

ROUND_KINDS = ("offer", "bid")


def check_aware(moment: object, key: str) -> datetime:
    """``moment`` if it is a time-zone aware datetime, else :class:`InputError`."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InputError(f"the time must carry a time zone, got {moment!r}", key=key)
    return moment


def instant(moment: datetime) -> datetime:
    """The moment in UTC, for comparing: Python compares two Europe/London times by wall
    clock, which is wrong in the hour the clocks go back."""
    return moment.astimezone(UTC)


def add_elapsed(moment: datetime, span: timedelta) -> datetime:
    """``span`` of real elapsed time after ``moment``, in ``moment``'s time zone. Plain
    ``+`` on a Europe/London time adds wall-clock time: 24 hours across the spring change
    would be 23 real hours."""
    return (check_aware(moment, "now").astimezone(UTC) + span).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class OfferRound:
    """Offers (or invitations to bid) sent at once to ``provider_refs``, open until
    ``deadline``. ``closes_on_first_accept``: the first acceptance places the package."""

    number: int
    tier: str
    provider_refs: tuple[str, ...]
    deadline: datetime
    kind: str = "offer"
    closes_on_first_accept: bool = True

    def __post_init__(self) -> None:
        if self.number < 1:
            raise InputError(f"must be 1 or more, got {self.number}", key="number")
        if not self.provider_refs:
            raise InputError("a round must offer to at least one provider", key="provider_refs")
        if len(set(self.provider_refs)) != len(self.provider_refs):
            raise InputError("a provider appears twice in one round", key="provider_refs")
        check_aware(self.deadline, "deadline")
        if self.kind not in ROUND_KINDS:
            raise InputError(f"must be offer or bid, got {self.kind!r}", key="kind")


@dataclass(frozen=True)
class OfferResponse:
    """A provider's answer: accept or decline (with a reason), and a bid rate in a bid round."""

    provider_ref: str
    accepted: bool
    at: datetime
    reason: str = ""
    bid_rate: Decimal | None = None

    def __post_init__(self) -> None:
        check_aware(self.at, "at")
        if self.bid_rate is not None and not (
            isinstance(self.bid_rate, Decimal) and self.bid_rate > 0
        ):
            raise InputError(f"expected a positive rate, got {self.bid_rate!r}", key="bid_rate")


@dataclass(frozen=True)
class RoundRecord:
    """A round and the answers received for it (in the order they arrived)."""

    round: OfferRound
    responses: tuple[OfferResponse, ...] = ()


@dataclass(frozen=True)
class Choice:
    """The policy's decision on a round's answers so far.

    ``provider_ref`` set: place with it at ``rate`` (pounds/hour; ``None`` if it has no
    tendered rate). ``provider_ref`` None and ``wait``: keep the round open until its
    deadline. ``provider_ref`` None and not ``wait``: the round failed; ask for the next one.
    """

    provider_ref: str | None
    rate: Decimal | None
    reason: str
    wait: bool = False


@runtime_checkable
class AllocationPolicy(Protocol):
    """One way of placing packages. ``next_round`` returns ``None`` when every eligible
    provider has been asked: the broker must then spot-purchase and record why."""

    @property
    def name(self) -> str: ...

    def next_round(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        history: Sequence[RoundRecord],
        now: datetime,
    ) -> OfferRound | None: ...

    def choose(
        self,
        package: PackageSpec,
        market: MarketSnapshot,
        round: OfferRound,
        responses: Sequence[OfferResponse],
        now: datetime,
    ) -> Choice: ...


def hours_to_timedelta(value: object, key: str) -> timedelta:
    """A positive number of hours from TOML (``2.5``) as a span, to the whole second."""
    hours = to_decimal(value, key=key)
    if hours <= 0:
        raise InputError(f"must be more than 0 hours, got {hours}", key=key)
    return timedelta(seconds=int(hours * 3600))


@dataclass(frozen=True)
class OfferTimeouts:
    """How long a round stays open. The most specific rule wins: ``by_source`` (e.g. hospital
    discharge, where every hour in a hospital bed counts) over ``by_priority`` over
    ``default``."""

    default: timedelta = timedelta(hours=24)
    by_priority: Mapping[str, timedelta] = field(default_factory=dict, hash=False)
    by_source: Mapping[str, timedelta] = field(
        default_factory=lambda: {"hospital_discharge": timedelta(hours=4)}, hash=False
    )

    def __post_init__(self) -> None:
        if self.default <= timedelta(0):
            raise InputError("must be longer than zero", key="timeouts.default_hours")
        for table, allowed in (("by_priority", PRIORITIES), ("by_source", SOURCES)):
            for name, span in getattr(self, table).items():
                key = f"timeouts.{table}.{name}"
                if name not in allowed:
                    raise InputError(f"unknown (expected one of: {', '.join(allowed)})", key=key)
                if span <= timedelta(0):
                    raise InputError("must be longer than zero", key=key)

    def timeout_for(self, package: PackageSpec) -> timedelta:
        if package.source in self.by_source:
            return self.by_source[package.source]
        return self.by_priority.get(package.priority, self.default)

    def deadline_for(self, package: PackageSpec, now: datetime) -> datetime:
        """When a round sent at ``now`` for ``package`` closes."""
        return add_elapsed(now, self.timeout_for(package))

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> OfferTimeouts:
        """From ``{default_hours = 24, by_priority = {urgent = 4}, by_source = {...}}``; a
        missing ``by_source`` keeps the 4-hour hospital discharge default."""
        check_keys(table, ("default_hours", "by_priority", "by_source"), where="timeouts")
        spans: dict[str, Any] = {}
        if "default_hours" in table:
            spans["default"] = hours_to_timedelta(table["default_hours"], "timeouts.default_hours")
        for name in ("by_priority", "by_source"):
            if name in table:
                sub = table[name]
                if not isinstance(sub, Mapping):
                    raise InputError("expected a table", key=f"timeouts.{name}")
                spans[name] = {
                    k: hours_to_timedelta(v, f"timeouts.{name}.{k}") for k, v in sub.items()
                }
        return cls(**spans)


# --- eligibility shared by the policies --------------------------------------------------


def asked_providers(history: Iterable[RoundRecord]) -> set[str]:
    return {ref for record in history for ref in record.round.provider_refs}


def eligible_providers(
    package: PackageSpec,
    market: MarketSnapshot,
    tier: Tier | str,
    *,
    respect_capacity: bool,
    exclude: Iterable[str] = (),
) -> tuple[str, ...]:
    """Active providers of ``tier`` covering the package's zone and cohort, best first, less
    those in ``exclude`` (already asked) and, if ``respect_capacity``, those whose declared
    free hours in the zone are fewer than the package's carer hours."""
    skip = set(exclude)
    hours = package.carer_hours_per_week
    return tuple(
        ref
        for ref in market.providers_in_zone(package.zone_code, tier=tier, cohort=package.cohort)
        if ref not in skip
        and (not respect_capacity or market.has_room(ref, package.zone_code, hours))
    )


def eligible_in_any_tier(
    package: PackageSpec,
    market: MarketSnapshot,
    tiers: Iterable[Tier],
    *,
    respect_capacity: bool,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Providers eligible in any of ``tiers`` (see :func:`eligible_providers`), each once, in
    tier order: for the policies that offer to every tier at once."""
    refs: list[str] = []
    for tier in tiers:
        for ref in eligible_providers(
            package, market, tier, respect_capacity=respect_capacity, exclude=exclude
        ):
            if ref not in refs:
                refs.append(ref)
    return refs


def check_tiers(values: Iterable[object], key: str) -> tuple[Tier, ...]:
    tiers = tuple(to_tier(value, key) for value in values)
    if len(set(tiers)) != len(tiers):
        raise InputError("a tier appears twice", key=key)
    return tiers


def answers_in_round(
    round: OfferRound, responses: Sequence[OfferResponse], now: datetime
) -> list[OfferResponse]:
    """Each provider's first answer, from providers in the round, given by its deadline and
    not after ``now``, in order of arrival (ties keep the round's order)."""
    check_aware(now, "now")
    position = {ref: i for i, ref in enumerate(round.provider_refs)}
    seen: set[str] = set()
    result = []
    cutoff = min(instant(now), instant(round.deadline))
    ordered = sorted(responses, key=lambda r: (instant(r.at), position.get(r.provider_ref, 0)))
    for response in ordered:
        ref = response.provider_ref
        if ref in position and ref not in seen and instant(response.at) <= cutoff:
            seen.add(ref)
            result.append(response)
    return result


def is_settled(round: OfferRound, answers: Sequence[OfferResponse], now: datetime) -> bool:
    """Whether nothing more can come: everyone has answered or the deadline has passed."""
    return len(answers) == len(round.provider_refs) or instant(now) >= instant(round.deadline)


def no_acceptance(round: OfferRound, answers: Sequence[OfferResponse], now: datetime) -> Choice:
    """Wait while answers may still come, else report the round failed and why."""
    if not is_settled(round, answers, now):
        return Choice(None, None, f"waiting for answers to round {round.number}", wait=True)
    declined = sum(1 for a in answers if not a.accepted)
    silent = len(round.provider_refs) - len(answers)
    if silent:
        return Choice(
            None, None, f"round {round.number} timed out: {declined} declined, {silent} silent"
        )
    return Choice(None, None, f"round {round.number}: all {declined} declined")


def active_acceptances(
    answers: Sequence[OfferResponse], market: MarketSnapshot
) -> list[OfferResponse]:
    """The acceptances, in the order given, from providers still active in ``market``."""
    return [a for a in answers if a.accepted and market.is_active(a.provider_ref)]


def accepted_choice(package: PackageSpec, market: MarketSnapshot, ref: str, reason: str) -> Choice:
    return Choice(ref, market.rate_for(ref, package.band_code, package.zone_code), reason)
