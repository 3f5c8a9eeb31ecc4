"""Requests too large or unreadable are answered 413 or 400 with a plain page, never 500.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many fields or files)
by raising as soon as a view or a middleware reads it; unhandled, that is a server error, and
in the API django-ninja's catch-all turned it into one. :class:`RequestLimitsMiddleware` reads
the body first, inside a ``try``, and answers 413; it refuses a declared length over the limit
before reading a byte. A web address whose path or query holds a control character (a NUL
reaches PostgreSQL as an error) is a 400. The API gets JSON (``{"detail", "errors"}``, as its
other errors), the pages a GOV.UK page.

Settings: ``HOMECARE_MAX_UPLOAD_BYTES`` (default :data:`MAX_UPLOAD_BYTES`), the largest body
with files; ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's, 2.5 MB) for any other body.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from homecare.accounts import bounds

MAX_UPLOAD_BYTES = 60 * 1024 * 1024  # the largest file any page takes is 50 MB of visit logs
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
API_PREFIX = "/api/"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def upload_limit() -> int:
    return int(getattr(settings, "HOMECARE_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def too_large(request: HttpRequest) -> HttpResponse:
    limit = _megabytes(upload_limit())
    if request.path.startswith(API_PREFIX):
        memory = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or upload_limit()
        detail = f"body: the request body is too large (at most {_megabytes(memory)})"
        return _json(detail, "body", "body", 413)
    html = render_to_string("413.html", {"limit_words": limit})
    return HttpResponse(html, status=413)


def bad_request(
    request: HttpRequest, reason: str = "", field: str = "request", location: str = "request"
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _json(f"{field}: {reason or 'the request could not be read'}", field, location, 400)
    page_reason = (
        ""
        if field == "request"
        else ("The web address holds characters the service cannot read, so nothing was done.")
    )
    return HttpResponse(render_to_string("400.html", {"reason": page_reason}), status=400)


def _json(detail: str, field: str, location: str, status: int) -> JsonResponse:
    message = detail.split(": ", 1)[-1]
    errors = [{"field": field, "location": location, "message": message}]
    return JsonResponse({"detail": detail, "errors": errors}, status=status)


def _address_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(field, location) of the first control character in the path or the query."""
    if bounds.has_control_characters(request.path):
        return "path", "path"
    query = request.META.get("QUERY_STRING", "")
    if bounds.has_control_characters(unquote(query)):
        for name, value in parse_qsl(query, keep_blank_values=True):
            if bounds.has_control_characters(name + value):
                return (name if not bounds.has_control_characters(name) else "query"), "query"
        return "query", "query"
    return None


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestLimitsMiddleware:
    """Refuses, before any other part reads it, a request too large (413) or unreadable (400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refusal(request)
        return refused if refused is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        problem = _address_problem(request)
        if problem is not None:
            return bad_request(request, bounds.CONTROL_MESSAGE, *problem)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        length = _declared_length(request)
        if length is None:
            return bad_request(request, "the declared length of the body is not a number")
        multipart = request.content_type == "multipart/form-data"
        limit = upload_limit() if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return too_large(request)
        try:
            # Read now, so a body Django refuses is refused here and not in a view.
            if multipart or request.content_type == "application/x-www-form-urlencoded":
                request.POST  # noqa: B018
            else:
                request.body  # noqa: B018
        except TOO_LARGE:
            return too_large(request)
        except (MultiPartParserError, SuspiciousOperation):
            return bad_request(request, "the form could not be read")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TOO_LARGE):
            return too_large(request)
        if isinstance(exception, SuspiciousOperation):
            return bad_request(request)
        return None
