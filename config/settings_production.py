"""Production settings, driven by the environment: applied by ``config.settings`` in
production, which is the default (``HOMECARE_ENVIRONMENT`` unset or ``production``; only
``HOMECARE_ENVIRONMENT=development`` runs without them, see ``config/environment.py``).
Production never runs with debug on (``DJANGO_DEBUG=1`` is refused there).

``production_settings(environ)`` is a plain function of the environment so it can be tested
without reloading Django. What each variable does is in ``docs/security.md``; in short:

- ``DJANGO_SECRET_KEY`` (required, 50 or more characters) and ``DJANGO_ALLOWED_HOSTS``
  (required, comma-separated);
- ``DJANGO_CSRF_TRUSTED_ORIGINS`` (optional, e.g. ``https://care.example.org``);
- ``DJANGO_SECURE_PROXY_SSL_HEADER=1`` behind a proxy that terminates TLS and sets
  ``X-Forwarded-Proto`` (only then: otherwise a client could claim HTTPS);
- ``DJANGO_SECURE_SSL_REDIRECT`` (default 1), ``DJANGO_SECURE_HSTS_SECONDS`` (default one
  year), ``DJANGO_SECURE_HSTS_PRELOAD`` (default 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "dev-only-not-secret-change-me-in-production"
MIN_SECRET_KEY_LENGTH = 50
ONE_YEAR_SECONDS = 31_536_000


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if value not in {"0", "1"}:
        raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")
    return value == "1"


def _list(environ: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]


def secret_key(environ: Mapping[str, str]) -> str:
    """The secret key from ``DJANGO_SECRET_KEY``; refuses a missing, short or demo key."""
    key = environ.get("DJANGO_SECRET_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set in production (HOMECARE_ENVIRONMENT=production, "
            "the default). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be a random string of {MIN_SECRET_KEY_LENGTH} or more "
            "characters, not the demo key"
        )
    return key


def production_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings that differ in production, read from ``environ``."""
    key = secret_key(environ)  # first: the most important thing to get right
    hosts = _list(environ, "DJANGO_ALLOWED_HOSTS")
    if not hosts:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set in production (HOMECARE_ENVIRONMENT=production, "
            "the default), e.g. care.example.org"
        )
    try:
        hsts_seconds = int(environ.get("DJANGO_SECURE_HSTS_SECONDS", ONE_YEAR_SECONDS))
    except ValueError:
        raise ImproperlyConfigured("DJANGO_SECURE_HSTS_SECONDS must be a whole number") from None
    values: dict[str, Any] = {
        "SECRET_KEY": key,
        "ALLOWED_HOSTS": hosts,
        "CSRF_TRUSTED_ORIGINS": _list(environ, "DJANGO_CSRF_TRUSTED_ORIGINS"),
        "SECURE_SSL_REDIRECT": _flag(environ, "DJANGO_SECURE_SSL_REDIRECT", True),
        "SECURE_HSTS_SECONDS": hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": _flag(environ, "DJANGO_SECURE_HSTS_PRELOAD", True),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
    }
    if _flag(environ, "DJANGO_SECURE_PROXY_SSL_HEADER", False):
        values["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return values
