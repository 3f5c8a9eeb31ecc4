"""The second factor: a TOTP authenticator app, with single-use recovery codes (django-otp).

Who needs it (when ``HOMECARE_REQUIRE_TWO_FACTOR`` is on, as in production): every session
signed in with a password, so every provider user and every council officer who does not use
single sign-on. A session signed in through the council's own identity provider (OpenID
Connect, :mod:`homecare.accounts.sso`) is exempt: that provider asks for its own factor.

Until the code is given, :class:`SecondFactorMiddleware` lets the session reach only the
second-factor pages and signing out; every other page sends it to set up or enter the code.
The writes (confirming a device, making recovery codes, an administrator's reset) are here
too, as actions in transactions.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger("homecare.accounts")

SIGNED_IN_BY = "homecare_signed_in_by"  # session key: how the session was signed in
SINGLE_SIGN_ON = "single sign-on"
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODES = 10


def exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view a session may open before giving its second factor (the factor's own
    pages, signing in and out)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


def needs_second_factor(request: HttpRequest) -> bool:
    """True when this signed-in session must still give its second factor."""
    user = getattr(request, "user", None)
    if not settings.HOMECARE_REQUIRE_TWO_FACTOR or not getattr(user, "is_authenticated", False):
        return False
    if request.session.get(SIGNED_IN_BY) == SINGLE_SIGN_ON:
        return False
    return not user.is_verified()  # type: ignore[union-attr]


class SecondFactorMiddleware:
    """Send a session that still owes its second factor to the page that asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view, "second_factor_exempt", False) or not needs_second_factor(request):
            return None
        target = reverse("accounts:two-factor")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


# --- reading ------------------------------------------------------------------------------


def confirmed_app(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def app_being_set_up(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator app the set-up page shows (made once, then reused)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_in_text(device: TOTPDevice) -> str:
    """The device's secret as an app wants it typed: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` address as a QR code: inline SVG, made here, no script."""
    code = segno.make(device.config_url, error="m")
    return str(code.svg_inline(scale=4, dark="#0b0c0c", light="#ffffff", title="QR code"))


def match(user: Any, token: str) -> Any:
    """The device the code belongs to (the app, or an unused recovery code), or None."""
    token = "".join(token.split())
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


# --- actions ------------------------------------------------------------------------------


@transaction.atomic
def confirm_app(device: TOTPDevice, token: str, *, acting_user: Any) -> list[str] | None:
    """Confirm a new authenticator app with its first code; the new recovery codes, or None
    when the code is wrong. Any earlier app and recovery codes of the user are replaced."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token("".join(token.split())):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = make_recovery_codes(device.user, acting_user=acting_user)
    log.info("second factor set up for user %s", device.user.pk)
    return codes


@transaction.atomic
def make_recovery_codes(user: Any, *, acting_user: Any) -> list[str]:
    """Ten new single-use recovery codes (the old ones stop working); shown once, stored
    only by django-otp's static tokens."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return [f"{code[:5]} {code[5:]}" for code in codes]


@transaction.atomic
def reset_second_factor(user: Any, *, acting_user: Any) -> int:
    """An administrator's reset: the user's app and recovery codes are removed, so their next
    password sign-in sets up a new app. The number of devices removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    log.info("second factor reset for user %s by %s", user.pk, getattr(acting_user, "pk", "system"))
    return removed


@transaction.atomic
def give_known_app(user: Any, key_hex: str, *, acting_user: Any) -> TOTPDevice:
    """Give ``user`` a confirmed app with a known secret (the demo's personas only, so anyone
    trying the demo can add the printed secret to their own app)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key_hex, confirmed=True)
