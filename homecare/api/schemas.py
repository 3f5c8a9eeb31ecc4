"""What the API sends: plain shapes, money as decimal strings ("18.60"), dates ISO 8601."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, field_validator

from carecore.errors import InputError
from homecare.accounts import bounds


# A calendar day within the years the service keeps (the forms' bounds, too).
def _calendar_day(value: Any) -> Any:
    """Only a calendar date, ``2026-03-09``: not a count of seconds, not a date and time."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("enter a date as year-month-day, for example 2026-03-09")
    return value


Day = Annotated[
    date, BeforeValidator(_calendar_day), Field(ge=bounds.EARLIEST_DAY, le=bounds.LATEST_DAY)
]
# A database id: a 30-digit number is refused before it reaches a query.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _check_texts(value: Any) -> Any:
    """Every string in ``value`` (a string, or a list or dict of them) free of control
    characters; a ``ValueError`` (pydantic's 400 naming the field) otherwise."""
    if isinstance(value, str):
        bounds.check_text(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_texts(key)
            _check_texts(item)
    return value


class StrictIn(Schema):
    """What a client sends: an unknown key is an error, not ignored (a typo or a derived
    value such as ``hours_per_week`` must not pass silently), and no text holds a control
    character (a NUL is refused by PostgreSQL and breaks the files made from it)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        try:
            return _check_texts(value)
        except InputError as exc:
            raise ValueError(exc.message) from None


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
