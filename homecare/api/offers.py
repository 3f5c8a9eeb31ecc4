"""For providers' own systems: their open offers, answers, packages and weekly capacity.

Only a provider's token may call these (403 for a council's). A provider sees only its own
offers and packages: another provider's offer is a 404, as if it did not exist. An offer
carries no person reference; the package does once it is placed with the provider. Answers and
declarations are recorded under the token's service user.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from carecore.errors import InputError
from homecare.api import brokerage_schemas as s
from homecare.api.auth import acting_user_of, scope_of_request
from homecare.api.common import (
    ERRORS,
    NOT_FOUND,
    PAGE_QUERY,
    BoundedPageNumberPagination,
    MappedRows,
    clock,
    only_query,
    placed_package,
    provider_organisation_of,
    where,
)
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import actions
from homecare.brokerage.models import Offer, Visit
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import market_actions
from homecare.commissioning.models import Zone

router = Router(tags=["offers"])


def _visits() -> Prefetch:
    return Prefetch("visits", queryset=Visit.objects.order_by("day", "window_start"))


def _offer_row(offer: Any) -> dict[str, Any]:
    return {
        **where(offer.request.package),
        "id": offer.pk,
        "round_number": offer.round_number,
        "tier": offer.tier,
        "kind": offer.kind or "offer",
        "closes_on_first_accept": offer.closes_on_first_accept,
        "sent_at": offer.sent_at,
        "deadline": offer.deadline,
    }


@router.get("/offers", response={200: list[s.OfferOut], **ERRORS})
def list_offers(request: HttpRequest) -> list[dict[str, Any]]:
    """Your open offers, soonest deadline first: area, zone, band, schedule, hours, needs.

    No person reference: that comes with the package once it is placed with you.
    """
    provider_organisation_of(request)
    only_query(request)
    offers = (
        brokerage_access.offers_for(scope_of_request(request))
        .filter(status=Offer.Status.OPEN, deadline__gt=clock())
        .prefetch_related(Prefetch("request__package__visits", queryset=_visits().queryset))
        .order_by("deadline", "pk")
    )
    return [_offer_row(offer) for offer in offers]


def _answer(
    request: HttpRequest, offer_id: int, *, accepted: bool, reason: str = "", bid_rate: Any = None
) -> dict[str, Any]:
    provider_organisation_of(request)
    offer = brokerage_access.offer_for(scope_of_request(request), offer_id)
    placement = actions.answer_offer(
        offer,
        accepted=accepted,
        reason=reason,
        bid_rate=bid_rate,
        now=clock(),
        acting_user=acting_user_of(request),
    )
    offer.refresh_from_db()
    placed = placement is not None and placement.provider_id == offer.provider_id
    return {
        "offer_id": offer.pk,
        "status": offer.status,
        "placed": placed,
        "package": placed_package(placement) if placed else None,
    }


@router.post("/offers/{offer_id}/accept", response={200: s.AnswerOut, **NOT_FOUND})
def accept_offer(request: HttpRequest, offer_id: int, payload: s.AcceptIn) -> dict[str, Any]:
    """Accept one of your open offers (with ``bid_rate`` in a mini-competition).

    ``placed`` says whether your acceptance placed the package with you (then ``package``
    has its person reference); on an open framework choosing the best by a deadline it may
    wait. A package already placed with someone else is a 400 naming ``offer``.
    """
    return _answer(request, offer_id, accepted=True, bid_rate=payload.bid_rate)


@router.post("/offers/{offer_id}/decline", response={200: s.AnswerOut, **NOT_FOUND})
def decline_offer(request: HttpRequest, offer_id: int, payload: s.DeclineIn) -> dict[str, Any]:
    """Decline one of your open offers; a reason is required."""
    return _answer(request, offer_id, accepted=False, reason=payload.reason)


@router.get("/packages", response={200: list[s.PackageOut], **ERRORS}, tags=["packages"])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_packages(request: HttpRequest) -> Any:
    """The packages placed with you and not ended, newest first, with person references."""
    provider_organisation_of(request)
    only_query(request, PAGE_QUERY)
    placements = (
        brokerage_access.live_placements_for(scope_of_request(request), now=clock())
        .prefetch_related(Prefetch("package__visits", queryset=_visits().queryset))
        .order_by("-at", "-pk")
    )
    return MappedRows(placements, placed_package)


@router.put("/capacity", response={200: list[s.CapacityOut], **ERRORS}, tags=["capacity"])
def declare_capacity(request: HttpRequest, payload: list[s.CapacityIn]) -> list[dict[str, Any]]:
    """Your free hours per zone for a week (Monday start); the latest declaration counts.

    All rows or none: a bad row (an unknown zone, a week not starting on a Monday) is a 400
    naming ``[i].field`` and nothing is saved.
    """
    provider_organisation_of(request)
    provider = commissioning_access.provider_of(scope_of_request(request))
    if provider is None:
        raise HttpError(403, "Your organisation is not a provider on any market")
    if not payload:
        raise InputError("declare at least one zone's week", key="body")
    # The zones of the councils the provider serves, by code (the first council's where two
    # share a code): another council's zone is as unknown as a missing one.
    scoped = commissioning_access.zones_for(scope_of_request(request))
    zones: dict[str, Zone] = {}
    for zone in scoped.filter(code__in={r.zone for r in payload}).order_by("council_id"):
        zones.setdefault(zone.code, zone)
    now = clock()
    declared = []
    with transaction.atomic():
        for index, row in enumerate(payload):
            zone = zones.get(row.zone)
            if zone is None:
                raise InputError(f"unknown zone {row.zone!r}", key=f"[{index}].zone")
            try:
                declaration = market_actions.declare_capacity(
                    provider=provider,
                    zone=zone,
                    week_starting=row.week_starting,
                    free_hours=row.free_hours,
                    at=now,
                    acting_user=acting_user_of(request),
                )
            except DjangoValidationError as exc:
                field, message = _first_error(exc)
                raise InputError(message, key=f"[{index}].{field}") from None
            declared.append(declaration)
    return [
        {
            "zone": d.zone.code,
            "week_starting": d.week_starting,
            "free_hours": Decimal(d.free_hours).quantize(Decimal("0.01")),
            "declared_at": d.declared_at,
        }
        for d in declared
    ]


def _first_error(exc: DjangoValidationError) -> tuple[str, str]:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        return field, errors[0]
    return "body", exc.messages[0]
