"""Golden test: the scenario in tests/data/brokerage/golden_scenario.toml under the four policy
files beside it. The expected rounds, winners, rates and times are worked out by hand in the
scenario's comments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.brokerage import (
    AllocationOutcome,
    AllocationPolicy,
    AppointmentState,
    MarketSnapshot,
    MiniCompetition,
    OfferResponse,
    OfferRound,
    PackageSpec,
    ProviderState,
    load_policy,
    parse_schedule,
    run_allocation,
)
from carecore.params import read_toml
from carecore.units import LONDON

DATA = Path(__file__).resolve().parents[1] / "data" / "brokerage"
SCENARIO = read_toml(DATA / "golden_scenario.toml")
D = Decimal


def _market(data: Mapping[str, Any]) -> MarketSnapshot:
    providers = {
        p["ref"]: ProviderState(p["ref"], p["name"], D(p["quality"]), p["status"])
        for p in data["providers"]
    }
    appointments = tuple(
        AppointmentState(
            a["provider"],
            a["lot"],
            frozenset(a["zones"]),
            a["tier"],
            a["rank"],
            band_rates={"URBAN": D(a["urban"]), "RURAL": D(a["rural"])},
            block_hours_per_week=D(a.get("block_hours", 0)),
        )
        for a in data["appointments"]
    )
    free = {(f["provider"], f["zone"]): D(f["hours"]) for f in data["free_hours"]}
    used = {ref: D(hours) for ref, hours in data["block_hours_used"].items()}
    return MarketSnapshot(providers, appointments, free, used)


def _package(ref: str, data: Mapping[str, Any]) -> PackageSpec:
    return PackageSpec(
        ref=ref,
        area_code="E01000001",
        zone_code=data["zone"],
        band_code=data["band"],
        cohort="older_people",
        funding="council",
        source=data["source"],
        priority=data["priority"],
        start_date=datetime(2026, 3, 9).date(),
        visits=parse_schedule(data["schedule"]),
    )


def _responder(
    policy: AllocationPolicy, package: PackageSpec, answers: Mapping[str, str]
) -> Callable[[OfferRound], list[OfferResponse]]:
    if isinstance(policy, MiniCompetition) and policy.bid_window is not None:
        window = policy.bid_window
    else:
        window = policy.timeouts.timeout_for(package)  # type: ignore[attr-defined]

    def respond(round: OfferRound) -> list[OfferResponse]:
        sent = round.deadline - window
        responses = []
        for ref in round.provider_refs:
            word, *rest = answers[ref].split()
            if word == "silent":
                continue
            rate = D(rest[1]) if len(rest) > 1 else None
            at = sent + timedelta(minutes=int(rest[0]))
            responses.append(OfferResponse(ref, word == "accept", at, bid_rate=rate))
        return responses

    return respond


def _run(kind: str, package_ref: str) -> AllocationOutcome:
    policy = load_policy(DATA / f"{kind}.toml")
    package = _package(package_ref, SCENARIO["packages"][package_ref])
    respond = _responder(policy, package, SCENARIO["packages"][package_ref]["answers"])
    start = SCENARIO["start"].astimezone(LONDON)
    return run_allocation(policy, package, _market(SCENARIO), respond, start)


@pytest.mark.parametrize(
    "expected", SCENARIO["expected"], ids=lambda e: f"{e['policy']}-{e['package']}"
)
def test_the_golden_scenario_gives_the_rounds_worked_out_by_hand(
    expected: Mapping[str, Any],
) -> None:
    outcome = _run(expected["policy"], expected["package"])
    rounds = [[r.round.tier, *r.round.provider_refs] for r in outcome.rounds]
    assert rounds == expected["rounds"]
    assert (outcome.provider_ref or "") == expected["placed"]
    if expected["placed"]:
        assert outcome.rate == D(expected["rate"])
    else:
        assert outcome.exhausted and "spot purchase" in outcome.reason
    assert outcome.decided_at == expected["decided_at"]
    if "reason" in expected:
        assert outcome.reason == expected["reason"]


def test_the_scenario_covers_every_policy_and_package() -> None:
    pairs = {(e["policy"], e["package"]) for e in SCENARIO["expected"]}
    kinds = ("prime_cascade", "open_framework", "lead_block", "mini_competition")
    assert pairs == {(k, p) for k in kinds for p in SCENARIO["packages"]}
