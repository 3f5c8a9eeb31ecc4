"""What the API sends: plain shapes, money as decimal strings ("18.60"), dates ISO 8601."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema


class FieldError(Schema):
    field: str
    location: str
    message: str


class ErrorOut(Schema):
    """Every error: ``detail`` in words (naming the field when there is one) and, for bad
    input, one entry per field."""

    detail: str
    errors: list[FieldError] = []


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str


class WhoAmIOut(Schema):
    organisation: OrganisationOut
    token_name: str
    token_prefix: str
    acting_as: str = Field(
        description="the token's service user: the username the audit trail records its "
        "actions under"
    )


class BandAreasOut(Schema):
    code: str
    name: str
    area_count: int


class ZoneOut(Schema):
    code: str
    name: str
    kind: str
    has_prime: bool
    towns: list[str]
    area_count: int
    bands: list[BandAreasOut]


class BandRateOut(Schema):
    band: str
    hourly_rate: Decimal


class RatePeriodOut(Schema):
    effective_from: date
    effective_to: date | None
    minimum_billable_minutes: int
    billing_increment_minutes: int | None
    rates: list[BandRateOut]


class RateCardOut(Schema):
    id: int
    name: str
    council: str
    illustrative: bool
    periods: list[RatePeriodOut]
