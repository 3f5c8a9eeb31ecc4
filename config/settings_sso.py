"""Single sign-on settings (OpenID Connect), read from the environment: off unless configured.

``sso_settings(environ)`` is a plain function of the environment so it can be tested without
reloading Django; ``config.settings`` applies what it returns. What each variable means is in
``docs/security.md`` ("Single sign-on"):

- ``HOMECARE_OIDC_ISSUER``: the identity provider's issuer; its endpoints are then found from
  ``<issuer>/.well-known/openid-configuration`` at the first sign-in. Or give the endpoints
  themselves: ``HOMECARE_OIDC_AUTHORIZATION_ENDPOINT``, ``HOMECARE_OIDC_TOKEN_ENDPOINT``,
  ``HOMECARE_OIDC_JWKS_ENDPOINT`` and, optionally, ``HOMECARE_OIDC_USERINFO_ENDPOINT``;
- ``HOMECARE_OIDC_CLIENT_ID`` and ``HOMECARE_OIDC_CLIENT_SECRET``: this platform's
  registration at the provider;
- ``HOMECARE_OIDC_SCOPES`` (default ``openid email profile``), ``HOMECARE_OIDC_GROUPS_CLAIM``
  (default ``groups``) and ``HOMECARE_OIDC_GROUP_ROLES``: JSON mapping each group to a council
  and a role, ``{"<group>": ["<council slug>", "<role>"], ...}``;
- ``HOMECARE_OIDC_TRUST_EMAIL=1`` when the provider gives only addresses it controls but does
  not send ``email_verified`` (a council's own Entra ID tenant): existing accounts are then
  matched by e-mail address too;
- ``HOMECARE_OIDC_SIGN_ALGORITHM`` (default ``RS256``), the ID tokens' signing algorithm.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

ENDPOINTS = ("AUTHORIZATION", "TOKEN", "USERINFO", "JWKS")


def _text(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return environ.get(name, "").strip() or default


def group_roles(text: str) -> dict[str, tuple[str, str]]:
    """``HOMECARE_OIDC_GROUP_ROLES`` read: each group to (council slug, role)."""
    if not text:
        return {}
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    shape = 'a JSON object such as {"care-brokers": ["leicestershire", "broker"]}'
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured(f"HOMECARE_OIDC_GROUP_ROLES must be {shape}")
    roles: dict[str, tuple[str, str]] = {}
    for group, target in mapping.items():
        if not (
            isinstance(target, list)
            and len(target) == 2
            and all(isinstance(part, str) and part.strip() for part in target)
        ):
            raise ImproperlyConfigured(
                f"HOMECARE_OIDC_GROUP_ROLES: the group {group!r} must map to a council's slug "
                f'and a role, e.g. ["leicestershire", "broker"]; it maps to {target!r}'
            )
        roles[group] = (target[0].strip(), target[1].strip())
    return roles


def sso_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``HOMECARE_OIDC_*`` settings; single sign-on is on when ``HOMECARE_OIDC_ENABLED``."""
    values: dict[str, Any] = {
        "HOMECARE_OIDC_ISSUER": _text(environ, "HOMECARE_OIDC_ISSUER").rstrip("/"),
        "HOMECARE_OIDC_CLIENT_ID": _text(environ, "HOMECARE_OIDC_CLIENT_ID"),
        "HOMECARE_OIDC_CLIENT_SECRET": _text(environ, "HOMECARE_OIDC_CLIENT_SECRET"),
        "HOMECARE_OIDC_SCOPES": _text(environ, "HOMECARE_OIDC_SCOPES", "openid email profile"),
        "HOMECARE_OIDC_GROUPS_CLAIM": _text(environ, "HOMECARE_OIDC_GROUPS_CLAIM", "groups"),
        "HOMECARE_OIDC_GROUP_ROLES": group_roles(_text(environ, "HOMECARE_OIDC_GROUP_ROLES")),
        "HOMECARE_OIDC_SIGN_ALGORITHM": _text(environ, "HOMECARE_OIDC_SIGN_ALGORITHM", "RS256"),
        "HOMECARE_OIDC_TRUST_EMAIL": _text(environ, "HOMECARE_OIDC_TRUST_EMAIL", "0") == "1",
    }
    for endpoint in ENDPOINTS:
        name = f"HOMECARE_OIDC_{endpoint}_ENDPOINT"
        values[name] = _text(environ, name)
    has_endpoints = all(
        values[f"HOMECARE_OIDC_{endpoint}_ENDPOINT"] for endpoint in ("AUTHORIZATION", "TOKEN")
    )
    wanted = values["HOMECARE_OIDC_ISSUER"] or has_endpoints or values["HOMECARE_OIDC_CLIENT_ID"]
    if wanted:
        missing = [
            name
            for name in ("HOMECARE_OIDC_CLIENT_ID", "HOMECARE_OIDC_CLIENT_SECRET")
            if not values[name]
        ]
        if not (values["HOMECARE_OIDC_ISSUER"] or has_endpoints):
            missing.append("HOMECARE_OIDC_ISSUER (or the endpoints)")
        signed_with_keys = values["HOMECARE_OIDC_SIGN_ALGORITHM"].startswith(("RS", "ES"))
        keys_unknown = not (values["HOMECARE_OIDC_ISSUER"] or values["HOMECARE_OIDC_JWKS_ENDPOINT"])
        if has_endpoints and signed_with_keys and keys_unknown:
            missing.append("HOMECARE_OIDC_JWKS_ENDPOINT")
        if not values["HOMECARE_OIDC_GROUP_ROLES"]:
            missing.append("HOMECARE_OIDC_GROUP_ROLES")
        if missing:
            raise ImproperlyConfigured(
                "Single sign-on is half configured: set " + ", ".join(missing) + " too "
                "(docs/security.md, 'Single sign-on')"
            )
    values["HOMECARE_OIDC_ENABLED"] = bool(wanted)
    return values
