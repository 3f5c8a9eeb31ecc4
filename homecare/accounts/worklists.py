"""Each role's worklist on the home page: what is waiting for the user to act on, now.

A broker sees the hospital discharges waiting, offers about to expire and requests that need
a spot purchase; a provider the offers waiting for an answer, packages about to start and
periods whose visit logs have not been sent; a finance officer the periods to reconcile,
exceptions to decide and invoices to approve; a commissioner the zones short of capacity
and the providers below the call-monitoring target. Every list is read through the apps'
access rules, asked with the user's scope, so it never shows what the user may not see.
The caller passes ``now`` (the pages read the clock once; tests freeze it). The finance
officers' and commissioners' lists are in :mod:`homecare.accounts.council_worklists`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from homecare.accounts import access
from homecare.accounts.plain_words import plural
from homecare.brokerage import access as brokerage_access
from homecare.commissioning import access as commissioning_access
from homecare.delivery import access as delivery_access

Role = access.Role
SHORT = 5  # items shown under each count; the full list is a link away
EXPIRING_WITHIN = timedelta(hours=4)
STARTING_WITHIN_DAYS = 14
PERIODS_LOOKED_AT = 3  # the latest ended four-week periods a worklist looks back over


@dataclass(frozen=True)
class Item:
    text: str
    href: str
    detail: str = ""


@dataclass(frozen=True)
class Worklist:
    """One count with a short list of what it counts and a link to the whole list."""

    key: str
    title: str
    count: int
    items: list[Item]
    empty: str
    more_href: str
    more_text: str
    # How many rows the whole list has, when a row is not one of what ``count`` counts (a
    # run with several exceptions to decide); None: one row a thing counted.
    rows: int | None = None

    @property
    def more(self) -> int:
        """How many more rows the whole list has than the short list shows."""
        total = self.count if self.rows is None else self.rows
        return max(0, total - len(self.items))


@dataclass(frozen=True)
class RoleWork:
    """The worklists of one role the user holds."""

    role: str
    heading: str
    worklists: list[Worklist] = field(default_factory=list)


def _in_words(delta: timedelta) -> str:
    """A span of time in hours and minutes: "3 hours 5 minutes", "40 minutes"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{plural(days, 'day')} {plural(hours, 'hour')}"
    if hours:
        return f"{plural(hours, 'hour')} {plural(mins, 'minute')}"
    return plural(mins, "minute")


