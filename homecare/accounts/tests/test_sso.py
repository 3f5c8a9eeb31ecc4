"""Single sign-on without a provider: the settings, the pages' refusals, the token checks and
the matching and role rules. The whole flow against a real provider is in tests/oidc/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.test import Client, RequestFactory

from config.settings_sso import sso_settings
from homecare.accounts import actions, sso, sso_actions
from homecare.accounts.models import AccountEvent, Membership, Organisation, SignInAttempt
from homecare.accounts.sso_models import SingleSignOnIdentity
from homecare.conftest import PASSWORD

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ISSUER = "https://login.testshire.example"
ROLES = {"brokers": ("testshire", "broker"), "money": ("testshire", "finance")}


@pytest.fixture
def configured(settings: Any) -> Any:
    """Single sign-on on, with explicit endpoints (nothing is fetched)."""
    settings.HOMECARE_OIDC_ENABLED = True
    settings.HOMECARE_OIDC_ISSUER = ISSUER
    settings.HOMECARE_OIDC_AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize"
    settings.HOMECARE_OIDC_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.HOMECARE_OIDC_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    settings.HOMECARE_OIDC_USERINFO_ENDPOINT = ""
    settings.HOMECARE_OIDC_CLIENT_ID = "homecare"
    settings.HOMECARE_OIDC_CLIENT_SECRET = "a-secret-long-enough-for-hs256-signing-keys"
    settings.HOMECARE_OIDC_GROUP_ROLES = ROLES
    return settings


@pytest.fixture
def testshire(db: Any) -> Organisation:
    return actions.create_organisation(
        "Testshire County Council", kind="council", slug="testshire", acting_user=None
    )


def claims(subject: str = "s-1", **extra: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "sub": subject, "groups": ["brokers"]} | extra


def sign_in(found: dict[str, Any]) -> sso_actions.Outcome:
    return sso_actions.sign_in_by_single_sign_on(found, address="192.0.2.1", now=NOW)


def roles_of(user: Any, organisation: Organisation) -> set[str]:
    return set(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )


# --- settings -----------------------------------------------------------------------------


def test_single_sign_on_is_off_unless_the_environment_configures_it() -> None:
    assert sso_settings({})["HOMECARE_OIDC_ENABLED"] is False


def test_an_issuer_a_client_and_group_roles_switch_single_sign_on_on() -> None:
    values = sso_settings(
        {
            "HOMECARE_OIDC_ISSUER": f"{ISSUER}/",
            "HOMECARE_OIDC_CLIENT_ID": "homecare",
            "HOMECARE_OIDC_CLIENT_SECRET": "secret",
            "HOMECARE_OIDC_GROUP_ROLES": '{"brokers": ["testshire", "broker"]}',
        }
    )
    assert values["HOMECARE_OIDC_ENABLED"] is True
    assert values["HOMECARE_OIDC_ISSUER"] == ISSUER
    assert values["HOMECARE_OIDC_GROUP_ROLES"] == {"brokers": ("testshire", "broker")}
    assert values["HOMECARE_OIDC_GROUPS_CLAIM"] == "groups"


def test_half_configured_single_sign_on_stops_start_up_naming_what_is_missing() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        sso_settings({"HOMECARE_OIDC_ISSUER": ISSUER, "HOMECARE_OIDC_CLIENT_ID": "homecare"})
    assert "HOMECARE_OIDC_CLIENT_SECRET" in str(refused.value)
    assert "HOMECARE_OIDC_GROUP_ROLES" in str(refused.value)


def test_explicit_endpoints_without_the_keys_endpoint_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="HOMECARE_OIDC_JWKS_ENDPOINT"):
        sso_settings(
            {
                "HOMECARE_OIDC_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
                "HOMECARE_OIDC_TOKEN_ENDPOINT": f"{ISSUER}/token",
                "HOMECARE_OIDC_CLIENT_ID": "homecare",
                "HOMECARE_OIDC_CLIENT_SECRET": "secret",
                "HOMECARE_OIDC_GROUP_ROLES": '{"brokers": ["testshire", "broker"]}',
            }
        )


@pytest.mark.parametrize("text", ["not json", '["brokers"]', '{"brokers": "testshire"}'])
def test_group_roles_that_are_not_groups_to_a_council_and_a_role_are_refused(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="HOMECARE_OIDC_GROUP_ROLES"):
        sso_settings({"HOMECARE_OIDC_GROUP_ROLES": text})


# --- pages --------------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_council_account_only_when_configured(
    db: Any, settings: Any
) -> None:
    settings.HOMECARE_OIDC_ENABLED = False
    assert "Sign in with your council account" not in Client().get("/accounts/sign-in/").text
    settings.HOMECARE_OIDC_ENABLED = True
    page = Client().get("/accounts/sign-in/?next=/brokerage/").text
    assert (
        '<a class="govuk-button govuk-button--secondary" href="/accounts/sso/start/?next=' in page
    )
    assert "Sign in with your council account" in page


def test_the_single_sign_on_pages_are_not_found_when_it_is_off(db: Any, settings: Any) -> None:
    settings.HOMECARE_OIDC_ENABLED = False
    assert Client().get("/accounts/sso/start/").status_code == 404
    assert Client().get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(
    db: Any, configured: Any
) -> None:
    response = Client().get("/accounts/sso/start/?next=/brokerage/")
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{ISSUER}/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["homecare"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    assert {"state", "nonce", "code_challenge"} <= set(query)
    assert query["code_challenge_method"] == ["S256"]


def test_a_provider_that_cannot_be_reached_gets_a_plain_page_not_an_error(
    db: Any, configured: Any
) -> None:
    configured.HOMECARE_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    configured.HOMECARE_OIDC_AUTHORIZATION_ENDPOINT = ""
    response = Client().get("/accounts/sso/start/")
    assert response.status_code == 503
    assert "not working at the moment" in response.text


@pytest.mark.parametrize("query", ["error=access_denied&state=x", "code=forged&state=unknown"])
def test_a_return_that_was_refused_or_forged_gets_a_plain_page(
    db: Any, configured: Any, query: str
) -> None:
    client = Client()
    client.get("/accounts/sso/start/")  # the session holds one real state, not these
    response = client.get(f"/accounts/sso/callback/?{query}")
    assert response.status_code == 400
    assert "Signing in with your council account did not work" in response.text


def test_the_backend_leaves_password_sign_ins_alone(db: Any, configured: Any) -> None:
    user = actions.create_persona(
        "pat", password=PASSWORD, organisation=None, role=None, acting_user=None
    )
    request = RequestFactory().post("/accounts/sign-in/")
    assert sso.CouncilSignOn().authenticate(request, username="pat", password=PASSWORD) is None
    assert authenticate(request, username="pat", password=PASSWORD) == user


def _backend_for(configured: Any) -> sso.CouncilSignOn:
    backend = sso.CouncilSignOn()
    backend.OIDC_RP_CLIENT_ID = configured.HOMECARE_OIDC_CLIENT_ID
    backend.OIDC_RP_CLIENT_SECRET = configured.HOMECARE_OIDC_CLIENT_SECRET
    backend.OIDC_RP_SIGN_ALGO = "HS256"
    backend.OIDC_RP_IDP_SIGN_KEY = None
    backend.issuer = ISSUER
    return backend


@pytest.mark.parametrize(
    ("audience", "issuer", "accepted"),
    [
        ("homecare", ISSUER, True),
        ("another-client", ISSUER, False),
        ("homecare", "https://x", False),
    ],
)
def test_an_id_token_for_another_client_or_issuer_is_refused(
    configured: Any, audience: str, issuer: str, accepted: bool
) -> None:
    backend = _backend_for(configured)
    token = jwt.encode(
        {"iss": issuer, "sub": "s-1", "aud": audience, "nonce": "n"},
        configured.HOMECARE_OIDC_CLIENT_SECRET,
        algorithm="HS256",
    )
    if accepted:
        assert backend.verify_token(token, nonce="n")["sub"] == "s-1"
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token(token, nonce="n")


# --- matching and roles ---------------------------------------------------------------------


def test_someone_new_is_created_with_the_roles_their_groups_map_to(
    configured: Any, testshire: Organisation
) -> None:
    outcome = sign_in(
        claims(
            email="Ann@Testshire.example",
            email_verified=True,
            groups=["brokers", "money", "canteen"],
        )
    )
    user = outcome.user
    assert user.username == user.email == "ann@testshire.example"
    assert roles_of(user, testshire) == {"broker", "finance"}
    assert SingleSignOnIdentity.objects.get(user=user).subject == "s-1"
    attempt = SignInAttempt.objects.get()
    assert (attempt.username, attempt.outcome) == (user.username, "succeeded")


def test_the_subject_finds_the_user_again_after_their_address_changes(
    configured: Any, testshire: Organisation
) -> None:
    first = sign_in(claims(email="ann@testshire.example", email_verified=True)).user
    again = sign_in(claims(email="ann.new@testshire.example", email_verified=True)).user
    assert again == first


def test_an_existing_account_is_linked_by_a_confirmed_address_and_keeps_its_password(
    configured: Any, testshire: Organisation
) -> None:
    existing = actions.create_persona(
        "ann",
        password=PASSWORD,
        organisation=testshire,
        role="commissioner",
        email="ann@testshire.example",
        acting_user=None,
    )
    outcome = sign_in(claims(email="ANN@testshire.example", email_verified=True))
    assert outcome.user == existing
    existing.refresh_from_db()
    assert existing.username == "ann" and existing.check_password(PASSWORD)
    assert roles_of(existing, testshire) == {"broker"}  # the council's provider decides here


def test_an_address_the_provider_did_not_confirm_never_takes_over_an_account(
    configured: Any, testshire: Organisation
) -> None:
    actions.create_persona(
        "ann",
        password=PASSWORD,
        organisation=testshire,
        role="commissioner",
        email="ann@testshire.example",
        acting_user=None,
    )
    outcome = sign_in(claims(email="ann@testshire.example", email_verified=False))
    assert outcome.user is None
    assert "did not confirm that the address is yours" in outcome.refusal
    configured.HOMECARE_OIDC_TRUST_EMAIL = True
    assert sign_in(claims(email="ann@testshire.example")).user.username == "ann"


def test_a_switched_off_account_stays_switched_off(
    configured: Any, testshire: Organisation
) -> None:
    user = sign_in(claims()).user
    user.is_active = False
    user.save()
    outcome = sign_in(claims())
    assert outcome.user is None and "switched off" in outcome.refusal
    assert SignInAttempt.objects.filter(outcome="failed").count() == 1


def test_groups_that_map_to_nothing_are_refused_and_take_the_roles_away(
    configured: Any, testshire: Organisation
) -> None:
    user = sign_in(claims()).user
    outcome = sign_in(claims(groups=["canteen"]))
    assert outcome.user is None
    assert "Ask your council's administrator" in outcome.refusal
    assert roles_of(user, testshire) == set()
    event = AccountEvent.objects.filter(kind="roles_changed").first()
    assert event is not None and event.detail.endswith("no roles (before: Broker)")


def test_nobody_new_is_created_only_to_be_refused(configured: Any, testshire: Organisation) -> None:
    outcome = sign_in(claims(email="cook@testshire.example", email_verified=True, groups=[]))
    assert outcome.user is None
    assert not get_user_model().objects.filter(email="cook@testshire.example").exists()


def test_roles_at_organisations_single_sign_on_does_not_serve_are_left_alone(
    configured: Any, testshire: Organisation
) -> None:
    other = actions.create_organisation("Otherby Council", kind="council", acting_user=None)
    user = sign_in(claims()).user
    actions.add_membership(user, other, "commissioner", acting_user=None)
    sign_in(claims(groups=["money"]))
    assert roles_of(user, testshire) == {"finance"}
    assert roles_of(user, other) == {"commissioner"}


def test_a_group_mapped_to_an_unknown_council_or_role_gives_nothing(
    configured: Any, testshire: Organisation
) -> None:
    configured.HOMECARE_OIDC_GROUP_ROLES = ROLES | {
        "ghosts": ("nowhere", "broker"),
        "carers": ("testshire", "provider"),
    }
    outcome = sign_in(claims(groups=["ghosts", "carers"]))
    assert outcome.user is None and outcome.refusal == sso_actions.NO_ROLE
