"""The demo's running market: more invented providers, capacity and a year of packages.

Called by ``homecare.commissioning.demo.load_demo`` once its framework exists, with the
demo's ``now`` (the moment it is loaded; tests pass a fixed one). Everything is synthetic
(provider names are made up and marked "(demo)"; people are references only) and drawn from
``random.Random(2021)``. Packages arrive evenly over the :data:`HISTORY_MONTHS` calendar
months before ``now``'s month (after a run-in of :data:`RUN_IN_MONTHS` months, so the
caseload is settled when that history begins) and go through the real actions
(``create_request``, ``send_next_round``, ``answer_offer``, ``expire_offers``...) at times
before ``now``, so waits and refusals are the engine's own and nothing happens after ``now``.

People are funded as a county's are (:data:`FUNDING_MIX`): most by the council, a few by
NHS continuing healthcare, a few jointly (the NHS paying a stated share) and a few on direct
payments. Funding is read from the same draw as ever, so who is placed where (and so the
demo's visit logs) does not depend on it.

Waits follow the market: providers declare free hours for last week and this week, and in
the :data:`SHORT_ZONES` (the Rural Free Zone and Bottesford) every provider is full, so the
policy finds no one to offer to and new requests there wait for a broker's spot purchase.
Everywhere else a request is offered within minutes and placed within the rounds'
deadlines (four hours a round for a hospital discharge); only the newest requests are
still waiting. Each package then runs for a while: some end, some are suspended, some move
to another provider.

Idempotent: if the framework has requests the market is already loaded and nothing is added.
The second demo council brokers its smaller market the same way (:func:`broker_market`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from carecore.units import LONDON, as_london
from homecare.brokerage import actions, lifecycle
from homecare.brokerage.models import Offer, State
from homecare.commissioning.demo import PROVIDER_A, PROVIDER_B

PACKAGES = 300  # the setting HOMECARE_DEMO_PACKAGES overrides it (tests load fewer)
HISTORY_MONTHS = 13  # whole months of history before this one: every report has a past
# Requests begin this many months before that history, so the caseload is already settled
# when it begins (a market brokered from nothing would seem to triple in a year).
RUN_IN_MONTHS = 6
SEED = 2021
# Zones whose providers are full these two weeks: new requests there wait for a spot purchase.
SHORT_ZONES = ("harborough-rural-free", "bottesford")
# Free carer hours a week a provider declares where it has room (the biggest demo package
# needs 24.5, so the larger declarations take any package).
FREE_HOURS = (15, 20, 30, 40)

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
# What becomes of a package placed more than a few days ago, and its weight (out of 100).
# Whether a "suspended" or "transferred" one gets there depends on its time: a package whose
# change would fall after now is still running; "ended" ends within eight months.
FATES = (
    ("started", 72),
    ("suspended", 6),
    ("ended", 4),
    ("withdrawn", 7),
    ("transferred", 11),
)
# How long care lasts: drawn for every started package (a mean of about six months), so
# older packages have mostly ended, as a county's do, and the live caseload stays steady.
MEAN_CARE_DAYS = 180
# The newest requests, still being brokered: (fate, weight).
RECENT_FATES = (("offered", 5), ("placed", 4), ("requested", 1))
RECENT_DAYS = 3  # requests younger than this may still be waiting or just placed
COHORTS = (("older_people", 70), ("physical_disability", 14), ("learning_disability", 9))
COHORTS += (("mental_health", 7),)
# How people are funded, from one draw in [0, 1): (below this, funding, NHS share percent).
# The first band is the NHS continuing healthcare the demo has always had (8%); then joint
# funding at two stated shares, direct payments, and the council for everyone else.
FUNDING_MIX: tuple[tuple[float, str, Decimal | None], ...] = (
    (0.08, "nhs_chc", None),
    (0.11, "joint", Decimal("50")),
    (0.14, "joint", Decimal("35")),
    (0.19, "direct_payment", None),
    (1.0, "council", None),
)
DECLINE_REASONS = ("No carers free at those times", "Outside our current rounds")
DECLINE_REASONS += ("Double-handed calls not possible this week",)
END_REASONS = ("Care no longer needed", "Moved into a care home", "Died")
MARGIN = timedelta(minutes=1)  # the latest anything in the demo happens: a minute before now


@dataclass(frozen=True)
class DemoMarket:
    providers: int
    packages: int


@dataclass(frozen=True)
class Plan:
    """One council's demo market: how many packages, how its people's references are made
    from their number, the zones where every provider is full, and the two providers whose
    sign-ins get the newest open offers. With ``shared_reference``, people whose request is
    withdrawn take their reference from it instead: the same as another council's people's,
    yet never placed, so no provider serving both councils has two people with one reference
    (a log for such a reference would name neither)."""

    packages: int
    reference: str = "P-{:06d}"
    shared_reference: str = ""
    short_zones: tuple[str, ...] = SHORT_ZONES
    named: tuple[str, str] = (PROVIDER_A, PROVIDER_B)


def framework_zones(framework: Any) -> Any:
    """The zones of the framework's lots, by code: the council's own zones."""
    from homecare.commissioning.models import Zone

    return Zone.objects.filter(lots__framework=framework).distinct().order_by("code")


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], [w for _, w in table])[0]


def funding_of(roll: float) -> tuple[str, Decimal | None]:
    """The funding (and NHS share) a draw in [0, 1) gives, by :data:`FUNDING_MIX`."""
    for below, funding, share in FUNDING_MIX:
        if roll < below:
            return funding, share
    return "council", None


def load_market(
    framework: Any,
    *,
    now: datetime,
    urban_rate: Decimal = Decimal("18.75"),
    acting_user: Any = None,
) -> DemoMarket:
    """Appoint the extra providers (at ``urban_rate`` plus a margin each), declare their
    capacity, then broker the demo packages up to ``now`` (skipped if loaded)."""
    from homecare.commissioning import market_actions

    lots = {lot.code: lot for lot in framework.lots.all()}
    zones = list(framework_zones(framework))
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
                hourly_rate=urban_rate + Decimal("0.75") + Decimal(rank) / 10,
                acting_user=acting_user,
            )
    count = getattr(settings, "HOMECARE_DEMO_PACKAGES", PACKAGES)
    made = broker_market(framework, Plan(count), seed=SEED, now=now, acting_user=acting_user)
    return DemoMarket(len(providers), made)


def broker_market(
    framework: Any, plan: Plan, *, seed: int, now: datetime, acting_user: Any = None
) -> int:
    """Declare capacity, then broker ``plan``'s packages through ``framework`` up to ``now``
    (draws from ``seed``); nothing when the framework already has requests."""
    if framework.requests.exists():
        return 0
    now = now.replace(microsecond=0)
    # Capacity first: this fortnight's rounds are sent knowing who has room.
    _declare_capacity(
        framework, plan, rng=random.Random(seed + 1), now=now, acting_user=acting_user
    )
    return _packages(framework, plan, rng=random.Random(seed), now=now, acting_user=acting_user)


def history_start(now: datetime) -> datetime:
    """Midnight (UK time) on the first day of the month :data:`HISTORY_MONTHS` plus
    :data:`RUN_IN_MONTHS` before ``now``'s month: when the demo's first request arrives."""
    today = as_london(now).date()
    index = today.year * 12 + today.month - 1 - HISTORY_MONTHS - RUN_IN_MONTHS
    first = today.replace(year=index // 12, month=index % 12 + 1, day=1)
    return datetime.combine(first, time(0), tzinfo=LONDON)


def _arrivals(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """``count`` arrival times, oldest first: one in each of ``count`` equal slots of the
    history, the first on its first day (so the history is as long as it says)."""
    start = history_start(now)
    slot = (now - start) / count
    times = [start + timedelta(hours=rng.uniform(8, 18))]
    times += [start + slot * (n + rng.random()) for n in range(1, count)]
    return [min(t, now - MARGIN) for t in times]


def _packages(
    framework: Any, plan: Plan, *, rng: random.Random, now: datetime, acting_user: Any
) -> int:
    from homecare.commissioning.models import Area

    zones = framework_zones(framework)
    areas = list(
        Area.objects.filter(zone__in=zones).order_by("code").values_list("code", "zone__code")
    )
    prime_zones = set(zones.filter(has_prime=True).values_list("code", flat=True))
    short = [code for code, zone in areas if zone in plan.short_zones]
    roomy = [code for code, zone in areas if zone not in plan.short_zones]
    count = max(len(FATES) + 4, plan.packages)
    arrivals = _arrivals(rng, count, now)
    # The newest four are still being brokered, so even a small demo has every state: open
    # offers (in zones with room) to each demo sign-in's provider, one placed to start soon,
    # and one waiting for a spot purchase in a zone where every provider is full.
    forced_recent = {
        count - 4: ("offered", roomy, timedelta(hours=rng.uniform(0.7, 2.5)), plan.named[0]),
        count - 3: ("offered", roomy, timedelta(hours=rng.uniform(0.7, 2.5)), plan.named[1]),
        count - 2: ("placed", roomy, timedelta(days=rng.uniform(1, 1.6)), None),
        count - 1: ("requested", short or roomy, timedelta(days=rng.uniform(1, 4)), None),
    }
    primes = [code for code, zone in areas if zone not in plan.short_zones and zone in prime_zones]
    for index, created in enumerate(arrivals):
        number = index + 1
        steady = index == 0  # the first package is placed with its prime and still runs
        source = "hospital_discharge" if rng.random() < 0.35 else "community"
        if source == "community" and rng.random() < 0.15:
            source = "reablement_step_down"
        if index in forced_recent:
            fate, pool, age, offer_to = forced_recent[index]
            created, area = now - age, rng.choice(pool)
            if fate == "placed":  # four-hour rounds: placed within the day, starting soon
                source = "hospital_discharge"
        else:
            area = rng.choice(primes) if steady else rng.choice(areas)[0]
            offer_to = None
            recent = now - created < timedelta(days=RECENT_DAYS)
            # The oldest take every later fate in turn, so even a small demo has each.
            if index < len(FATES):
                fate = FATES[index][0]
            else:
                fate = _pick(rng, RECENT_FATES if recent else FATES)
            if fate == "offered":  # an open offer is still inside its deadline
                created = now - timedelta(hours=rng.uniform(0.7, 2.5))
        shared = plan.shared_reference and fate == "withdrawn"
        reference = (plan.shared_reference if shared else plan.reference).format(number)
        # Drawn in this order (schedule, funding, cohort), as they always have been.
        schedule = _pick(rng, SCHEDULES)
        funding, share = funding_of(rng.random())
        cohort = _pick(rng, COHORTS)
        request = actions.create_request(
            reference,
            area,
            schedule,
            framework=framework,
            funding=funding,
            cohort=cohort,
            source=source,
            priority="urgent" if source == "hospital_discharge" else "normal",
            start_date=(created + timedelta(days=2)).date(),
            nhs_share_percent=share,
            now=created,
            acting_user=acting_user,
        )
        _live(
            request,
            fate,
            rng=rng,
            created=created,
            now=now,
            offer_to=offer_to,
            second=plan.named[1],
            steady=steady,
            acting_user=acting_user,
        )
    return count


def _live(
    request: Any,
    fate: str,
    *,
    rng: random.Random,
    created: datetime,
    now: datetime,
    offer_to: str | None = None,
    second: str = PROVIDER_B,
    steady: bool = False,
    acting_user: Any,
) -> None:
    """Take one request towards its ``fate`` through the actions, never past ``now``: a
    step that would fall after ``now`` is not taken (the request is where it has got to)."""
    urgent = request.package.source == "hospital_discharge"
    delay = timedelta(minutes=rng.randint(5, 30) if urgent else rng.randint(10, 120))
    at = created + min(delay, (now - created) / 3)  # a broker sends the first round soon
    if fate == "withdrawn":
        lifecycle.withdraw_request(
            request, reason="Person's needs changed", now=at, acting_user=acting_user
        )
        return
    actions.send_next_round(request, now=at, acting_user=acting_user)
    if fate == "offered":
        # Half the open offers have gone down the cascade to the second named provider (B);
        # the rest sit with the first provider asked (mostly A, the prime in most zones).
        offer_to = offer_to or (second if rng.random() < 0.5 else None)
        if offer_to is not None:
            _decline_until(request, offer_to, at=at, now=now, acting_user=acting_user)
        return
    if fate == "requested" and not request.offers.exists():
        return  # nobody has room: it waits for the broker's spot purchase
    placed = _place(request, rng=rng, at=at, now=now, accept=steady, acting_user=acting_user)
    if placed is None or fate in ("placed", "requested"):
        return
    package = request.package
    at = placed + timedelta(days=rng.uniform(1, 3))  # the first visit
    if at >= now:
        return
    lifecycle.start_package(package, at=at, acting_user=acting_user)
    if fate == "transferred":
        at += timedelta(days=rng.randint(5, 60))
        if at < now:
            reason = "Moved to a lead provider at the contingency contract's end"
            to = _other_provider(request)
            lifecycle.transfer_package(package, to, reason=reason, now=at, acting_user=acting_user)
    elif fate == "suspended":
        at = max(at + timedelta(hours=1), now - timedelta(days=rng.uniform(0.5, 20)))
        if at < now:
            lifecycle.suspend_package(package, reason="In hospital", at=at, acting_user=acting_user)
    elif not steady:
        days = rng.uniform(7, 240) if fate == "ended" else rng.expovariate(1 / MEAN_CARE_DAYS)
        at += timedelta(days=days)
        if at < now:
            reason = rng.choice(END_REASONS)
            lifecycle.end_package(package, reason=reason, at=at, acting_user=acting_user)


def _place(
    request: Any,
    *,
    rng: random.Random,
    at: datetime,
    now: datetime,
    accept: bool = False,
    acting_user: Any,
) -> datetime | None:
    """Answer rounds (decline, let expire or accept; with ``accept`` the first offer is
    accepted) until the request is placed; when it was placed, or None if it is still being
    brokered at ``now``."""
    for _ in range(12):
        request.refresh_from_db()
        if request.state == State.PLACED:
            return at
        offer = request.offers.filter(status=Offer.Status.OPEN).order_by("pk").first()
        if offer is None:  # nobody (left) with room: the broker buys spot from a back-up
            provider = _other_provider(request)
            # Where nobody had room for a single offer, finding a carer takes days; where
            # every round was refused, hours.
            full = not request.offers.exists()
            hours = rng.uniform(30, 150) if full else rng.uniform(2, 20)
            at = max(at, request.state_changed_at) + timedelta(hours=hours)
            if at >= now:
                return None
            actions.place_manually(
                request, provider, reason="Spot purchase", now=at, acting_user=acting_user
            )
            return at
        span = (offer.deadline - offer.sent_at).total_seconds()
        roll = 1.0 if accept else rng.random()
        if roll < 0.12:  # nobody answers: the round times out
            at = offer.deadline + MARGIN
            if at >= now:
                return None  # still open: the provider may yet answer
            actions.expire_offers(at)
            continue
        at = offer.sent_at + timedelta(seconds=rng.uniform(0.05, 0.9) * span)
        if at >= now:
            return None
        accepted = roll > 0.45
        actions.answer_offer(
            offer,
            accepted=accepted,
            reason="" if accepted else rng.choice(DECLINE_REASONS),
            now=at,
            acting_user=acting_user,
        )
    raise RuntimeError(f"demo request {request.pk} was not placed")  # pragma: no cover


def _decline_until(
    request: Any, name: str, *, at: datetime, now: datetime, acting_user: Any
) -> None:
    """Decline round after round (minutes apart) until the open offer is to ``name``."""
    for _ in range(8):
        offer = request.offers.filter(status=Offer.Status.OPEN).select_related("provider").first()
        if offer is None or offer.provider.name == name or at + timedelta(minutes=3) >= now:
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
    framework: Any, plan: Plan, *, rng: random.Random, now: datetime, acting_user: Any
) -> None:
    """Last week's and this week's free hours for every appointed provider in every zone it
    covers: none in the plan's short zones, some (see :data:`FREE_HOURS`) elsewhere, and
    the most for its two named providers, so the demo's provider sign-ins get offers.
    Each is declared on its Monday morning (or a minute before now, if that is earlier)."""
    from homecare.commissioning import market_actions
    from homecare.commissioning.models import Appointment
    from homecare.commissioning.snapshot import monday_of

    this_week = monday_of(as_london(now).date())
    appointments = list(
        Appointment.objects.filter(framework=framework)
        .select_related("provider")
        .prefetch_related("lot__zones")
        .order_by("provider__name", "lot__code")
    )
    for week in (this_week - timedelta(weeks=1), this_week):
        declared_at = min(datetime.combine(week, time(8), tzinfo=LONDON), now - MARGIN)
        seen = set()
        for appointment in appointments:
            for zone in appointment.lot.zones.all():
                if (appointment.provider_id, zone.pk) in seen:
                    continue
                seen.add((appointment.provider_id, zone.pk))
                free = rng.choice(FREE_HOURS)
                if zone.code in plan.short_zones:
                    free = 0
                elif appointment.provider.name in plan.named:
                    free = max(FREE_HOURS)  # the demo sign-ins' providers take any package
                market_actions.declare_capacity(
                    provider=appointment.provider,
                    zone=zone,
                    week_starting=week,
                    free_hours=free,
                    at=declared_at,
                    acting_user=acting_user,
                )
