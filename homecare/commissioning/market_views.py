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
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from homecare.accounts import access
from homecare.brokerage.models import Placement
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import market_actions
from homecare.commissioning.market_forms import (
    ApproveForm,
    AwardsForm,
    QualityForm,
    RejectForm,
    StatusForm,
)
from homecare.commissioning.market_models import (
    Appointment,
    FrameworkApplication,
    Provider,
    ProviderStanding,
)

READERS = tuple(access.MARKET_ROLES)
COMMISSIONERS = access.COMMISSIONERS
APPLIED = FrameworkApplication.Status.APPLIED


def put_errors(form: Form, exc: ValidationError, fallback: str) -> None:
    """An action's ValidationError on the form field it names (else on ``fallback``)."""
    messages_by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, texts in messages_by_field.items():
        field = name if name in form.fields else fallback
        for text in texts:
            form.add_error(field, text)


def live_packages(provider: Provider, councils: list[Any]) -> int:
    """How many of ``councils``' packages the provider holds now (placements not ended)."""
    return Placement.objects.filter(
        provider=provider, ended_at__isnull=True, request__framework__council__in=councils
    ).count()


def _standing(request: HttpRequest, provider: Provider, roles: Any) -> Any:
    """The standing of ``provider`` at the user's council it serves (the one a change acts
    on; another council's standing is never read or changed here)."""
    council = commissioning_access.council_served_by(access.scope_of(request), provider, roles)
    return market_actions.standing_of(provider, council)


def _councils(request: HttpRequest) -> list[Any]:
    """The councils whose market the user reads: another council's appointments and
    packages of a provider that serves both are never shown."""
    return access.scope_of(request).councils(access.MARKET_ROLES)


def _is_commissioner(user: Any) -> bool:
    return access.has_role(user, COMMISSIONERS)


# --- frameworks ---------------------------------------------------------------------------


@access.require_council_role(*READERS)
def frameworks(request: HttpRequest) -> HttpResponse:
    rows = (
        commissioning_access.frameworks_for(access.scope_of(request))
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
    item = commissioning_access.framework_for(access.scope_of(request), pk)
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
    councils = _councils(request)
    appointed = Q(appointments__active=True, appointments__framework__council__in=councils)
    live = Q(
        placements__ended_at__isnull=True,
        placements__request__framework__council__in=councils,
    )
    rows = commissioning_access.market_providers_for(access.scope_of(request)).annotate(
        appointment_count=Count("appointments", filter=appointed, distinct=True),
        live_count=Count("placements", filter=live, distinct=True),
        **_standing_columns(councils),
    )
    for row in rows:  # the reader's council's standing, as the provider's page shows it
        row.standing = ProviderStanding(
            provider=row,
            status=row.standing_status,
            status_reason=row.standing_reason,
            quality_score=row.standing_score,
        )
    return render(request, "commissioning/market/providers.html", {"providers": rows})


def _standing_columns(councils: list[Any]) -> dict[str, Any]:
    """Annotations of each provider's standing at the reader's council (the first by name
    that has one), else the provider's defaults: one query for the whole list."""
    standing = ProviderStanding.objects.filter(
        provider=OuterRef("pk"), council__in=councils
    ).order_by("council__name")
    return {
        f"standing_{name}": Coalesce(Subquery(standing.values(column)[:1]), F(column))
        for name, column in (
            ("status", "status"),
            ("reason", "status_reason"),
            ("score", "quality_score"),
        )
    }


@access.require_council_role(*READERS)
def provider(request: HttpRequest, pk: int) -> HttpResponse:
    item = commissioning_access.market_provider_for(access.scope_of(request), pk)
    return _provider_page(request, item)


def _provider_page(
    request: HttpRequest,
    item: Provider,
    status_form: StatusForm | None = None,
    quality_form: QualityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    councils = _councils(request)
    standing = _standing(request, item, access.MARKET_ROLES)
    appointments = (
        item.appointments.filter(framework__council__in=councils)
        .select_related("framework", "lot")
        .prefetch_related("rates")
        .order_by("framework__name", "lot__code")
    )
    return render(
        request,
        "commissioning/market/provider.html",
        {
            "provider": item,
            "appointments": appointments,
            "live_packages": live_packages(item, councils),
            "standing": standing,
            "can_change": _is_commissioner(request.user),
            "status_form": status_form or StatusForm(initial={"status": standing.status}),
            "quality_form": quality_form
            or QualityForm(initial={"quality_score": standing.quality_score}),
        },
        status=status,
    )


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def provider_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status; an exit first asks to confirm, saying how many packages move."""
    item = commissioning_access.market_provider_for(access.scope_of(request), pk, COMMISSIONERS)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _provider_page(request, item, status_form=form)
    data = form.cleaned_data
    standing = _standing(request, item, COMMISSIONERS)
    count = live_packages(item, [standing.council])
    exiting = data["status"] == Provider.Status.EXITED and standing.status != Provider.Status.EXITED
    if exiting and not data["confirmed"]:
        return render(
            request,
            "commissioning/market/confirm_exit.html",
            {"provider": item, "reason": data["reason"], "live_packages": count},
        )
    try:
        new_requests = market_actions.set_provider_status(
            item,
            data["status"],
            council=standing.council,
            reason=data["reason"],
            at=timezone.now(),
            acting_user=request.user,
        )
    except ValidationError as exc:
        put_errors(form, exc, "status")
        return _provider_page(request, item, status_form=form)
    text = f"{item.name} is now {Provider.Status(data['status']).label.lower()}."
    if exiting:
        text += f" {len(new_requests)} package(s) went back to the waiting list."
    messages.success(request, text)
    return redirect("commissioning:provider", pk=item.pk)


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def provider_quality(request: HttpRequest, pk: int) -> HttpResponse:
    item = commissioning_access.market_provider_for(access.scope_of(request), pk, COMMISSIONERS)
    form = QualityForm(request.POST)
    if not form.is_valid():
        return _provider_page(request, item, quality_form=form)
    try:
        market_actions.set_quality_score(
            item,
            form.cleaned_data["quality_score"],
            council=_standing(request, item, COMMISSIONERS).council,
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
    item = commissioning_access.application_for(access.scope_of(request), pk)
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
            "standing": market_actions.standing_of(item.provider, item.framework.council),
            "can_decide": _is_commissioner(request.user) and item.status == APPLIED,
            "approve_form": approve_form or ApproveForm(prefix="approve"),
            "reject_form": reject_form or RejectForm(prefix="reject"),
        },
    )


@require_POST
@access.require_council_role(access.Role.COMMISSIONER)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    item = commissioning_access.application_for(access.scope_of(request), pk, COMMISSIONERS)
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
    item = commissioning_access.application_for(access.scope_of(request), pk, COMMISSIONERS)
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
    scope = access.scope_of(request)
    evaluation = commissioning_access.tender_evaluation_for(scope, pk)
    frameworks = commissioning_access.frameworks_for(scope, COMMISSIONERS)
    choices = {str(f.pk): f for f in frameworks.filter(council=evaluation.council)}
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
