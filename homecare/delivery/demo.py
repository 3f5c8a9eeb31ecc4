"""The demo's call monitoring: months of synthetic visit logs for every provider, one run.

Called at the end of ``homecare.commissioning.demo.load_demo`` with the demo's ``now``. Every
provider with packages placed through the demo council sends one file of logs per four-week
period ended by ``now``, back to the first period that overlaps the market's history (the
demo brokers its packages over the thirteen months before this one, so that is their whole
life). The
logs answer the packages' real planned visits (from the engine, as a run plans them) and go
through the real upload and import actions; provider A's latest period is then reconciled
so the finance pages show life.

Each provider performs to its :class:`Profile`: shares of visits missed, late and short, of
logs typed in by hand (held for approval, and below the 85% ECM target when there are many)
and of visits made by the person's usual carers. Each person has a team of two or three
usual carers (the first, their main carer, comes most), drawn once from the provider's pool
so the same carers come month after month; others fill in. Carer ids are synthetic
(``QH-C07``). Every draw comes from ``random.Random`` seeded by provider and period (or
provider and person for a team), so a period's file is the same whenever it is made.
Idempotent: a provider's period already uploaded is left alone, as is a run already made.
The setting ``HOMECARE_DEMO_LOG_PERIODS`` keeps only that many of the latest periods (tests
that need some logs but no history load faster).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl
from django.conf import settings
from django.utils import timezone

from carecore.ecm import planned_visits
from carecore.units import LONDON
from homecare.brokerage.models import Placement
from homecare.commissioning.demo import PROVIDER_A, PROVIDER_B, PROVIDER_C
from homecare.delivery import actions, engine, performance, reconciliation
from homecare.delivery.forms import recent_mondays
from homecare.delivery.models import LogUpload, ReconciliationRun
from homecare.delivery.reading import logs_csv as csv_bytes

SEED = 2026
MIN_CARERS = 6  # even the smallest provider has a team to draw fill-ins from
# About 11 carer hours a week a package and 25 contact hours a week a carer: a carer for
# every two or so people.
CARERS_PER_PERSON = 0.45
TEAM_WEIGHTS = (5, 3, 2)  # main carer, second, third: how often each comes when the team does
ELECTRONIC = ("app", "app", "phone", "qr")


@dataclass(frozen=True)
class Profile:
    """How a demo provider performs: shares (0 to 1) of its visits missed, late (35 to 70
    minutes) and short (half the time), of its logs typed in by hand, and of its carer
    visits made by the person's usual carers."""

    missed: float = 0.015
    late: float = 0.04
    short: float = 0.03
    manual: float = 0.03
    usual: float = 0.9

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0 <= value <= 1:
                raise ValueError(f"Profile.{item.name}: expected a share from 0 to 1, got {value}")
        if self.missed + self.late + self.short > 1:
            raise ValueError("Profile: missed, late and short add up to more than every visit")


# Invented providers (see homecare/brokerage/demo.py), each with a story a commissioner
# would recognise; the rest perform to the default.
PROFILES = {
    PROVIDER_A: Profile(missed=0.01, late=0.03, manual=0.02, usual=0.93),
    PROVIDER_B: Profile(missed=0.02, late=0.05, short=0.04, manual=0.04, usual=0.88),
    # Rounds drawn too tight: many calls over half an hour late.
    "Orrinwell Care (demo)": Profile(late=0.2, usual=0.85),
    # Carers' phones often out of signal: a fifth of the logs typed in by hand afterwards.
    "Kestovale Care at Home (demo)": Profile(missed=0.03, short=0.05, manual=0.2, usual=0.78),
    # Short of staff: agency carers fill many visits, some cut short.
    "Brindlemoor Support (demo)": Profile(short=0.07, usual=0.62),
    # Rated outstanding: small, settled teams.
    "Calderwyn Home Care (demo)": Profile(
        missed=0.005, late=0.02, short=0.02, manual=0.01, usual=0.95
    ),
    # The second council's local provider: carers live in the villages they visit, so people
    # see the same few faces, though long drives make a few calls late.
    PROVIDER_C: Profile(missed=0.01, late=0.05, manual=0.02, usual=0.94),
}
DEFAULT = Profile()


def demo_periods(today: date) -> list[date]:
    """Starts of the ended four-week periods, oldest first, from the first that overlaps
    the market's history (:data:`homecare.brokerage.demo.HISTORY_MONTHS` whole months before
    this one), so the league table's trends and the reports have a year to compare."""
    from homecare.brokerage.demo import HISTORY_MONTHS

    since = performance.add_months(performance.first_of(today), -HISTORY_MONTHS)
    count = (today - since).days // engine.PERIOD_DAYS + 2
    return sorted(s for s in recent_mondays(today, count) if engine.period_end(s) >= since)


