"""The market: providers, frameworks with lots, appointments, capacity and applications.

Imported by :mod:`homecare.commissioning.models` so Django finds them in this app. Every write
goes through :mod:`homecare.commissioning.market_actions`; the snapshot the allocation
policies read is built there too (``market_snapshot``). Money is ``Decimal`` pounds per hour.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from homecare.accounts.models import Organisation, audit_trail

MONEY = {"max_digits": 8, "decimal_places": 2}
HOURS = {"max_digits": 8, "decimal_places": 2}
TERM_PATTERN = re.compile(r"^\s*(\d+)\s*((?:\+\s*\d+\s*)*)$")

cqc_location_id = RegexValidator(
    r"^1-\d+$", "a CQC location ID is 1- followed by digits, e.g. 1-123456789"
)


def parse_term(term: str) -> tuple[int, tuple[int, ...]]:
    """ "3+1+1" as (3, (1, 1)): the initial years and each optional extension in years."""
    match = TERM_PATTERN.match(term or "")
    if not match:
        raise ValidationError(
            {"term": f"a term is years plus extensions, e.g. 3+1+1; got {term!r}"}
        )
    initial = int(match.group(1))
    extensions = tuple(int(part) for part in match.group(2).split("+") if part.strip())
    if initial < 1 or any(years < 1 for years in extensions):
        raise ValidationError({"term": "each part of a term is at least one year"})
    return initial, extensions


class Tier(models.TextChoices):
    # The values are carecore.brokerage.Tier's, so a row maps to the engine without a table.
    PRIME = "prime", "Prime / lead"
    SUPPLEMENTARY = "supplementary", "Supplementary / secondary"
    BACK_UP = "back_up", "Back-up"
    SPECIALIST = "specialist", "Specialist"
    SPOT = "spot", "Contingency / spot"


QUALITY = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    "help_text": "0 to 100, set by the council",
}


class Provider(models.Model):
    """A care provider; its users belong to ``organisation``. Providers serve several councils:
    each council's judgement of one (status, quality score) is its :class:`ProviderStanding`.

    ``quality_score``, ``status`` and ``status_reason`` here are only the provider's defaults,
    which a council's standing starts from when the provider is first appointed to one of its
    frameworks; no council's action writes them.
    """

    class Rating(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        NOT_YET_RATED = "not_yet_rated", "Not yet rated"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        EXITED = "exited", "Exited"

    name = models.CharField(max_length=200, unique=True)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="provider",
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    cqc_location_id = models.CharField(
        "CQC location ID", max_length=20, blank=True, default="", validators=[cqc_location_id]
    )
    cqc_rating = models.CharField(
        "CQC rating", max_length=30, choices=Rating.choices, default=Rating.NOT_YET_RATED
    )
    quality_score = models.DecimalField(**QUALITY, default=Decimal("0"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True, default="")
    history = audit_trail()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderStanding(models.Model):
    """One council's standing of one provider: its status (active, suspended, exited) with
    the reason, and the quality score the council gives it. A council's change of status acts
    on that council's appointments and placements alone (``set_provider_status``)."""

    council = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="provider_standings",
        limit_choices_to={"kind": Organisation.Kind.COUNCIL},
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="standings")
    status = models.CharField(
        max_length=20, choices=Provider.Status.choices, default=Provider.Status.ACTIVE
    )
    status_reason = models.TextField(blank=True, default="")
    quality_score = models.DecimalField(**QUALITY, default=Decimal("0"))
    history = audit_trail()

    class Meta:
        ordering = ["council_id", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "provider"], name="one_standing_per_council_and_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} at {self.council}: {self.status}"


