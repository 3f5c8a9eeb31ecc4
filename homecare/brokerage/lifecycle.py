"""A package's life after placement: transfers, re-brokering, withdrawal, start, suspension, end.

Named verb_noun, each in a transaction, each taking ``acting_user`` (``None``: the system).
Placing itself (rounds of offers, answers, manual placement) is in
:mod:`homecare.brokerage.actions`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from carecore.errors import InputError
from homecare.brokerage.actions import place_manually
from homecare.brokerage.models import (
    LIVE_STATES,
    BrokerageRequest,
    Package,
    State,
)
from homecare.brokerage.steps import (
    audited,
    end_placement,
    locked,
    move,
    new_request,
    withdraw_open_offers,
)
from homecare.commissioning.models import Provider


def current_request(package: Package) -> BrokerageRequest:
    request = package.requests.filter(state__in=LIVE_STATES).order_by("-pk").first()
    if request is None:
        raise InputError(f"package {package.pk} has no live request", key="package")
    return request


@transaction.atomic
def transfer_package(
    package: Package,
    to_provider: Provider,
    *,
    reason: str,
    rate: Decimal | None = None,
    now: datetime,
    acting_user: Any,
) -> BrokerageRequest:
    """Move a placed or running package to another provider: the old request is
    ``transferred``, a new one is placed with ``to_provider`` (and started if care had)."""
    old = locked(current_request(package).pk)
    was_started = old.state in (State.STARTED, State.SUSPENDED)
    move(old, State.TRANSFERRED, at=now, acting_user=acting_user, reason=reason)
    end_placement(old, now, acting_user)
    new = new_request(package, old.framework, now=now, acting_user=acting_user)
    place_manually(new, to_provider, reason=reason, rate=rate, now=now, acting_user=acting_user)
    new = locked(new.pk)
    if was_started:
        move(new, State.STARTED, at=now, acting_user=acting_user, reason="care carries on")
    return new


@transaction.atomic
def withdraw_request(
    request: BrokerageRequest, *, reason: str, now: datetime, acting_user: Any
) -> BrokerageRequest:
    request = locked(request.pk)
    move(request, State.WITHDRAWN, at=now, acting_user=acting_user, reason=reason)
    end_placement(request, now, acting_user)
    withdraw_open_offers(request, acting_user)
    return request


def _step(package: Package, target: str, *, reason: str, at: datetime, acting_user: Any) -> Any:
    request = locked(current_request(package).pk)
    move(request, target, at=at, acting_user=acting_user, reason=reason)
    return request


@transaction.atomic
def start_package(package: Package, *, at: datetime, acting_user: Any, reason: str = "") -> Any:
    """The first visit happened (or care resumed after a suspension)."""
    return _step(package, State.STARTED, reason=reason, at=at, acting_user=acting_user)


@transaction.atomic
def suspend_package(package: Package, *, reason: str, at: datetime, acting_user: Any) -> Any:
    return _step(package, State.SUSPENDED, reason=reason, at=at, acting_user=acting_user)


@transaction.atomic
def end_package(package: Package, *, reason: str, at: datetime, acting_user: Any) -> Any:
    request = _step(package, State.ENDED, reason=reason, at=at, acting_user=acting_user)
    end_placement(request, at, acting_user)
    package.refresh_from_db()
    package.end_date = at.date()
    audited(package, acting_user).save()
    return request
