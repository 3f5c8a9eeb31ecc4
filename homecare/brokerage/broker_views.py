"""The broker's pages: the waiting list, the new request form and each request's page.
Views only parse, ask ``access`` and call actions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import actions, lifecycle, presenters
from homecare.brokerage.filters import WaitingListFilters
from homecare.brokerage.forms import (
    DEFAULT_ROWS,
    MAX_ROWS,
    PlaceForm,
    ReasonForm,
    RequestForm,
)
from homecare.brokerage.models import WAITING_STATES, Offer, Source, State

BROKERS = (access.Role.BROKER, access.Role.COMMISSIONER)
PLACED = (State.PLACED, State.STARTED, State.SUSPENDED)


@access.require_council_role(*BROKERS)
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Waiting requests, hospital discharges apart, longest waiting first; filterable.

    The page refreshes its tables every 30 seconds (``HOMECARE_WAITING_LIST_REFRESH_SECONDS``)
    through htmx (it asks for this same page
    and swaps in the ``#waiting`` part), unless the broker turns live updates off.
    """
    now = timezone.now()
    filters = WaitingListFilters(request.GET or None)
    requests = access.brokerage_requests_for(request.user)
    waiting = list(
        filters.apply(requests.filter(state__in=WAITING_STATES)).order_by("created_at", "pk")
    )
    for item in waiting:
        item.waited = presenters.waited(item.created_at, now)  # type: ignore[attr-defined]
    hospital = [r for r in waiting if r.package.source == Source.HOSPITAL_DISCHARGE]
    community = [r for r in waiting if r.package.source != Source.HOSPITAL_DISCHARGE]
    placed = requests.filter(state__in=PLACED, placed_at__isnull=False).select_related(
        "placed_provider"
    )
    return render(
        request,
        "brokerage/waiting_list.html",
        {
            "filters": filters,
            "tables": [
                ("hospital", "Hospital discharge", hospital),
                ("community", "Community and reablement", community),
            ],
            "placed": placed.order_by("-placed_at")[:10],
            "now": now,
            "refresh_seconds": getattr(settings, "HOMECARE_WAITING_LIST_REFRESH_SECONDS", 30),
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
            "visits": presenters.schedule_rows(package),
            "transitions": item.transitions.select_related("by"),
            "offers": item.offers.select_related("provider", "answered_by").order_by(
                "round_number", "pk"
            ),
            "forms": forms,
            "can_send": item.state in WAITING_STATES and not open_offers,
            "can_place": item.state in WAITING_STATES,
            "can_transfer": item.state in PLACED,
            "can_withdraw": item.state in (*WAITING_STATES, *PLACED),
            "waited": presenters.waited(item.created_at, timezone.now()),
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
            lifecycle.withdraw_request(item, reason=data["reason"], now=now, acting_user=user)
            messages.success(request, "The request has been withdrawn.")
        else:
            provider = Provider.objects.get(pk=data["provider"])
            common = {"reason": data["reason"], "rate": data["rate"], "now": now}
            if action == "place":
                actions.place_manually(item, provider, acting_user=user, **common)
                messages.success(request, f"Placed with {provider.name}.")
            else:
                new = lifecycle.transfer_package(item.package, provider, acting_user=user, **common)
                messages.success(request, f"Transferred to {provider.name}.")
                return redirect("brokerage:request", pk=new.pk)
    except InputError as exc:
        form.add_input_error(
            exc, {"reason": "reason", "provider": "provider", "rate": "rate"}, "reason"
        )
        return None
    return redirect("brokerage:request", pk=item.pk)
