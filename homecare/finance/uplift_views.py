"""Fee uplifts of a framework: the list (commissioners and finance officers read it), the
form commissioners apply one with, and withdrawing one. Views parse, ask the access rules
and call :mod:`homecare.finance.uplifts`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.market_models import Framework
from homecare.finance import uplifts
from homecare.finance.forms_commitments import UpliftForm, WithdrawForm
from homecare.finance.models import FeeUplift

READERS = (access.Role.FINANCE, access.Role.COMMISSIONER)


def _framework(request: HttpRequest, pk: int) -> Framework:
    return commissioning_access.framework_for(access.scope_of(request), pk, access.DELIVERY_ROLES)


def _may_change(request: HttpRequest, framework: Framework) -> bool:
    return framework.council in access.councils_of(request, access.COMMISSIONERS)


def _rows(framework: Framework) -> list[dict[str, Any]]:
    frozen = uplifts.last_approved_day(framework)
    return [
        {
            "uplift": uplift,
            "rates": sorted(uplift.band_rates.items()),
            "withdrawable": frozen is None or frozen < uplift.effective_from,
        }
        for uplift in FeeUplift.objects.filter(framework=framework)
        .select_related("applied_by")
        .order_by("-effective_from")
    ]


@access.require_council_role(*READERS)
def framework_uplifts(request: HttpRequest, pk: int) -> HttpResponse:
    """The framework's uplifts, latest first; a commissioner's form to apply one."""
    framework = _framework(request, pk)
    can_change = _may_change(request, framework)
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Only the council's commissioners apply fee uplifts.")
    bands = uplifts.council_bands(framework.council)
    form = None
    if can_change and not framework.pay_at_card:
        form = UpliftForm(
            request.POST if request.method == "POST" else None, framework=framework, bands=bands
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            uplift = uplifts.apply_fee_uplift(
                framework, **form.uplift, now=timezone.now(), acting_user=request.user
            )
        except InputError as exc:
            form.add_input_error(
                exc, {"effective_from": "day", "percent": "percent", "reason": "reason"}, "how"
            )
        else:
            messages.success(
                request,
                f"The uplift applies to the framework's placements from "
                f"{uplifts.shown(uplift.effective_from)}.",
            )
            return redirect("finance:uplifts", pk=framework.pk)
    frozen = uplifts.last_approved_day(framework)
    return render(
        request,
        "finance/uplifts.html",
        {
            "framework": framework,
            "rows": _rows(framework),
            "form": form,
            "can_change": can_change,
            "frozen": frozen,
            "bands": bands,
        },
        status=400 if form is not None and form.errors else 200,
    )


@access.require_council_role(access.Role.COMMISSIONER)
def withdraw_uplift(request: HttpRequest, pk: int, uplift_pk: int) -> HttpResponse:
    """Confirm, with a reason, and withdraw one uplift (commissioners only)."""
    framework = commissioning_access.framework_for(
        access.scope_of(request), pk, access.COMMISSIONERS
    )
    uplift = get_object_or_404(FeeUplift.objects.filter(framework=framework), pk=uplift_pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    problems = uplifts.withdraw_problems(uplift)
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            uplifts.withdraw_fee_uplift(
                uplift,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {"reason": "reason"}, "reason")
        else:
            messages.success(
                request,
                f"The uplift from {uplifts.shown(uplift.effective_from)} is withdrawn.",
            )
            return redirect("finance:uplifts", pk=framework.pk)
    return render(
        request,
        "finance/uplift_withdraw.html",
        {
            "framework": framework,
            "uplift": uplift,
            "form": form,
            "problem": problems[0].message if problems else "",
        },
        status=400 if form.errors or (request.method == "POST" and problems) else 200,
    )
