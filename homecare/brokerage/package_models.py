"""A package's life after placement: its schedule versions, changes, suspensions and end.

Imported by :mod:`homecare.brokerage.models`, so they are the brokerage app's models. Every
write goes through :mod:`homecare.brokerage.changes`.

Dates are London calendar days and inclusive unless a name says otherwise: a schedule
version is in force from ``effective_from`` to ``effective_to`` (``None``: open-ended); a
suspension has no visits from ``start_date`` to ``end_date``; an ending stops care from
``ends_from`` (the last day of care is the day before).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail

HOURS = {"max_digits": 8, "decimal_places": 2}


def _user() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )


class ScheduleChange(models.Model):
    """A new weekly schedule from a date: a council's variation or a provider's review.

    A variation that adds hours waits for the placed provider's answer; a review waits for
    the council's decision. Applying one writes a :class:`ScheduleVersion`.
    """

    class Kind(models.TextChoices):
        VARIATION = "variation", "Variation by the council"
        REVIEW = "review", "Provider's review"

    class Status(models.TextChoices):
        AWAITING_PROVIDER = "awaiting_provider", "Waiting for the provider's answer"
        AWAITING_COUNCIL = "awaiting_council", "Waiting for the council's decision"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected by the council"
        DECLINED = "declined", "Declined by the provider: sent back to brokerage"

    package = models.ForeignKey(
        "brokerage.Package", on_delete=models.PROTECT, related_name="schedule_changes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=30, choices=Status.choices)
    provider = models.ForeignKey(
        "commissioning.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The provider placed when the change was made",
    )
    effective_from = models.DateField()
    visits = models.JSONField(default=list)
    carer_hours_before = models.DecimalField(**HOURS)
    carer_hours_after = models.DecimalField(**HOURS)
    contact_hours_after = models.DecimalField(**HOURS)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    created_by = _user()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = _user()
    decision_reason = models.TextField(blank=True, default="")
    new_request = models.ForeignKey(
        "brokerage.BrokerageRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The request that re-brokers the package when the provider declined",
    )
    history = audit_trail()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of package {self.package_id} from {self.effective_from}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.AWAITING_PROVIDER, self.Status.AWAITING_COUNCIL)

    @property
    def hours_change(self) -> object:
        return self.carer_hours_after - self.carer_hours_before


class ScheduleVersion(models.Model):
    """The weekly schedule in force over a span of days; earlier versions are kept."""

    package = models.ForeignKey(
        "brokerage.Package", on_delete=models.PROTECT, related_name="schedule_versions"
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    visits = models.JSONField(default=list)
    contact_hours_per_week = models.DecimalField(**HOURS)
    carer_hours_per_week = models.DecimalField(**HOURS)
    change = models.ForeignKey(
        ScheduleChange, on_delete=models.PROTECT, null=True, blank=True, related_name="versions"
    )
    created_at = models.DateTimeField()
    created_by = _user()
    history = audit_trail()

    class Meta:
        ordering = ["package_id", "effective_from", "pk"]

    def __str__(self) -> str:
        return f"Schedule of package {self.package_id} from {self.effective_from}"


class Suspension(models.Model):
    """Days with no visits planned or paid (a stay in hospital, say)."""

    package = models.ForeignKey(
        "brokerage.Package", on_delete=models.PROTECT, related_name="suspensions"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.TextField()
    created_at = models.DateTimeField()
    created_by = _user()
    history = audit_trail()

    class Meta:
        ordering = ["package_id", "start_date", "pk"]

    def __str__(self) -> str:
        return f"Package {self.package_id} suspended {self.start_date} to {self.end_date}"


class PackageEnding(models.Model):
    """Why and from when a package's care ended."""

    class Reason(models.TextChoices):
        DIED = "died", "The person died"
        RESIDENTIAL_CARE = "residential_care", "Moved into residential care"
        NO_LONGER_NEEDED = "no_longer_needed", "Care no longer needed"
        MOVED_AWAY = "moved_away", "Moved away"

    package = models.OneToOneField(
        "brokerage.Package", on_delete=models.PROTECT, related_name="ending"
    )
    ends_from = models.DateField(help_text="The first day with no care")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    created_by = _user()
    history = audit_trail()

    def __str__(self) -> str:
        return f"Package {self.package_id} ends from {self.ends_from}"
