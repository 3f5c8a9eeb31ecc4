"""What the delivery endpoints read and send: one visit log in, reconciliations out.

Times are sent as text and read by the engine exactly as a file's cells are (ISO 8601 with
an offset, or London wall-clock time such as ``2026-03-09 08:02``), so a log pushed through
the API and the same log in a file are the same log.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from homecare.api.schemas import StrictIn

Method = Literal["phone", "app", "qr", "manual"]
ExceptionCode = Literal["no_access", "cancelled_short_notice", "cancelled"]


class VisitLogIn(StrictIn):
    """An unknown key is an error, not ignored (a misspelt check_out must not pass silently)."""

    person_ref: str = Field(min_length=1, max_length=40, examples=["P-0001"])
    carer_id: str = Field(min_length=1, max_length=60, examples=["C-017"])
    check_in: str = Field(min_length=1, max_length=40, examples=["2026-03-09T08:02:00+00:00"])
    check_out: str | None = Field(None, max_length=40, examples=["2026-03-09T08:33:00+00:00"])
    method: Method
    exception_code: ExceptionCode | None = None


class VisitLogOut(Schema):
    id: int
    created: bool
    person_ref: str
    carer_id: str
    check_in: datetime
    check_out: datetime | None
    method: str
    exception_code: str | None
    approval: str


class InvoiceOut(Schema):
    number: str
    status: str
    lines: int
    total: Decimal = Field(description="Pounds, the sum of the lines")
    total_pence: int


class ReconciliationOut(Schema):
    id: int
    council: str
    period_start: date
    period_end: date
    status: str
    rules: str
    ran_at: datetime
    planned_visits: int
    planned_carer_minutes: int
    payable_carer_minutes: int
    withheld_pence: int
    outcomes: dict[str, int]
    invoice: InvoiceOut | None
