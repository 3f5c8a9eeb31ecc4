"""The demo's running market: more invented providers, capacity and a few hundred packages.

Called by ``homecare.commissioning.demo.load_demo`` once its framework exists. Everything is
synthetic (provider names are made up and marked "(demo)"; people are references only) and
drawn from ``random.Random(2021)``. Packages go through the real actions (``create_request``,
``send_next_round``, ``answer_offer``, ``expire_offers``...) with ``now`` values spread over
the past six months, so waits and refusals are the engine's own. The clock is read once, here
in the platform layer, so recent requests still have open offers in the providers' inboxes.

Idempotent: if the first demo person exists the market is already loaded and nothing is added.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from homecare.brokerage import actions, lifecycle
from homecare.brokerage.models import Offer, Person, State
from homecare.commissioning.demo import PROVIDER_B

PACKAGES = 200  # the setting HOMECARE_DEMO_PACKAGES overrides it (tests load fewer)
SEED = 2021
FIRST_REF = "DEMO-0001"

# Invented names, marked "(demo)". Qualities sit below provider A's (84) among primes and
# below provider B's (78) among supplementary providers, so the two demo sign-ins see offers.
EXTRA_PROVIDERS = (
    ("Thistlegate Homecare (demo)", "1-900000011", "good", 82, "prime"),
    ("Orrinwell Care (demo)", "1-900000012", "good", 76, "prime"),
    ("Kestovale Care at Home (demo)", "1-900000013", "requires_improvement", 71, "supplementary"),
    ("Brindlemoor Support (demo)", "1-900000014", "good", 74, "supplementary"),
    ("Calderwyn Home Care (demo)", "1-900000015", "outstanding", 69, "back_up"),
    ("Mossbury Lane Care (demo)", "1-900000016", "good", 66, "back_up"),
)

# (schedule text, weight): carer hours a week 12.25, 7, 5, 24.5, 15.75, 6.5; mean about 11.
SCHEDULES = (
    ("Daily 08:00 45m; Daily 12:30 30m; Daily 17:00 30m", 5),
    ("Daily 08:00 30m; Daily 18:00 30m", 4),
    ("Mon-Fri 09:00 60m", 3),
    ("Daily 07:30 45m x2; Daily 12:30 30m; Daily 17:00 30m; Daily 20:30 30m x2", 2),
    ("Daily 08:00 45m; Daily 13:00 30m; Daily 17:30 30m; Daily 21:00 30m", 3),
    ("Mon 10:00 60m; Wed 10:00 60m; Fri 10:00 60m; Daily 18:00 30m", 3),
)
# Final state of each package and its weight (out of 100).
FATES = (
    ("requested", 5),
    ("offered", 10),
    ("placed", 8),
    ("started", 45),
    ("suspended", 5),
    ("ended", 12),
    ("withdrawn", 6),
    ("transferred", 9),
)
COHORTS = (("older_people", 70), ("physical_disability", 14), ("learning_disability", 9))
COHORTS += (("mental_health", 7),)
DECLINE_REASONS = ("No carers free at those times", "Outside our current rounds")
DECLINE_REASONS += ("Double-handed calls not possible this week",)


@dataclass(frozen=True)
class DemoMarket:
    providers: int
    packages: int


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], [w for _, w in table])[0]


def load_market(framework: Any, *, acting_user: Any = None) -> DemoMarket:
    """Appoint the extra providers, then broker the demo packages (skipped if loaded)."""
    from homecare.commissioning import market_actions
    from homecare.commissioning.models import Zone

    lots = {lot.code: lot for lot in framework.lots.all()}
    zones = list(Zone.objects.order_by("code"))
    providers = []
    for rank, (name, cqc, rating, score, tier) in enumerate(EXTRA_PROVIDERS, start=2):
        provider = market_actions.create_provider(
            name, cqc_location_id=cqc, cqc_rating=rating, quality_score=score, acting_user=None
        )
        providers.append(provider)
        # Each zone gets one extra of each kind (a prime, a supplementary, a back-up), in
        # turn, so offers spread without the snapshot growing past what a county has.
        for zone in zones[rank % 2 :: 2]:
            market_actions.appoint_provider(
                framework=framework,
                lot=lots[zone.code],
                provider=provider,
                tier="supplementary" if tier == "prime" and not zone.has_prime else tier,
                rank=rank,
                hourly_rate=Decimal("19.50") + Decimal(rank) / 10,
                acting_user=acting_user,
            )
    if Person.objects.filter(reference=FIRST_REF).exists():
        return DemoMarket(len(providers), 0)
    now = timezone.now().replace(microsecond=0)
    made = _packages(framework, rng=random.Random(SEED), now=now, acting_user=acting_user)
    _declare_capacity(framework, rng=random.Random(SEED + 1), now=now, acting_user=acting_user)
    return DemoMarket(len(providers), made)


def _packages(framework: Any, *, rng: random.Random, now: datetime, acting_user: Any) -> int:
    from homecare.commissioning.models import Area

    areas = list(Area.objects.order_by("code").values_list("code", flat=True))
    # Oldest first, so expiring an old round never touches a newer package's open offers.
    count = getattr(settings, "HOMECARE_DEMO_PACKAGES", PACKAGES)
    ages = sorted((rng.uniform(0.5, 180) for _ in range(count)), reverse=True)
    for number, age_days in enumerate(ages, start=1):
        # The first few take every fate in turn, so even a small demo has every state.
        fate = FATES[number - 1][0] if number <= len(FATES) else _pick(rng, FATES)
        if fate == "offered":
            age_days = rng.uniform(0.02, 0.12)  # open offers: still inside their deadline
        created = now - timedelta(days=age_days)
        source = "hospital_discharge" if rng.random() < 0.35 else "community"
        if source == "community" and rng.random() < 0.15:
            source = "reablement_step_down"
        request = actions.create_request(
            f"DEMO-{number:04d}",
            rng.choice(areas),
            _pick(rng, SCHEDULES),
            framework=framework,
            funding="nhs_chc" if rng.random() < 0.08 else "council",
            cohort=_pick(rng, COHORTS),
            source=source,
            priority="urgent" if source == "hospital_discharge" else "normal",
            start_date=(created + timedelta(days=2)).date(),
            now=created,
            acting_user=acting_user,
        )
        _live(request, fate, rng=rng, created=created, now=now, acting_user=acting_user)
    return count


def _live(
    request: Any,
    fate: str,
    *,
    rng: random.Random,
    created: datetime,
    now: datetime,
    acting_user: Any,
) -> None:
    """Take one request to its ``fate`` through the actions, with plausible times."""
    if fate == "requested":
        return
    at = created + timedelta(minutes=rng.randint(5, 90))
    if fate == "withdrawn":
        lifecycle.withdraw_request(
            request, reason="Person's needs changed", now=at, acting_user=acting_user
        )
        return
    actions.send_next_round(request, now=at, acting_user=acting_user)
    if fate == "offered":
        if rng.random() < 0.5:
            _decline_until(request, PROVIDER_B, at=at, acting_user=acting_user)
        return
    at = _place(request, rng=rng, at=at, acting_user=acting_user)
    package = request.package
    steps = {"started": 1, "suspended": 2, "ended": 2, "transferred": 1}.get(fate, 0)
    if steps:
        at = min(at + timedelta(days=rng.randint(1, 3)), now - timedelta(minutes=2))
        lifecycle.start_package(package, at=at, acting_user=acting_user)
    if fate == "transferred":
        to = _other_provider(request)
        at = min(at + timedelta(days=rng.randint(5, 30)), now - timedelta(minutes=1))
        reason = "Moved to a lead provider at the contingency contract's end"
        lifecycle.transfer_package(package, to, reason=reason, now=at, acting_user=acting_user)
    elif fate in ("suspended", "ended"):
        at = min(at + timedelta(days=rng.randint(3, 40)), now - timedelta(minutes=1))
        if fate == "suspended":
            lifecycle.suspend_package(package, reason="In hospital", at=at, acting_user=acting_user)
        else:
            lifecycle.end_package(
                package, reason="Care no longer needed", at=at, acting_user=acting_user
            )


def _place(request: Any, *, rng: random.Random, at: datetime, acting_user: Any) -> datetime:
    """Answer rounds (decline, let expire or accept) until the request is placed."""
    for _ in range(12):
        request.refresh_from_db()
        if request.state == State.PLACED:
            return at
        offer = request.offers.filter(status=Offer.Status.OPEN).order_by("pk").first()
        if offer is None:  # every round refused: the broker buys spot from a back-up
            provider = _other_provider(request)
            at += timedelta(hours=rng.randint(2, 20))
            actions.place_manually(
                request, provider, reason="Spot purchase", now=at, acting_user=acting_user
            )
            return at
        span = (offer.deadline - offer.sent_at).total_seconds()
        roll = rng.random()
        if roll < 0.12:  # nobody answers: the round times out
            at = offer.deadline + timedelta(minutes=1)
            actions.expire_offers(at)
            continue
        at = offer.sent_at + timedelta(seconds=rng.uniform(0.05, 0.9) * span)
        accepted = roll > 0.45
        actions.answer_offer(
            offer,
            accepted=accepted,
            reason="" if accepted else rng.choice(DECLINE_REASONS),
            now=at,
            acting_user=acting_user,
        )
    raise RuntimeError(f"demo request {request.pk} was not placed")  # pragma: no cover


def _decline_until(request: Any, name: str, *, at: datetime, acting_user: Any) -> None:
    """Decline round after round (minutes apart) until the open offer is to ``name``."""
    for _ in range(8):
        offer = request.offers.filter(status=Offer.Status.OPEN).select_related("provider").first()
        if offer is None or offer.provider.name == name:
            return
        at += timedelta(minutes=3)
        actions.answer_offer(
            offer, accepted=False, reason=DECLINE_REASONS[0], now=at, acting_user=acting_user
        )


def _other_provider(request: Any) -> Any:
    """An appointed provider in the request's zone other than the one holding it."""
    from homecare.commissioning.models import Provider

    zone = request.package.person.area.zone
    return (
        Provider.objects.filter(
            appointments__framework=request.framework, appointments__lot__zones=zone
        )
        .exclude(pk=request.placed_provider_id or 0)
        .order_by("-appointments__tier", "name")
        .first()
    )


def _declare_capacity(
    framework: Any, *, rng: random.Random, now: datetime, acting_user: Any
) -> None:
    """This week's free hours for every appointed provider in every zone it covers."""
    from homecare.commissioning import market_actions
    from homecare.commissioning.models import Appointment
    from homecare.commissioning.snapshot import monday_of

    week = monday_of(now.date())
    seen = set()
    for appointment in (
        Appointment.objects.filter(framework=framework)
        .select_related("provider")
        .prefetch_related("lot__zones")
        .order_by("provider__name", "lot__code")
    ):
        for zone in appointment.lot.zones.all():
            if (appointment.provider_id, zone.pk) in seen:
                continue
            seen.add((appointment.provider_id, zone.pk))
            market_actions.declare_capacity(
                provider=appointment.provider,
                zone=zone,
                week_starting=week,
                free_hours=rng.choice((0, 5, 10, 15, 20, 30, 40)),
                at=now,
                acting_user=acting_user,
            )
