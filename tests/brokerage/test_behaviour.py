"""Behaviour of the allocation policies over many generated markets (Hypothesis).

Each example is a market of up to eight invented providers in two zones, a package and the
providers' answers (accept, decline or stay silent), run to the end by ``run_allocation``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from carecore.brokerage import (
    AllocationOutcome,
    AllocationPolicy,
    AppointmentState,
    LeadProviderBlock,
    MarketSnapshot,
    MiniCompetition,
    OfferResponse,
    OfferRound,
    OpenFramework,
    PackageSpec,
    PrimeCascade,
    ProviderState,
    Tier,
    Visit,
    run_allocation,
)
from carecore.units import LONDON

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
ZONES = ("Z1", "Z2")
TIERS = (Tier.PRIME, Tier.SUPPLEMENTARY, Tier.BACK_UP, Tier.SPECIALIST)
FAST = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Case:
    market: MarketSnapshot
    package: PackageSpec
    answers: dict[str, str]  # provider -> "accept" | "decline" | "silent"


@st.composite
def markets(draw: st.DrawFn) -> MarketSnapshot:
    refs = [f"P{i}" for i in range(draw(st.integers(1, 8)))]
    providers = {
        ref: ProviderState(
            ref,
            f"Provider {ref}",
            Decimal(draw(st.sampled_from([50, 70, 80, 90]) | st.integers(0, 100))),
            draw(st.sampled_from(["active"] * 4 + ["suspended", "exited"])),
        )
        for ref in refs
    }
    appointments = []
    for ref in refs:
        for _ in range(draw(st.integers(1, 2))):
            appointments.append(
                AppointmentState(
                    ref,
                    "LOT",
                    frozenset(draw(st.sets(st.sampled_from(ZONES), min_size=1))),
                    draw(st.sampled_from(TIERS)),
                    draw(st.integers(1, 3)),
                    Decimal(draw(st.integers(1900, 2500))) / 100,
                    block_hours_per_week=Decimal(draw(st.sampled_from([0, 0, 10, 40]))),
                    cohorts=draw(st.sampled_from([frozenset(), frozenset({"mental_health"})])),
                )
            )
    free = {
        (ref, zone): Decimal(draw(st.integers(0, 20)))
        for ref in refs
        for zone in ZONES
        if draw(st.booleans())
    }
    used = {ref: Decimal(draw(st.integers(0, 40))) for ref in refs if draw(st.booleans())}
    return MarketSnapshot(providers, tuple(appointments), free, used)


@st.composite
def packages(draw: st.DrawFn) -> PackageSpec:
    days = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
    minutes = draw(st.sampled_from([30, 45, 60, 90, 120]))
    carers = draw(st.integers(1, 2))
    return PackageSpec(
        ref="PKG",
        area_code="E01000001",
        zone_code=draw(st.sampled_from(ZONES)),
        band_code="URBAN",
        cohort=draw(st.sampled_from(["older_people", "mental_health"])),
        funding="council",
        source=draw(st.sampled_from(["community", "hospital_discharge"])),
        priority="normal",
        start_date=T0.date(),
        visits=tuple(Visit(day, time(8), 30, minutes, carers) for day in days),
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    market = draw(markets())
    answers = {
        ref: draw(st.sampled_from(["accept", "decline", "silent"])) for ref in market.providers
    }
    return Case(market, draw(packages()), answers)


policies = st.one_of(
    st.builds(PrimeCascade, batch_size=st.integers(1, 3), respect_capacity=st.booleans()),
    st.builds(
        OpenFramework,
        mode=st.sampled_from(["first_accept", "best_quality_by_deadline"]),
        respect_capacity=st.booleans(),
    ),
    st.builds(LeadProviderBlock, respect_capacity=st.booleans()),
    st.builds(MiniCompetition, respect_capacity=st.booleans()),
)


def responder(answers: dict[str, str]) -> Callable[[OfferRound], list[OfferResponse]]:
    def respond(round: OfferRound) -> list[OfferResponse]:
        return [
            OfferResponse(
                ref,
                answers[ref] == "accept",
                round.deadline - timedelta(minutes=30 - i),
                bid_rate=Decimal("20.00") + i if round.kind == "bid" else None,
            )
            for i, ref in enumerate(round.provider_refs)
            if answers[ref] != "silent"
        ]

    return respond


def _run(policy: AllocationPolicy, case: Case) -> AllocationOutcome:
    return run_allocation(policy, case.package, case.market, responder(case.answers), T0)


def _eligible(policy: AllocationPolicy, case: Case) -> set[str]:
    """Every provider the policy could ever offer this package to, worked out from the
    snapshot's raw fields (not the engine's helpers, so a bug there shows here)."""
    package, market = case.package, case.market
    hours = package.carer_hours_per_week
    respect = policy.respect_capacity  # type: ignore[attr-defined]

    def fits(tiers: tuple[Tier, ...]) -> set[str]:
        found = set()
        for a in market.appointments:
            free = market.free_hours.get((a.provider_ref, package.zone_code))
            if (
                a.tier in tiers
                and package.zone_code in a.zone_codes
                and (not a.cohorts or package.cohort in a.cohorts)
                and market.providers[a.provider_ref].status == "active"
                and (not respect or free is None or free >= hours)
            ):
                found.add(a.provider_ref)
        return found

    if not isinstance(policy, LeadProviderBlock):
        return fits(policy.tiers)  # type: ignore[attr-defined]
    leads = set()
    for ref in fits((policy.lead_tier,)):
        block = sum(
            (a.block_hours_per_week for a in market.appointments if a.provider_ref == ref),
            Decimal(0),
        )
        if block - market.block_hours_used.get(ref, Decimal(0)) >= hours:
            leads.add(ref)
    return leads | fits(policy.secondary_tiers)


@FAST
@given(cases(), policies)
def test_a_placed_provider_is_active_and_covers_the_zone_and_cohort(
    case: Case, policy: AllocationPolicy
) -> None:
    outcome = _run(policy, case)
    if outcome.placed:
        ref = outcome.provider_ref
        assert ref is not None and case.market.is_active(ref)
        assert case.answers[ref] == "accept"
        assert any(
            a.provider_ref == ref and a.covers(case.package.zone_code, case.package.cohort)
            for a in case.market.appointments
        )


@FAST
@given(cases(), policies)
def test_no_provider_is_offered_the_same_package_twice(
    case: Case, policy: AllocationPolicy
) -> None:
    asked = _run(policy, case).providers_asked
    assert len(asked) == len(set(asked))


@FAST
@given(cases(), policies)
def test_exhausted_only_when_every_eligible_provider_declined_or_stayed_silent(
    case: Case, policy: AllocationPolicy
) -> None:
    outcome = _run(policy, case)
    eligible = _eligible(policy, case)
    assert set(outcome.providers_asked) <= eligible
    if outcome.exhausted:
        assert set(outcome.providers_asked) == eligible
        assert all(case.answers[ref] != "accept" for ref in eligible)
    else:
        assert outcome.rounds[-1].round.provider_refs  # placed in a real round


@FAST
@given(cases(), policies, st.randoms(use_true_random=False))
def test_the_same_inputs_give_the_same_rounds_whatever_order_they_come_in(
    case: Case, policy: AllocationPolicy, shuffler: random.Random
) -> None:
    first = _run(policy, case)
    assert _run(policy, case) == first
    providers = list(case.market.providers.items())
    appointments = list(case.market.appointments)
    shuffler.shuffle(providers)
    shuffler.shuffle(appointments)
    shuffled = replace(case.market, providers=dict(providers), appointments=tuple(appointments))
    again = _run(policy, replace(case, market=shuffled))
    assert [r.round for r in again.rounds] == [r.round for r in first.rounds]
    assert again.provider_ref == first.provider_ref


@st.composite
def more_capacity(draw: st.DrawFn) -> tuple[Case, MarketSnapshot]:
    """A case and the same market with one provider declaring more free hours in a zone.
    An undeclared provider counts as having unlimited room, so it is first given a
    declaration in both markets (raising "unlimited" to a number would be less room)."""
    case = draw(cases())
    ref = draw(st.sampled_from(sorted(case.market.providers)))
    zone = draw(st.sampled_from(ZONES))
    free = dict(case.market.free_hours)
    now = free.setdefault((ref, zone), Decimal(draw(st.integers(0, 20))))
    more = {**free, (ref, zone): now + draw(st.integers(1, 30))}
    before = replace(case, market=replace(case.market, free_hours=free))
    return before, replace(case.market, free_hours=more)


def _length(outcome: AllocationOutcome) -> tuple[bool, int]:
    """Exhausted sorts after placed; then the number of rounds."""
    return (outcome.exhausted, len(outcome.rounds))


def _room_responder(
    case: Case, market: MarketSnapshot, willing: bool
) -> Callable[[OfferRound], list[OfferResponse]]:
    """Providers accept when they have declared room (undeclared counts as room) and, unless
    ``willing`` makes everyone willing, when their drawn answer is accept."""
    hours = case.package.carer_hours_per_week

    def respond(round: OfferRound) -> list[OfferResponse]:
        return [
            OfferResponse(
                ref,
                market.has_room(ref, case.package.zone_code, hours)
                and (willing or case.answers[ref] == "accept"),
                round.deadline - timedelta(minutes=30 - i),
            )
            for i, ref in enumerate(round.provider_refs)
        ]

    return respond


@FAST
@given(more_capacity(), st.integers(1, 3), st.booleans())
def test_more_declared_capacity_never_makes_the_cascade_longer(
    pair: tuple[Case, MarketSnapshot], batch_size: int, respect_capacity: bool
) -> None:
    # Providers accept whenever they have room: with capacity respected, more room can only
    # bring a willing provider forward.
    case, roomier = pair
    policy = PrimeCascade(batch_size=batch_size, respect_capacity=respect_capacity)
    before = run_allocation(
        policy, case.package, case.market, _room_responder(case, case.market, True), T0
    )
    after = run_allocation(policy, case.package, roomier, _room_responder(case, roomier, True), T0)
    assert _length(after) <= _length(before)


@FAST
@given(more_capacity(), st.integers(1, 3))
def test_with_capacity_not_filtered_more_room_never_lengthens_even_with_unwilling_providers(
    pair: tuple[Case, MarketSnapshot], batch_size: int
) -> None:
    case, roomier = pair
    policy = PrimeCascade(batch_size=batch_size, respect_capacity=False)
    before = run_allocation(
        policy, case.package, case.market, _room_responder(case, case.market, False), T0
    )
    after = run_allocation(policy, case.package, roomier, _room_responder(case, roomier, False), T0)
    assert _length(after) <= _length(before)
