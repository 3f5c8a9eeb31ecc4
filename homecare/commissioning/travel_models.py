"""Travel calibrations: carers' rounds routed over a week of visits, and what they imply.

Imported by :mod:`homecare.commissioning.models` so Django finds it in this app. A run routes
either a synthetic market at full scale (the demo: no real schedules needed) or the council's
placed packages, and keeps the engine's report (travel per band, the prices it implies beside
the rate card, carbon) and the rounds of one day for the map, so its page can be shown again
without routing anything. Writes go through :mod:`homecare.commissioning.travel_actions`;
simple_history keeps each version and its author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail


class TravelCalibration(models.Model):
    class Source(models.TextChoices):
        DEMO = "demo", "A synthetic market at full scale"
        LIVE = "live", "The packages placed with providers now"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="travel_calibrations"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    people = models.PositiveIntegerField(null=True, blank=True)  # synthetic people (demo only)
    seconds_per_visit = models.FloatField()  # the solver's time for each visit of a day
    seed = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)  # routing problems solved
    progress_total = models.PositiveIntegerField(default=0)
    # The rate card the derived prices were set beside ("" when the council has none).
    rate_card = models.CharField(max_length=200, blank=True, default="")
    # carecore.rostering.travel_report.build_travel_report's dict (money as text).
    report = models.JSONField(default=dict, blank=True)
    # The map day's rounds: DayRounds as dicts (provider, zone, day, paths, late_visits).
    maps = models.JSONField(default=list, blank=True)
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
        return f"Travel calibration {self.pk} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent_done(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.progress_done * 100 // self.progress_total)
