"""The demo's complaints: a handful a month about the demo council's providers.

Called at the end of ``homecare.commissioning.demo.load_demo``, once the demo market has
placed its packages, with the demo's ``now``. For each calendar month from thirteen months
ago (the demo brokers its packages over the thirteen months before this one) to this one,
up to four complaints (about two a month, as seed 002 reports) are drawn from
``random.Random`` seeded by the month. Each is about a placement of the council's live on
the day received: its provider (so providers with more packages get more complaints) and,
usually, its person; a category; an invented summary with no names in it; and an outcome,
decided for complaints over four weeks old and mostly open for newer ones. They go through
the real ``record_complaint`` action. Idempotent: a council with complaints already is left
alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from carecore.units import LONDON
from homecare.accounts.models import Organisation
from homecare.brokerage.models import Person, Placement
from homecare.commissioning.market_models import Provider
from homecare.insight import actions
from homecare.insight.forms import first_of_month
from homecare.insight.models import Complaint

SEED = 2017  # the year seed 002's complaints were counted
MONTHS = 13  # as far back as the demo's market goes (homecare.brokerage.demo.HISTORY_MONTHS)
DECIDE_AFTER_DAYS = 28
SUMMARIES = {
    "missed_or_late": (
        "The evening visit did not happen and nobody rang to say so.",
        "Carers arrived over an hour late for the morning visit three times in a week.",
    ),
    "quality_of_care": (
        "Medication was not prompted at lunchtime as the care plan sets out.",
        "The visit was cut short and personal care was not finished.",
    ),
    "carer_conduct": ("A carer was on the phone for most of the visit.",),
    "communication": (
        "The family could not get through to the office to change a visit time.",
        "A change of carers was not explained to the person beforehand.",
    ),
    "charges": ("The invoice to the person did not match the visits delivered.",),
    "other": ("The key safe was left open after a visit.",),
}
CATEGORY_WEIGHTS = {"missed_or_late": 5, "quality_of_care": 3, "carer_conduct": 1}
CATEGORY_WEIGHTS |= {"communication": 3, "charges": 1, "other": 1}
DECIDED = (("upheld", 3), ("partly_upheld", 2), ("not_upheld", 5))


def load_complaints(
    council: Organisation, *, now: datetime | None = None, acting_user: Any = None
) -> int:
    """Log the demo complaints for ``council`` (none when it has some); how many were made."""
    if Complaint.objects.filter(council=council).exists():
        return 0
    placements = list(
        Placement.objects.filter(request__framework__council=council)
        .order_by("pk")
        .values_list("provider_id", "package__person_id", "at", "ended_at")
    )
    providers = Provider.objects.in_bulk({row[0] for row in placements})
    people = Person.objects.in_bulk({row[1] for row in placements})
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    made = 0
    for back in range(MONTHS, -1, -1):
        month = first_of_month(today, back)
        rng = random.Random(f"{SEED}-{month:%Y-%m}")
        for _ in range(rng.randint(1, 4)):
            day = month + timedelta(days=rng.randrange(31))
            if day.month != month.month or day > today:
                continue  # past the month's end, or still to come this month
            noon = min(_noon(day), now)  # when it was logged: noon, or now if that is earlier
            live = [
                (provider, person)
                for provider, person, at, end in placements
                if at <= noon and (end is None or noon < end)
            ]
            if not live:
                continue  # nobody was in care yet: no one to complain
            provider_id, person_id = rng.choice(live)
            category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
            actions.record_complaint(
                council=council,
                received_on=day,
                provider=providers[provider_id],
                person=people[person_id] if rng.random() < 0.7 else None,
                category=category,
                summary=rng.choice(SUMMARIES[category]),
                outcome=_outcome(rng, day, today),
                now=noon,
                acting_user=acting_user,
            )
            made += 1
    return made


def _outcome(rng: random.Random, day: date, today: date) -> str:
    if (today - day).days < DECIDE_AFTER_DAYS and rng.random() < 0.8:
        return "open"
    return rng.choices([name for name, _ in DECIDED], [w for _, w in DECIDED])[0]


def _noon(day: date) -> datetime:
    """Noon on ``day``, UK time."""
    return datetime.combine(day, time(12), tzinfo=LONDON)
