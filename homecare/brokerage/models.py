"""People (pseudonymised), packages of care and their visits, requests, offers and placements.

A person is a reference, an area, a funding stream and a cohort: nothing else that could
identify them is stored here. A package's hours per week are derived by the engine from its
visits and stored only so lists can sort and sum them; they are never typed. Every write goes
through :mod:`homecare.brokerage.actions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from homecare.accounts.models import audit_trail
from homecare.commissioning.models import MONEY, Tier

if TYPE_CHECKING:
    from carecore.brokerage import PackageSpec

HOURS = {"max_digits": 8, "decimal_places": 2}


class Funding(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS_CHC = "nhs_chc", "NHS continuing healthcare"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    JOINT = "joint", "Joint-funded (council and NHS)"


class Cohort(models.TextChoices):
    OLDER_PEOPLE = "older_people", "Older people"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"


class Source(models.TextChoices):
    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    COMMUNITY = "community", "Community"
    REABLEMENT_STEP_DOWN = "reablement_step_down", "Reablement step-down"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class State(models.TextChoices):
    # The values are carecore.brokerage.RequestState's; the engine decides the transitions.
    REQUESTED = "requested", "Requested"
    OFFERED = "offered", "Offered"
    PLACED = "placed", "Placed"
    STARTED = "started", "Started"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"
    TRANSFERRED = "transferred", "Transferred"


LIVE_STATES = (State.REQUESTED, State.OFFERED, State.PLACED, State.STARTED, State.SUSPENDED)
WAITING_STATES = (State.REQUESTED, State.OFFERED)


class Person(models.Model):
    """A person a council arranges care for: the council's, known by the council's reference.

    References are unique within a council only: two councils' case-management systems may
    both have a "P-1001", and each is that council's own person (see
    :mod:`homecare.brokerage.people`).
    """

    council = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="people",
        limit_choices_to={"kind": "council"},
    )
    reference = models.CharField(max_length=40, help_text="A pseudonymised reference")
    area = models.ForeignKey("commissioning.Area", on_delete=models.PROTECT, related_name="+")
    funding = models.CharField(max_length=20, choices=Funding.choices)
    # For a joint-funded person: the NHS's share of each visit's cost, in percent.
    nhs_share_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    cohort = models.CharField(max_length=30, choices=Cohort.choices)
    history = audit_trail()

    class Meta:
        ordering = ["reference", "council_id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="person_reference_once_per_council"
            ),
            models.CheckConstraint(
                condition=~models.Q(funding="joint")
                | models.Q(nhs_share_percent__gt=0, nhs_share_percent__lt=100),
                name="joint_funding_has_a_share",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Package(models.Model):
    """A package of care: a weekly schedule of visits for a person, and its needs."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="packages")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=30, choices=Source.choices)
    priority = models.CharField(max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    needs = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    # Derived by the engine from the visits (PackageSpec), never typed.
    contact_hours_per_week = models.DecimalField(**HOURS, default=0, editable=False)
    carer_hours_per_week = models.DecimalField(**HOURS, default=0, editable=False)
    created_at = models.DateTimeField()
    history = audit_trail()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Package {self.pk} for {self.person}"

    def to_spec(self) -> PackageSpec:
        """The engine's view of this package (queries its person, area and visits)."""
        from homecare.brokerage.engine import package_spec

        return package_spec(self)


class Visit(models.Model):
    """One weekly visit: day (0 Monday to 6 Sunday), a start window, minutes, carers."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="visits")
    day = models.PositiveSmallIntegerField()
    window_start = models.TimeField()
    window_minutes = models.PositiveSmallIntegerField(default=30)
    minutes = models.PositiveSmallIntegerField()
    carers = models.PositiveSmallIntegerField(default=1)
    critical = models.BooleanField(default=False)

    class Meta:
        ordering = ["package_id", "day", "window_start"]

    def __str__(self) -> str:
        return f"day {self.day} {self.window_start:%H:%M} {self.minutes} min x{self.carers}"


class BrokerageRequest(models.Model):
    """Placing one package through one framework; its state follows the engine's machine."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="requests")
    framework = models.ForeignKey(
        "commissioning.Framework", on_delete=models.PROTECT, related_name="requests"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state_changed_at = models.DateTimeField()
    round_number = models.PositiveSmallIntegerField(default=0)
    needs_spot_purchase = models.BooleanField(default=False)
    placed_provider = models.ForeignKey(
        "commissioning.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placed_requests",
    )
    placed_rate = models.DecimalField(**MONEY, null=True, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    # The "Send offers" press that made it: a second press of the same answers (a double
    # click, two tabs, the back button) finds this request instead of making another.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"Request {self.pk} ({self.state})"


class RequestTransition(models.Model):
    """Every change of a request's state: from, to, when, by whom and why."""

    request = models.ForeignKey(
        BrokerageRequest, on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["request_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state} at {self.at:%Y-%m-%d %H:%M}"


class Offer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    request = models.ForeignKey(BrokerageRequest, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="offers"
    )
    round_number = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=20, choices=Tier.choices)
    kind = models.CharField(max_length=40, blank=True, default="")
    closes_on_first_accept = models.BooleanField(default=True)
    sent_at = models.DateTimeField()
    deadline = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, default="")
    bid_rate = models.DecimalField(**MONEY, null=True, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["request_id", "round_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round_number", "provider"], name="one_offer_per_round"
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"Offer {self.pk} to {self.provider} ({self.status})"


class Placement(models.Model):
    """A request placed with a provider at a rate. One per request, one live per package."""

    request = models.OneToOneField(
        BrokerageRequest, on_delete=models.PROTECT, related_name="placement"
    )
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="placements")
    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="placements"
    )
    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="placement"
    )
    rate = models.DecimalField(**MONEY)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, default="")
    ended_at = models.DateTimeField(null=True, blank=True)
    history = audit_trail()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            # The database itself refuses a second live placement of one package, whatever
            # the code above it does (two accepts racing, a transfer gone wrong).
            models.UniqueConstraint(
                fields=["package"],
                condition=models.Q(ended_at__isnull=True),
                name="one_live_placement_per_package",
            )
        ]

    def __str__(self) -> str:
        return f"{self.package} with {self.provider} at £{self.rate}"


# A package's life after placement (schedule versions, changes, suspensions, endings).
from homecare.brokerage.package_models import (  # noqa: E402, F401
    PackageEnding,
    ScheduleChange,
    ScheduleVersion,
    Suspension,
)
