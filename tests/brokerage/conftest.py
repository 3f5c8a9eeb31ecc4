"""A small synthetic market shared by the brokerage tests (every company is invented).

Zone ``Z1`` has two active primes, one suspended prime, two supplementary providers and one
back-up; the Rural Free Zone ``RFZ`` has no prime, as in Leicestershire's 2020 model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from carecore.brokerage import (
    AppointmentState,
    MarketSnapshot,
    OfferResponse,
    OfferRound,
    PackageSpec,
    ProviderState,
    Tier,
    Visit,
)
from carecore.units import LONDON

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)

PROVIDERS = {
    # ref: (name, quality, status)
    "ALDER": ("Alderbank Home Support", "92", "active"),
    "BIRCH": ("Birchmoor Care at Home", "88", "active"),
    "CEDAR": ("Cedarfold Domiciliary", "80", "active"),
    "DAMSON": ("Damsonleigh Carers", "85", "active"),
    "ELM": ("Elmhurst Response Care", "70", "active"),
    "FERN": ("Fernwick Homecare", "95", "suspended"),
}
APPOINTMENTS = [
    # provider, lot, zones, tier, rank, rate, block hours
    ("BIRCH", "Z1", {"Z1"}, Tier.PRIME, 1, "21.00", "0"),
    ("ALDER", "Z1", {"Z1"}, Tier.PRIME, 2, "21.50", "20"),
    ("FERN", "Z1", {"Z1"}, Tier.PRIME, 3, "20.00", "0"),
    ("CEDAR", "Z1", {"Z1", "RFZ"}, Tier.SUPPLEMENTARY, 1, "22.00", "0"),
    ("DAMSON", "Z1", {"Z1", "RFZ"}, Tier.SUPPLEMENTARY, 2, "22.40", "0"),
    ("ELM", "BACKUP", {"Z1", "RFZ"}, Tier.BACK_UP, 1, "24.00", "0"),
]


def build_market(
    *,
    free_hours: dict[tuple[str, str], Decimal] | None = None,
    block_hours_used: dict[str, Decimal] | None = None,
    status: dict[str, str] | None = None,
) -> MarketSnapshot:
    statuses = status or {}
    providers = {
        ref: ProviderState(ref, name, D(quality), statuses.get(ref, state))
        for ref, (name, quality, state) in PROVIDERS.items()
    }
    appointments = tuple(
        AppointmentState(
            provider_ref=ref,
            lot_code=lot,
            zone_codes=frozenset(zones),
            tier=tier,
            rank=rank,
            hourly_rate=D(rate),
            band_rates={"RURAL": D(rate) + D("1.50")},
            block_hours_per_week=D(block),
        )
        for ref, lot, zones, tier, rank, rate, block in APPOINTMENTS
    )
    return MarketSnapshot(
        providers, appointments, free_hours or {}, block_hours_used or {"ALDER": D(15)}
    )


def build_package(**changes: Any) -> PackageSpec:
    """Seven carer hours a week unless changed: an hour's visit every morning, one carer, in
    zone Z1, band URBAN, from the community at normal priority."""
    fields: dict[str, Any] = {
        "ref": "PKG-0001",
        "area_code": "E01000001",
        "zone_code": "Z1",
        "band_code": "URBAN",
        "cohort": "older_people",
        "funding": "council",
        "source": "community",
        "priority": "normal",
        "start_date": date(2026, 3, 9),
        "visits": tuple(Visit(day, time(8, 0), 30, 60, 1) for day in range(7)),
    }
    fields.update(changes)
    return PackageSpec(**fields)


def answers(
    accept: set[str] | frozenset[str], *, before_deadline_minutes: int = 60
) -> Callable[[OfferRound], list[OfferResponse]]:
    """A responder: providers in ``accept`` accept, the others decline, answering in round
    order one minute apart, the first ``before_deadline_minutes`` before the deadline."""

    def respond(round: OfferRound) -> list[OfferResponse]:
        return [
            OfferResponse(
                ref,
                ref in accept,
                round.deadline - timedelta(minutes=before_deadline_minutes - i),
                "" if ref in accept else "no carers in the area",
            )
            for i, ref in enumerate(round.provider_refs)
        ]

    return respond


@pytest.fixture
def market() -> MarketSnapshot:
    return build_market()


@pytest.fixture
def package() -> PackageSpec:
    return build_package()


@pytest.fixture
def make_market() -> Callable[..., MarketSnapshot]:
    return build_market


@pytest.fixture
def make_package() -> Callable[..., PackageSpec]:
    return build_package


@pytest.fixture
def responder() -> Callable[..., Callable[[OfferRound], list[OfferResponse]]]:
    return answers