def file_name(start: date, tag: str = "") -> str:
    """The period's file; ``tag`` names the council for a provider's second council's files."""
    return f"ecm-{tag}-{start:%Y%m%d}.csv" if tag else f"ecm-{start:%Y%m%d}.csv"


def carer_prefix(provider: Any) -> str:
    """``QH`` for Quillfield Home Support: the carer ids' prefix."""
    return "".join(word[0] for word in provider.name.split()[:2]).upper()


def pool_size(council: Any, provider: Any) -> int:
    """How many carers the provider has: from everyone it was ever placed, so the pool (and
    so each person's team) is the same whichever periods are made."""
    people = (
        Placement.objects.filter(provider=provider, request__framework__council=council)
        .values("package__person")
        .distinct()
        .count()
    )
    return max(MIN_CARERS, math.ceil(people * CARERS_PER_PERSON))


class Carers:
    """A provider's carers: each person's team of usual carers, and fill-ins."""

    def __init__(self, provider: Any, pool: int, usual: float) -> None:
        self.prefix, self.pool, self.usual = carer_prefix(provider), pool, usual
        self.slug = engine.provider_ref(provider)
        self.teams: dict[str, tuple[int, ...]] = {}

    def team(self, person_ref: str) -> tuple[int, ...]:
        if person_ref not in self.teams:
            rng = random.Random(f"{SEED}:{self.slug}:{person_ref}")
            self.teams[person_ref] = tuple(rng.sample(range(1, self.pool + 1), rng.choice((2, 3))))
        return self.teams[person_ref]

    def for_visit(self, person_ref: str, count: int, rng: random.Random) -> list[str]:
        """``count`` different carers: from the person's team with chance ``usual`` each
        (the main carer most often), else a fill-in from the rest of the pool."""
        team = self.team(person_ref)
        chosen: list[int] = []
        while len(chosen) < count:
            free = [(c, w) for c, w in zip(team, TEAM_WEIGHTS, strict=False) if c not in chosen]
            if free and rng.random() < self.usual:
                chosen.append(rng.choices([c for c, _ in free], [w for _, w in free])[0])
            else:
                others = [c for c in range(1, self.pool + 1) if c not in team and c not in chosen]
                chosen.append(rng.choice(others))
        return [f"{self.prefix}-C{carer:02d}" for carer in chosen]