def _when(moment: datetime, now: datetime) -> str:
    """A moment as people say it, in UK time: "today at 20:59", "tomorrow at 08:00",
    "Friday 11 December at 17:00"."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"{local:%A %-d %B}"
    return f"{day} at {local:%H:%M}"


def _day(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"on {day:%A %-d %B}"


def period_words(start: date, end: date) -> str:
    """A four-week period in words, its year said once when it does not change."""
    if start.year == end.year:
        return f"{start:%-d %B} to {end:%-d %B %Y}"
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def ended_periods(today: date) -> list[tuple[date, date]]:
    """The latest ended four-week periods (as reconciliation runs count them), newest first."""
    from homecare.delivery.engine import period_end
    from homecare.delivery.forms import recent_mondays

    return [(start, period_end(start)) for start in recent_mondays(today, PERIODS_LOOKED_AT)]


# --- brokers --------------------------------------------------------------------------------


def _request_item(request: Any, now: datetime) -> Item:
    person = request.package.person
    hours = plural(request.package.carer_hours_per_week, "carer hour")
    return Item(
        text=f"Request {request.pk}: {person.area.zone.name}, {hours} a week",
        href=reverse("brokerage:request", args=[request.pk]),
        detail=f"waiting {_in_words(now - request.created_at)}",
    )


def broker_work(user: Any, now: datetime) -> RoleWork:
    from homecare.brokerage.models import WAITING_STATES, Offer, Source

    scope = access.scope_of_user(user)
    councils = scope.councils({Role.BROKER})
    requests = brokerage_access.requests_for(scope).filter(framework__council__in=councils)
    waiting = requests.filter(state__in=WAITING_STATES).order_by("created_at", "pk")
    discharges = waiting.filter(package__source=Source.HOSPITAL_DISCHARGE)
    spot = waiting.filter(needs_spot_purchase=True)
    expiring = (
        Offer.objects.filter(
            request__in=requests,
            status=Offer.Status.OPEN,
            deadline__gt=now,
            deadline__lte=now + EXPIRING_WITHIN,
        )
        .select_related("provider", "request")
        .order_by("deadline", "pk")
    )
    waiting_list = reverse("brokerage:waiting-list")
    return RoleWork(
        Role.BROKER,
        "Brokerage",
        [
            Worklist(
                "discharges",
                "Hospital discharges waiting",
                discharges.count(),
                [_request_item(r, now) for r in discharges[:SHORT]],
                "No hospital discharges are waiting for care.",
                waiting_list,
                "See every request waiting",
            ),
            Worklist(
                "expiring",
                "Offers expiring within 4 hours",
                expiring.count(),
                [
                    Item(
                        text=f"Request {offer.request_id}: offered to {offer.provider.name}",
                        href=reverse("brokerage:request", args=[offer.request_id]),
                        detail=(
                            f"answer due {_when(offer.deadline, now)}, "
                            f"in {_in_words(offer.deadline - now)}"
                        ),
                    )
                    for offer in expiring[:SHORT]
                ],
                "No offers expire in the next 4 hours.",
                f"{waiting_list}?waiting_for=offers",
                "See the requests waiting for answers",
            ),
            Worklist(
                "spot",
                "Requests needing a spot purchase",
                spot.count(),
                [_request_item(r, now) for r in spot[:SHORT]],
                "No requests need a spot purchase.",
                f"{waiting_list}?waiting_for=spot",
                "See the requests needing a spot purchase",
            ),
        ],
    )


# --- providers ------------------------------------------------------------------------------


def provider_work(user: Any, now: datetime) -> RoleWork:
    today = timezone.localdate(now)
    scope = access.scope_of_user(user)
    offers = (
        brokerage_access.offers_for(scope)
        .filter(status="open", deadline__gt=now)
        .select_related("request__package")
        .order_by("deadline", "pk")
    )
    starting = (
        brokerage_access.live_placements_for(scope, now)
        .filter(
            package__start_date__gte=today,
            package__start_date__lte=today + timedelta(days=STARTING_WITHIN_DAYS),
        )
        .order_by("package__start_date", "pk")
    )
    due = _logs_due(user, today)
    return RoleWork(
        Role.PROVIDER,
        "Your provider",
        [
            Worklist(
                "offers",
                "Offers waiting for your answer",
                offers.count(),
                [
                    Item(
                        text=(
                            f"{offer.request.package.person.area.name}, "
                            f"{offer.request.package.person.area.zone.name}: "
                            f"{plural(offer.request.package.carer_hours_per_week, 'carer hour')}"
                            " a week"
                        ),
                        href=reverse("brokerage:offer", args=[offer.pk]),
                        detail=(
                            f"answer {_when(offer.deadline, now)}, "
                            f"in {_in_words(offer.deadline - now)}"
                        ),
                    )
                    for offer in offers[:SHORT]
                ],
                "No offers are waiting for an answer.",
                reverse("brokerage:offers"),
                "See every offer made to you",
            ),
            Worklist(
                "starting",
                f"Packages starting in the next {STARTING_WITHIN_DAYS} days",
                starting.count(),
                [
                    Item(
                        text=(
                            f"{placement.package.person.reference}, "
                            f"{placement.package.person.area.name}: "
                            f"{plural(placement.package.carer_hours_per_week, 'carer hour')}"
                            " a week"
                        ),
                        href=reverse("brokerage:packages"),
                        detail=f"starts {_day(placement.package.start_date, today)}",
                    )
                    for placement in starting[:SHORT]
                ],
                f"No packages start in the next {STARTING_WITHIN_DAYS} days.",
                reverse("brokerage:packages"),
                "See all your packages",
            ),
            Worklist(
                "logs",
                "Visit logs to send",
                len(due),
                due[:SHORT],
                "Every ended period's visit logs have been sent.",
                reverse("delivery:uploads"),
                "Send visit logs",
            ),
        ],
    )


def _logs_due(user: Any, today: date) -> list[Item]:
    """Ended periods in which a provider of the user's had packages in its care but has sent
    no visit logs at all."""
    scope = access.scope_of_user(user)
    providers = commissioning_access.providers_of(scope)
    placements = brokerage_access.live_placements_for(scope)
    logs = delivery_access.visit_logs_for(scope)
    items = []
    for start, end in ended_periods(today):
        first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
        after = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        for provider in providers:
            had_care = placements.filter(provider=provider, package__start_date__lte=end).filter(
                Q(package__end_date__isnull=True) | Q(package__end_date__gte=start)
            )
            if not had_care.exists():
                continue
            if logs.filter(provider=provider, check_in__gte=first, check_in__lt=after).exists():
                continue
            name = f"{provider.name}: " if len(providers) > 1 else ""
            items.append(
                Item(
                    text=f"{name}{period_words(start, end)}",
                    href=reverse("delivery:uploads"),
                    detail="no visit logs sent yet",
                )
            )
    return items


def worklists_for(user: Any, now: datetime) -> list[RoleWork]:
    """The worklists of every role the user holds, in a fixed order."""
    # The council's back-office lists import this module's building blocks.
    from homecare.accounts.council_worklists import commissioner_work, finance_work

    builders = (
        (Role.BROKER, broker_work),
        (Role.PROVIDER, provider_work),
        (Role.FINANCE, finance_work),
        (Role.COMMISSIONER, commissioner_work),
    )
    roles = access.roles_of(user)
    return [build(user, now) for role, build in builders if role in roles]
