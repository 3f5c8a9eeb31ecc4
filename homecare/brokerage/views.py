"""Brokerage pages: the broker's waiting list, new request and request pages; the provider's
offers inbox, packages and capacity. Views only parse, ask ``access`` and call actions.

A provider's user never sees the person's reference before the package is placed with its
provider: the inbox shows the offer's area, zone, band, schedule, hours and needs only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import actions
from homecare.brokerage.forms import (
    DAYS,
    DEFAULT_ROWS,
    MAX_ROWS,
    AnswerForm,
    CapacityForm,
    PlaceForm,
    ReasonForm,
    RequestForm,
)
from homecare.brokerage.models import WAITING_STATES, Offer, Source, State

BROKERS = (access.Role.BROKER, access.Role.COMMISSIONER)
PLACED = (State.PLACED, State.STARTED, State.SUSPENDED)


# --- presenting ----------------------------------------------------------------------------


def schedule_rows(package: Any) -> list[dict[str, Any]]:
    """The visits as the pages show them: day name, window, minutes, carers, critical."""
    rows = []
    for visit in package.visits.all():
        start = datetime.combine(datetime(2000, 1, 3).date(), visit.window_start)
        end = start + timedelta(minutes=visit.window_minutes)
        rows.append(
            {
                "day": DAYS[visit.day],
                "window": f"{start:%H:%M} to {end:%H:%M}",
                "minutes": visit.minutes,
                "carers": visit.carers,
                "critical": visit.critical,
            }
        )
    return rows


def waited(since: datetime, now: datetime) -> str:
    """A waiting time in words: "3 days 4 hours", "5 hours 10 minutes", "12 minutes"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return f"{unit(days, 'day')} {unit(hours, 'hour')}"
    if hours:
        return f"{unit(hours, 'hour')} {unit(mins, 'minute')}"
    return unit(mins, "minute")


# --- broker pages --------------------------------------------------------------------------


@access.require_council_role(*BROKERS)
def waiting_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    requests = access.brokerage_requests_for(request.user)
    waiting = list(requests.filter(state__in=WAITING_STATES).order_by("created_at", "pk"))
    for item in waiting:
        item.waited = waited(item.created_at, now)  # type: ignore[attr-defined]
    hospital = [r for r in waiting if r.package.source == Source.HOSPITAL_DISCHARGE]
    community = [r for r in waiting if r.package.source != Source.HOSPITAL_DISCHARGE]
    placed = requests.filter(state__in=PLACED, placed_at__isnull=False).select_related(
        "placed_provider"
    )
    return render(
        request,
        "brokerage/waiting_list.html",
        {
            "tables": [
                ("hospital", "Hospital discharge", hospital),
                ("community", "Community and reablement", community),
            ],
            "placed": placed.order_by("-placed_at")[:10],
            "now": now,
        },
    )


def _area_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    from homecare.commissioning.models import Area

    groups: dict[str, list[tuple[str, str]]] = {}
    areas = Area.objects.select_related("zone").order_by("zone__position", "zone__name", "name")
    for area in areas:
        groups.setdefault(area.zone.name, []).append((area.code, area.name))
    return list(groups.items())


def _frameworks(user: Any) -> list[Any]:
    from homecare.commissioning.models import Framework

    return list(
        Framework.objects.filter(council__in=access.councils_of(user, access.BROKERAGE_ROLES))
    )


def _rows(data: Any) -> int:
    try:
        rows = int(data.get("visit_rows", DEFAULT_ROWS))
    except (TypeError, ValueError):
        rows = DEFAULT_ROWS
    return max(1, min(rows, MAX_ROWS))


@access.require_council_role(*BROKERS)
def new_request(request: HttpRequest) -> HttpResponse:
    frameworks = {str(f.pk): f for f in _frameworks(request.user)}
    options = {
        "areas": _area_groups(),
        "frameworks": [(pk, str(f)) for pk, f in frameworks.items()],
    }
    if request.method != "POST":
        return _request_page(request, RequestForm(**options))
    rows = _rows(request.POST)
    if "add_visit" in request.POST:
        # More rows, no validation yet: copy what was typed into a form with one more row.
        data = request.POST.copy()
        data["visit_rows"] = str(min(rows + 1, MAX_ROWS))
        form = RequestForm(initial=data.dict(), rows=rows + 1, **options)
        return _request_page(request, form)
    form = RequestForm(request.POST, rows=rows, **options)
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            created = actions.create_request(
                data["person_ref"],
                data["area"],
                form.visits,
                framework=frameworks[data["framework"]],
                funding=data["funding"],
                cohort=data["cohort"],
                source=data["source"],
                priority=data["priority"],
                start_date=form.start_date,
                needs=form.needs_list(),
                now=now,
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc)
        else:
            offers = actions.send_next_round(created, now=now, acting_user=request.user)
            if offers:
                messages.success(
                    request,
                    f"Request {created.pk} created: round 1 offered to {len(offers)} provider(s).",
                )
            else:
                messages.info(request, f"Request {created.pk} created: no provider to offer it to.")
            return redirect("brokerage:request", pk=created.pk)
    return _request_page(request, form)


