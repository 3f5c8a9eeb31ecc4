"""The sign-in form, with messages written the GOV.UK way and the lockout rule applied."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from homecare.accounts import actions, bounds, lockout, tokens

# The same words whether or not the username exists, so a lock reveals nothing.
LOCKED_MESSAGE = (
    "You cannot sign in for now because of too many failed attempts. Wait 15 minutes and try "
    "again, or ask an administrator at your organisation to unlock your account"
)


class LockoutMixin:
    """Refuses a locked username or address before the password is checked; counts failures.

    The lock is checked first so that, while locked, even the right password is refused and no
    password hashing is spent on a guesser.
    """

    request: Any
    cleaned_data: dict[str, Any]
    error_messages: dict[str, str]

    def full_clean(self) -> None:
        bounds.bound_form(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:  # the field errors already say what is missing
            return super().clean()  # type: ignore[misc,no-any-return]
        address = lockout.client_address(self.request)
        # The lock check and the count are one step (see actions.begin_sign_in): a burst of
        # simultaneous tries cannot all pass the check before any is counted.
        attempt = actions.begin_sign_in(username, address, now=lockout.clock())
        if attempt is None:
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        succeeded = False
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
            succeeded = True
        finally:  # any refusal or error counts as a failure
            actions.finish_sign_in(attempt, succeeded=succeeded)
        return cleaned

    def confirm_login_allowed(self, user: Any) -> None:
        # An API token's service user has no usable password; should one ever be set (in the
        # admin, say), it is still refused, with the words a wrong password gets.
        if tokens.is_service_user(user):
            raise self.get_invalid_login_error()  # type: ignore[attr-defined]
        super().confirm_login_allowed(user)  # type: ignore[misc]


class SignInForm(LockoutMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password (both are case-sensitive)",
        "inactive": "This account has been switched off",
        "locked": LOCKED_MESSAGE,
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")  # ids match names, so the error summary links work
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The admin site's sign-in, under the same lockout rule (it would otherwise bypass it)."""
