"""Who is calling the API: an organisation's system, known by its bearer token, acting as the
token's service user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from homecare.accounts import access, actions, lockout, tokens
from homecare.accounts.models import ApiToken, Organisation


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer hc_...``: resolves the token to its organisation.

    A missing, malformed, unknown, wrong or revoked token, or one whose service user is
    switched off, is refused alike (401). On success the token row is the request's ``auth``
    and its organisation ``request.api_organisation``.
    """

    def __call__(self, request: HttpRequest) -> Any:
        # ninja's own HttpBearer logs a wrong header in full when DEBUG is on; a token must
        # never reach a log, so the header is parsed here without logging.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        row = tokens.find_token(token)
        if row is None:
            return None
        actions.record_api_token_use(row, now=lockout.clock())
        request.api_organisation = row.organisation  # type: ignore[attr-defined]
        return row


def organisation_of(request: HttpRequest) -> Organisation:
    """The organisation whose token authenticated ``request``."""
    return request.auth.organisation  # type: ignore[attr-defined,no-any-return]


def scope_of_request(request: HttpRequest) -> access.Scope:
    """The scope the endpoint asks the apps' access rules with: the token's (its service
    user's memberships at the token's organisation), the same rules as the pages."""
    return access.scope_of(request)


def acting_user_of(request: HttpRequest) -> Any:
    """The token's service user: every write through the API is recorded under it, so the
    audit trail says which token (and so which system) did it."""
    return request.auth.user  # type: ignore[attr-defined]
