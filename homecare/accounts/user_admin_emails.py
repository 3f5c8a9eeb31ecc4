"""Invitation links and the e-mails a user administrator's actions send.

An invitation link carries the user's id and a token in the style of Django's password reset
tokens, under its own salt (a password reset link cannot be used as an invitation, nor the
other way round). The token is a keyed hash of the account's password hash, last sign-in and
e-mail address, so it stops working once the invitee has chosen a password, when a new
invitation is sent (which renews the unusable password) and after ``PASSWORD_RESET_TIMEOUT``.
Nothing about the people the service cares for goes in an e-mail.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from carecore.errors import InputError
from homecare.accounts.models import Organisation
from homecare.accounts.plain_words import plural
from homecare.accounts.templatetags.govuk import who
from homecare.accounts.user_admin_access import role_words


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "homecare.accounts.user_admin_emails.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def site_url(path: str) -> str:
    """``path`` as a full address on the service, for a link in an e-mail."""
    return settings.HOMECARE_SITE_URL.rstrip("/") + path


def link_lifetime() -> str:
    """How long a link in an e-mail works, in words ("3 days", "12 hours")."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    if seconds >= 86400 and seconds % 86400 == 0:
        return plural(seconds // 86400, "day")
    return plural(max(1, seconds // 3600), "hour")


def invitation_link(user: Any) -> str:
    """The single-use address where ``user`` chooses a password."""
    path = reverse(
        "users:accept-invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return site_url(path)


def invitation_email(
    user: Any, organisation: Organisation, roles: Any, inviter: Any
) -> tuple[str, str]:
    """The subject and body inviting a new user to choose a password."""
    subject = f"You have been invited to the home care service for {organisation.name}"
    body = "\n".join(
        [
            f"{who(inviter)} has invited you to use the home care commissioning service for "
            f"{organisation.name}, as: {role_words(roles)}.",
            "",
            f"Choose your password here (the link works once, for {link_lifetime()}):",
            invitation_link(user),
            "",
            f"Your username is {user.username}",
            "",
            "If you were not expecting this e-mail, you can ignore it.",
        ]
    )
    return subject, body


def added_email(user: Any, organisation: Organisation, roles: Any, inviter: Any) -> tuple[str, str]:
    """The subject and body telling someone who already has an account about new roles."""
    subject = f"You now have access to the home care service for {organisation.name}"
    body = "\n".join(
        [
            f"{who(inviter)} has given you roles at {organisation.name}: {role_words(roles)}.",
            "",
            "Sign in as usual, with your username and password:",
            site_url(reverse("accounts:sign-in")),
        ]
    )
    return subject, body


def send(email: str, subject: str, body: str) -> None:
    """Send one e-mail; InputError (which undoes the action) when the mail server fails."""
    try:
        send_mail(subject, body, None, [email])
    except (smtplib.SMTPException, OSError):
        raise InputError(
            "The e-mail could not be sent. Nothing was changed; try again later", key="email"
        ) from None
