"""Django settings: wiring only. SQLite by default; PostgreSQL with DATABASE_URL.

TEST_POSTGRES_URL adds a second database alias, ``postgres``, used by the tests marked
``postgres`` (row locks, concurrency, exact decimals on a real server).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.environment import DEV_SECRET_KEY, checked_production_settings, environment
from config.settings_sso import sso_settings

BASE_DIR = Path(__file__).resolve().parent.parent

# Fail closed: production unless HOMECARE_ENVIRONMENT=development says otherwise. Production
# has no debug and refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (the
# full list is applied at the end of this file, from config/settings_production.py).
ENVIRONMENT = environment(os.environ)
DEVELOPMENT = ENVIRONMENT == "development"
if DEVELOPMENT:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
    DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
    ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )
else:
    PRODUCTION = checked_production_settings(os.environ)
    SECRET_KEY, ALLOWED_HOSTS, DEBUG = PRODUCTION["SECRET_KEY"], PRODUCTION["ALLOWED_HOSTS"], False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "ninja",  # serves the API docs page's scripts from here, not from a CDN
    # Second factor (docs/security.md): TOTP devices and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "homecare.accounts",
    "homecare.commissioning",
    "homecare.brokerage",
    "homecare.insight",
    "homecare.delivery",
    "homecare.governance",
    "homecare.finance",
    "django_tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy below, with a nonce for each page's one inline script.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Bodies over the limits answer 413, unreadable ones 400 (never 500): docs/security.md.
    "homecare.accounts.limits.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A password sign-in reaches nothing but the second-factor pages until a code is given.
    "homecare.accounts.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit history (rate cards and their rates).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homecare" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homecare.accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'homecare.sqlite3'}"),
        conn_max_age=60,
    )
}
if os.environ.get("TEST_POSTGRES_URL"):
    DATABASES["postgres"] = dj_database_url.parse(os.environ["TEST_POSTGRES_URL"])

# Background work (offer time-outs) runs through Django's tasks interface. django-tasks 0.12
# ships only the immediate and dummy backends; the database backend and its ``db_worker``
# command are the package django-tasks-db.
INSTALLED_APPS.append("django_tasks_db")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2 for every new password; the others only check (and then upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Single sign-on for council staff by OpenID Connect (homecare/accounts/sso.py): off unless
# the HOMECARE_OIDC_* variables configure it (config/settings_sso.py, docs/security.md). Its
# backend does nothing for password sign-ins.
globals().update(sso_settings(os.environ))
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "homecare.accounts.sso.CouncilSignOn",
]

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "homecare" / "static"]

# Where the project reads the shared reference data (never copied into the tree).
SHARED_DATA_DIR = Path(os.environ.get("HOMECARE_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))

# --- Security (docs/security.md) ----------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day; a shared office computer signs itself out
# A second factor (TOTP, recovery codes) for every password sign-in: on in production, off in
# development (the demo, the tests) unless HOMECARE_REQUIRE_TWO_FACTOR=1. Single sign-on
# sessions are exempt: the council's identity provider asks for its own second factor.
HOMECARE_REQUIRE_TWO_FACTOR = (
    os.environ.get("HOMECARE_REQUIRE_TWO_FACTOR", "0" if DEVELOPMENT else "1") == "1"
)
OTP_TOTP_ISSUER = "Home care commissioning"
# Content-Security-Policy (django-csp): scripts only from this site or with the page's nonce
# (base.html's one-line GOV.UK class switch); nothing framed, no plugins, forms post here.
# Styles allow inline because the API docs page (Swagger UI) sets style attributes; scripts
# never do. Its middleware, "csp.middleware.CSPMiddleware", sits after SecurityMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Behind a proxy that sets a trusted client-address header, name it here (e.g. HTTP_X_REAL_IP)
# so the sign-in lockout counts per client, not per proxy.
HOMECARE_CLIENT_ADDRESS_HEADER = os.environ.get("HOMECARE_CLIENT_ADDRESS_HEADER", "")

# Logs never carry a query string, a request body or a request object: people's records are
# special-category health data. Django's own handlers (e-mail to admins) are replaced.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_query_strings": {"()": "homecare.accounts.redaction.DropQueryStrings"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["drop_query_strings"],
        }
    },
    # One handler, on the root; the named loggers only set levels and pass records up (so
    # pytest's caplog still sees them). Empty handler lists replace Django's defaults.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "homecare": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Offer emails (homecare.brokerage.notifications): printed to the console unless a real
# backend is configured; tests get Django's locmem outbox. Links in emails start with the URL.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "homecare@localhost")
HOMECARE_SITE_URL = os.environ.get("HOMECARE_SITE_URL", "http://localhost:8000")

# Call monitoring (homecare.delivery, docs/delivery.md): a file with bad rows is rejected
# whole ("reject") or its good rows are held for review ("hold"); the contract rules are a
# shipped rules file of carecore/ecm/data/ by name, or a path to a TOML file.
HOMECARE_ECM_BAD_ROWS = os.environ.get("HOMECARE_ECM_BAD_ROWS", "reject")
HOMECARE_ECM_RULES = os.environ.get("HOMECARE_ECM_RULES", "rotherham-actual")


def _whole_number(name: str, default: int) -> int:
    """A whole number from the environment; a wrong one stops start-up, naming the variable."""
    value = os.environ.get(name, "").strip().replace("_", "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of 1 or more, not {value!r}")
    return int(value)


# Uploads (homecare/upload_limits.py): checked before a file is unpacked or read, so a small
# file that unpacks to millions of rows is refused, not materialised in a web worker.
# The largest request body (homecare/accounts/limits.py answers 413 above it).
HOMECARE_MAX_UPLOAD_BYTES = _whole_number("HOMECARE_MAX_UPLOAD_BYTES", 60 * 1024 * 1024)
HOMECARE_UPLOAD_MAX_ROWS = _whole_number("HOMECARE_UPLOAD_MAX_ROWS", 500_000)
HOMECARE_UPLOAD_MAX_UNPACKED_BYTES = _whole_number(
    "HOMECARE_UPLOAD_MAX_UNPACKED_BYTES", 256 * 1024 * 1024
)
HOMECARE_UPLOAD_MAX_COLUMNS = _whole_number("HOMECARE_UPLOAD_MAX_COLUMNS", 500)
HOMECARE_BIDS_MAX_ROWS = _whole_number("HOMECARE_BIDS_MAX_ROWS", 5_000)
# An import whose worker has not reported for this long is failed (recover_stale_work).
HOMECARE_IMPORT_STALE_MINUTES = _whole_number("HOMECARE_IMPORT_STALE_MINUTES", 15)

# Retention (homecare/governance, docs/security.md "What we hold"): apply_retention.
HOMECARE_RETENTION_PERSON_YEARS = _whole_number("HOMECARE_RETENTION_PERSON_YEARS", 6)
HOMECARE_RETENTION_VISIT_LOG_YEARS = _whole_number("HOMECARE_RETENTION_VISIT_LOG_YEARS", 6)
HOMECARE_RETENTION_UPLOAD_FILE_YEARS = _whole_number("HOMECARE_RETENTION_UPLOAD_FILE_YEARS", 2)

if not DEVELOPMENT:
    globals().update(PRODUCTION)
