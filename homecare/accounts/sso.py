"""Single sign-on for council staff: OpenID Connect with the council's identity provider.

Built on mozilla-django-oidc. Off unless configured from the environment (``HOMECARE_OIDC_*``,
read by ``config/settings_sso.py``; docs/security.md, "Single sign-on"). The provider's
endpoints are given, or found once from its issuer's discovery document.

:class:`CouncilSignOn` is the authentication backend: it exchanges the code, checks the ID
token (signature, nonce, and also its audience and issuer, which the library leaves alone),
merges the ID token's claims with the user-info endpoint's (Entra ID puts groups in the ID
token), then hands the claims to :func:`homecare.accounts.sso_actions.sign_in_by_single_sign_on`,
which matches or creates the user and re-syncs their roles from the groups claim. A refusal
is left on the request for the callback view to explain in plain words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from homecare.accounts import lockout

log = logging.getLogger("homecare.accounts")

CALLBACK_URL_NAME = "accounts:sso-callback"
TIMEOUT_SECONDS = 10
REFUSAL = "_homecare_sso_refusal"  # request attribute: why the backend refused the sign-in

_DISCOVERED: dict[str, dict[str, Any]] = {}


class Unavailable(Exception):
    """The identity provider could not be reached, or did not describe itself properly."""


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


def is_configured() -> bool:
    """Whether single sign-on is switched on (``HOMECARE_OIDC_*`` set)."""
    return bool(getattr(settings, "HOMECARE_OIDC_ENABLED", False))


def _discover(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, fetched once a process and kept."""
    if issuer not in _DISCOVERED:
        address = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(address, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("single sign-on: discovery at %s failed: %s", address, exc)
            raise Unavailable(str(exc)) from None
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            log.warning("single sign-on: %s describes another issuer", address)
            raise Unavailable("the discovery document names another issuer")
        _DISCOVERED[issuer] = document
    return _DISCOVERED[issuer]


def endpoints() -> Endpoints:
    """The provider's endpoints: those configured, the rest from its discovery document."""
    issuer = settings.HOMECARE_OIDC_ISSUER
    given = {
        name: getattr(settings, f"HOMECARE_OIDC_{name.upper()}_ENDPOINT", "")
        for name in ("authorization", "token", "userinfo", "jwks")
    }
    if issuer and not all(given[name] for name in ("authorization", "token", "jwks")):
        document = _discover(issuer)
        keys = {"authorization": "authorization_endpoint", "token": "token_endpoint"}
        keys |= {"userinfo": "userinfo_endpoint", "jwks": "jwks_uri"}
        for name, key in keys.items():
            given[name] = given[name] or str(document.get(key) or "")
    return Endpoints(issuer=issuer, **given)


def oidc_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings (``OIDC_*``), answered from ``HOMECARE_OIDC_*``."""
    fixed = {
        "OIDC_RP_CLIENT_ID": settings.HOMECARE_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.HOMECARE_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": settings.HOMECARE_OIDC_SIGN_ALGORITHM,
        "OIDC_RP_SCOPES": settings.HOMECARE_OIDC_SCOPES,
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_RP_IDP_SIGN_KEY": None,
    }
    if name in fixed:
        return fixed[name]
    return import_from_settings(name, *default)


def _audiences(payload: dict[str, Any]) -> list[str]:
    audience = payload.get("aud")
    return [audience] if isinstance(audience, str) else list(audience or [])


class CouncilSignOn(OIDCAuthenticationBackend):
    """The authentication backend for single sign-on (``AUTHENTICATION_BACKENDS``)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django loads every backend for every password sign-in too: read nothing here, so an
        # unconfigured single sign-on costs nothing and cannot fail.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view passes a nonce; a password sign-in is never ours.
        if request is None or "nonce" not in kwargs or not is_configured():
            return None
        found = endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        self.OIDC_RP_CLIENT_ID = settings.HOMECARE_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.HOMECARE_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.HOMECARE_OIDC_SIGN_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = found.issuer
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        # The library checks the signature and the nonce only: a token the provider made for
        # another of its clients, or another issuer's, must not sign anyone in here.
        if self.OIDC_RP_CLIENT_ID not in _audiences(payload):
            raise SuspiciousOperation("the ID token was made for another client")
        if self.issuer and payload.get("iss") != self.issuer:
            raise SuspiciousOperation("the ID token was made by another issuer")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims, with the user-info endpoint's (when there is one) on top."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("the user-info subject differs from the ID token's")
            claims.update(userinfo)
        claims["iss"] = payload.get("iss") or self.issuer
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        from homecare.accounts.sso_actions import sign_in_by_single_sign_on

        claims = self.get_userinfo(access_token, id_token, payload)
        outcome = sign_in_by_single_sign_on(
            claims, address=lockout.client_address(self.request), now=timezone.now()
        )
        if outcome.refusal:
            setattr(self.request, REFUSAL, outcome.refusal)
            return None
        return outcome.user
