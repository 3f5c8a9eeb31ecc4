"""What a person's package page shows, read for one viewer: the council sees everything of
its own; a provider sees only its own placements, visits and payments.

Also used by the packages API (:mod:`homecare.api.packages`), so both show the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Sum

from carecore.brokerage import Visit
from homecare.brokerage import presenters, schedules
from homecare.brokerage.models import Offer, Package, Placement, RequestTransition
from homecare.brokerage.package_models import ScheduleChange

PLANNED_DAYS = 14


@dataclass(frozen=True)
class Viewer:
    """Who looks: the councils whose packages they see, or the providers they work for."""

    councils: tuple[Any, ...] = ()
    providers: tuple[Any, ...] = ()

    @property
    def is_council(self) -> bool:
        return bool(self.councils)


def loaded(package: Package) -> Package:
    """The package again with what its page reads prefetched."""
    return (
        Package.objects.select_related("person__area__zone", "person__area__band")
        .prefetch_related("visits", "schedule_versions__change", "suspensions")
        .get(pk=package.pk)
    )


def placements(package: Package, viewer: Viewer) -> list[Placement]:
    rows = package.placements.select_related(
        "provider__organisation", "request", "package__person__area__band"
    ).prefetch_related(
        "package__visits",
        "package__schedule_versions",
        "package__suspensions",
        Prefetch("request__transitions", queryset=RequestTransition.objects.order_by("at", "pk")),
    )
    if not viewer.is_council:
        rows = rows.filter(provider__in=viewer.providers)
    return list(rows.order_by("at", "pk"))


def live_placement(rows: list[Placement]) -> Placement | None:
    return next((p for p in rows if p.ended_at is None), None)


def version_rows(package: Package, today: date) -> list[dict[str, Any]]:
    """Every schedule, newest first, marked when in force today."""
    rows = []
    for span in reversed(schedules.spans_of(package)):
        change = getattr(span.version, "change", None)
        rows.append(
            {
                "first": span.first,
                "last": span.last,
                "carer_hours": span.carer_hours,
                "contact_hours": span.contact_hours,
                "schedule": _text(span.visits),
                "why": change.get_kind_display() if change else "Schedule when placed",
                "reason": change.reason if change else "",
                "in_force": span.covers(today),
            }
        )
    return rows


def _text(visits: Any) -> str:
    return "; ".join(schedule_items(visits))


def schedule_items(visits: Any) -> list[str]:
    """The visits in the schedule syntax, alike visits on running days grouped:
    ["Mon-Fri 07:30 45m x2", "Sat-Sun 08:00-08:45 30m"] (what the change forms start from)."""
    alike: dict[tuple[Any, ...], list[int]] = {}
    for v in visits:
        key = (v.window_start, v.window_minutes, v.minutes, v.carers, v.critical)
        alike.setdefault(key, []).append(v.day)
    items = []
    for key, days in sorted(alike.items(), key=lambda item: (min(item[1]), item[0][0])):
        start, window, minutes, carers, critical = key
        sample = Visit(days[0], start, window, minutes, carers, critical).describe()
        times = sample.split(" ", 1)[1]  # the visit without its day
        for run in presenters.day_runs(days).split(", "):
            items.append(f"{run} {times}")
    return items


def planned(
    package: Package, rows: list[Placement], start: date, end: date
) -> list[dict[str, Any]]:
    """The planned visits from ``start`` to ``end`` (inclusive) of the given placements,
    each day from the schedule in force that day, less suspensions."""
    from carecore.ecm import planned_visits
    from homecare.delivery.engine import placement_packages, provider_ref

    engine_packages, names = [], {}
    for count, placement in enumerate(rows):
        ref = provider_ref(placement.provider)
        names[ref] = placement.provider.name
        engine_packages.extend(placement_packages(placement, ref, start, end, count))
    if not engine_packages:
        return []
    frame = planned_visits(engine_packages, start, end)
    return [
        {
            "start": row["planned_start"],
            "minutes": row["planned_minutes"],
            "carers": row["carers"],
            "critical": row["critical"],
            "bank_holiday": row["bank_holiday"],
            "provider": names.get(row["provider_ref"], ""),
        }
        for row in frame.iter_rows(named=True)
    ]


def payments(package: Package, viewer: Viewer) -> list[dict[str, Any]]:
    """The person's invoice lines by invoice (pounds), the viewer's councils' or providers'."""
    from homecare.delivery.models import InvoiceLine

    lines = InvoiceLine.objects.filter(person=package.person)
    if viewer.is_council:
        lines = lines.filter(run__council__in=viewer.councils)
    else:
        lines = lines.filter(run__provider__in=viewer.providers)
    grouped = (
        lines.values(
            "invoice__number",
            "invoice__status",
            "run__period_start",
            "run__period_end",
            "run__provider__name",
        )
        .annotate(pence=Sum("amount_pence"), lines=Count("pk"))
        .order_by("-run__period_start", "invoice__number")
    )
    return [
        {
            "number": row["invoice__number"],
            "approved": row["invoice__status"] == "approved",
            "period_start": row["run__period_start"],
            "period_end": row["run__period_end"],
            "provider": row["run__provider__name"],
            "lines": row["lines"],
            "amount": (Decimal(row["pence"] or 0) / 100).quantize(Decimal("0.01")),
        }
        for row in grouped
    ]


def complaints(package: Package, viewer: Viewer) -> list[Any]:
    from homecare.insight.models import Complaint

    if not viewer.is_council:
        return []
    return list(
        Complaint.objects.filter(person=package.person, council__in=viewer.councils)
        .select_related("provider")
        .order_by("-received_on", "-pk")
    )


def requests_and_offers(package: Package, viewer: Viewer) -> tuple[list[Any], list[Offer]]:
    """The package's requests and every offer made for them (council viewers only)."""
    if not viewer.is_council:
        return [], []
    requests = list(
        package.requests.filter(framework__council__in=viewer.councils)
        .select_related("framework", "placed_provider", "created_by")
        .order_by("created_at", "pk")
    )
    offers = list(
        Offer.objects.filter(request__in=requests)
        .select_related("provider", "answered_by")
        .order_by("request_id", "round_number", "pk")
    )
    return requests, offers


def changes(package: Package) -> list[ScheduleChange]:
    return list(
        package.schedule_changes.select_related("provider", "created_by", "decided_by").order_by(
            "-created_at", "-pk"
        )
    )


def page_context(package: Package, viewer: Viewer, today: date) -> dict[str, Any]:
    """Everything the package page shows, for ``viewer`` on ``today``."""
    package = loaded(package)
    rows = placements(package, viewer)
    requests, offers = requests_and_offers(package, viewer)
    span = schedules.span_on(package, today)
    end = today + timedelta(days=PLANNED_DAYS - 1)
    return {
        "package": package,
        "person": package.person,
        "today": today,
        "in_force": span,
        "in_force_rows": presenters.visit_rows(span.visits),
        "suspended_now": schedules.suspension_on(package, today),
        "ending": getattr(package, "ending", None),
        "placements": rows,
        "live_placement": live_placement(rows),
        "versions": version_rows(package, today),
        "changes": changes(package),
        "suspensions": list(package.suspensions.all()),
        "planned": planned(package, rows, today, end),
        "planned_until": end,
        "payments": payments(package, viewer),
        "complaints": complaints(package, viewer),
        "requests": requests,
        "offers": offers,
        "other_packages": list(
            Package.objects.filter(person=package.person).exclude(pk=package.pk).order_by("pk")
        )
        if viewer.is_council
        else [],
    }
