"""The records information governance keeps about itself: who exported a person's records,
which people were anonymised, and what each run of the retention rules did.

Writes go through :mod:`homecare.governance.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail

USER = settings.AUTH_USER_MODEL


class SubjectAccessExport(models.Model):
    """One archive of everything held about one person, and who made it when."""

    council = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "brokerage.Person", on_delete=models.PROTECT, related_name="subject_access_exports"
    )
    exported_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField()
    records = models.PositiveIntegerField("records in the archive", default=0)
    size_bytes = models.PositiveBigIntegerField("size in bytes", default=0)
    sha256 = models.CharField("fingerprint of the archive", max_length=64, default="")
    history = audit_trail()

    class Meta:
        ordering = ["-exported_at", "-pk"]
        verbose_name = "subject-access export"

    def __str__(self) -> str:
        return f"Export of {self.person} on {self.exported_at:%d %b %Y %H:%M}"


class RetentionRun(models.Model):
    """One application of the retention rules: when, as of when, and the report per rule."""

    ran_at = models.DateTimeField()
    as_of = models.DateTimeField(help_text="The time the rules measured ages from")
    ran_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"rule": ..., "title": ..., "cutoff": iso, "count": n, "oldest": iso or None}, ...]
    report = models.JSONField(default=list)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run of {self.ran_at:%d %b %Y %H:%M}"


class AnonymisedPerson(models.Model):
    """A person whose reference and free text were replaced under the retention rule."""

    person = models.OneToOneField(
        "brokerage.Person", on_delete=models.PROTECT, related_name="anonymised"
    )
    anonymised_at = models.DateTimeField()
    last_service = models.DateField(help_text="The last day of service the rule measured from")
    run = models.ForeignKey(
        RetentionRun, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    history = audit_trail()

    class Meta:
        ordering = ["-anonymised_at", "-pk"]
        verbose_name = "anonymised person"

    def __str__(self) -> str:
        return f"{self.person} anonymised on {self.anonymised_at:%d %b %Y}"
