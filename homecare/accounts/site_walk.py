"""Walk a site as one user: every page reachable from a start list, following links and GET forms.

Used by the test that walks every page as every persona (``homecare/accounts/tests``) and by
``benchmarks/page_walk.py``, which times the same walk. Each visit records the answer, the
database queries it ran and the seconds it took (recorded, never asserted in tests).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from homecare.accounts.plain_words import internal_words_in

# A page is walked at most this many times per user with different ids or filters; the
# pages given as seeds are always walked.
PER_PATTERN = 4
SKIPPED_PREFIXES = ("/admin/", "/static/", "/api/", "/accounts/sign-out/")


@dataclass
class Visit:
    persona: str
    path: str
    status: int
    queries: int
    name: str
    came_from: str
    seconds: float = 0.0
    words: list[str] = field(default_factory=list)  # internal words on the page


class _Links(HTMLParser):
    """Every ``<a href>`` and every GET form (its action and default values) on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), [])
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form[1].append((a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select":
            self._select, self._select_value = a.get("name"), None
        elif (
            self._select is not None
            and tag == "option"
            and (self._select_value is None or "selected" in a)
        ):
            self._select_value = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._form is not None and self._select:
            self._form[1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def page_patterns() -> Iterator[tuple[str, URLPattern, str]]:
    """(namespaced name, pattern, route) of every page outside the admin and the API."""

    def walk(patterns: list[Any], ns: str | None, prefix: str) -> Iterator[tuple[str, Any, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or ns, prefix + str(p.pattern))
            elif (prefix + str(p.pattern)).startswith(("admin/", "api/")):
                continue
            else:
                yield (f"{ns}:{p.name}" if ns else p.name), p, prefix + str(p.pattern)

    yield from walk(get_resolver().url_patterns, None, "")


def _name_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def start_pages() -> list[str]:
    """Every page that needs no id, outside the admin, the API and signing out."""
    return [
        "/" + route
        for _, p, route in page_patterns()
        if not getattr(p.pattern, "converters", None)
        and "(" not in route
        and not ("/" + route).startswith(SKIPPED_PREFIXES)
    ]


def walk_site(
    persona: str,
    client: Client,
    start: list[str],
    seeds: list[str],
    files: set[str] | None = None,
) -> list[Visit]:
    """Walk from ``start`` and ``seeds`` (always walked) as ``client``; every visit, in order.

    ``files`` names the pages already downloaded as a file (a PDF, a workbook, a CSV) by an
    earlier walk: each is fetched once a walk at most, and once in all when ``files`` is shared.
    """
    files = set() if files is None else files
    visits: list[Visit] = []
    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue: list[tuple[str, str, bool]] = [(p, "(start)", False) for p in start]
    queue += [(p, "(made by the importer or the API)", True) for p in seeds]
    while queue:
        path, came_from, forced = queue.pop(0)
        if path in seen:
            continue
        name = _name_of(path)
        if name is None:
            visits.append(Visit(persona, path, 404, 0, "(no page)", came_from))
            seen.add(path)
            continue
        if not forced and (per_name[name] >= PER_PATTERN or name in files):
            continue
        seen.add(path)
        per_name[name] += 1
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        seconds = time.perf_counter() - started
        visits.append(
            Visit(persona, path, response.status_code, len(queries), name, came_from, seconds)
        )
        if response.status_code == 200 and "html" not in response.get("Content-Type", ""):
            files.add(name)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if "Traceback" in html or "technical_500" in html:
            visits[-1].status = 599
        visits[-1].words = internal_words_in(html)
        parser = _Links()
        parser.feed(html)
        targets = list(parser.links)
        for action, values in parser.forms:
            base = action or path
            targets.append(f"{urlsplit(base).path}?{urlencode(values)}" if values else base)
        for href in targets:
            target = urljoin(path, href.split("#", 1)[0])
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if target.startswith(SKIPPED_PREFIXES) or target in seen:
                continue
            queue.append((target, path, False))
    return visits
