"""The broker's pages: the waiting list, the new request form and each request's page.
Views only parse, ask ``access`` and call actions.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import actions, lifecycle, presenters
from homecare.brokerage.filters import WaitingListFilters
from homecare.brokerage.forms import PlaceForm, ReasonForm, RequestForm
from homecare.brokerage.models import WAITING_STATES, Offer, Source, State
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.models import Area

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
    scope = access.scope_of(request)
    filters = WaitingListFilters(request.GET or None, zones=commissioning_access.zones_for(scope))
    requests = brokerage_access.requests_for(scope)
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


def _area_groups(request: HttpRequest) -> list[tuple[str, list[tuple[str, str]]]]:
    """The areas of the councils where the user brokers, grouped by zone."""
    groups: dict[str, list[tuple[str, str]]] = {}
    councils = access.scope_of(request).councils(access.BROKERAGE_ROLES)
    areas = (
        Area.objects.filter(zone__council__in=councils)
        .select_related("zone")
        .order_by("zone__council_id", "zone__position", "zone__name", "name")
    )
    for area in areas:
        groups.setdefault(area.zone.name, []).append((area.code, area.name))
    return list(groups.items())


def _frameworks(request: HttpRequest) -> list[Any]:
    """The frameworks of the user's councils a request may be made through."""
    scope = access.scope_of(request)
    return list(commissioning_access.frameworks_for(scope, access.BROKERAGE_ROLES))


DRAFTS = "new_request_drafts"  # session key: checked answers waiting for "Send offers"
MAX_DRAFTS = 10


def _today() -> date:
    """The council's today, for the late-start check (tests replace it)."""
    return timezone.localdate()


def _request_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> RequestForm:
    frameworks = _frameworks(request)
    return RequestForm(
        data,
        areas=_area_groups(request),
        frameworks=[(str(f.pk), str(f)) for f in frameworks],
        councils={str(f.pk): f.council for f in frameworks},
        today=_today(),
        **kwargs,
    )


def _drafts(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(DRAFTS) or {})


def _save_draft(request: HttpRequest, data: Any, token: str | None = None) -> str:
    """Keep the checked answers in the session until "Send offers"; returns their token."""
    drafts = _drafts(request)
    token = token if token in drafts else secrets.token_urlsafe(16)
    answers = {
        key: data.getlist(key) for key in data if key not in ("csrfmiddlewaretoken", "draft")
    }
    drafts.pop(token, None)
    drafts[token] = {"data": answers, "created": None}
    request.session[DRAFTS] = dict(list(drafts.items())[-MAX_DRAFTS:])
    return token


