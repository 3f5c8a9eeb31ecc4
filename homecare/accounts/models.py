"""Organisations (the council, each provider) and who belongs to them, in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


def audit_trail() -> HistoricalRecords:
    """simple_history's audit rows, written to the database the audited row is in."""
    # Without use_base_model_db every history row would go to "default", whichever database
    # the row itself was saved to.
    return HistoricalRecords(use_base_model_db=True)


class Organisation(models.Model):
    """A council that commissions care, or a provider that delivers it."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        PROVIDER = "provider", "Provider"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    history = audit_trail()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role at an organisation.

    Council roles (commissioner, broker, finance) sit at councils; ``provider`` at providers.
    """

    class Role(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner"
        BROKER = "broker", "Broker"
        FINANCE = "finance", "Finance officer"
        PROVIDER = "provider", "Provider"

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
