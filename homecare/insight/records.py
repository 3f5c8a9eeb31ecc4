"""The database as the KPI engines' plain records, for one council, in a few queries.

``carecore.reports.brokerage_kpis`` and ``performance_report`` compute; this module only
reads. A request's tier is its placed provider's tier in the lot covering the package's zone
(``spot`` when the provider is not appointed there), as the appointments stand today; a
request made by a transfer (placed the moment it was made, after an earlier request of the
same package was transferred) is marked so time to place skips it; a request withdrawn
before it was placed carries the moment of its withdrawal (its last change of state), so
time to place counts its wait up to then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carecore.reports.brokerage_kpis import CapacityRecord, OfferRecord, RequestRecord
from carecore.reports.performance_report import ComplaintRecord, LiveData, PlacementRecord
from homecare.accounts.models import Organisation
from homecare.brokerage.models import BrokerageRequest, Offer, Placement, State
from homecare.commissioning.market_models import Appointment, CapacityDeclaration
from homecare.commissioning.models import Zone
from homecare.commissioning.snapshot import monday_of
from homecare.insight.models import Complaint


@dataclass(frozen=True)
class MarketRecords:
    requests: list[RequestRecord]
    offers: list[OfferRecord]
    capacity: list[CapacityRecord]
    zones: list[tuple[str, str]]  # (code, name) in name order


def _tiers(council: Organisation) -> dict[tuple[int, str], str]:
    tiers: dict[tuple[int, str], str] = {}
    rows = Appointment.objects.filter(framework__council=council, active=True).values_list(
        "provider_id", "lot__zones__code", "tier"
    )
    for provider_id, zone_code, tier in rows:
        tiers.setdefault((provider_id, zone_code), tier)
    return tiers


def request_records(council: Organisation) -> list[RequestRecord]:
    tiers = _tiers(council)
    rows = list(
        BrokerageRequest.objects.filter(framework__council=council)
        .order_by("package_id", "pk")
        .values_list(
            "pk",
            "package_id",
            "package__person__reference",
            "state",
            "package__source",
            "package__person__area__zone__code",
            "package__carer_hours_per_week",
            "created_at",
            "placed_at",
            "placed_provider_id",
            "placed_provider__name",
            "state_changed_at",
        )
    )
    transferred = {row[1] for row in rows if row[3] == State.TRANSFERRED}
    records = []
    for row in rows:
        pk, package, person, state, source, zone, hours, created, placed, pid, pname, changed = row
        records.append(
            RequestRecord(
                ref=str(pk),
                person=person,
                state=state,
                source=source,
                zone=zone,
                carer_hours_per_week=hours,
                created_at=created,
                placed_at=placed,
                provider=pname or "",
                tier=tiers.get((pid, zone), "spot") if pid else "",
                by_transfer=package in transferred and placed == created,
                withdrawn_at=changed if state == State.WITHDRAWN and placed is None else None,
            )
        )
    return records


def offer_records(council: Organisation, *, since: datetime) -> list[OfferRecord]:
    return [
        OfferRecord(provider=name, status=status, sent_at=sent)
        for name, status, sent in Offer.objects.filter(
            request__framework__council=council, sent_at__gte=since
        ).values_list("provider__name", "status", "sent_at")
    ]


def capacity_records(council: Organisation, *, now: datetime) -> list[CapacityRecord]:
    """The latest declaration per provider and zone for the week holding ``now``, from the
    providers appointed on the council's frameworks."""
    providers = Appointment.objects.filter(framework__council=council, active=True).values(
        "provider_id"
    )
    latest: dict[tuple[str, str], CapacityRecord] = {}
    for name, zone, hours in (
        CapacityDeclaration.objects.filter(
            week_starting=monday_of(now.date()), provider__in=providers, zone__council=council
        )
        .order_by("declared_at", "pk")
        .values_list("provider__name", "zone__code", "free_hours")
    ):
        latest[(name, zone)] = CapacityRecord(name, zone, hours)  # later rows win
    return list(latest.values())


def council_zones(council: Organisation) -> list[tuple[str, str]]:
    """The zones the council commissions in (its frameworks' lots cover them), by name."""
    zones = Zone.objects.filter(lots__framework__council=council).distinct()
    return list(zones.order_by("name").values_list("code", "name"))


def market_records(council: Organisation, *, since: datetime, now: datetime) -> MarketRecords:
    """Everything the dashboard needs (five queries)."""
    return MarketRecords(
        requests=request_records(council),
        offers=offer_records(council, since=since),
        capacity=capacity_records(council, now=now),
        zones=council_zones(council),
    )


def placement_records(council: Organisation) -> list[PlacementRecord]:
    """Every placement made through the council's frameworks, ended ones included.

    A package's hours are its schedule's as it stands (the platform keeps no earlier
    schedules), and a placement's tier its provider's tier in the package's zone today.
    """
    tiers = _tiers(council)
    rows = Placement.objects.filter(request__framework__council=council).values_list(
        "package_id",
        "package__person__reference",
        "provider_id",
        "provider__name",
        "package__person__area__zone__code",
        "package__carer_hours_per_week",
        "rate",
        "at",
        "ended_at",
    )
    return [
        PlacementRecord(
            package=str(package),
            person=person,
            provider=name,
            tier=tiers.get((provider, zone), "spot"),
            carer_hours_per_week=hours,
            rate_per_hour=rate,
            start=at,
            end=ended,
        )
        for package, person, provider, name, zone, hours, rate, at, ended in rows
    ]


def complaint_records(council: Organisation) -> list[ComplaintRecord]:
    return [
        ComplaintRecord(received_on=day, provider=name, category=category, outcome=outcome)
        for day, name, category, outcome in Complaint.objects.filter(council=council).values_list(
            "received_on", "provider__name", "category", "outcome"
        )
    ]


def live_data(council: Organisation) -> LiveData:
    """Everything the performance report reads (five queries), for any period: the report
    picks each period's rows itself, so one read serves the period, the one before and
    every month."""
    return LiveData(
        placements=placement_records(council),
        requests=request_records(council),
        complaints=complaint_records(council),
    )