class Framework(models.Model):
    """A council's framework (or dynamic purchasing system) and its allocation policy.

    ``policy_settings`` is the mapping ``carecore.brokerage.load_policy`` reads, with ``kind``
    kept in its own column; ``term`` is "initial+extension+..." in years.
    """

    class PolicyKind(models.TextChoices):
        PRIME_CASCADE = "prime_cascade", "Prime cascade"
        OPEN_FRAMEWORK = "open_framework", "Open framework"
        LEAD_BLOCK = "lead_block", "Lead provider with block hours"
        MINI_COMPETITION = "mini_competition", "Mini-competition"

    council = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="frameworks",
        limit_choices_to={"kind": Organisation.Kind.COUNCIL},
    )
    name = models.CharField(max_length=200)
    policy_kind = models.CharField(max_length=40, choices=PolicyKind.choices)
    policy_settings = models.JSONField(default=dict, blank=True)
    start_date = models.DateField()
    term = models.CharField(max_length=40, default="3+1+1")
    open_to_new_providers = models.BooleanField(default=False)
    # The card whose minimum time, increments and weekend, bank-holiday and double-handed
    # enhancements apply to the framework's placements; with ``pay_at_card`` its band rate
    # in force on each day replaces the placement's tendered rate.
    rate_card = models.ForeignKey(
        "commissioning.RateCard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frameworks",
    )
    pay_at_card = models.BooleanField(default=False)
    history = audit_trail()

    class Meta:
        ordering = ["council_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="framework_name_per_council")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def initial_years(self) -> int:
        return parse_term(self.term)[0]

    @property
    def extension_years(self) -> tuple[int, ...]:
        return parse_term(self.term)[1]

    def policy_mapping(self) -> dict[str, object]:
        """What ``load_policy`` reads: the settings with the kind."""
        return {**self.policy_settings, "kind": self.policy_kind}


class Lot(models.Model):
    class Kind(models.TextChoices):
        GEOGRAPHIC = "geographic", "Geographic"
        BACK_UP = "back_up", "Back-up"
        SPECIALIST = "specialist", "Specialist"
        NHS_CHC = "nhs_chc", "NHS continuing healthcare"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="lots")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GEOGRAPHIC)
    zones = models.ManyToManyField("commissioning.Zone", related_name="lots", blank=True)

    class Meta:
        ordering = ["framework_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="lot_code_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Appointment(models.Model):
    """A provider's place in a lot: tier, rank (1 first) and tendered rates.

    ``hourly_rate`` is a single rate; band rates (child rows) override it per band.
    ``block_hours_per_week`` is a guaranteed block (lead provider model), 0 when none.
    ``cohorts`` empty means every cohort. An ended appointment keeps its row and history.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="appointments")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="appointments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    rank = models.PositiveIntegerField(default=1)
    hourly_rate = models.DecimalField(**MONEY, null=True, blank=True)
    block_hours_per_week = models.DecimalField(**HOURS, default=Decimal("0"))
    cohorts = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    history = audit_trail()

    class Meta:
        ordering = ["framework_id", "lot_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "provider"], name="one_appointment_per_lot"),
            models.CheckConstraint(
                condition=models.Q(block_hours_per_week__gte=0), name="block_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} in {self.lot} ({self.tier} {self.rank})"


class AppointmentBandRate(models.Model):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="rates")
    band = models.CharField(max_length=40)
    hourly_rate = models.DecimalField(**MONEY)
    history = audit_trail()

    class Meta:
        ordering = ["appointment_id", "band"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "band"], name="one_appointment_rate_per_band"
            )
        ]

    def __str__(self) -> str:
        return f"{self.band}: £{self.hourly_rate}"


class CapacityDeclaration(models.Model):
    """Free hours a provider says it has in a zone for a week (Monday start).

    Rows are never updated: a new declaration for the same week supersedes the old, so the
    history of what was declared when is the table itself.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="capacity")
    zone = models.ForeignKey("commissioning.Zone", on_delete=models.CASCADE, related_name="+")
    week_starting = models.DateField()
    free_hours = models.DecimalField(**HOURS, validators=[MinValueValidator(Decimal("0"))])
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["provider_id", "zone_id", "week_starting", "-declared_at", "-pk"]
        indexes = [models.Index(fields=["week_starting", "provider", "zone"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.zone} w/c {self.week_starting}: {self.free_hours} h"


class FrameworkApplication(models.Model):
    """A provider asking to join an open framework (a dynamic purchasing system)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="applications")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="applications")
    lots = models.ManyToManyField(Lot, related_name="applications")
    hourly_rate = models.DecimalField(**MONEY, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    reason = models.TextField(blank=True, default="")
    applied_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = audit_trail()

    class Meta:
        ordering = ["-applied_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} → {self.framework} ({self.status})"
