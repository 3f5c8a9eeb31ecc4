"""Organisations (the council, each provider) and who belongs to them, in which role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


def audit_trail() -> HistoricalRecords:
    """simple_history's audit rows, written to the database the audited row is in."""
    # Without use_base_model_db every history row would go to "default", whichever database
    # the row itself was saved to.
    return HistoricalRecords(use_base_model_db=True)


def audited(instance: Any, acting_user: Any) -> Any:
    """``instance``, marked so that its next saved version names ``acting_user`` as author."""
    # simple_history records ``_history_user`` as the author of the next saved version.
    instance._history_user = acting_user
    return instance


def update_now(instance: models.Model, **values: Any) -> None:
    """Write ``values`` to the row at once (outside the caller's object, so a page polling
    the row sees progress while a background task works) and onto ``instance``."""
    type(instance)._default_manager.filter(pk=instance.pk).update(**values)
    for name, value in values.items():
        setattr(instance, name, value)


class Organisation(models.Model):
    """A council that commissions care, or a provider that delivers it."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        PROVIDER = "provider", "Provider"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A council's own format for people's references (its case-management system's), so a
    # name or an address typed into the reference box is refused. Empty: any reference.
    person_reference_pattern = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="A regular expression the whole reference must match, e.g. P-[0-9]+",
    )
    person_reference_format = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="The format in plain words, e.g. 'P- followed by digits'",
    )
    person_reference_example = models.CharField(
        max_length=40, blank=True, default="", help_text="A made-up example, e.g. P-004512"
    )
    history = audit_trail()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's check of the reference format (the action checks it the same way)."""
        from django.core.exceptions import ValidationError

        from carecore.errors import InputError
        from homecare.accounts.references import check_pattern

        try:
            check_pattern(self.person_reference_pattern, self.person_reference_example)
        except InputError as exc:
            raise ValidationError({exc.key or "person_reference_pattern": exc.message}) from None


class Membership(models.Model):
    """A user's role at an organisation.

    Council roles (commissioner, broker, finance) sit at councils; ``provider`` at providers.
    """

    class Role(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner"
        BROKER = "broker", "Broker"
        FINANCE = "finance", "Finance officer"
        PROVIDER = "provider", "Provider"
        # Manages the organisation's user accounts (invites, roles, switching off); sits at a
        # council or a provider beside a working role, and opens no care records by itself.
        USER_ADMIN = "user_admin", "User administrator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    history = audit_trail()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class SignInAttempt(models.Model):
    """One try at signing in, kept a short while to lock out password guessing.

    The username is stored as typed (folded to lower case), whether or not such a user exists,
    so a lock says nothing about which usernames are real. No password is ever stored.
    ``unlocked`` rows are an administrator lifting a lock; ``refused`` rows are tries made
    while locked (kept for the record, never counted towards a lock).
    """

    class Outcome(models.TextChoices):
        FAILED = "failed", "Wrong username or password"
        SUCCEEDED = "succeeded", "Signed in"
        REFUSED = "refused", "Refused while locked"
        UNLOCKED = "unlocked", "Unlocked by an administrator"
        # Counted as a failure from the moment the try is let through the lock until its
        # password has been checked, so simultaneous tries cannot all slip past the limit.
        CHECKING = "checking", "Password being checked"
        # A request for a password-reset e-mail (never counted towards a sign-in lock).
        RESET_ASKED = "reset_asked", "Password reset asked for"

    username = models.CharField(max_length=150, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(db_index=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["username", "-at"], name="attempt_username_at"),
            models.Index(fields=["ip_address", "-at"], name="attempt_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.username or '-'} from {self.ip_address}"


class SignInCounter(models.Model):
    """One row per username and per address tried, locked while a try is let through.

    The lock check and the counting of a try run in one transaction holding this row's lock
    (``select_for_update``), so simultaneous tries for one username or from one address queue
    here for a moment instead of all passing the check before any is counted. The counts
    themselves are the ``SignInAttempt`` rows; this row only orders the tries.
    """

    key = models.CharField(max_length=200, unique=True)  # "username:<name>" or "address:<ip>"
    touched_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A secret a provider's or a council's own system sends as ``Authorization: Bearer ...``.

    Only the SHA-256 digest of the secret is kept, with a short public prefix to find the row;
    the full token is shown once, when it is issued. The secret is 256 random bits, so a plain
    digest is as strong as a slow password hash here and survives a change of SECRET_KEY.

    Each token has a service user of its own (``user``) that its actions are recorded under.
    """

    NAME_MAX_LENGTH = 100

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=NAME_MAX_LENGTH, help_text="What the token is for, e.g. 'ECM sync'"
    )
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The token acts as this user, so the audit trail names the token (``api-<slug>-<n>``)
    # rather than nobody. It has no usable password and is switched off with the token.
    # PROTECT: the user is named in history rows and must outlive them.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_token",
        help_text="The service user the token acts as in the audit trail",
    )
    history = audit_trail()

    class Meta:
        ordering = ["organisation__name", "-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation}, {self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AccountEvent(models.Model):
    """What was done to a user's account at an organisation, by whom and when.

    Written by :mod:`homecare.accounts.user_admin_actions`; role changes are also in the
    memberships' own history. Rows outlive the account's switching off (nothing is deleted).
    """

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        ADDED = "added", "Existing account given roles"
        INVITED_AGAIN = "invited_again", "Invitation sent again"
        JOINED = "joined", "Chose a password"
        ROLES_CHANGED = "roles_changed", "Roles changed"
        SWITCHED_OFF = "switched_off", "Account switched off"
        SWITCHED_ON = "switched_on", "Account switched back on"
        REMOVED = "removed", "Roles here removed"
        SECOND_FACTOR_RESET = "second_factor_reset", "Authenticator app reset"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="account_events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it; empty when the system did",
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} at {self.organisation}"


# Single sign-on identities live in their own module (homecare/accounts/sso_models.py).
from homecare.accounts.sso_models import SingleSignOnIdentity  # noqa: E402, F401
