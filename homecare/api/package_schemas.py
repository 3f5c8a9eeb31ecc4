"""What the package endpoints read and send: a package after placement, its schedules,
changes, suspensions and ending. Dates are London calendar days, inclusive."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from homecare.accounts.bounds import EARLIEST_DAY, LATEST_DAY
from homecare.api.brokerage_schemas import StateName, StrictIn, VisitIn, VisitOut

EndReason = Literal["died", "residential_care", "no_longer_needed", "moved_away"]
ChangeKind = Literal["variation", "review"]
ChangeStatus = Literal["awaiting_provider", "awaiting_council", "applied", "rejected", "declined"]


def day_field(description: str, default: object = ...) -> object:
    return Field(default, ge=EARLIEST_DAY, le=LATEST_DAY, description=description)


# --- in -----------------------------------------------------------------------------------


class ScheduleIn(StrictIn):
    effective_from: date = day_field("the first day of the new schedule")
    visits: list[VisitIn] = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=2000)


class AnswerIn(StrictIn):
    accepted: bool = Field(description="the provider takes on the extra hours")
    reason: str = Field("", max_length=2000, description="required when declining")


class DecisionIn(StrictIn):
    approved: bool = Field(description="the council approves the provider's review")
    reason: str = Field("", max_length=2000, description="required when rejecting")


class SuspensionIn(StrictIn):
    start_date: date = day_field("the first day with no visits")
    end_date: date = day_field("the last day with no visits")
    reason: str = Field(min_length=1, max_length=2000)


class EndingIn(StrictIn):
    ends_from: date = day_field("the first day with no care")
    reason: EndReason
    note: str = Field("", max_length=2000)


# --- out ----------------------------------------------------------------------------------


class VersionOut(Schema):
    effective_from: date
    effective_to: date | None
    carer_hours_per_week: Decimal
    contact_hours_per_week: Decimal
    visits: list[VisitOut]


class ChangeOut(Schema):
    id: int
    package_id: int
    kind: ChangeKind
    status: ChangeStatus
    effective_from: date
    carer_hours_before: Decimal
    carer_hours_after: Decimal
    reason: str
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str
    new_request_id: int | None = Field(description="the request re-brokering the package")
    visits: list[VisitOut]


class SuspensionOut(Schema):
    id: int
    start_date: date
    end_date: date
    reason: str


class EndingOut(Schema):
    ends_from: date
    reason: EndReason
    note: str


class PlacementOut(Schema):
    provider: str
    rate: Decimal
    placed_at: datetime
    ended_at: datetime | None


class PackageOut(Schema):
    id: int
    person_reference: str
    status: StateName
    start_date: date
    end_date: date | None
    on: date = Field(description="the day the hours below are in force")
    carer_hours_per_week: Decimal
    contact_hours_per_week: Decimal
    suspended: bool
    schedules: list[VersionOut]
    changes: list[ChangeOut]
    suspensions: list[SuspensionOut]
    placements: list[PlacementOut]
    ending: EndingOut | None


class PlannedVisitOut(Schema):
    start: datetime
    minutes: int
    carers: int
    critical: bool
    bank_holiday: bool
    provider: str
