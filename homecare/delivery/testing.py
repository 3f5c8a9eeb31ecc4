"""Test helpers: a provider with packages placed and started, and files of visit logs.

Built on :mod:`homecare.brokerage.testing` (one framework in west-leicester, providers
"Prime 1 (test)"... at £20.00 an hour). The period used is the four weeks from Monday
9 March 2026, when the test packages start.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from homecare.brokerage.testing import LONDON, NOW, make_request
from homecare.commissioning.models import Provider
from homecare.delivery.reading import logs_csv

PERIOD_START = date(2026, 3, 9)  # a Monday
RATE = Decimal("20.00")


def place_package(
    framework: Any,
    person_ref: str,
    provider_name: str = "Prime 1 (test)",
    *,
    visits: str = "Daily 08:00 30m",
    rate: Decimal = RATE,
    start: bool = True,
) -> Any:
    """A request for ``person_ref`` placed by hand with the provider (and started)."""
    from homecare.brokerage import actions, lifecycle

    request = make_request(framework, person_ref, visits=visits)
    provider = Provider.objects.get(name=provider_name)
    placement = actions.place_manually(
        request, provider, reason="test", rate=rate, now=NOW, acting_user=None
    )
    if start:
        lifecycle.start_package(request.package, at=NOW, acting_user=None)
    return placement


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """London time on day ``day`` (1 is Monday 9 March 2026) of the test period."""
    return datetime(2026, 3, 8 + day, hour, minute, tzinfo=LONDON)


def log_row(
    provider: Any,
    person_ref: str,
    check_in: datetime,
    minutes: int,
    *,
    carer: str = "C1",
    method: str = "app",
    code: str = "",
) -> dict[str, str]:
    """One row of a file in the call-monitoring layout."""
    from datetime import timedelta

    return {
        "provider_ref": provider.organisation.slug,
        "person_ref": person_ref,
        "carer_id": carer,
        "check_in": check_in.strftime("%Y-%m-%d %H:%M"),
        "check_out": (check_in + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M"),
        "method": method,
        "exception_code": code,
    }


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] | None = None) -> bytes:
    """A CSV file of ``rows`` (columns from the first row, else the call-monitoring layout)."""
    return logs_csv(rows, columns)


def provider_persona(provider: Any, username: str) -> Any:
    from homecare.accounts import actions
    from homecare.conftest import PASSWORD

    return actions.create_persona(
        username,
        password=PASSWORD,
        organisation=provider.organisation,
        role="provider",
        acting_user=None,
    )
