"""Complaints about home care that a council received: the one table the insight app owns.

The committee reports count complaints a month and how many were upheld (seed 002: "around
two per month"). A complaint names the provider it is about and, when it concerns one
person's care, that person's pseudonymised reference; its summary must not name anyone.
Every write goes through :mod:`homecare.insight.actions`, and simple_history keeps each
version with the user who made it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail


class Complaint(models.Model):
    class Category(models.TextChoices):
        MISSED_OR_LATE = "missed_or_late", "Missed or late visits"
        QUALITY = "quality_of_care", "Quality of care"
        CARER_CONDUCT = "carer_conduct", "Carers' conduct"
        COMMUNICATION = "communication", "Communication"
        CHARGES = "charges", "Charges and invoices"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        # The values are carecore.reports.performance_report.OUTCOMES.
        OPEN = "open", "Open (not yet decided)"
        UPHELD = "upheld", "Upheld"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="complaints"
    )
    received_on = models.DateField()
    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        "brokerage.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    summary = models.TextField(max_length=2000)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = audit_trail()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["council", "received_on"])]

    def __str__(self) -> str:
        return f"Complaint {self.pk} about {self.provider} ({self.received_on:%d %b %Y})"


from homecare.insight.simulation_models import SimulationRun  # noqa: E402, F401
