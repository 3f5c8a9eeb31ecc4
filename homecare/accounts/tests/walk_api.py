"""The page walk's walk of the API: every read endpoint with each council's token and the
tokens of providers serving one council and both, and which answers gave a council another
council's records. Used by ``test_walk_every_page.py``."""

from __future__ import annotations

from typing import Any

from django.test import Client

from homecare.accounts.walk_owners import Owners


def walk_the_api() -> list[tuple[str, str, int]]:
    """GET every read endpoint of the OpenAPI document with each council's token and the
    tokens of providers serving one council and both, ids taken from the data (of both
    councils); a path parameter with no data to fill it is a 0 status."""
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation
    from homecare.brokerage.models import BrokerageRequest, Offer, Placement
    from homecare.commissioning.demo import COUNCIL, COUNCIL_2, PROVIDER_A, PROVIDER_C
    from homecare.commissioning.models import RateCard, Zone

    def each_council(queryset: Any, council: str, column: str) -> list[Any]:
        return [
            queryset.filter(**{council: name}).values_list(column, flat=True).first()
            for name in (COUNCIL, COUNCIL_2)
        ]

    ids = {
        "code": Zone.objects.order_by("code").values_list("code", flat=True)[:2],
        "card_id": RateCard.objects.values_list("pk", flat=True)[:2],
        "request_id": BrokerageRequest.objects.order_by("-pk").values_list("pk", flat=True)[:3],
        "offer_id": each_council(Offer.objects, "request__framework__council__name", "pk"),
        "package_id": each_council(
            Placement.objects, "request__framework__council__name", "package_id"
        ),
    }
    document = Client().get("/api/v1/openapi.json").json()
    answers: list[tuple[str, str, int]] = []
    for name in (COUNCIL, COUNCIL_2, PROVIDER_A, PROVIDER_C):
        organisation = Organisation.objects.get(name=name)
        _, token = accounts.issue_api_token(organisation, "Walk", acting_user=None)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
        for route, operations in document["paths"].items():
            if "get" not in operations:
                continue
            params = [p.strip("{}") for p in route.split("/") if p.startswith("{")]
            paths = [route]
            for param in params:
                values = list(ids.get(param, []))
                if not values:
                    answers.append((name, route, 0))
                paths = [p.replace("{" + param + "}", str(v)) for p in paths for v in values]
            for path in paths:
                answers.append((name, path, client.get(path).status_code))
    return answers


def api_crossed(answers: list[tuple[str, str, int]]) -> list[str]:
    """The API's answers to each council's token on the other council's records."""
    from homecare.accounts.models import Organisation
    from homecare.commissioning.demo import COUNCIL, COUNCIL_2

    owners = Owners()
    councils = dict(
        Organisation.objects.filter(name__in=(COUNCIL, COUNCIL_2)).values_list("name", "pk")
    )
    return [
        f"{status} {path} ({who})"
        for who, path, status in answers
        if who in councils and status and owners.foreign(page_of(path), {councils[who]})
    ]


def page_of(api_path: str) -> str:
    """The page showing the record an API path names (``/api/v1/requests/7`` is
    ``/brokerage/requests/7/``), so the pages' owners tell whose it is; "" for others."""
    parts = api_path.removeprefix("/api/v1/").strip("/").split("/")
    kinds = {"requests": "brokerage/requests", "packages": "brokerage/packages"}
    kinds |= {"offers": "brokerage/offers"}
    if len(parts) >= 2 and parts[0] in kinds and parts[1].isdigit():
        return f"/{kinds[parts[0]]}/{parts[1]}/"
    return ""
