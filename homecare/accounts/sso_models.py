"""Who a council's identity provider says someone is: the link from its subject to a user.

Registered with the accounts app by the import at the end of ``homecare/accounts/models.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SingleSignOnIdentity(models.Model):
    """A user as known to a council's identity provider (OpenID Connect): its issuer and the
    subject it gives the person, which never changes even when their e-mail address does."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    first_signed_in_at = models.DateTimeField()
    last_signed_in_at = models.DateTimeField()

    class Meta:
        app_label = "accounts"
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_one_user_a_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_one_subject_a_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
