"""API tokens: issued once in plaintext, stored only as a digest, revocable."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from homecare.accounts import actions, tokens
from homecare.accounts.models import ApiToken, Organisation


@pytest.mark.django_db
def test_a_token_is_shown_once_and_only_its_digest_is_stored(
    provider_a: Organisation, commissioner: Any
) -> None:
    row, plaintext = actions.issue_api_token(provider_a, "ECM sync", acting_user=commissioner)
    assert plaintext.startswith(f"hc_{row.prefix}_")
    stored = repr(list(ApiToken.objects.values())) + repr(list(ApiToken.history.values()))
    assert plaintext not in stored
    assert plaintext.split("_")[-1] not in stored  # nor the secret part on its own
    assert row.digest == tokens.digest_of(plaintext)
    assert row.created_by == commissioner


@pytest.mark.django_db
def test_two_tokens_never_share_a_secret_or_a_prefix(provider_a: Organisation) -> None:
    issued = [actions.issue_api_token(provider_a, "x", acting_user=None) for _ in range(20)]
    assert len({plaintext for _, plaintext in issued}) == 20
    assert len({row.prefix for row, _ in issued}) == 20


@pytest.mark.django_db
def test_a_token_is_found_by_its_plaintext_and_not_by_a_near_miss(
    provider_a: Organisation,
) -> None:
    row, plaintext = actions.issue_api_token(provider_a, "ECM sync", acting_user=None)
    assert tokens.find_token(plaintext) == row
    last = "A" if plaintext[-1] != "A" else "B"
    assert tokens.find_token(plaintext[:-1] + last) is None
    assert tokens.find_token(plaintext[:-1]) is None
    assert tokens.find_token("") is None
    assert tokens.find_token(f"hc_{row.prefix}") is None


@pytest.mark.django_db
def test_a_revoked_token_is_no_longer_found_and_says_who_revoked_it(
    provider_a: Organisation, commissioner: Any
) -> None:
    row, plaintext = actions.issue_api_token(provider_a, "ECM sync", acting_user=None)
    revoked = actions.revoke_api_token(row, acting_user=commissioner)
    assert tokens.find_token(plaintext) is None
    assert revoked.revoked_by == commissioner and revoked.is_revoked
    first = revoked.revoked_at
    again = actions.revoke_api_token(row, acting_user=None)
    assert again.revoked_at == first and again.revoked_by == commissioner


@pytest.mark.django_db
def test_a_token_needs_a_name(provider_a: Organisation) -> None:
    with pytest.raises(ValueError, match=r"^name: "):
        actions.issue_api_token(provider_a, "  ", acting_user=None)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(provider_a: Organisation) -> None:
    row, _ = actions.issue_api_token(provider_a, "ECM sync", acting_user=None)
    now = timezone.now()
    actions.record_api_token_use(row, now=now)
    actions.record_api_token_use(row, now=now + timedelta(seconds=30))
    row.refresh_from_db()
    assert row.last_used_at == now
    actions.record_api_token_use(row, now=now + timedelta(seconds=61))
    row.refresh_from_db()
    assert row.last_used_at == now + timedelta(seconds=61)


@pytest.mark.django_db
def test_the_command_prints_a_working_token_once(provider_a: Organisation) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", provider_a.slug, "Rostering system", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    row = tokens.find_token(plaintext)
    assert row is not None and row.organisation == provider_a and row.name == "Rostering system"
    assert "cannot be shown again" in err.getvalue()
    assert plaintext not in err.getvalue()


@pytest.mark.django_db
def test_the_command_names_an_unknown_organisation(provider_a: Organisation) -> None:
    with pytest.raises(CommandError, match="ORG_SLUG: no organisation 'nobody'"):
        call_command("issue_api_token", "nobody", "x", stdout=StringIO())
