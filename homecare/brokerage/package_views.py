"""A person's package after placement: its page, the list of packages, finding a person by
reference, and the forms that change a package from a date (variation, review, suspension,
ending) or answer a change. Views only parse, ask ``access`` and call
:mod:`homecare.brokerage.changes`.

A person's reference never travels in a URL: the search box posts it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import changes, package_pages, presenters, schedules
from homecare.brokerage.models import LIVE_STATES, Package
from homecare.brokerage.package_forms import (
    AnswerChangeForm,
    EndingForm,
    FindPersonForm,
    ScheduleForm,
    SuspensionForm,
)
from homecare.brokerage.package_models import ScheduleChange
from homecare.brokerage.package_pages import Viewer

BROKERS = (access.Role.BROKER, access.Role.COMMISSIONER)
EVERYONE = (*BROKERS, access.Role.PROVIDER)
PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> Viewer:
    return brokerage_access.viewer_for(access.scope_of(request))


def _placed_provider(package: Package) -> Any:
    placement = changes.live_placement(package)
    return placement.provider if placement is not None else None


@access.require_role(*EVERYONE)
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one package: request, offers, placements, schedules, visits,
    payments and complaints (a provider sees only its own part)."""
    package = brokerage_access.package_for(access.scope_of(request), pk)
    viewer = _viewer(request)
    context = package_pages.page_context(package, viewer, timezone.localdate())
    live = context["live_placement"]
    is_live = package.status in LIVE_STATES and live is not None
    pending = any(change.pending for change in context["changes"])
    context.update(
        viewer=viewer,
        can_change=viewer.is_council and is_live,
        can_vary=viewer.is_council and is_live and not pending,
        can_review=(not viewer.is_council)
        and is_live
        and live.provider in viewer.providers
        and not pending,
    )
    return render(request, "brokerage/package.html", context)


