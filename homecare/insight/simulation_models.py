"""Simulation runs: a commissioner's comparison of delivery models on the live market.

Imported by :mod:`homecare.insight.models` so Django finds it in this app. A run keeps the
exact scenario it simulated (the mapping :func:`carecore.market.load_scenario` reads), where
each part came from, its progress as the background task works, and the results of every
replication, so its figures and report can be rebuilt at any time. Writes go through
:mod:`homecare.insight.simulation_actions`; simple_history keeps each version and its author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail


class SimulationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="simulation_runs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    delivery_models = models.JSONField(default=list)  # model names, in report order
    replications = models.PositiveSmallIntegerField()
    horizon_weeks = models.PositiveSmallIntegerField()
    seed = models.PositiveBigIntegerField()
    # The scenario mapping simulated, and [{"part", "origin", "detail"}] saying where from.
    parameters = models.JSONField(default=dict)
    sources = models.JSONField(default=list)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Every replication's ReplicationResult.to_dict(), in run order (Decimal money as text).
    results = models.JSONField(default=list, blank=True)
    report_html = models.TextField(blank=True, default="")  # the report's body, to embed
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["council", "created_at"])]

    def __str__(self) -> str:
        return f"Simulation {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_done(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.progress_done * 100 // self.progress_total)
