"""What the brokerage endpoints read and send.

The choices (funding, cohort, source, priority, state) are the models' own, so the OpenAPI
document lists them and a wrong one is a 400 naming the field before anything is read.
An offer's shapes carry no person reference: a provider learns who the person is only once
the package is placed with it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

from homecare.api.schemas import Day, Id, StrictIn
from homecare.brokerage.bids import MAX_BID_RATE

__all__ = ["StrictIn"]  # the base of every body schema, kept importable from here

Funding = Literal["council", "nhs_chc", "direct_payment", "joint"]
Cohort = Literal["older_people", "learning_disability", "mental_health", "physical_disability"]
Source = Literal["hospital_discharge", "community", "reablement_step_down"]
Priority = Literal["urgent", "high", "normal"]
StateName = Literal[
    "requested", "offered", "placed", "started", "suspended", "ended", "withdrawn", "transferred"
]

# Money and hours in, as the document describes them: a decimal string with at most two
# places ("18.60"). pydantic's own Decimal schema allows any string at all, which a client
# generator (or schemathesis) would take at its word.
Pounds = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(?:[1-9][0-9]{0,5}(?:\.[0-9]{1,2})?|0\.(?:[1-9][0-9]?|0[1-9]))$",
            "examples": ["18.60"],
        }
    ),
]
# A joint-funded person's NHS share in percent: more than 0, less than 100, to two places.
Share = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(?:[1-9][0-9]?(?:\.[0-9]{1,2})?|0\.(?:[1-9][0-9]?|0[1-9]))$",
            "examples": ["40", "37.5"],
        }
    ),
]
SHARE_TEXT = (
    "for joint funding only (required then, refused otherwise): the NHS's share of each "
    "visit's cost in percent, more than 0 and less than 100, to two decimal places; the "
    "council pays the rest"
)
Hours = Annotated[
    Decimal,
    WithJsonSchema(
        {"type": "string", "pattern": r"^[0-9]{1,6}(?:\.[0-9]{1,2})?$", "examples": ["40.5"]}
    ),
]


MINUTES_A_DAY = 1440
Need = Annotated[str, Field(min_length=1, max_length=60)]

# --- in -----------------------------------------------------------------------------------


class VisitIn(StrictIn):
    """One weekly visit. The engine checks each value and the overlaps, naming
    ``visits[i].field``."""

    day: int = Field(ge=0, le=6, description="0 Monday to 6 Sunday")
    window_start: str = Field(
        min_length=1, max_length=8, description="earliest arrival, 24-hour clock: 07:30"
    )
    window_minutes: int = Field(
        30, ge=0, le=MINUTES_A_DAY, description="how much later the carer may arrive"
    )
    minutes: int = Field(ge=1, le=MINUTES_A_DAY, description="minutes of care, more than 0")
    carers: int = Field(1, ge=1, le=2, description="1 or 2")
    critical: bool = Field(False, description="a time-critical call that must not move")


class RequestIn(StrictIn):
    person_reference: str = Field(
        min_length=1,
        max_length=40,
        description="the council's pseudonymised reference, in the council's format (e.g. "
        "P-004512); a name or an address is refused with 422",
    )
    area_code: str = Field(min_length=1, max_length=40, description="e.g. an LSOA code")
    funding: Funding
    nhs_share_percent: Share | None = Field(
        None, gt=0, lt=100, max_digits=5, decimal_places=2, description=SHARE_TEXT
    )
    cohort: Cohort
    source: Source
    priority: Priority = "normal"
    start_date: Day
    needs: list[Need] = Field(default_factory=list, max_length=50)
    visits: list[VisitIn] = Field(min_length=1, max_length=100)
    framework_id: Id | None = Field(
        None, description="the council's framework; by default its framework covering the zone"
    )


class AcceptIn(StrictIn):
    bid_rate: Pounds | None = Field(
        None,
        gt=0,
        le=MAX_BID_RATE,
        max_digits=8,
        decimal_places=2,
        description=(
            f"pounds an hour, more than 0 and at most {MAX_BID_RATE}, to the penny; required "
            "for a bid (mini-competition), refused otherwise"
        ),
    )


class DeclineIn(StrictIn):
    reason: str = Field(min_length=1, max_length=2000)


class CapacityIn(StrictIn):
    zone: str = Field(min_length=1, max_length=40, description="a zone code")
    week_starting: Day = Field(description="a Monday")
    free_hours: Hours = Field(ge=0, max_digits=8, decimal_places=2)


# --- out ----------------------------------------------------------------------------------


class VisitOut(Schema):
    day: int
    window_start: str
    window_minutes: int
    minutes: int
    carers: int
    critical: bool


class RequestCreatedOut(Schema):
    id: int
    state: StateName
    round_number: int
    hours_per_week: Decimal = Field(description="the person's contact hours a week")
    carer_hours_per_week: Decimal = Field(description="a double-handed visit counts twice")
    needs_spot_purchase: bool


class OfferSummaryOut(Schema):
    round_number: int
    tier: str
    provider: str
    status: str
    sent_at: datetime
    deadline: datetime
    answered_at: datetime | None
    reason: str
    bid_rate: Decimal | None


class OfferCountsOut(Schema):
    sent: int
    open: int
    accepted: int
    declined: int
    expired: int
    withdrawn: int


class RequestOut(Schema):
    id: int
    person_reference: str
    area_code: str
    zone: str
    band: str
    funding: Funding
    nhs_share_percent: Decimal | None = Field(
        description="a joint-funded person's NHS share in percent; null for any other funding"
    )
    state: StateName
    state_changed_at: datetime
    created_at: datetime
    framework_id: int
    round_number: int
    needs_spot_purchase: bool
    hours_per_week: Decimal
    carer_hours_per_week: Decimal
    start_date: date
    offer_counts: OfferCountsOut
    offers: list[OfferSummaryOut]
    placed_provider: str | None
    placed_rate: Decimal | None
    placed_at: datetime | None


class RequestListItemOut(Schema):
    """Read straight from a request row (its package, person and area joined)."""

    id: int
    state: StateName
    zone: str
    band: str
    funding: Funding
    nhs_share_percent: Decimal | None
    source: Source
    priority: Priority
    round_number: int
    hours_per_week: Decimal
    created_at: datetime
    state_changed_at: datetime
    placed_provider: str | None

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.package.person.area.zone.code)

    @staticmethod
    def resolve_band(obj: Any) -> str:
        return str(obj.package.person.area.band.code)

    @staticmethod
    def resolve_funding(obj: Any) -> str:
        return str(obj.package.person.funding)

    @staticmethod
    def resolve_nhs_share_percent(obj: Any) -> Decimal | None:
        share = obj.package.person.nhs_share_percent
        return None if share is None else Decimal(share)

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return str(obj.package.source)

    @staticmethod
    def resolve_priority(obj: Any) -> str:
        return str(obj.package.priority)

    @staticmethod
    def resolve_hours_per_week(obj: Any) -> Decimal:
        return Decimal(obj.package.contact_hours_per_week)

    @staticmethod
    def resolve_placed_provider(obj: Any) -> str | None:
        return obj.placed_provider.name if obj.placed_provider_id else None


class OfferOut(Schema):
    """An open offer as its provider sees it: where, when and what, never who."""

    id: int
    round_number: int
    tier: str
    kind: Literal["offer", "bid"]
    closes_on_first_accept: bool
    sent_at: datetime
    deadline: datetime
    area_code: str
    zone: str
    band: str
    cohort: Cohort
    funding: Funding
    source: Source
    priority: Priority
    start_date: date
    needs: list[str]
    schedule: str
    visits: list[VisitOut]
    hours_per_week: Decimal
    carer_hours_per_week: Decimal


class PackageOut(Schema):
    """A package placed with the provider: now it may know whose it is."""

    id: int
    person_reference: str
    area_code: str
    zone: str
    band: str
    cohort: Cohort
    status: StateName
    start_date: date
    needs: list[str]
    schedule: str
    visits: list[VisitOut]
    hours_per_week: Decimal
    carer_hours_per_week: Decimal
    rate: Decimal
    placed_at: datetime


class AnswerOut(Schema):
    offer_id: int
    status: str
    placed: bool = Field(description="true when this answer placed the package with you")
    package: PackageOut | None = None


class CapacityOut(Schema):
    zone: str
    week_starting: date
    free_hours: Decimal
    declared_at: datetime
