"""Password hashing, CSRF, production settings and logging: the platform's security wiring."""

from __future__ import annotations

import importlib
import io
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from config.environment import DEV_SECRET_KEY, checked_production_settings, environment
from config.settings_production import production_settings
from homecare.accounts.redaction import DropQueryStrings, drop_query_strings
from homecare.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "care.example.org",
}


# --- passwords ----------------------------------------------------------------------------


def test_the_real_configuration_hashes_new_passwords_with_argon2(settings: Any) -> None:
    # The test suite swaps in a fast hasher; this puts the configured list back.
    configured = importlib.import_module("config.settings").PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = configured
    hashed = make_password(PASSWORD)
    assert hashed.startswith("argon2$")
    assert identify_hasher(hashed).algorithm == "argon2"
    assert check_password(PASSWORD, hashed)


def test_a_password_hashed_the_old_way_still_verifies_and_is_then_upgraded(
    settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    upgraded: list[str] = []
    assert check_password(PASSWORD, old, setter=upgraded.append)
    assert upgraded == [PASSWORD]  # Django re-hashes it with the preferred hasher


# --- CSRF ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_and_out_without_the_csrf_token_is_refused(broker: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("accounts:sign-in"), {"username": "broker", "password": PASSWORD})
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    client.force_login(broker)
    assert client.post(reverse("accounts:sign-out")).status_code == 403
    assert client.get(reverse("home")).status_code == 200  # still signed in


@pytest.mark.django_db
def test_signing_in_with_the_csrf_token_works(broker: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.get(reverse("accounts:sign-in")).cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": "broker", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


# --- production settings ------------------------------------------------------------------


def test_production_needs_a_secret_key_from_the_environment() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be set"):
        production_settings(environ)


@pytest.mark.parametrize("key", ["short", "dev-only-not-secret-change-me-in-production", "a" * 60])
def test_production_refuses_a_short_demo_or_repetitive_secret_key(key: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be a random string"):
        production_settings({**PRODUCTION, "DJANGO_SECRET_KEY": key})


def test_production_needs_its_host_names() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS must be set"):
        production_settings(environ)


def test_production_cookies_are_secure_and_pages_cannot_be_framed() -> None:
    values = production_settings(PRODUCTION)
    assert values["SECRET_KEY"] == GOOD_KEY
    assert values["ALLOWED_HOSTS"] == ["care.example.org"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_SSL_REDIRECT"]
    assert "SECURE_PROXY_SSL_HEADER" not in values  # trusting the header is opt-in


def test_the_proxy_ssl_header_is_trusted_only_when_asked() -> None:
    values = production_settings({**PRODUCTION, "DJANGO_SECURE_PROXY_SSL_HEADER": "1"})
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECURE_PROXY_SSL_HEADER must be 0"):
        production_settings({**PRODUCTION, "DJANGO_SECURE_PROXY_SSL_HEADER": "yes"})


def _manage(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Nothing from the test run's own environment (which says development) leaks in.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "HOMECARE_ENVIRONMENT"
    }
    env.update(environ, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_configuration_passes_djangos_deployment_check() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", environ=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_stops_with_a_clear_message() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", environ=environ)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_with_no_variables_at_all_the_settings_fail_closed_and_name_what_to_set() -> None:
    result = _manage("check", environ={})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "HOMECARE_ENVIRONMENT=development" in result.stderr


def test_with_development_said_the_settings_start_with_debug_and_the_development_key() -> None:
    script = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    result = _manage("shell", "-c", script, environ={"HOMECARE_ENVIRONMENT": "development"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", DEV_SECRET_KEY]


def test_production_refuses_debug_even_when_asked() -> None:
    result = _manage("check", environ={**PRODUCTION, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG=1 is refused in production" in result.stderr


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="must be production or development"):
        environment({"HOMECARE_ENVIRONMENT": "staging"})
    assert environment({}) == "production"


def test_production_needs_its_host_names_before_it_starts() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS is not set"):
        checked_production_settings(environ)


# --- logging ------------------------------------------------------------------------------


def test_query_strings_are_dropped_from_request_lines() -> None:
    line = '"GET /api/v1/zones?search=Wren+Halloway&nhs=4857773456 HTTP/1.1" 200 512'
    assert drop_query_strings(line) == '"GET /api/v1/zones HTTP/1.1" 200 512'


def test_the_log_filter_drops_query_strings_in_arguments_and_the_request_object() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /people?name=Ada HTTP/1.1", "200", "10"),
        None,
    )
    record.request = object()
    assert DropQueryStrings().filter(record)
    assert record.getMessage() == '"GET /people HTTP/1.1" 200 10'
    assert record.request is None


def test_every_configured_log_handler_drops_query_strings(settings: Any) -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "drop_query_strings" in handler.get("filters", []), name
    for name, logger in settings.LOGGING["loggers"].items():
        # mail_admins would mail the request, body and all.
        assert logger.get("handlers", []) == [], name


def test_a_request_line_logged_by_the_server_reaches_the_console_without_its_query() -> None:
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, DropQueryStrings) for f in h.filters)
    )
    assert isinstance(console, logging.StreamHandler)
    stream = io.StringIO()
    # Swap the stream by hand: setStream() flushes the old one, which pytest's output capture
    # may already have closed when the whole suite runs.
    previous, console.stream = console.stream, stream
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /zones?person=Wren+Halloway HTTP/1.1", "200", "512"
        )
    finally:
        console.stream = previous
    assert '"GET /zones HTTP/1.1" 200 512' in stream.getvalue()
    assert "Halloway" not in stream.getvalue()
