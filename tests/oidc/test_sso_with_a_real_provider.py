"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider) run locally.

``tests/oidc/provider.mjs`` plays a council's identity provider. Each test walks the whole
authorization code flow as a browser would (with ``requests``, following redirects and
keeping cookies): the platform's "Sign in with your council account" link, the provider's
sign-in and consent pages, the callback, and the page it lands on. Without node or the npm
package the tests skip with a message, or fail when HOMECARE_REQUIRE_BROWSER=1 (.ci/run).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = REPO_ROOT / "tests" / "oidc" / "provider.mjs"
PACKAGE = REPO_ROOT / "node_modules" / "oidc-provider"
CLIENT_ID = "homecare-test"
CLIENT_SECRET = "a-test-secret-for-the-local-provider-only"
START_TIMEOUT_SECONDS = 20
GROUP_ROLES = {
    "care-brokers": ("testshire", "broker"),
    "care-commissioners": ("testshire", "commissioner"),
}
ACCOUNTS = {
    "ann": {
        "email": "ann.broker@testshire.example",
        "given_name": "Ann",
        "family_name": "Example",
        "groups": ["care-brokers", "care-commissioners", "canteen"],
    },
    "ben": {
        "email": "ben.cook@testshire.example",
        "given_name": "Ben",
        "family_name": "Example",
        "groups": ["canteen"],
    },
}


def _problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.exists():
        return f"the npm package oidc-provider is missing at {PACKAGE} (run `npm install`)"
    return None


def _first_line(process: subprocess.Popen[str]) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=START_TIMEOUT_SECONDS)
    except queue.Empty:
        return ""


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    problem = _problem()
    if problem is not None:
        if os.environ.get("HOMECARE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HOMECARE_REQUIRE_BROWSER=1 but {problem}", pytrace=False)
        pytest.skip(f"single sign-on tests skipped: {problem}")
    accounts = tmp_path_factory.mktemp("oidc") / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNTS))
    environment = os.environ | {
        "REDIRECT_URI": f"{live_server.url}/accounts/sso/callback/",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "ACCOUNTS_FILE": str(accounts),
    }
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT)],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = _first_line(process)
        if not line.startswith("{"):
            pytest.fail(f"the OpenID Connect provider did not start: {line!r}", pytrace=False)
        issuer = json.loads(line)["issuer"]
        yield type("Provider", (), {"issuer": issuer, "accounts": accounts})
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(provider: Any, settings: Any, transactional_db: Any) -> Any:
    """Single sign-on switched on against the local provider, for the council "testshire"."""
    from homecare.accounts import actions
    from homecare.accounts.models import Organisation

    settings.HOMECARE_OIDC_ENABLED = True
    settings.HOMECARE_OIDC_ISSUER = provider.issuer
    settings.HOMECARE_OIDC_CLIENT_ID = CLIENT_ID
    settings.HOMECARE_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.HOMECARE_OIDC_SCOPES = "openid email profile groups"
    settings.HOMECARE_OIDC_GROUP_ROLES = GROUP_ROLES
    # The second factor is required, as in production: single sign-on must not be asked it.
    settings.HOMECARE_REQUIRE_TWO_FACTOR = True
    provider.accounts.write_text(json.dumps(ACCOUNTS))
    actions.create_organisation(
        "Testshire County Council",
        kind=Organisation.Kind.COUNCIL,
        slug="testshire",
        acting_user=None,
    )
    return provider


def _form_action(page: requests.Response) -> str:
    found = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert found, f"no form on {page.url}: {page.text[:300]}"
    return requests.compat.urljoin(page.url, unescape(found.group(1)))


def sign_in_at_the_provider(base_url: str, login: str) -> requests.Response:
    """Follow the sign-in page's council link, sign in and consent at the provider, and
    return the platform's page the browser lands on."""
    browser = requests.Session()
    sign_in = browser.get(f"{base_url}/accounts/sign-in/", timeout=20)
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>Sign in with your council account<', sign_in.text)
    assert link, "the sign-in page has no council sign-in link"
    login_page = browser.get(
        requests.compat.urljoin(sign_in.url, unescape(link.group(1))), timeout=20
    )
    assert 'name="prompt" value="login"' in login_page.text, login_page.url
    consent = browser.post(
        _form_action(login_page),
        data={"prompt": "login", "login": login, "password": "any"},
        timeout=20,
    )
    assert 'name="prompt" value="consent"' in consent.text, consent.url
    return browser.post(_form_action(consent), data={"prompt": "consent"}, timeout=20)


def _roles(email: str) -> set[str]:
    from homecare.accounts.models import Membership

    return set(
        Membership.objects.filter(user__email=email, organisation__slug="testshire").values_list(
            "role", flat=True
        )
    )


def test_a_council_officer_signs_in_with_their_council_account_and_gets_their_mapped_roles(
    live_server: Any, sso: Any
) -> None:
    from homecare.accounts.models import SignInAttempt
    from homecare.accounts.sso_models import SingleSignOnIdentity

    landed = sign_in_at_the_provider(live_server.url, "ann")

    assert landed.status_code == 200
    assert landed.url == f"{live_server.url}/"  # the home page, not the second-factor page
    assert "Broker" in landed.text and "Commissioner" in landed.text
    assert _roles("ann.broker@testshire.example") == {"broker", "commissioner"}
    identity = SingleSignOnIdentity.objects.get(subject="ann")
    assert identity.issuer == sso.issuer
    assert identity.user.first_name == "Ann"
    assert not identity.user.has_usable_password()
    assert SignInAttempt.objects.filter(
        username=identity.user.username, outcome=SignInAttempt.Outcome.SUCCEEDED
    ).exists()


def test_someone_whose_groups_map_to_no_role_is_told_to_ask_their_councils_administrator(
    live_server: Any, sso: Any
) -> None:
    from django.contrib.auth import get_user_model

    landed = sign_in_at_the_provider(live_server.url, "ben")

    assert landed.status_code == 403
    assert landed.url.startswith(f"{live_server.url}/accounts/sso/callback/")
    assert "Ask your council&#x27;s administrator" in landed.text
    assert not get_user_model().objects.filter(email="ben.cook@testshire.example").exists()
    home = requests.get(f"{live_server.url}/", cookies=landed.cookies, timeout=20)
    assert "/accounts/sign-in/" in home.url  # not signed in


def test_a_group_removed_at_the_provider_removes_the_role_at_the_next_sign_in(
    live_server: Any, sso: Any
) -> None:
    from homecare.accounts.models import AccountEvent

    sign_in_at_the_provider(live_server.url, "ann")
    assert _roles("ann.broker@testshire.example") == {"broker", "commissioner"}
    fewer = ACCOUNTS | {"ann": ACCOUNTS["ann"] | {"groups": ["care-brokers"]}}
    sso.accounts.write_text(json.dumps(fewer))

    landed = sign_in_at_the_provider(live_server.url, "ann")

    assert landed.url == f"{live_server.url}/"
    assert _roles("ann.broker@testshire.example") == {"broker"}
    change = AccountEvent.objects.filter(kind=AccountEvent.Kind.ROLES_CHANGED).first()
    assert change is not None and change.by is None
    assert (
        change.detail == "From the council's sign-in service: Broker (before: Commissioner, Broker)"
    )
