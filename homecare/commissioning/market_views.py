"""The market's pages for a council: frameworks, providers, applications to open frameworks
and tender awards made appointments. Views only parse, ask ``access``, call
:mod:`homecare.commissioning.market_actions` and render.

Council commissioners and brokers read every page; only commissioners post (the write views
are decorated for commissioners alone, so a broker's post is refused with a 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from homecare.accounts import access
from homecare.commissioning import market_actions
from homecare.commissioning.market_forms import (
    ApproveForm,
    AwardsForm,
    QualityForm,
    RejectForm,
    StatusForm,
)
from homecare.commissioning.market_models import Appointment, FrameworkApplication, Provider

READERS = tuple(access.MARKET_ROLES)
COMMISSIONERS = frozenset({access.Role.COMMISSIONER})
APPLIED = FrameworkApplication.Status.APPLIED


def put_errors(form: Form, exc: ValidationError, fallback: str) -> None:
    """An action's ValidationError on the form field it names (else on ``fallback``)."""
    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, texts in messages_by_field.items():
        field = name if name in form.fields else fallback
        for text in texts:
            form.add_error(field, text)


def live_packages(provider: Provider) -> int:
    """How many packages the provider holds now (its placements not yet ended)."""
    from homecare.brokerage.models import Placement

    return Placement.objects.filter(provider=provider, ended_at__isnull=True).count()


def _is_commissioner(user: Any) -> bool:
    return access.has_role(user, COMMISSIONERS)


# --- frameworks ---------------------------------------------------------------------------


@access.require_council_role(*READERS)
def frameworks(request: HttpRequest) -> HttpResponse:
    rows = (
        access.market_frameworks_for(request.user)
        .annotate(
            lot_count=Count("lots", distinct=True),
            appointment_count=Count(
                "appointments", filter=Q(appointments__active=True), distinct=True
            ),
            pending_count=Count(
                "applications", filter=Q(applications__status=APPLIED), distinct=True
            ),
        )
        .order_by("name")
    )
    return render(request, "commissioning/market/frameworks.html", {"frameworks": rows})


