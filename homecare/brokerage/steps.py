"""The small writes every brokerage action is made of: audited saves, state moves, locks.

Shared by :mod:`homecare.brokerage.actions` (requests, rounds, answers, placements) and
:mod:`homecare.brokerage.lifecycle` (transfers, withdrawals, start, suspension, end). Each
change of a request's state goes through :func:`move`, which asks the engine's state machine
(``carecore.brokerage.requests``) and writes a :class:`RequestTransition`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simple_history.utils import bulk_update_with_history

from carecore.brokerage import transition
from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Placement,
    RequestTransition,
    State,
)
from homecare.commissioning.models import Framework

PLACED_STATES = (State.PLACED, State.STARTED, State.SUSPENDED)


def audited(instance: Any, acting_user: Any) -> Any:
    """The instance, with the user its next history row names (``None``: the system)."""
    instance._history_user = acting_user
    return instance


def move(
    request: BrokerageRequest,
    target: str,
    *,
    at: datetime,
    acting_user: Any,
    reason: str = "",
    also_save: tuple[str, ...] = (),
) -> None:
    """Move the request (and its package's status) through the engine's state machine.

    ``also_save`` names other request fields the caller changed, saved in the same UPDATE.
    """
    who = getattr(acting_user, "username", None) or "system"
    step = transition(request.state, target, at=at, by=who, reason=reason)
    RequestTransition.objects.create(
        request=request,
        from_state=step.from_state,
        to_state=step.to_state,
        at=at,
        by=acting_user,
        reason=reason,
    )
    request.state, request.state_changed_at = step.to_state, at
    request.save(update_fields=["state", "state_changed_at", *also_save])
    package = request.package
    if package.status != step.to_state:
        package.status = step.to_state
        audited(package, acting_user).save()


def locked(request_id: int) -> BrokerageRequest:
    """The request re-read under a row lock, with what deciding a round needs joined.

    Only the request's own row is locked (``of=("self",)``): locking the joined rows too
    would make every answer on the framework wait for every other, as they share the
    framework, zone and band rows.
    """
    return (
        BrokerageRequest.objects.select_for_update(of=("self",))
        .select_related(
            "package__person__area__zone",
            "package__person__area__band",
            "framework",
            "placement",
        )
        .get(pk=request_id)
    )


def new_request(
    package: Package, framework: Framework, *, now: datetime, acting_user: Any
) -> BrokerageRequest:
    return BrokerageRequest.objects.create(
        package=package,
        framework=framework,
        state=State.REQUESTED,
        created_at=now,
        created_by=acting_user,
        state_changed_at=now,
    )


def end_placement(request: BrokerageRequest, at: datetime, acting_user: Any) -> None:
    placement = Placement.objects.filter(request=request, ended_at__isnull=True).first()
    if placement is not None:
        placement.ended_at = at
        audited(placement, acting_user).save()


def withdraw_open_offers(
    request: BrokerageRequest, acting_user: Any, offers: list[Offer] | None = None
) -> None:
    """Withdraw the request's open offers; ``offers`` is the request's offers if already read."""
    if offers is None:
        still_open = list(request.offers.filter(status=Offer.Status.OPEN))
    else:
        still_open = [offer for offer in offers if offer.status == Offer.Status.OPEN]
    for offer in still_open:
        offer.status = Offer.Status.WITHDRAWN
    if still_open:
        bulk_update_with_history(still_open, Offer, ["status"], default_user=acting_user)
