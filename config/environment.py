"""Which environment the settings are for, failing closed: production unless told otherwise.

``HOMECARE_ENVIRONMENT`` is ``production`` (the default, also when unset) or ``development``
(a developer's machine, the demo, the tests). Production never runs with debug on or with the
development key: without ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` it refuses to start,
and the message names the variable to set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.settings_production import DEV_SECRET_KEY, production_settings

ENVIRONMENTS = ("production", "development")

__all__ = ["DEV_SECRET_KEY", "checked_production_settings", "environment"]

_MODE = (
    "The platform runs in production mode unless HOMECARE_ENVIRONMENT=development is set "
    "(for a developer's machine, the demo or the tests)."
)


def environment(environ: Mapping[str, str]) -> str:
    """``production`` or ``development`` from ``HOMECARE_ENVIRONMENT``; anything else refused."""
    value = environ.get("HOMECARE_ENVIRONMENT", "").strip().lower() or "production"
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"HOMECARE_ENVIRONMENT must be production or development, not {value!r}"
        )
    return value


def checked_production_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The production settings, after refusing debug and naming each missing variable."""
    if environ.get("DJANGO_DEBUG", "0").strip() not in {"", "0"}:
        raise ImproperlyConfigured(
            f"DJANGO_DEBUG={environ['DJANGO_DEBUG']} is refused in production. {_MODE}"
        )
    if not environ.get("DJANGO_SECRET_KEY"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. "
            f"{_MODE} In production set DJANGO_SECRET_KEY to 50 or more random characters: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not environ.get("DJANGO_ALLOWED_HOSTS", "").strip(","):
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set. "
            f"{_MODE} In production set DJANGO_ALLOWED_HOSTS to the site's host names, "
            "e.g. care.example.org"
        )
    return production_settings(environ)