def _logs_for(
    planned: Any, profile: Profile, carers: Carers, rng: random.Random
) -> list[dict[str, str]]:
    """One log a carer for each planned visit not missed, in the call-monitoring layout."""
    rows: list[dict[str, str]] = []
    for visit in planned.iter_rows(named=True):
        draw = rng.random()
        if draw < profile.missed:
            continue
        start = visit["planned_start"] + timedelta(minutes=rng.randint(-10, 12))
        minutes = max(5, round(visit["planned_minutes"] * rng.uniform(0.8, 1.05)))
        if draw < profile.missed + profile.late:
            start += timedelta(minutes=rng.randint(35, 70))
        elif draw < profile.missed + profile.late + profile.short:
            minutes = max(5, visit["planned_minutes"] // 2)
        method = "manual" if rng.random() < profile.manual else rng.choice(ELECTRONIC)
        for index, carer in enumerate(carers.for_visit(visit["person_ref"], visit["carers"], rng)):
            check_in = start + timedelta(minutes=index)  # the second carer a minute behind
            rows.append(
                {
                    "provider_ref": visit["provider_ref"],
                    "person_ref": visit["person_ref"],
                    "carer_id": carer,
                    "check_in": check_in.strftime("%Y-%m-%d %H:%M"),
                    "check_out": (check_in + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M"),
                    "method": method,
                    "exception_code": "",
                }
            )
    return rows


def _upload_period(
    provider: Any,
    planned: pl.DataFrame,
    carers: Carers,
    start: date,
    *,
    tag: str = "",
    now: datetime,
    acting_user: Any,
) -> int:
    """Make, upload and import the provider's file for the period starting ``start`` from
    its planned visits (``PLANNED_SCHEMA``) that period; returns the logs created. ``tag``
    marks a second council's file (its name and its draws)."""
    profile = PROFILES.get(provider.name, DEFAULT)
    rng = random.Random(f"{SEED}:{carers.slug}:{tag}{start.isoformat()}")
    rows = _logs_for(planned, profile, carers, rng)
    if not rows:
        return 0
    # Sent the morning after the period ends, as a provider would (never in the future).
    end = engine.period_end(start)
    sent = min(now, datetime.combine(end + timedelta(days=1), time(10), tzinfo=LONDON))
    upload = actions.create_upload(
        provider, file_name(start, tag), csv_bytes(rows), now=sent, acting_user=acting_user
    )
    return actions.import_upload(upload.pk, now=sent).logs_created


def _planned_by_period(council: Any, provider: Any, starts: list[date]) -> dict[date, pl.DataFrame]:
    """The provider's planned visits in each period starting in ``starts`` (oldest first),
    planned once for the whole span (as a run would plan each period: the same visits)."""
    first, last = starts[0], engine.period_end(starts[-1])
    packages = engine.planned_packages(council, provider, first, last)
    if not packages:
        return {}
    planned = planned_visits(packages, first, last)
    day = pl.col("planned_start").dt.date()  # the London day: the frame's moments are London's
    return {
        start: planned.filter(day.is_between(start, engine.period_end(start))) for start in starts
    }


def load_delivery(
    council: Any,
    named: list[Any],
    *,
    now: datetime | None = None,
    file_tag: str = "",
    acting_user: Any = None,
) -> int:
    """Upload every provider's periods of logs (those not yet uploaded) and reconcile the
    latest period of ``named[0]`` (provider A, whose sign-in the demo prints); returns the
    logs created. A provider sends each council its own files: ``file_tag`` marks the
    second council's file names (see :func:`file_name`)."""
    providers = performance.council_providers(council)
    if not providers:
        return 0
    now = now or timezone.now()
    periods = demo_periods(timezone.localtime(now).date())
    # Tests that only need some logs load the latest periods alone (the history is most of
    # the demo's loading time); unset, every period of the trends gets its file.
    keep = getattr(settings, "HOMECARE_DEMO_LOG_PERIODS", None)
    if keep is not None:
        periods = periods[-max(1, int(keep)) :]
    names = [file_name(start, file_tag) for start in periods]
    sent = set(
        LogUpload.objects.filter(provider__in=providers, file_name__in=names).values_list(
            "provider_id", "file_name"
        )
    )
    carers = {
        p.pk: Carers(p, pool_size(council, p), PROFILES.get(p.name, DEFAULT).usual)
        for p in providers
    }
    planned = {
        p.pk: _planned_by_period(council, p, due)
        for p in providers
        if (due := [s for s in periods if (p.pk, file_name(s, file_tag)) not in sent])
    }
    created = 0
    for start in periods:  # oldest first, as the files would have arrived
        for provider in providers:
            visits = planned.get(provider.pk, {}).get(start)
            if visits is not None and visits.height:
                created += _upload_period(
                    provider,
                    visits,
                    carers[provider.pk],
                    start,
                    tag=file_tag,
                    now=now,
                    acting_user=acting_user,
                )
    if named and len(periods) > 1:
        approve_period(council, named[0], periods[-2], now=now, acting_user=acting_user)
    latest = periods[-1]
    if (
        named
        and not ReconciliationRun.objects.filter(
            council=council, provider=named[0], period_start=latest
        ).exists()
    ):
        reconciliation.run_reconciliation(
            council, named[0], latest, now=now, acting_user=acting_user
        )
    return created


DEMO_DECISION = "Checked against the provider's rota and the person's care record"


def approve_period(
    council: Any, provider: Any, start: date, *, now: datetime, acting_user: Any
) -> Any:
    """Reconcile the provider's period, decide what waits (the manual logs and late calls, as
    a finance officer would after checking them), re-run and approve its invoice, so the demo
    has an approved invoice to batch, pay and query; skipped when already approved."""
    run = ReconciliationRun.objects.filter(
        council=council, provider=provider, period_start=start
    ).first()
    if run is not None and run.frozen:
        return run
    run = reconciliation.run_reconciliation(
        council, provider, start, now=now, acting_user=acting_user
    )
    for kind in reconciliation.DECIDABLE:
        reconciliation.decide_exceptions(
            run, kind=kind, approve=True, reason=DEMO_DECISION, now=now, acting_user=acting_user
        )
    run = reconciliation.run_reconciliation(
        council, provider, start, now=now, acting_user=acting_user
    )
    for kind in reconciliation.DECIDABLE:  # a log approved above is paid now, nothing waits
        reconciliation.decide_exceptions(
            run, kind=kind, approve=True, reason=DEMO_DECISION, now=now, acting_user=acting_user
        )
    if (
        run.exceptions.filter(status="pending").exists()
        or ReconciliationRun.objects.get(pk=run.pk).stale
    ):
        run = reconciliation.run_reconciliation(
            council, provider, start, now=now, acting_user=acting_user
        )
    reconciliation.approve_invoice(run, now=now, acting_user=acting_user)
    return run
