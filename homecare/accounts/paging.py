"""Paged tables: the page's query string without its page, for the page links to keep."""

from __future__ import annotations

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's filters and sort, as a query string, without ``page``."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
