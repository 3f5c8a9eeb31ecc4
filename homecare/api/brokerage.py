"""Brokerage requests for a council's case-management system: make one, read its status.

Only a council's token may call these (403 for anyone else); a council sees only the requests
of its own frameworks (404 for another's). Writes are recorded under the token's service
user. A request's person reference travels in bodies only, never in a path or query string,
so it cannot reach a server log.
"""

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from carecore.errors import InputError
from homecare.accounts.references import matches_reference, reference_message
from homecare.api import brokerage_schemas as s
from homecare.api.auth import acting_user_of, scope_of_request
from homecare.api.common import (
    ERRORS,
    NOT_FOUND,
    PAGE_QUERY,
    BoundedPageNumberPagination,
    clock,
    council_of,
    only_query,
)
from homecare.api.schemas import ErrorOut, Id, StrictIn
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import actions
from homecare.brokerage.models import Offer
from homecare.brokerage.tenancy import check_funding, save_person
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.models import Area, Zone

router = Router(tags=["requests"])


class RequestFilter(StrictIn):
    """The list's filters: a zone's code holds no control characters and is at most as long
    as a code is (unknown query parameters are refused by ``only_query``)."""

    model_config = ConfigDict(extra="ignore")

    state: s.StateName | None = None
    zone: str | None = Field(None, max_length=40, description="a zone's code")


def _framework(request: HttpRequest, framework_id: int | None, zone: Zone) -> Any:
    """The framework named, or the council's newest framework with a lot covering the zone."""
    frameworks = commissioning_access.frameworks_for(scope_of_request(request))
    if framework_id is not None:
        framework = frameworks.filter(pk=framework_id).first()
        if framework is None:
            raise InputError(f"no framework of yours has the id {framework_id}", key="framework_id")
        return framework
    framework = frameworks.filter(lots__zones=zone).order_by("-start_date", "-pk").first()
    if framework is None:
        raise InputError(
            f"none of your frameworks covers the zone {zone.code!r}: give a framework_id",
            key="framework_id",
        )
    return framework


@router.post("/requests", response={201: s.RequestCreatedOut, 422: ErrorOut, **ERRORS})
def create_request(request: HttpRequest, payload: s.RequestIn) -> Status:
    """A new package of care and a request to place it; the first round of offers goes out.

    Hours per week are derived from the visits. Bad input is a 400 naming the field (e.g.
    ``visits[1].window_start`` for overlapping visits); nothing is saved then. A
    ``person_reference`` not in the council's format (a name or an address, say) is a 422
    naming ``person_reference``.
    """
    council = council_of(request)
    if not matches_reference(council, payload.person_reference):
        message = reference_message(council)
        return Status(
            422,
            {
                "detail": f"person_reference: {message}",
                "errors": [{"field": "person_reference", "location": "body", "message": message}],
            },
        )
    now, acting_user = clock(), acting_user_of(request)
    # The council's own areas only: another council's is as unknown as a missing one.
    area = (
        Area.objects.select_related("zone")
        .filter(code=payload.area_code, zone__council=council)
        .first()
    )
    if area is None:
        raise InputError(f"unknown area {payload.area_code!r}", key="area_code")
    framework = _framework(request, payload.framework_id, area.zone)
    # Joint funding needs its NHS share; any other funding refuses one (400 naming the field).
    share = check_funding(payload.funding, payload.nhs_share_percent)
    # One transaction: a request whose first round failed to go out is not left behind.
    with transaction.atomic():
        if share is not None:  # the person is saved with their share; the request keeps it
            save_person(
                council,
                payload.person_reference,
                area=area,
                funding=payload.funding,
                nhs_share_percent=share,
                cohort=payload.cohort,
                acting_user=acting_user,
                key="person_reference",
            )
        made = actions.create_request(
            payload.person_reference,
            payload.area_code,
            [visit.dict() for visit in payload.visits],
            framework=framework,
            funding=payload.funding,
            cohort=payload.cohort,
            source=payload.source,
            priority=payload.priority,
            start_date=payload.start_date,
            needs=payload.needs,
            now=now,
            acting_user=acting_user,
        )
        actions.send_next_round(made, now=now, acting_user=acting_user)
    made.refresh_from_db()
    package = made.package
    return Status(
        201,
        {
            "id": made.pk,
            "state": made.state,
            "round_number": made.round_number,
            "hours_per_week": package.contact_hours_per_week,
            "carer_hours_per_week": package.carer_hours_per_week,
            "needs_spot_purchase": made.needs_spot_purchase,
        },
    )


def _status(made: Any) -> dict[str, Any]:
    package = made.package
    area = package.person.area
    offers = list(made.offers.all())
    counts = Counter(offer.status for offer in offers)
    return {
        "id": made.pk,
        "person_reference": package.person.reference,
        "area_code": area.code,
        "zone": area.zone.code,
        "band": area.band.code,
        "funding": package.person.funding,
        "nhs_share_percent": package.person.nhs_share_percent,
        "state": made.state,
        "state_changed_at": made.state_changed_at,
        "created_at": made.created_at,
        "framework_id": made.framework_id,
        "round_number": made.round_number,
        "needs_spot_purchase": made.needs_spot_purchase,
        "hours_per_week": package.contact_hours_per_week,
        "carer_hours_per_week": package.carer_hours_per_week,
        "start_date": package.start_date,
        "offer_counts": {
            "sent": len(offers),
            **{
                status: counts.get(status, 0)
                for status in ("open", "accepted", "declined", "expired", "withdrawn")
            },
        },
        "offers": [
            {
                "round_number": offer.round_number,
                "tier": offer.tier,
                "provider": offer.provider.name,
                "status": offer.status,
                "sent_at": offer.sent_at,
                "deadline": offer.deadline,
                "answered_at": offer.answered_at,
                "reason": offer.reason,
                "bid_rate": offer.bid_rate,
            }
            for offer in offers
        ],
        "placed_provider": made.placed_provider.name if made.placed_provider else None,
        "placed_rate": made.placed_rate,
        "placed_at": made.placed_at,
    }


@router.get("/requests/{request_id}", response={200: s.RequestOut, **NOT_FOUND})
def request_status(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    """One request: its state, the current round, every offer and answer, the placement."""
    council_of(request)
    only_query(request)
    offers = Offer.objects.select_related("provider").order_by("round_number", "pk")
    made = (
        brokerage_access.requests_for(scope_of_request(request))
        .prefetch_related(Prefetch("offers", queryset=offers))
        .filter(pk=request_id)
        .first()
    )
    if made is None:
        raise HttpError(404, f"request_id: no request of yours has the id {request_id}")
    return _status(made)


@router.get("/requests", response={200: list[s.RequestListItemOut], **ERRORS})
@paginate(BoundedPageNumberPagination, page_size=50)
def list_requests(request: HttpRequest, filters: Query[RequestFilter]) -> Any:
    """The council's requests, oldest first, 50 a page; filter by ``state`` and ``zone``."""
    council_of(request)
    requests = brokerage_access.requests_for(scope_of_request(request)).order_by("created_at", "pk")
    only_query(request, PAGE_QUERY | {"state", "zone"})
    if filters.state:
        requests = requests.filter(state=filters.state)
    if filters.zone:
        zones = commissioning_access.zones_for(scope_of_request(request))
        if not zones.filter(code=filters.zone).exists():
            raise InputError(f"unknown zone {filters.zone!r}", key="zone")
        requests = requests.filter(package__person__area__zone__code=filters.zone)
    return requests
