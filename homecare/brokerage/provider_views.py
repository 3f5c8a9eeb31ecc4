"""The provider's pages: the offers inbox, an offer, my packages and capacity.
Views only parse, ask ``access`` and call actions.

A provider's user never sees the person's reference before the package is placed with its
provider: the inbox shows the offer's area, zone, band, schedule, hours and needs only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import actions, presenters
from homecare.brokerage.forms import AnswerForm, CapacityForm
from homecare.brokerage.models import Offer
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.market_actions import declare_capacity
from homecare.commissioning.models import CapacityDeclaration, Zone
from homecare.commissioning.snapshot import monday_of


def _answer_form(offer: Offer, data: Any = None) -> AnswerForm:
    """The answer form; a mini-competition's (kind ``bid``) also asks for an hourly rate."""
    form = AnswerForm(data, bid=offer.kind == "bid")
    form.fields["reason"].label = "Reason (required if you decline)"
    return form


@access.require_role(access.Role.PROVIDER)
def offers_inbox(request: HttpRequest) -> HttpResponse:
    mine = brokerage_access.offers_for(access.scope_of(request))
    offers = mine.filter(status=Offer.Status.OPEN, deadline__gt=timezone.now()).order_by(
        "deadline", "pk"
    )
    answered = mine.exclude(status=Offer.Status.OPEN).order_by("-answered_at", "-pk")[:10]
    return render(request, "brokerage/offers.html", {"offers": offers, "answered": answered})


@access.require_role(access.Role.PROVIDER)
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One offer: what is asked (never who), and the answer form while it is open."""
    offer = brokerage_access.offer_for(access.scope_of(request), pk)
    form = _answer_form(offer, request.POST if request.method == "POST" else None)
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
            "visits": presenters.schedule_rows(package),
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
            bid_rate=data.get("bid_rate"),
            now=timezone.now(),
            acting_user=request.user,
        )
    except actions.OfferClosed as exc:
        messages.info(request, f"Your answer was not recorded: {exc.message}.")
        return redirect("brokerage:offers")
    except InputError as exc:
        fields = {key: key for key in ("reason", "bid_rate") if key in form.fields}
        form.add_input_error(exc, fields, "answer")
        return None
    if placement is not None and placement.provider_id == offer.provider_id:
        messages.success(request, "You accepted the offer: the package is placed with you.")
        return redirect("brokerage:packages")
    messages.success(request, _recorded(offer, data, placed_elsewhere=placement is not None))
    return redirect("brokerage:offers")


def _recorded(offer: Any, data: dict[str, Any], *, placed_elsewhere: bool) -> str:
    """What the provider is told when its answer did not place the package with it."""
    if data["answer"] != "accept":
        return "You declined the offer."
    if placed_elsewhere:  # the last answer closed the round, and another provider won
        return "Your answer is recorded; the package was placed with another provider."
    if offer.kind == "bid":
        return (
            f"Your bid of £{data['bid_rate']} an hour is recorded; the bids are scored when "
            "the bidding closes."
        )
    return "Your acceptance is recorded; the council will confirm the placement."


PAGE_SIZE = 50


@access.require_role(access.Role.PROVIDER)
def my_packages(request: HttpRequest) -> HttpResponse:
    placements = (
        brokerage_access.live_placements_for(access.scope_of(request))
        .prefetch_related("package__visits")
        .order_by("-at", "-pk")
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"placement": p, "schedule": presenters.schedule_text(p.package)} for p in page]
    return render(request, "brokerage/packages.html", {"rows": rows, "page": page})


def _weeks(today: Any) -> list[tuple[str, str]]:
    monday = monday_of(today)
    return [
        ((monday + timedelta(weeks=n)).isoformat(), f"{monday + timedelta(weeks=n):%-d %B %Y}")
        for n in range(4)
    ]


def _provider_zones(request: HttpRequest, provider: Any) -> list[Any]:
    """The zones the provider is appointed in, else those of the councils it serves."""
    zones = Zone.objects.filter(
        lots__appointments__provider=provider, lots__appointments__active=True
    ).distinct()
    served = commissioning_access.zones_for(access.scope_of(request))
    return list(zones.order_by("council_id", "position", "name")) or list(served)


@access.require_role(access.Role.PROVIDER)
def capacity(request: HttpRequest) -> HttpResponse:
    provider = commissioning_access.provider_of(access.scope_of(request))
    if provider is None:
        return render(request, "brokerage/capacity.html", {"provider": None})
    zones, weeks = _provider_zones(request, provider), _weeks(timezone.localdate())
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
