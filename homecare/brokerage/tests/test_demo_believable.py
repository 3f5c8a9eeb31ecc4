"""The demo is a believable county on the day it is loaded: rates in force, nothing after
now, a year and more of history, and waits that the market's capacity explains; and its
second council stands beside the first with its own zones, rates, framework, people, logs
and run, providers shared as in a real market, and some references the same as the first
council's, each council's own person.

The demo is loaded small with a fixed ``now`` in the past of the real clock, so any part of
it that read the wall clock instead of the ``now`` it was given would leave a time after
``now`` and fail here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Max, Min
from django.test import override_settings

from carecore.pricing.visit_price import price_visit
from homecare.accounts.models import Organisation
from homecare.brokerage.models import (
    WAITING_STATES,
    BrokerageRequest,
    Offer,
    Person,
    Placement,
    State,
)
from homecare.commissioning.demo import (
    COUNCIL,
    COUNCIL_2,
    CURRENT_CARD,
    PROVIDER_A,
    PROVIDER_B,
    PROVIDER_C,
    load_demo,
    rate_in_force,
)
from homecare.commissioning.engine import rate_card_from_db
from homecare.commissioning.models import (
    Appointment,
    CapacityDeclaration,
    PricingBand,
    RateCard,
    Zone,
)
from homecare.commissioning.snapshot import monday_of
from homecare.delivery.models import ReconciliationRun, VisitLog
from homecare.insight.models import Complaint

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 4, 10, 15, tzinfo=LONDON)  # a Wednesday, before the real clock
TODAY = NOW.date()
# A hospital discharge offered where providers have room is placed within the rounds'
# deadlines: four hours a round (the policy's hospital discharge time-out) for at most the
# five providers a demo zone has, then a broker's spot purchase within a day: under 48
# hours. Waiting longer than that is believable only where the zone is short of capacity.
MAX_DISCHARGE_WAIT = timedelta(days=2)
# Times that are not events: when an open offer closes lies ahead by design.
SCHEDULED = {("Offer", "deadline")}
# The worker's own clock, not the demo's story: when an import last said it was alive.
SCHEDULED |= {("LogUpload", "heartbeat_at")}

pytestmark = pytest.mark.django_db


@dataclass
class Councils:
    """What the tests read, per council name, from one small demo (rolled back after)."""

    zones: dict[str, set[str]] = field(default_factory=dict)
    providers: dict[str, set[str]] = field(default_factory=dict)
    people: dict[str, dict[str, int]] = field(default_factory=dict)  # reference -> person id
    requests: dict[str, int] = field(default_factory=dict)
    logs: dict[str, int] = field(default_factory=dict)
    runs: dict[str, set[str]] = field(default_factory=dict)
    complaints: dict[str, int] = field(default_factory=dict)
    urban_rate: dict[str, Any] = field(default_factory=dict)
    shared_references_placed: int = -1


@dataclass
class Findings:
    """What the tests read from the demo, gathered once (loading it takes a while)."""

    prices: dict[str, Decimal | None] = field(default_factory=dict)
    card_notes: str = ""
    card_illustrative: bool = False
    urban_rates: list[Decimal] = field(default_factory=list)
    answered_after_now: int = 0
    open_past_deadline: int = 0
    late: dict[str, datetime] = field(default_factory=dict)
    complaints_after_today: int = 0
    first: dict[str, date] = field(default_factory=dict)
    complaints_before_last_year: int = 0
    complaints_in_last_year: int = 0
    discharges: int = 0
    long_waits_with_room: list[str] = field(default_factory=list)
    waiting_ages: list[timedelta] = field(default_factory=list)
    started: int = 0
    councils: Councils = field(default_factory=Councils)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Findings]:
    small = override_settings(
        HOMECARE_DEMO_PACKAGES=24,
        HOMECARE_DEMO_LOG_PERIODS=None,  # every period: the history is the point
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    with django_db_blocker.unblock(), small, transaction.atomic():
        load_demo(now=NOW)
        findings = Findings()
        _rates(findings)
        _times(findings)
        _history(findings)
        _waits(findings)
        _councils(findings.councils)
        transaction.set_rollback(True)
    yield findings


def _rates(findings: Findings) -> None:
    council = Organisation.objects.get(name=COUNCIL)
    card = RateCard.objects.get(council=council, title=CURRENT_CARD)
    findings.card_notes, findings.card_illustrative = card.notes, card.illustrative
    engine_card = rate_card_from_db(card)
    for band in PricingBand.objects.values_list("code", flat=True):
        if rate_in_force(council, TODAY, band) is None:
            findings.prices[band] = None
            continue
        price = price_visit(engine_card, band=band, minutes=30, carers=1, start=NOW)
        findings.prices[band] = price.total
    findings.urban_rates = [
        period.rates.get(band="URBAN").hourly_rate for period in card.periods.all()
    ]


def _event_times() -> list[tuple[str, str]]:
    """Every date-time column of the platform's records that says when something happened."""
    fields = []
    for app in ("brokerage", "commissioning", "delivery", "insight"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue  # the audit trail's own clock: when the row was written
            for column in model._meta.get_fields():
                if (
                    isinstance(column, models.DateTimeField)
                    and not column.auto_now_add
                    and (model.__name__, column.name) not in SCHEDULED
                ):
                    fields.append((model._meta.label, column.name))
    return fields


def _times(findings: Findings) -> None:
    findings.answered_after_now = Offer.objects.filter(answered_at__gt=NOW).count()
    findings.open_past_deadline = Offer.objects.filter(
        status=Offer.Status.OPEN, deadline__lte=NOW
    ).count()
    for label, name in _event_times():
        latest = apps.get_model(label).objects.aggregate(latest=Max(name))["latest"]
        if latest is not None and latest > NOW:
            findings.late[f"{label}.{name}"] = latest
    findings.complaints_after_today = Complaint.objects.filter(received_on__gt=TODAY).count()


def _history(findings: Findings) -> None:
    for name, queryset, column in (
        ("request", BrokerageRequest.objects, "created_at"),
        ("placement", Placement.objects, "at"),
        ("visit log", VisitLog.objects, "check_in"),
    ):
        first = queryset.aggregate(first=Min(column))["first"]
        findings.first[name] = first.astimezone(LONDON).date()
    start = _months_before(TODAY, 12)
    findings.complaints_before_last_year = Complaint.objects.filter(received_on__lt=start).count()
    findings.complaints_in_last_year = Complaint.objects.filter(received_on__gte=start).count()


def _waits(findings: Findings) -> None:
    discharges = BrokerageRequest.objects.filter(
        package__source="hospital_discharge"
    ).select_related("package__person__area")
    findings.discharges = discharges.count()
    for request in discharges:
        if request.state in WAITING_STATES:
            waited_until = NOW
        elif request.placed_at is not None:
            waited_until = request.placed_at
        else:  # withdrawn before any placement
            continue
        if waited_until - request.created_at <= MAX_DISCHARGE_WAIT:
            continue
        package = request.package
        for moment in (request.created_at, waited_until):
            week = monday_of(moment.astimezone(LONDON).date())
            if _zone_has_room(package.person.area.zone_id, week, package.carer_hours_per_week):
                findings.long_waits_with_room.append(
                    f"{request} waited {waited_until - request.created_at}"
                )
    findings.waiting_ages = [
        NOW - created
        for created in BrokerageRequest.objects.filter(state__in=WAITING_STATES).values_list(
            "created_at", flat=True
        )
    ]
    findings.started = BrokerageRequest.objects.filter(state=State.STARTED).count()


def _councils(found: Councils) -> None:
    for name in (COUNCIL, COUNCIL_2):
        council = Organisation.objects.get(name=name)
        found.zones[name] = set(
            Zone.objects.filter(lots__framework__council=council).values_list("code", flat=True)
        )
        found.providers[name] = set(
            Appointment.objects.filter(framework__council=council).values_list(
                "provider__name", flat=True
            )
        )
        found.people[name] = dict(
            Person.objects.filter(council=council).values_list("reference", "pk")
        )
        found.requests[name] = BrokerageRequest.objects.filter(framework__council=council).count()
        found.logs[name] = VisitLog.objects.filter(person__council=council).count()
        found.runs[name] = set(
            ReconciliationRun.objects.filter(council=council).values_list(
                "provider__name", flat=True
            )
        )
        found.complaints[name] = Complaint.objects.filter(council=council).count()
        found.urban_rate[name] = rate_in_force(council, NOW.date(), "URBAN")
    shared = set(found.people[COUNCIL]) & set(found.people[COUNCIL_2])
    found.shared_references_placed = BrokerageRequest.objects.filter(
        package__person__council__name=COUNCIL_2,
        package__person__reference__in=shared,
        placed_at__isnull=False,
    ).count()


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _zone_has_room(zone_id: int, week: date, hours: Decimal) -> bool:
    """As the allocation policy sees it: some provider appointed in the zone has declared at
    least ``hours`` free that week, or has not declared (an undeclared provider has room)."""
    providers = set(
        Appointment.objects.filter(lot__zones=zone_id, active=True).values_list(
            "provider_id", flat=True
        )
    )
    for provider in providers:
        latest = (
            CapacityDeclaration.objects.filter(provider=provider, zone=zone_id, week_starting=week)
            .order_by("-declared_at", "-pk")
            .first()
        )
        if latest is None or latest.free_hours >= hours:
            return True
    return False


def test_a_rate_card_is_in_force_on_the_day_for_every_band(demo: Findings) -> None:
    assert set(demo.prices) == {"URBAN", "FRINGE", "RURAL", "ISOLATED"}
    assert all(total is not None and total > 0 for total in demo.prices.values()), demo.prices
    assert demo.card_illustrative and "illustrative" in demo.card_notes
    # Made by the commissioners' own uplift action, year on year from the 2020-21 rates.
    assert demo.urban_rates == sorted(demo.urban_rates)
    assert demo.urban_rates[0] > Decimal("18.75")


def test_nothing_in_the_demo_happens_after_now(demo: Findings) -> None:
    assert demo.answered_after_now == 0
    assert demo.open_past_deadline == 0
    assert demo.late == {}
    assert demo.complaints_after_today == 0


def test_the_history_spans_thirteen_months_so_every_report_has_a_previous_period(
    demo: Findings,
) -> None:
    assert demo.first["request"] <= _months_before(TODAY, 13)
    assert demo.first["placement"] < _months_before(TODAY, 12)
    assert demo.first["visit log"] < _months_before(TODAY, 12)
    # The last 12 whole months and the months before them both have complaints to compare.
    assert demo.complaints_before_last_year and demo.complaints_in_last_year


def test_no_hospital_discharge_waits_long_where_its_zone_has_room(demo: Findings) -> None:
    assert demo.discharges >= 3
    assert demo.long_waits_with_room == []


def test_only_the_newest_requests_are_still_waiting(demo: Findings) -> None:
    assert demo.waiting_ages and max(demo.waiting_ages) < timedelta(days=7)
    assert demo.started > 0


def test_each_council_has_its_own_zones(demo: Findings) -> None:
    assert len(demo.councils.zones[COUNCIL]) == 14 and len(demo.councils.zones[COUNCIL_2]) == 3
    assert not demo.councils.zones[COUNCIL] & demo.councils.zones[COUNCIL_2]


def test_each_council_has_its_own_rates_in_force_today(demo: Findings) -> None:
    first, second = demo.councils.urban_rate[COUNCIL], demo.councils.urban_rate[COUNCIL_2]
    assert first is not None and second is not None and first != second


def test_providers_serve_one_council_or_both(demo: Findings) -> None:
    first, second = demo.councils.providers[COUNCIL], demo.councils.providers[COUNCIL_2]
    assert PROVIDER_A in first & second
    assert PROVIDER_B in first - second
    assert PROVIDER_C in second - first


def test_the_second_council_has_a_working_market_of_its_own(demo: Findings) -> None:
    # (A fifth of the first council's packages at full size; here both are the smallest.)
    assert demo.councils.requests[COUNCIL_2] > 0 and demo.councils.logs[COUNCIL_2] > 0
    # Provider A's runs at the first council (and every provider's of its approved period,
    # reconciled at once); provider C's alone at the second.
    assert PROVIDER_A in demo.councils.runs[COUNCIL]
    assert demo.councils.runs[COUNCIL_2] == {PROVIDER_C}
    assert demo.councils.complaints[COUNCIL_2] > 0


def test_some_second_council_people_share_references_with_the_first_councils(
    demo: Findings,
) -> None:
    first, second = demo.councils.people[COUNCIL], demo.councils.people[COUNCIL_2]
    shared = set(first) & set(second)
    assert shared, "no reference is at both councils"
    assert all(first[ref] != second[ref] for ref in shared)  # each council's own person
    # Never placed, so no provider serving both councils has two people with one reference.
    assert demo.councils.shared_references_placed == 0