def _request_page(request: HttpRequest, form: RequestForm) -> HttpResponse:
    return render(request, "brokerage/new_request.html", {"form": form})


def _provider_choices(exclude: Any = None) -> list[tuple[str, str]]:
    from homecare.commissioning.market_models import Provider

    providers = Provider.objects.filter(status=Provider.Status.ACTIVE).order_by("name")
    return [(str(p.pk), p.name) for p in providers if p.pk != exclude]


@access.require_council_role(*BROKERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.brokerage_request_for(request.user, pk)
    forms: dict[str, Any] = {
        "place": PlaceForm(providers=_provider_choices(), prefix="place"),
        "transfer": PlaceForm(
            providers=_provider_choices(item.placed_provider_id), prefix="transfer"
        ),
        "withdraw": ReasonForm(prefix="withdraw"),
    }
    if request.method == "POST":
        response = _act(request, item, forms)
        if response is not None:
            return response
    package = item.package
    open_offers = item.offers.filter(status=Offer.Status.OPEN).exists()
    return render(
        request,
        "brokerage/request.html",
        {
            "item": item,
            "package": package,
            "person": package.person,
            "visits": schedule_rows(package),
            "transitions": item.transitions.select_related("by"),
            "offers": item.offers.select_related("provider", "answered_by").order_by(
                "round_number", "pk"
            ),
            "forms": forms,
            "can_send": item.state in WAITING_STATES and not open_offers,
            "can_place": item.state in WAITING_STATES,
            "can_transfer": item.state in PLACED,
            "can_withdraw": item.state in (*WAITING_STATES, *PLACED),
            "waited": waited(item.created_at, timezone.now()),
        },
    )


def _act(request: HttpRequest, item: Any, forms: dict[str, Any]) -> HttpResponse | None:
    """Carry out the posted action; a response on success, None to show the form's errors."""
    from homecare.commissioning.market_models import Provider

    action, now, user = request.POST.get("action"), timezone.now(), request.user
    if action == "next_round":
        try:
            offers = actions.send_next_round(item, now=now, acting_user=user)
        except InputError as exc:
            messages.info(request, f"No round sent: {exc.message}")
        else:
            messages.success(
                request,
                f"Next round offered to {len(offers)} provider(s)."
                if offers
                else "No provider left to offer it to: place it by hand (spot purchase).",
            )
        return redirect("brokerage:request", pk=item.pk)
    if action not in forms:
        return redirect("brokerage:request", pk=item.pk)
    form = type(forms[action])(
        request.POST,
        prefix=action,
        **(
            {}
            if action == "withdraw"
            else {"providers": forms[action].fields["provider"].choices[1:]}
        ),
    )
    forms[action] = form
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "withdraw":
            actions.withdraw_request(item, reason=data["reason"], now=now, acting_user=user)
            messages.success(request, "The request has been withdrawn.")
        else:
            provider = Provider.objects.get(pk=data["provider"])
            common = {"reason": data["reason"], "rate": data["rate"], "now": now}
            if action == "place":
                actions.place_manually(item, provider, acting_user=user, **common)
                messages.success(request, f"Placed with {provider.name}.")
            else:
                new = actions.transfer_package(item.package, provider, acting_user=user, **common)
                messages.success(request, f"Transferred to {provider.name}.")
                return redirect("brokerage:request", pk=new.pk)
    except InputError as exc:
        form.add_input_error(
            exc, {"reason": "reason", "provider": "provider", "rate": "rate"}, "reason"
        )
        return None
    return redirect("brokerage:request", pk=item.pk)


# --- provider pages ------------------------------------------------------------------------


def _answer_form(data: Any = None) -> AnswerForm:
    form = AnswerForm(data)
    form.fields["reason"].label = "Reason (required if you decline)"
    return form


@access.require_role(access.Role.PROVIDER)
def offers_inbox(request: HttpRequest) -> HttpResponse:
    offers = (
        access.offers_for(request.user)
        .filter(status=Offer.Status.OPEN, deadline__gt=timezone.now())
        .order_by("deadline", "pk")
    )
    answered = (
        access.offers_for(request.user)
        .exclude(status=Offer.Status.OPEN)
        .order_by("-answered_at", "-pk")[:10]
    )
    return render(request, "brokerage/offers.html", {"offers": offers, "answered": answered})


@access.require_role(access.Role.PROVIDER)
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One offer: what is asked (never who), and the answer form while it is open."""
    offer = access.offer_for(request.user, pk)
    form = _answer_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = _answer(request, offer, form)
        if response is not None:
            return response
    package = offer.request.package
    return render(
        request,
        "brokerage/offer.html",
        {
            "offer": offer,
            "package": package,
            "area": package.person.area,
            "visits": schedule_rows(package),
            "form": form,
            "is_open": offer.status == Offer.Status.OPEN and offer.deadline > timezone.now(),
        },
    )


def _answer(request: HttpRequest, offer: Any, form: AnswerForm) -> HttpResponse | None:
    """Record the answer; a response, or None to show the form's errors."""
    data = form.cleaned_data
    accepted = data["answer"] == "accept"
    try:
        placement = actions.answer_offer(
            offer,
            accepted=accepted,
            reason=data["reason"],
            bid_rate=data["bid_rate"],
            now=timezone.now(),
            acting_user=request.user,
        )
    except actions.OfferClosed as exc:
        messages.info(request, f"Your answer was not recorded: {exc.message}.")
        return redirect("brokerage:offers")
    except InputError as exc:
        form.add_input_error(exc, {"reason": "reason", "bid_rate": "bid_rate"}, "answer")
        return None
    if placement is not None:
        messages.success(request, "You accepted the offer: the package is placed with you.")
        return redirect("brokerage:packages")
    messages.success(
        request,
        "Your acceptance is recorded; the council will confirm the placement."
        if accepted
        else "You declined the offer.",
    )
    return redirect("brokerage:offers")


PAGE_SIZE = 50


def _days(days: list[int]) -> str:
    """Day numbers as short names, runs joined: [0, 1, 2, 3, 4] -> "Mon-Fri"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        DAYS[run[0]][:3] if len(run) == 1 else f"{DAYS[run[0]][:3]}-{DAYS[run[-1]][:3]}"
        for run in runs
    )


def schedule_text(package: Any) -> str:
    """The visits in short, alike visits grouped: "Mon-Fri 08:00 45m x2; Wed 18:00 30m"."""
    alike: dict[tuple[Any, ...], list[int]] = {}
    for visit in package.visits.all():
        key = (visit.window_start, visit.minutes, visit.carers, visit.critical)
        alike.setdefault(key, []).append(visit.day)
    parts = []
    for (start, minutes, carers, critical), days in sorted(
        alike.items(), key=lambda item: (min(item[1]), item[0][0])
    ):
        text = f"{_days(days)} {start:%H:%M} {minutes}m"
        parts.append(text + (" x2" if carers == 2 else "") + (" critical" if critical else ""))
    return "; ".join(parts)


@access.require_role(access.Role.PROVIDER)
def my_packages(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    placements = (
        access.placements_for(request.user)
        .prefetch_related("package__visits")
        .order_by("-at", "-pk")
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"placement": p, "schedule": schedule_text(p.package)} for p in page]
    return render(request, "brokerage/packages.html", {"rows": rows, "page": page})


def _weeks(today: Any) -> list[tuple[str, str]]:
    from homecare.commissioning.market_actions import monday_of

    monday = monday_of(today)
    return [
        ((monday + timedelta(weeks=n)).isoformat(), f"{monday + timedelta(weeks=n):%-d %B %Y}")
        for n in range(4)
    ]


def _provider_zones(provider: Any) -> list[Any]:
    from homecare.commissioning.models import Zone

    zones = Zone.objects.filter(
        lots__appointments__provider=provider, lots__appointments__active=True
    ).distinct()
    return list(zones.order_by("position", "name")) or list(Zone.objects.order_by("position"))


@access.require_role(access.Role.PROVIDER)
def capacity(request: HttpRequest) -> HttpResponse:
    from datetime import date

    from homecare.commissioning.market_actions import declare_capacity
    from homecare.commissioning.market_models import CapacityDeclaration

    providers = access.providers_of(request.user)
    if not providers:
        return render(request, "brokerage/capacity.html", {"provider": None})
    provider = providers[0]
    zones, weeks = _provider_zones(provider), _weeks(timezone.localdate())
    data = request.POST if request.method == "POST" else None
    week = (data or request.GET).get("week_starting") or weeks[0][0]
    if week not in dict(weeks):
        week = weeks[0][0]  # a forged or stale week shows this week; the form still says why
    form = CapacityForm(data, zones=zones, weeks=weeks, initial={"week_starting": week})
    if data is not None and form.is_valid():
        monday, now = date.fromisoformat(form.cleaned_data["week_starting"]), timezone.now()
        with transaction.atomic():  # every zone's hours or none
            for zone, hours in form.hours:
                declare_capacity(
                    provider=provider,
                    zone=zone,
                    week_starting=monday,
                    free_hours=hours,
                    at=now,
                    acting_user=request.user,
                )
        messages.success(request, f"Capacity declared for {len(form.hours)} zone(s).")
        return redirect(f"{request.path}?week_starting={monday.isoformat()}")
    declared: dict[int, Any] = {}
    week_rows = CapacityDeclaration.objects.filter(provider=provider, week_starting=week)
    for row in week_rows.order_by("declared_at", "pk"):
        declared[row.zone_id] = row  # the latest declaration wins
    rows = [(zone, field, declared.get(zone.pk)) for zone, field in form.zone_fields()]
    return render(
        request,
        "brokerage/capacity.html",
        {"provider": provider, "form": form, "rows": rows, "week": week, "weeks": dict(weeks)},
    )
