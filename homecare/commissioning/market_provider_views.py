"""A provider's side of an open framework (a dynamic purchasing system): see the frameworks
open to new providers, apply to join in some lots at an hourly rate, follow the decision.

A provider's users see only their own provider's applications; council staff and outsiders
are refused (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import market_actions
from homecare.commissioning.market_forms import ApplyForm
from homecare.commissioning.market_models import Framework, FrameworkApplication
from homecare.commissioning.market_views import put_errors


@access.require_role(access.Role.PROVIDER)
def open_frameworks(request: HttpRequest) -> HttpResponse:
    scope = access.scope_of(request)
    return render(
        request,
        "commissioning/market/open_frameworks.html",
        {
            "provider": commissioning_access.provider_of(scope),
            "frameworks": commissioning_access.open_frameworks_for(scope)
            .prefetch_related("lots")
            .order_by("council__name", "name"),
            "applications": commissioning_access.own_applications_for(scope).prefetch_related(
                "lots"
            ),
        },
    )


@access.require_role(access.Role.PROVIDER)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.scope_of(request)
    framework = commissioning_access.open_framework_for(scope, pk)
    provider = commissioning_access.provider_of(scope)  # open_framework_for found one
    lots = {str(lot.pk): lot for lot in framework.lots.order_by("code")}
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        lots=[(key, str(lot)) for key, lot in lots.items()],
    )
    if request.method == "POST" and form.is_valid():
        if _pending(framework, provider):
            form.add_error(
                "lots", "You have already applied to this framework: wait for the decision"
            )
        else:
            try:
                market_actions.apply_to_framework(
                    framework=framework,
                    provider=provider,
                    lots=[lots[key] for key in form.cleaned_data["lots"]],
                    hourly_rate=form.cleaned_data["hourly_rate"],
                    at=timezone.now(),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                put_errors(form, exc, "lots")
            else:
                messages.success(
                    request, f"Your application to {framework.name} has been sent to the council."
                )
                return redirect("commissioning:open-frameworks")
    return render(
        request,
        "commissioning/market/apply.html",
        {"framework": framework, "provider": provider, "form": form},
    )


def _pending(framework: Framework, provider: Any) -> bool:
    return FrameworkApplication.objects.filter(
        framework=framework, provider=provider, status=FrameworkApplication.Status.APPLIED
    ).exists()