@access.require_council_role(*READERS)
def framework(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.market_framework_for(request.user, pk)
    lots = item.lots.prefetch_related("zones").order_by("code")
    appointments = (
        Appointment.objects.filter(framework=item)
        .select_related("provider", "lot")
        .prefetch_related("rates")
        .order_by("lot__code", "-active", "rank", "provider__name")
    )
    by_lot: dict[int, list[Appointment]] = {}
    for appointment in appointments:
        by_lot.setdefault(appointment.lot_id, []).append(appointment)
    return render(
        request,
        "commissioning/market/framework.html",
        {
            "framework": item,
            "lots": [(lot, by_lot.get(lot.pk, [])) for lot in lots],
            "pending": item.applications.filter(status=APPLIED)
            .select_related("provider")
            .prefetch_related("lots")
            .order_by("applied_at", "pk"),
            "can_decide": _is_commissioner(request.user),
        },
    )


# --- providers ----------------------------------------------------------------------------


@access.require_council_role(*READERS)
def providers(request: HttpRequest) -> HttpResponse:
    rows = access.market_providers_for(request.user).annotate(
        appointment_count=Count("appointments", filter=Q(appointments__active=True), distinct=True),
        live_count=Count("placements", filter=Q(placements__ended_at__isnull=True), distinct=True),
    )
    return render(request, "commissioning/market/providers.html", {"providers": rows})


@access.require_council_role(*READERS)
def provider(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.market_provider_for(request.user, pk)
    return _provider_page(request, item)


def _provider_page(
    request: HttpRequest,
    item: Provider,
    status_form: StatusForm | None = None,
    quality_form: QualityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    appointments = (
        item.appointments.select_related("framework", "lot")
        .prefetch_related("rates")
        .order_by("framework__name", "lot__code")
    )
    return render(
        request,
        "commissioning/market/provider.html",
        {
            "provider": item,
            "appointments": appointments,
            "live_packages": live_packages(item),
            "can_change": _is_commissioner(request.user),
            "status_form": status_form or StatusForm(initial={"status": item.status}),
            "quality_form": quality_form
            or QualityForm(initial={"quality_score": item.quality_score}),
        },
        status=status,
    )


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def provider_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status; an exit first asks to confirm, saying how many packages move."""
    item = access.market_provider_for(request.user, pk, COMMISSIONERS)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _provider_page(request, item, status_form=form)
    data = form.cleaned_data
    count = live_packages(item)
    exiting = data["status"] == Provider.Status.EXITED and item.status != Provider.Status.EXITED
    if exiting and not data["confirmed"]:
        return render(
            request,
            "commissioning/market/confirm_exit.html",
            {"provider": item, "reason": data["reason"], "live_packages": count},
        )
    try:
        new_requests = market_actions.set_provider_status(
            item, data["status"], reason=data["reason"], at=timezone.now(), acting_user=request.user
        )
    except ValidationError as exc:
        put_errors(form, exc, "status")
        return _provider_page(request, item, status_form=form)
    text = f"{item.name} is now {item.get_status_display().lower()}."
    if exiting:
        text += f" {len(new_requests)} package(s) went back to the waiting list."
    messages.success(request, text)
    return redirect("commissioning:provider", pk=item.pk)


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def provider_quality(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.market_provider_for(request.user, pk, COMMISSIONERS)
    form = QualityForm(request.POST)
    if not form.is_valid():
        return _provider_page(request, item, quality_form=form)
    try:
        market_actions.create_provider(
            item.name,
            cqc_location_id=item.cqc_location_id,
            cqc_rating=item.cqc_rating,
            quality_score=form.cleaned_data["quality_score"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        put_errors(form, exc, "quality_score")
        return _provider_page(request, item, quality_form=form)
    messages.success(
        request, f"{item.name}'s quality score is now {form.cleaned_data['quality_score']}."
    )
    return redirect("commissioning:provider", pk=item.pk)


# --- applications to open frameworks ------------------------------------------------------


@access.require_council_role(*READERS)
def application(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.framework_application_for(request.user, pk)
    return _application_page(request, item)


def _application_page(
    request: HttpRequest,
    item: FrameworkApplication,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "commissioning/market/application.html",
        {
            "application": item,
            "lots": item.lots.order_by("code"),
            "provider": item.provider,
            "can_decide": _is_commissioner(request.user) and item.status == APPLIED,
            "approve_form": approve_form or ApproveForm(prefix="approve"),
            "reject_form": reject_form or RejectForm(prefix="reject"),
        },
    )


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.framework_application_for(request.user, pk, COMMISSIONERS)
    form = ApproveForm(request.POST, prefix="approve")
    if form.is_valid():
        try:
            made = market_actions.approve_application(
                item,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["checks"],
                at=timezone.now(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc, "checks")
        else:
            lots = ", ".join(a.lot.code for a in made)
            messages.success(request, f"{item.provider.name} is appointed in lot(s) {lots}.")
            return redirect("commissioning:framework", pk=item.framework_id)
    return _application_page(request, item, approve_form=form)


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.framework_application_for(request.user, pk, COMMISSIONERS)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            market_actions.reject_application(
                item,
                reason=form.cleaned_data["reason"],
                at=timezone.now(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc, "reason")
        else:
            messages.success(request, f"{item.provider.name}'s application was rejected.")
            return redirect("commissioning:framework", pk=item.framework_id)
    return _application_page(request, item, reject_form=form)


# --- tender awards become appointments ----------------------------------------------------


@access.require_council_role(access.Role.COMMISSIONER)
def tender_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a framework and appoint every award of a stored evaluation (all or none)."""
    evaluation = access.tender_evaluation_for(request.user, pk)
    choices = {
        str(f.pk): f
        for f in access.market_frameworks_for(request.user, COMMISSIONERS).filter(
            council=evaluation.council
        )
    }
    form = AwardsForm(
        request.POST if request.method == "POST" else None,
        frameworks=[(key, f.name) for key, f in choices.items()],
    )
    context: dict[str, Any] = {"evaluation": evaluation, "form": form, "result": None}
    if request.method == "POST" and form.is_valid():
        chosen = choices[form.cleaned_data["framework"]]
        try:
            result = market_actions.appoint_from_tender_awards(
                evaluation, chosen, acting_user=request.user
            )
        except ValidationError as exc:
            put_errors(form, exc, "framework")
        else:
            context |= {"result": result, "framework": chosen}
    context["awards"] = evaluation.result.get("awards", [])
    return render(request, "commissioning/market/tender_appoint.html", context)
