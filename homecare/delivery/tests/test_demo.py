"""The demo's call monitoring: a file of logs for every provider and period with visits,
back over the league table's six months; each person seen mostly by the same few carers;
providers that differ as their profiles say; one run for provider A (and one for provider C
at the second council); loading twice adds nothing. A provider serving both councils sends
each its own files."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest
from django.utils import timezone

from carecore.brokerage import parse_schedule
from carecore.ecm import (
    PlannedPackage,
    load_rules,
    planned_visits,
    provider_performance,
    reconcile,
    validate_logs,
)
from homecare.accounts.models import Organisation
from homecare.commissioning.demo import COUNCIL, COUNCIL_2, PROVIDER_A, load_demo
from homecare.commissioning.second_council_demo import FILE_TAG
from homecare.delivery import engine, performance
from homecare.delivery.demo import (
    DEFAULT,
    PROFILES,
    Carers,
    Profile,
    _logs_for,
    demo_periods,
    file_name,
)
from homecare.delivery.forms import recent_mondays
from homecare.delivery.models import LogUpload, ReconciliationRun, VisitLog


@pytest.fixture
def demo(db: Any, settings: Any) -> Organisation:
    settings.HOMECARE_DEMO_LOG_PERIODS = None  # every period, whatever the suite's default
    load_demo()
    return Organisation.objects.get(name=COUNCIL)


def test_the_demo_uploads_logs_and_reconciles_provider_a(demo: Organisation) -> None:
    assert set(LogUpload.objects.values_list("status", flat=True)) == {"done"}
    runs = ReconciliationRun.objects.filter(council=demo, provider__name=PROVIDER_A)
    latest, approved = runs.order_by("-period_start")
    for run in (latest, approved):
        assert run.provider.name == PROVIDER_A
        assert run.invoice.checked and run.invoice.total_pence > 0
        assert sum(run.lines.values_list("amount_pence", flat=True)) == run.invoice.total_pence
    assert latest.period_start == recent_mondays(timezone.localdate())[0]
    assert not latest.frozen
    # The period before it is decided, approved and paid in the demo's one payment batch.
    assert approved.period_start == latest.period_start - timedelta(days=28)
    assert approved.frozen and not approved.exceptions.filter(status="pending").exists()
    assert approved.invoice.batch_item.batch.exports.count() == 1
    counts = (LogUpload.objects.count(), VisitLog.objects.count())
    runs_before = ReconciliationRun.objects.count()
    assert ReconciliationRun.objects.exclude(provider__name=PROVIDER_A).filter(council=demo)
    load_demo()  # idempotent: nothing is added the second time
    assert (LogUpload.objects.count(), VisitLog.objects.count()) == counts
    # Provider A's two here (and every provider's of the approved period, run at once), and
    # C's two at the second council: none made again.
    assert ReconciliationRun.objects.count() == runs_before


def test_every_provider_sends_a_file_for_each_period_it_had_visits_in(
    demo: Organisation,
) -> None:
    expected = set()
    second = Organisation.objects.get(name=COUNCIL_2)
    for council, tag in ((demo, ""), (second, FILE_TAG)):
        for provider in performance.council_providers(council):
            for start in demo_periods(timezone.localdate()):
                end = engine.period_end(start)
                packages = engine.planned_packages(council, provider, start, end)
                if packages and planned_visits(packages, start, end).height:
                    expected.add((provider.name, file_name(start, tag)))
    assert set(LogUpload.objects.values_list("provider__name", "file_name")) == expected
    assert len({name for name, _ in expected}) > 2, "not only the two named providers"
    assert len({name for _, name in expected}) >= 4, "months of history"
    # Provider A serves both councils: it sends each council its own file for a period.
    assert {(PROVIDER_A, file_name(s, FILE_TAG)) for s in demo_periods(timezone.localdate())} & (
        expected
    )


def test_each_person_is_seen_mostly_by_the_same_few_carers(demo: Organisation) -> None:
    # Per provider, person and month, the share of logs by the person's three most frequent
    # carers (the page's continuity measure), pooled. Carers drawn at random from a dozen
    # gave about 40%.
    visits: Counter[tuple[int, int, date, str]] = Counter(
        (
            log.provider_id,
            log.person_id,
            timezone.localtime(log.check_in).date().replace(day=1),
            log.carer_id,
        )
        for log in VisitLog.objects.only("provider_id", "person_id", "check_in", "carer_id")
    )
    by_person: dict[tuple[int, int, date], list[int]] = {}
    for (provider, person, month, _carer), count in visits.items():
        by_person.setdefault((provider, person, month), []).append(count)
    ranked = [sorted(counts, reverse=True) for counts in by_person.values()]
    logs = sum(visits.values())
    assert sum(sum(counts[:3]) for counts in ranked) / logs >= 0.8
    # A team, not one carer: the main carer alone makes well under all of them.
    assert sum(counts[0] for counts in ranked) / logs <= 0.7


def test_a_demo_of_the_latest_period_is_topped_up_with_the_history_later(
    db: Any, settings: Any
) -> None:
    settings.HOMECARE_DEMO_LOG_PERIODS = 1
    load_demo()
    start = recent_mondays(timezone.localdate())[0]
    latest = {file_name(start), file_name(start, FILE_TAG)}  # each council's
    first = dict(LogUpload.objects.values_list("pk", "file_name"))
    assert set(first.values()) == latest
    settings.HOMECARE_DEMO_LOG_PERIODS = None
    load_demo()
    files = dict(LogUpload.objects.values_list("pk", "file_name"))
    # The latest period's files are left as they were; only the earlier periods are added.
    assert {pk: name for pk, name in files.items() if name in latest} == first
    assert len(set(files.values())) > 1


def test_the_same_period_gives_the_same_file() -> None:
    provider, planned = fake_provider("Quillfield Home Support (demo)")
    rows = [
        _logs_for(planned, DEFAULT, Carers(provider, 12, DEFAULT.usual), random.Random(7))
        for _ in range(2)
    ]
    assert rows[0] == rows[1] and len(rows[0]) > 1000


def test_every_profile_belongs_to_a_demo_provider() -> None:
    from homecare.brokerage.demo import EXTRA_PROVIDERS
    from homecare.commissioning.demo import PROVIDER_B, PROVIDER_C

    names = {PROVIDER_A, PROVIDER_B, PROVIDER_C, *(name for name, *_rest in EXTRA_PROVIDERS)}
    assert set(PROFILES) <= names  # a renamed provider would silently lose its story


def test_a_profile_names_a_share_that_is_not_one() -> None:
    with pytest.raises(
        ValueError, match=r"Profile\.manual: expected a share from 0 to 1, got 1\.5"
    ):
        Profile(manual=1.5)
    with pytest.raises(ValueError, match="more than every visit"):
        Profile(missed=0.5, late=0.4, short=0.2)


START = date(2026, 6, 1)  # a Monday
WEEKS = 8
SCHEDULE = "Daily 08:00 45m; Daily 12:30 30m; Daily 17:00 30m x2"


def fake_provider(name: str, people: int = 30) -> tuple[Any, pl.DataFrame]:
    """A provider (name and slug only) with ``people`` on one schedule for eight weeks."""
    slug = name.lower().replace(" (demo)", "").replace(" ", "-")
    provider = SimpleNamespace(name=name, organisation=SimpleNamespace(slug=slug))
    visits = parse_schedule(SCHEDULE)
    packages = [
        PlannedPackage(
            f"{slug}-{n}",
            f"{slug}-P{n:02d}",
            slug,
            "URBAN",
            START,
            visits,
            rate_pence_per_hour=2000,
        )
        for n in range(people)
    ]
    return provider, planned_visits(packages, START, START + timedelta(weeks=WEEKS, days=-1))


def test_the_profiles_tell_their_stories_in_the_league_table() -> None:
    plans, logs = [], []
    for number, name in enumerate((*PROFILES, "Mossbury Lane Care (demo)")):
        provider, planned = fake_provider(name)
        profile = PROFILES.get(name, DEFAULT)
        made = _logs_for(
            planned, profile, Carers(provider, 14, profile.usual), random.Random(number)
        )
        plans.append(planned)
        logs.append(validate_logs(pl.DataFrame(made)))
    result = reconcile(pl.concat(plans), pl.concat(logs), load_rules("rotherham-actual"))
    table = (
        provider_performance(result.visits, result.logs)
        .group_by("provider_ref")
        .agg(
            pl.col("meets_target").all(),
            *(
                getattr(pl.col(f"{measure}_percent"), end)().alias(f"{measure}_{end}")
                for measure in ("punctual", "continuity")
                for end in ("min", "max")
            ),
        )
    )
    rows = {row.pop("provider_ref"): row for row in table.to_dicts()}
    # The one that types logs in by hand is below the ECM target every month; no other is.
    below = {ref for ref, row in rows.items() if not row["meets_target"]}
    assert below == {"kestovale-care-at-home"}
    # The often-late one is the least punctual: its best month is below every other's worst.
    others = [row for ref, row in rows.items() if ref != "orrinwell-care"]
    assert rows["orrinwell-care"]["punctual_max"] < 85 < min(r["punctual_min"] for r in others)
    # The one short of staff (agency carers) is the least continuous, in the same way.
    others = [row for ref, row in rows.items() if ref != "brindlemoor-support"]
    best = rows["brindlemoor-support"]["continuity_max"]
    assert best < 75 < min(r["continuity_min"] for r in others)
