"""The versioned REST API, ``/api/v1/``, for councils' case-management and providers' systems.

Every endpoint needs an organisation's API token (``Authorization: Bearer hc_...``; see
``docs/security.md``): the API authenticates once, here, for every router. Each endpoint
asks the apps' access rules with the token's scope (``scope_of_request``), as the pages do;
errors are JSON ``{"detail": ..., "errors": [...]}`` with 400, 401, 403 or 404. The
brokerage endpoints are in :mod:`homecare.api.brokerage` (councils) and
:mod:`homecare.api.offers` (providers); see ``docs/api.md``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from carecore.errors import InputError
from homecare.api import schemas
from homecare.api.auth import ApiTokenAuth, organisation_of, scope_of_request
from homecare.commissioning import access as commissioning_access
from homecare.commissioning.models import Area, RatePeriod

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Home care commissioning API",
    version="1",
    description=(
        "For councils' case-management systems and providers' own systems. Authenticate "
        "with the organisation's API token: `Authorization: Bearer hc_...`."
    ),
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
)

ERRORS: dict[int, Any] = {400: schemas.ErrorOut, 401: schemas.ErrorOut}
NOT_FOUND: dict[int, Any] = {**ERRORS, 404: schemas.ErrorOut}


# --- errors -------------------------------------------------------------------------------


def _field_of(error: dict[str, Any]) -> tuple[str, str]:
    """``("card_id", "path")`` from a pydantic error location such as ``("path", "card_id")``;
    ``("visits[0].minutes", "body")`` from ``("body", "payload", "visits", 0, "minutes")``."""
    location = list(error.get("loc", ()))
    where = str(location[0]) if location else "request"
    parts = location[1:]
    if where == "body" and parts[:1] == ["payload"]:
        parts = parts[1:]  # the body's parameter name says nothing to the caller
    field = ""
    for part in parts:
        # List positions as [i], so "visits[0].minutes" reads like the engine's own errors.
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field or where, where


@api.exception_handler(ValidationError)
def bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        field, where = _field_of(error)
        errors.append({"field": field, "location": where, "message": str(error.get("msg", ""))})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Bad request"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(InputError)
def bad_value(request: HttpRequest, exc: InputError) -> HttpResponse:
    # Raised by the actions and the engine inside their transactions, so nothing was saved.
    field = exc.key or "request"
    return api.create_response(
        request,
        {
            "detail": f"{field}: {exc.message}",
            "errors": [{"field": field, "location": "body", "message": exc.message}],
        },
        status=400,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": "Authorization: send a valid, unrevoked API token as 'Bearer <token>'",
            "errors": [],
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found", "errors": []}, status=404)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log (through the query-string filter), never to the caller.
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Server error", "errors": []}, status=500)


# --- endpoints ----------------------------------------------------------------------------


@api.get("/whoami", response={200: schemas.WhoAmIOut, **ERRORS}, tags=["tokens"])
def whoami(request: HttpRequest) -> dict[str, Any]:
    """The organisation the token acts for, and the user its actions are recorded under."""
    organisation = organisation_of(request)
    return {
        "organisation": organisation,
        "token_name": request.auth.name,  # type: ignore[attr-defined]
        "token_prefix": request.auth.prefix,  # type: ignore[attr-defined]
        "acting_as": request.auth.user.username,  # type: ignore[attr-defined]
    }


def _zone_rows(zones: Any) -> list[dict[str, Any]]:
    """Zones with their area counts per band: two queries, whatever the number of zones."""
    zones = list(zones)
    per_band: dict[int, list[dict[str, Any]]] = defaultdict(list)
    counts = (
        Area.objects.filter(zone__in=zones)
        .values("zone_id", "band__code", "band__name", "band__rank")
        .annotate(area_count=Count("id"))
        .order_by("zone_id", "band__rank")
    )
    for row in counts:
        per_band[row["zone_id"]].append(
            {"code": row["band__code"], "name": row["band__name"], "area_count": row["area_count"]}
        )
    return [
        {
            "code": zone.code,
            "name": zone.name,
            "kind": zone.kind,
            "has_prime": zone.has_prime,
            "towns": zone.towns,
            "area_count": sum(band["area_count"] for band in per_band[zone.pk]),
            "bands": per_band[zone.pk],
        }
        for zone in zones
    ]


@api.get("/zones", response={200: list[schemas.ZoneOut], **ERRORS}, tags=["market"])
def zones(request: HttpRequest) -> list[dict[str, Any]]:
    """Every zone, with its towns and its number of areas in each pricing band."""
    return _zone_rows(commissioning_access.zones_for(scope_of_request(request)))


@api.get("/zones/{code}", response={200: schemas.ZoneOut, **NOT_FOUND}, tags=["market"])
def zone(request: HttpRequest, code: str) -> dict[str, Any]:
    """One zone by its code."""
    rows = _zone_rows(commissioning_access.zones_for(scope_of_request(request)).filter(code=code))
    if not rows:
        raise HttpError(404, f"code: no zone with the code {code!r}")
    return rows[0]


def _rate_cards(request: HttpRequest) -> Any:
    periods = RatePeriod.objects.order_by("effective_from").prefetch_related("rates")
    return commissioning_access.rate_cards_for(scope_of_request(request)).prefetch_related(
        Prefetch("periods", queryset=periods)
    )


def _rate_card_row(card: Any) -> dict[str, Any]:
    return {
        "id": card.pk,
        "name": card.name,
        "council": card.council.slug,
        "illustrative": card.illustrative,
        "periods": [
            {
                "effective_from": period.effective_from,
                "effective_to": period.effective_to,
                "minimum_billable_minutes": period.minimum_billable_minutes,
                "billing_increment_minutes": period.billing_increment_minutes,
                "rates": [
                    {"band": rate.band, "hourly_rate": rate.hourly_rate}
                    for rate in period.rates.all()
                ],
            }
            for period in card.periods.all()
        ],
    }


@api.get("/rate-cards", response={200: list[schemas.RateCardOut], **ERRORS}, tags=["market"])
def rate_cards(request: HttpRequest) -> list[dict[str, Any]]:
    """Every published rate card with its effective-dated periods and hourly rates (pounds)."""
    return [_rate_card_row(card) for card in _rate_cards(request)]


@api.get("/rate-cards/{card_id}", response={200: schemas.RateCardOut, **NOT_FOUND}, tags=["market"])
def rate_card(request: HttpRequest, card_id: int) -> dict[str, Any]:
    """One rate card by its id."""
    card = _rate_cards(request).filter(pk=card_id).first()
    if card is None:
        raise HttpError(404, f"card_id: no rate card with the id {card_id}")
    return _rate_card_row(card)


# --- brokerage: requests for councils, offers, packages and capacity for providers --------

from homecare.api import brokerage, offers  # noqa: E402  (the routers need the api above)

api.add_router("", brokerage.router)
api.add_router("", offers.router)

from homecare.api import delivery  # noqa: E402

api.add_router("", delivery.router)

from homecare.api import packages  # noqa: E402

api.add_router("", packages.router)
