"""The two pages of a single sign-on: the start (off to the council's identity provider) and
the return (the callback), both mozilla-django-oidc's views with the platform's settings, and
a plain page for a refusal."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from homecare.accounts import sso, two_factor

log = logging.getLogger("homecare.accounts")

DID_NOT_WORK = (
    "Signing in with your council account did not work. Try again, or sign in with your "
    "username and password."
)
NOT_WORKING_NOW = (
    "Signing in with your council account is not working at the moment. Try again later, or "
    "sign in with your username and password."
)


def explain(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The plain page saying why single sign-on did not sign someone in."""
    return render(request, "accounts/sso_refused.html", {"message": message}, status=status)


class StartSignIn(OIDCAuthenticationRequestView):
    """Send the browser to the council's identity provider (with state, nonce and PKCE)."""

    get_settings = staticmethod(sso.oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are read per request, not at start-up

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.is_configured():
            raise Http404("single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.endpoints().authorization
        except sso.Unavailable:
            return explain(request, NOT_WORKING_NOW, 503)
        self.OIDC_RP_CLIENT_ID = settings.HOMECARE_OIDC_CLIENT_ID
        return super().get(request)  # type: ignore[no-any-return]


class Callback(OIDCAuthenticationCallbackView):
    """The identity provider sends the browser back here with a code; sign in, or explain."""

    get_settings = staticmethod(sso.oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.is_configured():
            raise Http404("single sign-on is not configured")
        try:
            return super().get(request)  # type: ignore[no-any-return]
        except sso.Unavailable:
            return explain(request, NOT_WORKING_NOW, 503)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as exc:
            log.warning("single sign-on: the return was refused: %s", exc)
            return explain(request, DID_NOT_WORK, 400)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # The council's identity provider asked for its own second factor.
        self.request.session[two_factor.SIGNED_IN_BY] = two_factor.SINGLE_SIGN_ON
        return response  # type: ignore[no-any-return]

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, sso.REFUSAL, "")
        if refusal:
            return explain(self.request, refusal, 403)
        return explain(self.request, DID_NOT_WORK, 400)
