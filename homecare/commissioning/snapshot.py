"""The market as the allocation policies see it: rows turned into ``MarketSnapshot``.

This is the one read every round of offers and every answer to an offer makes, so it reads
flat values (five queries, no model instances): building model instances and prefetching
lots' zones was most of an answer's time under load (docs/benchmarks.md).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from homecare.commissioning.market_models import (
    Appointment,
    AppointmentBandRate,
    CapacityDeclaration,
    Framework,
    Lot,
)

if TYPE_CHECKING:
    from carecore.brokerage import MarketSnapshot


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def market_snapshot(framework: Framework, *, at: datetime) -> MarketSnapshot:
    """The market at ``at``, in six queries however many providers the framework has.

    Free hours are the latest declaration per provider and zone for the week holding ``at``;
    block hours used are the carer hours a week of the provider's live placements on this
    framework.
    """
    from carecore.brokerage import AppointmentState, MarketSnapshot, ProviderState
    from homecare.brokerage.models import LIVE_STATES, Placement
    from homecare.commissioning.market_actions import council_standings

    rows = list(
        Appointment.objects.filter(framework=framework, active=True)
        .order_by("pk")
        .values_list(
            "pk",
            "provider_id",
            "provider__name",
            "lot_id",
            "lot__code",
            "tier",
            "rank",
            "hourly_rate",
            "block_hours_per_week",
            "cohorts",
        )
    )
    zones: dict[int, set[str]] = defaultdict(set)
    for lot_id, zone_code in Lot.zones.through.objects.filter(
        lot_id__in={row[3] for row in rows}
    ).values_list("lot_id", "zone__code"):
        zones[lot_id].add(zone_code)
    band_rates: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for appointment_id, band, rate in AppointmentBandRate.objects.filter(
        appointment_id__in=[row[0] for row in rows]
    ).values_list("appointment_id", "band", "hourly_rate"):
        band_rates[appointment_id][band] = rate
    provider_ids = sorted({row[1] for row in rows})
    # Quality and status are the framework's council's: another council's suspension of a
    # provider, or its score, never changes who this council offers packages to.
    standings = council_standings(framework.council_id, provider_ids)
    free: dict[tuple[str, str], Decimal] = {}
    for provider_id, zone_code, hours in (
        CapacityDeclaration.objects.filter(
            week_starting=monday_of(at.date()), provider_id__in=provider_ids
        )
        .order_by("declared_at", "pk")
        .values_list("provider_id", "zone__code", "free_hours")
    ):
        free[(str(provider_id), zone_code)] = hours  # later rows overwrite: the latest wins
    used: dict[str, Decimal] = {}
    for provider_id, hours in (
        Placement.objects.filter(
            request__framework=framework,
            ended_at__isnull=True,
            package__status__in=LIVE_STATES,
        )
        .values_list("provider_id")
        .annotate(hours=Sum("package__carer_hours_per_week"))
    ):
        used[str(provider_id)] = hours or Decimal(0)
    return MarketSnapshot(
        providers={
            str(row[1]): ProviderState(
                ref=str(row[1]),
                name=row[2],
                quality_score=standings[row[1]][0],
                status=standings[row[1]][1],
            )
            for row in rows
        },
        appointments=tuple(
            AppointmentState(
                provider_ref=str(provider_id),
                lot_code=lot_code,
                zone_codes=frozenset(zones[lot_id]),
                tier=tier,
                rank=rank,
                hourly_rate=hourly_rate,
                band_rates=band_rates[pk],
                block_hours_per_week=block_hours,
                cohorts=frozenset(cohorts),
            )
            for (
                pk,
                provider_id,
                _name,
                lot_id,
                lot_code,
                tier,
                rank,
                hourly_rate,
                block_hours,
                cohorts,
            ) in rows
        ),
        free_hours=free,
        block_hours_used=used,
    )