def _draft_data(draft: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return data


@access.require_council_role(*BROKERS)
def new_request(request: HttpRequest) -> HttpResponse:
    """Two steps, so no key press sends offers: the answers, then "Check your answers".

    The first page's default button is "Continue": it checks everything and shows the check
    page. Only that page's "Send offers" (a POST carrying the draft's token) makes the request
    and sends the first round; a token already used shows the request it made.
    """
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("confirm", "")
        if "send" not in request.POST:  # only the "Send offers" button sends
            return redirect(f"{reverse('brokerage:new-request')}?check={token}")
        return _send(request, token)
    drafts = _drafts(request)
    if request.method != "POST":
        token = request.GET.get("check") or request.GET.get("change") or ""
        draft = drafts.get(token)
        if draft is None:
            return _request_page(request, _request_form(request))
        form = _request_form(request, _draft_data(draft))
        if "check" in request.GET and form.is_valid():
            return _check_page(request, form, token)
        return _request_page(request, form, token)
    token = request.POST.get("draft", "")
    extra_call = request.POST.get("add_call")
    if extra_call or "add_pattern" in request.POST:
        # More rows, no checking yet: the same answers in a form with one more call or set.
        form = _request_form(
            request,
            extra_call=int(extra_call) if (extra_call or "").isdigit() else None,
            extra_pattern="add_pattern" in request.POST,
            initial={
                key: request.POST.getlist(key) if key.startswith("days-") else request.POST[key]
                for key in request.POST
            },
        )
        return _request_page(request, form, token)
    form = _request_form(request, request.POST)
    if not form.is_valid():
        return _request_page(request, form, token)
    token = _save_draft(request, request.POST, token)
    return redirect(f"{reverse('brokerage:new-request')}?check={token}")


def _send(request: HttpRequest, token: str) -> HttpResponse:
    drafts = _drafts(request)
    draft = drafts.get(token)
    if draft is None:
        messages.info(request, "Those answers have expired: enter the request again.")
        return redirect("brokerage:new-request")
    if draft["created"] is not None:  # sent already (a second press, or the back button)
        return redirect("brokerage:request", pk=draft["created"])
    form = _request_form(request, _draft_data(draft))
    if not form.is_valid():
        return _request_page(request, form, token)
    data = form.cleaned_data
    frameworks = {str(f.pk): f for f in _frameworks(request)}
    now = timezone.now()
    try:
        created, made = actions.create_request_once(
            f"new-request:{request.user.pk}:{token}",
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
            nhs_share_percent=data.get("nhs_share_percent"),
            now=now,
            acting_user=request.user,
        )
    except InputError as exc:
        form.add_input_error(exc)
        return _request_page(request, form, token)
    drafts[token]["created"] = created.pk
    request.session[DRAFTS] = drafts
    if not made:  # the same answers were sent a moment ago, from another press or tab
        return redirect("brokerage:request", pk=created.pk)
    _record_late_start(created, data.get("late_start_reason") or "")
    offers = actions.send_next_round(created, now=now, acting_user=request.user)
    if offers:
        messages.success(
            request, f"Request {created.pk} created: round 1 offered to {len(offers)} provider(s)."
        )
    else:
        messages.info(request, f"Request {created.pk} created: no provider to offer it to.")
    return redirect("brokerage:request", pk=created.pk)


def _record_late_start(created: Any, reason: str) -> None:
    """A late start's reason goes on the package's audit trail (its first version's reason)."""
    reason = reason.strip()
    if not reason:
        return
    record = created.package.history.order_by("-history_date", "-history_id").first()
    if record is not None:
        record.history_change_reason = f"Late start: {reason}"
        record.save(update_fields=["history_change_reason"])


def _request_page(request: HttpRequest, form: RequestForm, token: str = "") -> HttpResponse:
    return render(request, "brokerage/new_request.html", {"form": form, "draft": token})


def _check_page(request: HttpRequest, form: RequestForm, token: str) -> HttpResponse:
    contact, carer = form.hours_per_week()
    return render(
        request,
        "brokerage/new_request_check.html",
        {
            "form": form,
            "draft": token,
            "answers": _answers(form),
            "visits": form.week_rows(),
            "contact_hours": contact,
            "carer_hours": carer,
            "change": f"{reverse('brokerage:new-request')}?change={token}",
        },
    )


def _answers(form: RequestForm) -> list[tuple[str, str, str]]:
    """The check page's rows: label, answer and the field its "Change" link goes to."""
    data = form.cleaned_data

    def label(name: str) -> str:
        choices = dict(form.fields[name].choices)  # type: ignore[attr-defined]
        return str(choices.get(data[name], data[name]))

    areas = {code: f"{name} ({zone})" for zone, rows in form.area_groups for code, name in rows}
    start = form.start_date
    rows = [
        ("Person's reference", data["person_ref"], "person_ref"),
        ("Area", areas.get(data["area"], data["area"]), "area"),
        ("Framework", label("framework"), "framework"),
        ("Funding", label("funding"), "funding"),
        ("Cohort", label("cohort"), "cohort"),
        ("Source", label("source"), "source"),
        ("Priority", label("priority"), "priority"),
        ("Start date", f"{start.day} {start:%B %Y}" if start else "", "start_day"),
    ]
    if (data.get("late_start_reason") or "").strip():
        rows.append(("Reason for the late start", data["late_start_reason"], "late_start_reason"))
    rows.append(("Needs", ", ".join(form.needs_list()) or "None given", "needs"))
    return rows


def _placeable(request: HttpRequest, item: Any) -> Any:
    """The providers a request may be placed with by hand: those appointed on the request's
    council's frameworks (never every provider in the country)."""
    scope = access.scope_of(request)
    return commissioning_access.placeable_providers_for(scope, item.framework.council)


def _provider_choices(
    request: HttpRequest, item: Any, exclude: Any = None
) -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in _placeable(request, item) if p.pk != exclude]


@access.require_council_role(*BROKERS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = brokerage_access.request_for(access.scope_of(request), pk)
    forms: dict[str, Any] = {
        "place": PlaceForm(providers=_provider_choices(request, item), prefix="place"),
        "transfer": PlaceForm(
            providers=_provider_choices(request, item, item.placed_provider_id), prefix="transfer"
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
            provider = get_object_or_404(_placeable(request, item), pk=data["provider"])
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