@access.require_council_role(*BROKERS)
def package_list(request: HttpRequest) -> HttpResponse:
    """The council's placed packages, newest first, with the hours removed by reviews."""
    scope = access.scope_of(request)
    packages = brokerage_access.packages_for(scope).filter(placements__isnull=False).distinct()
    page = Paginator(packages.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reviews = brokerage_access.schedule_changes_for(scope).filter(
        kind=ScheduleChange.Kind.REVIEW,
        status=ScheduleChange.Status.APPLIED,
    )
    waiting = brokerage_access.schedule_changes_for(scope).filter(
        status=ScheduleChange.Status.AWAITING_COUNCIL
    )
    return render(
        request,
        "brokerage/package_list.html",
        {
            "page": page,
            "review_hours": schedules.hours_removed_by_reviews(reviews),
            "waiting": waiting.order_by("created_at", "pk"),
            "form": FindPersonForm(),
        },
    )


@access.require_council_role(*BROKERS)
def find_person(request: HttpRequest) -> HttpResponse:
    """A person's package by reference (posted, never in the URL); the newest live one, else
    the newest."""
    form = FindPersonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        found = brokerage_access.packages_for(access.scope_of(request)).filter(
            person__reference__iexact=reference
        )
        package = (
            found.filter(status__in=LIVE_STATES).order_by("-created_at", "-pk").first()
            or found.order_by("-created_at", "-pk").first()
        )
        if package is not None:
            return redirect("brokerage:package", pk=package.pk)
        form.add_error("reference", f"No person with reference {reference}")
    return render(request, "brokerage/package_find.html", {"form": form})


def _package_to_change(request: HttpRequest, pk: int) -> Package:
    return brokerage_access.package_for(access.scope_of(request), pk)


def _form_page(
    request: HttpRequest, package: Package, form: Any, template: str, **extra: Any
) -> HttpResponse:
    return render(request, template, {"package": package, "form": form, **extra})


@access.require_council_role(*BROKERS)
def vary_package(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_to_change(request, pk)
    return _schedule_page(request, package, council=True)


@access.require_role(access.Role.PROVIDER)
def review_package(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_to_change(request, pk)
    provider = _placed_provider(package)
    if provider is None or provider not in _viewer(request).providers:
        raise Http404("No such package")
    return _schedule_page(request, package, council=False, provider=provider)


def _schedule_page(
    request: HttpRequest, package: Package, *, council: bool, provider: Any = None
) -> HttpResponse:
    today = timezone.localdate()
    span = schedules.span_on(package, today)
    initial = {"schedule": "\n".join(package_pages.schedule_items(span.visits))}
    form = ScheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, now = form.cleaned_data, timezone.now()
        common = {
            "effective_from": form.dates["effective_from"],
            "reason": data["reason"],
            "now": now,
            "acting_user": request.user,
        }
        try:
            if council:
                change = changes.vary_package(package, data["schedule"], **common)
            else:
                change = changes.propose_review(
                    package, data["schedule"], provider=provider, **common
                )
        except InputError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, _made(change))
            return redirect("brokerage:package", pk=package.pk)
    return _form_page(
        request,
        package,
        form,
        "brokerage/package_schedule_form.html",
        council=council,
        in_force=span,
    )


def _made(change: ScheduleChange) -> str:
    when = changes.shown(change.effective_from)
    if change.status == ScheduleChange.Status.AWAITING_PROVIDER:
        return f"The new schedule adds hours: the provider is asked to accept it from {when}."
    if change.status == ScheduleChange.Status.AWAITING_COUNCIL:
        return f"Your review is sent to the council, for a new schedule from {when}."
    return f"The new schedule applies from {when}."


@access.require_council_role(*BROKERS)
def suspend_package(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_to_change(request, pk)
    form = SuspensionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            suspension = changes.suspend_package_from(
                package,
                start_date=form.dates["start_date"],
                end_date=form.dates["end_date"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_action_error(exc)
        else:
            first, last = changes.shown(suspension.start_date), changes.shown(suspension.end_date)
            messages.success(request, f"No visits are planned or paid from {first} to {last}.")
            return redirect("brokerage:package", pk=package.pk)
    return _form_page(request, package, form, "brokerage/package_suspend.html")


@access.require_council_role(*BROKERS)
def end_package(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_to_change(request, pk)
    form = EndingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ending = changes.end_package_from(
                package,
                ends_from=form.dates["ends_from"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, f"Care ends from {changes.shown(ending.ends_from)}.")
            return redirect("brokerage:package", pk=package.pk)
    return _form_page(request, package, form, "brokerage/package_end.html")


@access.require_role(*EVERYONE)
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One variation or review, before and after, with the answer the viewer may give."""
    change = brokerage_access.schedule_change_for(access.scope_of(request), pk)
    viewer = _viewer(request)
    package = change.package
    provider = _placed_provider(package)
    council_decides = viewer.is_council and change.status == ScheduleChange.Status.AWAITING_COUNCIL
    provider_answers = (
        change.status == ScheduleChange.Status.AWAITING_PROVIDER
        and provider is not None
        and provider in viewer.providers
    )
    form = None
    if council_decides or provider_answers:
        data = request.POST if request.method == "POST" else None
        form = AnswerChangeForm(data, council=council_decides)
        if data is not None and form.is_valid():
            response = _answer(request, change, form, council=council_decides)
            if response is not None:
                return response
    before = schedules.span_on(package, change.effective_from)
    return render(
        request,
        "brokerage/package_change.html",
        {
            "change": change,
            "package": package,
            "form": form,
            "before_rows": presenters.visit_rows(before.visits),
            "after_rows": presenters.visit_rows(schedules.visits_from_json(change.visits)),
        },
    )


def _answer(
    request: HttpRequest, change: ScheduleChange, form: AnswerChangeForm, *, council: bool
) -> HttpResponse | None:
    yes, reason = form.cleaned_data["answer"] == "yes", form.cleaned_data["reason"]
    common = {"reason": reason, "now": timezone.now(), "acting_user": request.user}
    try:
        if council:
            done = changes.decide_review(change, approved=yes, **common)
        else:
            done = changes.answer_variation(change, accepted=yes, **common)
    except InputError as exc:
        field = "reason" if exc.key == "reason" else "answer"
        form.add_error(field, f"Your answer was not recorded: {exc.message}")
        return None
    messages.success(request, _answered(done))
    return redirect("brokerage:package", pk=done.package_id)


def _answered(change: ScheduleChange) -> str:
    when = changes.shown(change.effective_from)
    if change.status == ScheduleChange.Status.APPLIED:
        return f"The new schedule applies from {when}."
    if change.status == ScheduleChange.Status.DECLINED:
        last = changes.shown(change.effective_from - timedelta(days=1))
        return (
            f"You declined the extra hours. Your care goes on as it is until {last}; "
            f"from {when} the package goes back to the council's brokerage."
        )
    return "The review is rejected: the schedule stays as it is."
