"""Every view carries its access rule: a walk of the URL resolver fails on any without one.

A view's rule is its ``access_rule`` (set by ``require_role``, ``require_council_role``,
``require_member`` or ``public("reason")``), on the view function or, for a class-based view,
on its ``view_class``. The API's endpoints are authenticated by django-ninja with the API
token (``auth=`` on the API, so on every router); each must still have an authentication
callback. The few views that answer to their own authentication are listed by name below,
with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views import View
from ninja import NinjaAPI
from ninja.operation import PathView

from homecare.accounts import access

# Namespaces whose views answer to their own authentication.
KNOWN_NAMESPACES = {
    "admin": "the Django admin: its own sign-in, for staff accounts only",
}
# django-ninja's own views, which describe the API and hold no data.
KNOWN_NINJA_VIEWS = {
    "openapi_json": "the API's OpenAPI document: the published description, no data",
    "openapi_view": "the API's documentation page, drawn from that document",
    "default_home": "the API's index, which only points at its documentation",
}


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """``(route, namespace, callback)`` for every URL pattern, through every include."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.callback


def _rule(callback: Any) -> str | None:
    for holder in (callback, getattr(callback, "view_class", None)):
        rule = getattr(holder, "access_rule", None)
        if rule:
            return str(rule)
    return None


def _path_view(callback: Any) -> PathView | None:
    """The django-ninja path (its operations) an endpoint's view function serves."""
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _ninja_view_name(callback: Any) -> str | None:
    function = getattr(callback, "func", None)  # a functools.partial binding the api
    module = getattr(function, "__module__", "") or ""
    return getattr(function, "__name__", None) if module.startswith("ninja.") else None


def missing_rules(patterns: list[Any]) -> list[str]:
    """The routes whose view has no access rule (nor a known reason to have none)."""
    missing = []
    for route, namespace, callback in _walk(patterns):
        if namespace in KNOWN_NAMESPACES or _rule(callback):
            continue
        endpoints = _path_view(callback)
        if endpoints is not None:
            missing += [
                f"/{route} ({', '.join(operation.methods)}, no authentication)"
                for operation in endpoints.operations
                if not operation.auth_callbacks
            ]
            continue
        if _ninja_view_name(callback) in KNOWN_NINJA_VIEWS:
            continue
        missing.append(f"/{route}")
    return missing


def test_every_view_of_the_site_has_an_access_rule() -> None:
    assert missing_rules(get_resolver().url_patterns) == []


def test_the_walk_reaches_pages_of_every_app_and_every_api_endpoint() -> None:
    routes = {route for route, _namespace, _callback in _walk(get_resolver().url_patterns)}
    for expected in (
        "accounts/sign-in/",
        "brokerage/requests/<int:pk>/",
        "frameworks/<int:pk>/",
        "delivery/runs/<int:pk>/",
        "insight/complaints/<int:pk>/",
        "api/v1/offers/<offer_id>/accept",
    ):
        assert expected in routes, expected


def test_signing_in_and_out_are_public_with_a_reason() -> None:
    callbacks = {route: cb for route, _ns, cb in _walk(get_resolver().url_patterns)}
    for route in ("accounts/sign-in/", "accounts/sign-out/"):
        rule = _rule(callbacks[route]) or ""
        assert rule.startswith("public: ") and len(rule) > len("public: "), route


def _bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("nobody decided who may see this")


@access.require_council_role(access.Role.BROKER)
def _ruled(request: HttpRequest) -> HttpResponse:
    return HttpResponse("brokers only")


def test_a_view_without_a_rule_is_named_by_its_url() -> None:
    patterns = [path("ruled/", _ruled), path("forgotten/<int:pk>/", _bare)]
    assert missing_rules(patterns) == ["/forgotten/<int:pk>/"]


def test_a_class_based_view_is_ruled_through_its_view_class() -> None:
    class Ruled(View):
        access_rule = "roles: broker"

    class Forgotten(View):
        pass

    patterns = [path("ruled/", Ruled.as_view()), path("forgotten/", Forgotten.as_view())]
    assert missing_rules(patterns) == ["/forgotten/"]


def test_an_api_endpoint_without_authentication_is_named() -> None:
    open_api = NinjaAPI(urls_namespace="test-open-api")

    @open_api.get("/leaky")
    def leaky(request: HttpRequest) -> dict[str, str]:
        return {}

    patterns = [path("open/", open_api.urls)]
    assert missing_rules(patterns) == ["/open/leaky (GET, no authentication)"]
