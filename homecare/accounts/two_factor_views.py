"""The second step of a password sign-in: set up an authenticator app, or enter its code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from homecare.accounts import access, two_factor
from homecare.commissioning.forms import GovukForm


class CodeForm(GovukForm):
    otp_token = forms.CharField(
        label="Security code",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )


WRONG_CODE = (
    "The code is not right: enter the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes"
)
WRONG_SET_UP_CODE = "The code is not right: enter the 6-digit code your authenticator app shows now"


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@two_factor.exempt
@access.public("the second step of signing in; it sends anyone not signed in to sign in")
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (first time) or enter its code (every password sign-in)."""
    if not request.user.is_authenticated:
        return redirect("accounts:sign-in")
    if not two_factor.needs_second_factor(request):
        return redirect(_next(request))
    app = two_factor.confirmed_app(request.user)
    form = CodeForm(request.POST or None)
    if app is None:
        return _set_up(request, form)
    if request.method == "POST" and form.is_valid():
        device = two_factor.match(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("otp_token", WRONG_CODE)
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next(request)})


def _set_up(request: HttpRequest, form: CodeForm) -> HttpResponse:
    device = two_factor.app_being_set_up(request.user)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(
            device, form.cleaned_data["otp_token"], acting_user=request.user
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            # Shown this once, never again: the page is rendered, not redirected to.
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)}
            )
            response["Cache-Control"] = "no-store"
            return response
        form.add_error("otp_token", WRONG_SET_UP_CODE)
    context = {
        "form": form,
        "next": _next(request),
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_in_text(device),
    }
    response = render(request, "accounts/two_factor_set_up.html", context)
    response["Cache-Control"] = "no-store"
    return response
