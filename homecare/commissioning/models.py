"""Zones, areas and pricing bands; rate cards and their rates; saved tender evaluations.

The rows mirror the engine's objects (``carecore.geography`` and ``carecore.pricing``); the
conversions both ways live in :mod:`homecare.commissioning.engine` and the writes in
:mod:`homecare.commissioning.actions`. Money is ``Decimal`` pounds with two places.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.db import models

from homecare.accounts.models import Organisation, audit_trail

MONEY = {"max_digits": 8, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}


class PricingBand(models.Model):
    """A band of a council's pricing scheme (e.g. URBAN, rank 0, the cheapest)."""

    scheme = models.CharField(max_length=100)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["scheme", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="band_code_once_per_scheme"),
            models.UniqueConstraint(fields=["scheme", "rank"], name="band_rank_once_per_scheme"),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A council's contract zone: its towns, its kind (large, medium, ...) and whether it has
    primes. Codes are unique within a council (two councils may both have a "north")."""

    council = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="zones",
        limit_choices_to={"kind": Organisation.Kind.COUNCIL},
    )
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    towns = models.JSONField(default=list, blank=True)
    has_prime = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages")

    class Meta:
        ordering = ["council_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["council", "code"], name="zone_code_once_per_council"),
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A place care is delivered in, with its zone (and through it its council) and band.
    Its code (an ONS code) is unique across councils. Coordinates are WGS84 degrees."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    lat = models.FloatField()
    lon = models.FloatField()
    population_65_plus = models.PositiveIntegerField()
    district = models.CharField(max_length=100)
    ons_rural_urban = models.CharField(max_length=10, blank=True, default="")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="areas")
    band = models.ForeignKey(PricingBand, on_delete=models.PROTECT, related_name="areas")

    class Meta:
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name


class RateCard(models.Model):
    """A council's named rate card; its effective-dated periods hold the rates."""

    name = models.SlugField(max_length=100, unique=True)
    # What pages call the card, in plain words; empty for cards imported from a file, whose
    # label is made from ``name``.
    title = models.CharField(max_length=200, blank=True, default="")
    council = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="rate_cards",
        limit_choices_to={"kind": Organisation.Kind.COUNCIL},
    )
    illustrative = models.BooleanField(default=False)
    source = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")
    history = audit_trail()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The card's name in plain words: its title, else its name with spaces for hyphens
        (a year range keeps its own: "leicestershire-2020-21" is "Leicestershire 2020-21")."""
        if self.title:
            return self.title
        words = re.sub(r"-(?!\d\d\b)", " ", self.name)
        return words[:1].upper() + words[1:]

    @property
    def effective_from(self) -> date | None:
        first = self.periods.order_by("effective_from").first()
        return first.effective_from if first else None

    @property
    def effective_to(self) -> date | None:
        last = self.periods.order_by("effective_from").last()
        return last.effective_to if last else None


class RatePeriod(models.Model):
    """One effective-dated version of a card: its minimum time, increment and enhancements.

    ``effective_to`` is the last day (inclusive); empty means open-ended. Percentages are of
    the one-carer base amount, as in :class:`carecore.pricing.rate_cards.Enhancements`.
    """

    class Rounding(models.TextChoices):
        UP = "up", "Up"
        NEAREST = "nearest", "Nearest"

    class Precedence(models.TextChoices):
        REPLACE = "replace", "Bank holiday uplift replaces the weekend one"
        HIGHER = "higher", "The higher of the two"
        STACK = "stack", "Both"

    card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="periods")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    minimum_billable_minutes = models.PositiveIntegerField(default=0)
    billing_increment_minutes = models.PositiveIntegerField(null=True, blank=True)
    increment_rounding = models.CharField(max_length=10, choices=Rounding.choices, default="up")
    double_handed_percent = models.DecimalField(**PERCENT, default=100)
    weekend_percent = models.DecimalField(**PERCENT, default=0)
    bank_holiday_percent = models.DecimalField(**PERCENT, default=0)
    weekend_and_bank_holiday = models.CharField(
        max_length=10, choices=Precedence.choices, default="replace"
    )
    extra_holidays = models.JSONField(default=list, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["card", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "effective_from"], name="one_period_per_start_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.card} from {self.effective_from}"


class BandRate(models.Model):
    """Pounds per contact hour for one band in one period of a card."""

    period = models.ForeignKey(RatePeriod, on_delete=models.CASCADE, related_name="rates")
    band = models.CharField(max_length=40)
    hourly_rate = models.DecimalField(**MONEY)
    position = models.PositiveSmallIntegerField(default=0)
    history = audit_trail()

    class Meta:
        ordering = ["period", "position"]
        constraints = [models.UniqueConstraint(fields=["period", "band"], name="one_rate_per_band")]

    def __str__(self) -> str:
        return f"{self.band}: £{self.hourly_rate}"


class TenderEvaluation(models.Model):
    """A tender evaluation a commissioner ran: the files as uploaded and what came out.

    The bids file and the rules are kept so the evaluation can be explained later; the result
    is kept as JSON (for the page) and as the workbook that was offered for download, so a
    re-download gives exactly what was seen the first time.
    """

    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tender_evaluations"
    )
    title = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tender_evaluations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    bids_file_name = models.CharField(max_length=255)
    bids_content = models.BinaryField()
    rules_file_name = models.CharField(max_length=255, blank=True, default="")
    rules_text = models.TextField()
    result = models.JSONField()
    result_xlsx = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"Tender evaluation {self.pk}"


# The market (providers, frameworks, appointments) lives in its own module to keep each under
# ~500 lines; importing it here is what makes Django see its models in this app.
from homecare.commissioning.market_models import (  # noqa: E402, F401
    Appointment,
    AppointmentBandRate,
    CapacityDeclaration,
    Framework,
    FrameworkApplication,
    Lot,
    Provider,
    Tier,
)
from homecare.commissioning.travel_models import TravelCalibration  # noqa: E402, F401
