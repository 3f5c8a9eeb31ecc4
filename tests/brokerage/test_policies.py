"""Each allocation policy on the hand-made market of conftest.py.

Zone Z1: primes ALDER (quality 92) and BIRCH (88), FERN (95) suspended; supplementary
DAMSON (85) and CEDAR (80); back-up ELM (70). The Rural Free Zone (RFZ) has no prime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from carecore.brokerage import (
    AppointmentState,
    Choice,
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
    parse_schedule,
    run_allocation,
)
from carecore.brokerage.policies import AllocationPolicy
from carecore.errors import InputError
from carecore.units import LONDON

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
MakeMarket = Callable[..., MarketSnapshot]
MakePackage = Callable[..., PackageSpec]
Responder = Callable[[OfferRound], list[OfferResponse]]
MakeResponder = Callable[..., Responder]


def _rounds(outcome_rounds: object) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.round.tier, r.round.provider_refs) for r in outcome_rounds]  # type: ignore[attr-defined]


def _reply(ref: str, accepted: bool, minutes: int, rate: str | None = None) -> OfferResponse:
    return OfferResponse(
        ref, accepted, T0 + timedelta(minutes=minutes), bid_rate=D(rate) if rate else None
    )


# --- prime cascade ---------------------------------------------------------------------


def test_the_cascade_offers_primes_by_quality_then_supplementary_then_back_up(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    outcome = run_allocation(PrimeCascade(), package, market, responder(set()), T0)
    assert _rounds(outcome.rounds) == [
        ("prime", ("ALDER",)),
        ("prime", ("BIRCH",)),
        ("supplementary", ("DAMSON",)),
        ("supplementary", ("CEDAR",)),
        ("back_up", ("ELM",)),
    ]
    assert outcome.exhausted and "spot purchase" in outcome.reason


def test_the_rural_free_zone_goes_straight_to_supplementary(
    market: MarketSnapshot, make_package: MakePackage, responder: MakeResponder
) -> None:
    package = make_package(zone_code="RFZ", band_code="RURAL")
    outcome = run_allocation(PrimeCascade(), package, market, responder({"CEDAR"}), T0)
    assert _rounds(outcome.rounds) == [
        ("supplementary", ("DAMSON",)),
        ("supplementary", ("CEDAR",)),
    ]
    assert (outcome.provider_ref, outcome.rate) == ("CEDAR", D("23.50"))


def test_the_first_prime_to_accept_is_placed_at_its_tendered_rate(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    outcome = run_allocation(PrimeCascade(), package, market, responder({"BIRCH", "ELM"}), T0)
    assert (outcome.provider_ref, outcome.rate) == ("BIRCH", D("21.00"))
    assert outcome.reason == "first acceptance in round 2 (prime)"
    assert outcome.providers_asked == ("ALDER", "BIRCH")


def test_a_batch_size_of_two_offers_two_providers_a_round(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    outcome = run_allocation(PrimeCascade(batch_size=2), package, market, responder(set()), T0)
    assert _rounds(outcome.rounds) == [
        ("prime", ("ALDER", "BIRCH")),
        ("supplementary", ("DAMSON", "CEDAR")),
        ("back_up", ("ELM",)),
    ]


def test_a_provider_without_declared_room_is_skipped_unless_capacity_is_ignored(
    make_market: MakeMarket, package: PackageSpec
) -> None:
    market = make_market(free_hours={("ALDER", "Z1"): D(6), ("BIRCH", "Z1"): D(7)})
    first = PrimeCascade().next_round(package, market, [], T0)
    assert first is not None and first.provider_refs == ("BIRCH",)
    ignoring = PrimeCascade(respect_capacity=False).next_round(package, market, [], T0)
    assert ignoring is not None and ignoring.provider_refs == ("ALDER",)


def test_a_round_waits_for_an_answer_until_its_deadline_then_times_out(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    policy = PrimeCascade()
    round = policy.next_round(package, market, [], T0)
    assert round is not None and round.deadline == T0 + timedelta(hours=24)
    assert policy.choose(package, market, round, [], T0 + timedelta(hours=1)).wait
    late = policy.choose(package, market, round, [], round.deadline)
    assert late == Choice(None, None, "round 1 timed out: 0 declined, 1 silent")
    declined = policy.choose(
        package, market, round, [_reply("ALDER", False, 5)], T0 + timedelta(minutes=5)
    )
    assert declined == Choice(None, None, "round 1: all 1 declined")


def test_an_answer_after_the_deadline_or_from_a_provider_not_asked_is_ignored(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    policy = PrimeCascade()
    round = policy.next_round(package, market, [], T0)
    assert round is not None
    stray = [_reply("BIRCH", True, 5), _reply("ALDER", True, 25 * 60)]
    choice = policy.choose(package, market, round, stray, T0 + timedelta(hours=26))
    assert choice.provider_ref is None and not choice.wait


def test_an_acceptance_from_a_provider_suspended_meanwhile_does_not_place(
    make_market: MakeMarket, package: PackageSpec
) -> None:
    policy = PrimeCascade()
    round = policy.next_round(package, make_market(), [], T0)
    assert round is not None
    suspended = make_market(status={"ALDER": "suspended"})
    choice = policy.choose(package, suspended, round, [_reply("ALDER", True, 5)], T0)
    assert choice.provider_ref is None


def test_a_specialist_tier_joins_the_cascade_only_when_configured(package: PackageSpec) -> None:
    providers = {"S": ProviderState("S", "Specialist", D(90), "active")}
    appointments = (
        AppointmentState("S", "SPEC", frozenset({"Z1"}), Tier.SPECIALIST, 1, D("25.00")),
    )
    market = MarketSnapshot(providers, appointments)
    assert PrimeCascade().next_round(package, market, [], T0) is None
    with_specialist = PrimeCascade(tiers=(Tier.PRIME, Tier.SPECIALIST))
    round = with_specialist.next_round(package, market, [], T0)
    assert round is not None and (round.tier, round.provider_refs) == ("specialist", ("S",))


def test_a_hospital_discharge_offer_expires_after_four_hours_by_default(
    market: MarketSnapshot, make_package: MakePackage
) -> None:
    package = make_package(source="hospital_discharge", priority="urgent")
    round = PrimeCascade().next_round(package, market, [], T0)
    assert round is not None and round.deadline == T0 + timedelta(hours=4)


def test_a_silent_provider_lets_the_cascade_move_on_at_the_deadline(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    def only_birch(round: OfferRound) -> list[OfferResponse]:
        return [_reply("BIRCH", True, 25 * 60 + 10)] if "BIRCH" in round.provider_refs else []

    outcome = run_allocation(PrimeCascade(), package, market, only_birch, T0)
    assert outcome.provider_ref == "BIRCH"
    assert outcome.rounds[0].responses == ()
    assert outcome.decided_at == T0 + timedelta(hours=24, minutes=70)


# --- open framework ----------------------------------------------------------------------


def test_the_open_framework_offers_every_active_provider_in_the_zone_at_once(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    round = OpenFramework().next_round(package, market, [], T0)
    assert round is not None
    assert round.provider_refs == ("ALDER", "BIRCH", "DAMSON", "CEDAR", "ELM")
    assert round.closes_on_first_accept
    waiting = OpenFramework(mode="best_quality_by_deadline").next_round(package, market, [], T0)
    assert waiting is not None and not waiting.closes_on_first_accept


def test_in_first_accept_mode_the_earliest_acceptance_wins(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    replies = [_reply("CEDAR", True, 10), _reply("ALDER", False, 5), _reply("DAMSON", True, 20)]
    outcome = run_allocation(OpenFramework(), package, market, lambda r: replies, T0)
    assert outcome.provider_ref == "CEDAR"
    assert outcome.decided_at == T0 + timedelta(minutes=10)
    assert [a.provider_ref for a in outcome.rounds[0].responses] == ["ALDER", "CEDAR"]


def test_in_best_quality_mode_the_best_acceptance_by_the_deadline_wins(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    replies = [_reply("CEDAR", True, 10), _reply("DAMSON", True, 20), _reply("ALDER", False, 5)]
    policy = OpenFramework(mode="best_quality_by_deadline")
    outcome = run_allocation(policy, package, market, lambda r: replies, T0)
    assert outcome.provider_ref == "DAMSON"
    assert outcome.decided_at == T0 + timedelta(hours=24)
    assert "best quality (85) of 2 acceptances" in outcome.reason


def test_best_quality_mode_decides_early_once_everyone_has_answered(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    policy = OpenFramework(mode="best_quality_by_deadline")
    round = policy.next_round(package, market, [], T0)
    assert round is not None
    replies = [_reply(ref, ref == "ELM", i) for i, ref in enumerate(round.provider_refs)]
    choice = policy.choose(package, market, round, replies, T0 + timedelta(minutes=4))
    assert choice.provider_ref == "ELM" and not choice.wait
    assert policy.choose(package, market, round, replies[:3], T0 + timedelta(minutes=4)).wait


def test_the_open_framework_asks_only_newly_approved_providers_in_a_later_round(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    policy = OpenFramework()
    first = run_allocation(policy, package, market, responder(set()), T0)
    assert first.exhausted and len(first.rounds) == 1
    grown = MarketSnapshot(
        {**market.providers, "GORSE": ProviderState("GORSE", "Gorse Lane Care", D(60), "active")},
        (*market.appointments, AppointmentState("GORSE", "DPS", frozenset({"Z1"}), Tier.SPOT, 1)),
    )
    assert policy.next_round(package, grown, first.rounds, T0) is None  # spot is not a tier here
    dps = OpenFramework(tiers=(Tier.PRIME, Tier.SUPPLEMENTARY, Tier.BACK_UP, Tier.SPOT))
    later = dps.next_round(package, grown, first.rounds, T0)
    assert later is not None and later.provider_refs == ("GORSE",) and later.number == 2


# --- lead provider with block hours ---------------------------------------------------------


def test_the_lead_has_first_refusal_while_its_block_covers_the_package(
    market: MarketSnapshot, make_package: MakePackage, responder: MakeResponder
) -> None:
    # 30 minutes every day = 3.5 carer hours; ALDER's block is 20 h with 15 h used: 5 h left.
    package = make_package(visits=parse_schedule("Daily 08:00 30m"))
    outcome = run_allocation(LeadProviderBlock(), package, market, responder(set()), T0)
    assert _rounds(outcome.rounds) == [("lead", ("ALDER",)), ("supplementary", ("DAMSON", "CEDAR"))]
    assert outcome.exhausted


def test_a_package_bigger_than_the_remaining_block_goes_to_the_secondaries(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    # 7 carer hours > 5 left in ALDER's block; BIRCH has no block at all.
    outcome = run_allocation(LeadProviderBlock(), package, market, responder({"CEDAR"}), T0)
    assert _rounds(outcome.rounds) == [("supplementary", ("DAMSON", "CEDAR"))]
    assert outcome.provider_ref == "CEDAR"


def test_the_lead_accepting_within_its_block_is_placed(
    market: MarketSnapshot, make_package: MakePackage, responder: MakeResponder
) -> None:
    package = make_package(visits=parse_schedule("Daily 08:00 30m"))
    outcome = run_allocation(LeadProviderBlock(), package, market, responder({"ALDER"}), T0)
    assert outcome.provider_ref == "ALDER"
    assert outcome.reason == "accepted in round 1 (the lead, within its block)"


# --- mini-competition ------------------------------------------------------------------------


def _bids() -> list[OfferResponse]:
    return [
        _reply("ALDER", True, 10, "23.00"),
        _reply("CEDAR", True, 11, "20.00"),
        _reply("DAMSON", True, 12, "21.00"),
        _reply("BIRCH", True, 13, "26.00"),
        _reply("ELM", False, 14),
    ]


def test_mini_competition_invites_every_eligible_provider_to_bid(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    round = MiniCompetition(bid_window=timedelta(hours=2)).next_round(package, market, [], T0)
    assert round is not None
    assert round.provider_refs == ("ALDER", "BIRCH", "CEDAR", "DAMSON", "ELM")
    assert (round.kind, round.closes_on_first_accept) == ("bid", False)
    assert round.deadline == T0 + timedelta(hours=2)


def test_bids_are_ranked_sixty_forty_on_quality_and_price(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    # Ceiling 25.00 excludes BIRCH's 26.00. Lowest valid bid 20.00; best quality 92 (ALDER).
    # ALDER:  20/23 x 40 = 34.7826 + 92/92 x 60 = 60.0000 -> 94.78 (wins)
    # DAMSON: 20/21 x 40 = 38.0952 + 85/92 x 60 = 55.4348 -> 93.53
    # CEDAR:  20/20 x 40 = 40.0000 + 80/92 x 60 = 52.1739 -> 92.17
    policy = MiniCompetition(ceiling=D("25.00"))
    scored = policy.score(package, market, _bids())
    assert [(b.provider_ref, round(b.total, 2)) for b in scored] == [
        ("ALDER", D("94.78")),
        ("DAMSON", D("93.53")),
        ("CEDAR", D("92.17")),
    ]
    outcome = run_allocation(policy, package, market, lambda r: _bids(), T0)
    assert (outcome.provider_ref, outcome.rate) == ("ALDER", D("23.00"))
    assert outcome.decided_at == T0 + timedelta(minutes=14)  # everyone answered


def test_weighting_price_sixty_lets_the_cheapest_bid_win(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    # CEDAR: 20/20 x 60 = 60 + 80/92 x 40 = 34.78 -> 94.78; DAMSON 57.14 + 36.96 = 94.10.
    policy = MiniCompetition(quality_weight=D(40), price_weight=D(60), ceiling=D("25.00"))
    assert [b.provider_ref for b in policy.score(package, market, _bids())] == [
        "CEDAR",
        "DAMSON",
        "ALDER",
    ]


def test_equal_scores_go_to_quality_then_reference(package: PackageSpec) -> None:
    providers = {r: ProviderState(r, r, D(80), "active") for r in ("B", "A")}
    appointments = tuple(
        AppointmentState(r, "DPS", frozenset({"Z1"}), Tier.SUPPLEMENTARY, 1) for r in providers
    )
    market = MarketSnapshot(providers, appointments)
    bids = [_reply("B", True, 1, "20.00"), _reply("A", True, 2, "20.00")]
    assert [b.provider_ref for b in MiniCompetition().score(package, market, bids)] == ["A", "B"]


def test_an_acceptance_without_a_bid_bids_its_tendered_rate(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    scored = MiniCompetition().score(package, market, [_reply("BIRCH", True, 1)])
    assert [(b.provider_ref, b.rate) for b in scored] == [("BIRCH", D("21.00"))]


def test_bids_all_above_the_ceiling_fail_the_round(
    market: MarketSnapshot, package: PackageSpec
) -> None:
    policy = MiniCompetition(ceiling=D("19.00"))
    round = policy.next_round(package, market, [], T0)
    assert round is not None
    choice = policy.choose(package, market, round, _bids(), round.deadline)
    assert choice == Choice(None, None, "round 1: no valid bid (above ceiling or no rate)")
    assert policy.choose(package, market, round, _bids()[:2], T0 + timedelta(hours=1)).wait


def test_weights_that_do_not_add_up_to_a_hundred_are_refused() -> None:
    with pytest.raises(InputError, match="add up to 100"):
        MiniCompetition(quality_weight=D(60), price_weight=D(50))


# --- the protocol and the driver --------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [PrimeCascade(), OpenFramework(), LeadProviderBlock(), MiniCompetition()],
    ids=lambda p: p.name,
)
def test_every_policy_meets_the_protocol_and_refuses_a_naive_now(
    policy: AllocationPolicy, market: MarketSnapshot, package: PackageSpec
) -> None:
    assert isinstance(policy, AllocationPolicy)
    with pytest.raises(InputError, match="time zone"):
        policy.next_round(package, market, [], datetime(2026, 3, 2, 9))


def test_the_driver_refuses_a_policy_that_offers_a_package_twice(
    market: MarketSnapshot, package: PackageSpec, responder: MakeResponder
) -> None:
    class Stuck(PrimeCascade):
        def next_round(self, package, market, history, now):  # type: ignore[no-untyped-def]
            return super().next_round(package, market, [], now)

    with pytest.raises(InputError, match="offered the package twice"):
        run_allocation(Stuck(), package, market, responder(set()), T0)
