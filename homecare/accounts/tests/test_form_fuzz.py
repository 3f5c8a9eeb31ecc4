"""Every form of the site, posted with hostile values: no server error, and each refusal named.

The small demo is loaded; each persona walks the site (:mod:`homecare.accounts.site_walk`)
and every form that posts is gathered from the pages it reached. Each form is then posted as
that persona with every field set to one hostile value at a time (empty, 10,000 characters,
a NUL, a spreadsheet formula, a 30-digit number, ``1e309``, ``-1``, ``NaN``, impossible and
far-off dates), with impossible dates in its day, month and year inputs, with two values for
every field, and as a body that is not UTF-8. Each post runs in a savepoint rolled back, so
each starts from the same data. The values are fixed, not random, so a failure repeats.

A refusal must be an error on the page that names what is wrong: every entry of the error
summary links to an input of the form, in words of the service (never Django's defaults,
such as "This field is required").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from homecare.accounts import site_walk

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=ZoneInfo("Europe/London"))  # a Wednesday morning

HOSTILE = {
    "empty": "",
    "10,000 characters": "x" * 10_000,
    "a NUL": "care\x00home",
    "a formula": '=HYPERLINK("http://example.invalid/","Click")',
    "30 digits": "9" * 30,
    "1e309": "1e309",
    "-1": "-1",
    "NaN": "NaN",
    "year 1": "0001-01-01",
    "year 99999": "99999-12-31",
    "30 February": "2026-02-30",
    "superscript two": "\u00b2",
}
# Day, month and year typed into a GOV.UK date input.
DATES = {
    "year 1 in parts": ("1", "1", "0001"),
    "30 February in parts": ("30", "2", "2026"),
    "year 99999 in parts": ("31", "12", "99999"),
    "30 digits in parts": ("9" * 30, "9" * 30, "9" * 30),
}
PART = re.compile(r"(?:^|_)(day|month|year)$")
PERSONAS = ("commissioner", "broker", "finance", "provider-a", None)
SKIPPED_VIEWS = {"accounts:sign-out"}
# Django's own messages name no field: a form showing one has a field without our words.
DJANGO_DEFAULTS = re.compile(
    r"This field is required|Enter a valid|Ensure this|Null characters|Select a valid choice|"
    r"Enter a whole number|Enter a number|Enter a list of values|No file was submitted"
)


@dataclass
class Form:
    persona: str | None
    page: str
    action: str
    view: str
    fields: dict[str, str] = field(default_factory=dict)  # name: input type
    data: dict[str, Any] = field(default_factory=dict)  # what the page would send as it is

    @property
    def label(self) -> str:
        return f"{self.view} ({self.action}) as {self.persona or 'signed out'}"


class _PostForms(HTMLParser):
    """Every ``<form method="post">`` of a page: its action, inputs and what it would send."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self._form: tuple[str, dict[str, str], dict[str, Any]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = (a.get("action") or self.page, {}, {})
            self._button = False
            return
        if self._form is None or not a.get("name"):
            return
        _, fields, data = self._form
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                if not self._button:  # the first button, as pressing Enter sends
                    data[name] = a.get("value", "")
                    self._button = True
                return
            fields.setdefault(name, kind)
            if kind in ("radio", "checkbox"):
                if "checked" in a or (kind == "radio" and name not in data):
                    data[name] = a.get("value", "on")
            elif kind != "file":
                data[name] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            if not self._button:
                data[name] = a.get("value", "")
                self._button = True
        elif tag == "select":
            fields[name], self._select = "select", name
        elif tag == "option" and self._select is not None:
            if self._select not in data or "selected" in a:
                data[self._select] = a.get("value", "")
        elif tag == "textarea":
            fields[name], self._textarea = "textarea", name
            data[name] = ""

    def handle_data(self, text: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form[2][self._textarea] += text

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


class _Recorder(Client):
    """A client that keeps each HTML page it was given, for the forms on it."""

    def __init__(self, pages: dict[str, str], **kwargs: Any) -> None:
        super().__init__(raise_request_exception=False, **kwargs)
        self.pages = pages

    def get(self, path: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        response = super().get(path, *args, **kwargs)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            self.pages[path] = response.content.decode()
        return response


def _view(action: str) -> str | None:
    try:
        return resolve(urlsplit(action).path).view_name
    except Resolver404:
        return None


def _gather(persona: str | None, client: Client, pages: dict[str, str]) -> list[Form]:
    forms = []
    for page, html in pages.items():
        parser = _PostForms(page)
        parser.feed(html)
        for action, fields, data in parser.forms:
            view = _view(action)
            fuzzable = {n: k for n, k in fields.items() if n != "csrfmiddlewaretoken"}
            if view is None or view in SKIPPED_VIEWS or not fuzzable:
                continue
            data.pop("csrfmiddlewaretoken", None)
            forms.append(Form(persona, page, action, view, fuzzable, data))
    return forms


def _posts(form: Form) -> Iterator[tuple[str, dict[str, Any] | bytes]]:
    """(what is hostile, the body) for each post of ``form``."""
    for what, value in HOSTILE.items():
        yield what, form.data | {name: _value(kind, value) for name, kind in form.fields.items()}
    parts = [name for name in form.fields if PART.search(name)]
    for what, (day, month, year) in DATES.items():
        if parts:
            by_part = {"day": day, "month": month, "year": year}
            yield what, form.data | {n: by_part[PART.search(n).group(1)] for n in parts}  # type: ignore[union-attr]
    yield "two values for every field", form.data | {n: ["1", "2"] for n in form.fields}
    yield "a body that is not UTF-8", "&".join(f"{n}=%FF%FE%00" for n in form.fields).encode()


def _value(kind: str, value: str) -> Any:
    if kind == "file":
        return SimpleUploadedFile("hostile.csv", value.encode("utf-8"), "text/csv")
    return value


class _Summary(HTMLParser):
    """The error summary's entries: (the input it links to, or None; its words)."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[tuple[str | None, str]] = []
        self._depth = 0  # inside the summary's list
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "ul" and "govuk-error-summary__list" in a.get("class", ""):
            self._depth = 1
        elif self._depth and tag == "li":
            self._href, self._text = None, ""
        elif self._depth and tag == "a":
            self._href = a.get("href", "")

    def handle_data(self, text: str) -> None:
        if self._depth:
            self._text += text

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "li":
            self.entries.append((self._href, " ".join(self._text.split())))
        elif self._depth and tag == "ul":
            self._depth = 0


@dataclass
class Fuzz:
    forms: list[Form] = field(default_factory=list)
    posts: int = 0
    server_errors: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    refused: int = 0


def _post(client: Client, form: Form, what: str, body: dict[str, Any] | bytes, fuzz: Fuzz) -> None:
    with transaction.atomic():
        if isinstance(body, bytes):
            kind = "application/x-www-form-urlencoded"
            response = client.post(form.action, body, content_type=kind)
        else:
            response = client.post(form.action, body)
        transaction.set_rollback(True)
    fuzz.posts += 1
    where = f"{form.label} with {what}"
    if response.status_code >= 500:
        fuzz.server_errors.append(f"{response.status_code}: {where}")
        return
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return
    summary = _Summary()
    summary.feed(response.content.decode(errors="replace"))
    fuzz.refused += bool(summary.entries)
    page = response.content.decode(errors="replace")
    for href, words in summary.entries:
        anchor = (href or "").lstrip("#")
        if DJANGO_DEFAULTS.search(words) or not words:
            fuzz.unnamed.append(f"{where}: {words!r} is not in the service's words")
        elif href is not None and not re.search(rf'\b(id|name)="{re.escape(anchor)}"', page):
            fuzz.unnamed.append(f"{where}: {words!r} links to #{anchor}, which is not on the page")


@pytest.fixture(scope="module")
def fuzz(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Fuzz]:
    from django.contrib.auth import get_user_model

    from homecare.accounts.models import Organisation
    from homecare.accounts.tests.test_walk_every_page import _make_commissioning_records
    from homecare.commissioning.demo import COUNCIL, load_demo

    result = Fuzz()
    small = override_settings(
        HOMECARE_DEMO_PACKAGES=12,
        HOMECARE_DEMO_LOG_PERIODS=1,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    with (
        django_db_blocker.unblock(),
        small,
        transaction.atomic(),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(site_walk, "PER_PATTERN", 1)  # one page of each kind has its forms
        patch.setattr(timezone, "now", lambda: NOW)  # the pages' clock, as frozen_now does
        # The demo, and what the walk of every page adds to it the real ways: a tender, an
        # open framework with a provider's application, a simulation and a travel calibration.
        load_demo(now=NOW)
        made = _make_commissioning_records(Organisation.objects.get(name=COUNCIL), NOW)
        seeds = [path for paths in made.values() for path in paths]
        users = get_user_model().objects
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for persona in PERSONAS:
            pages: dict[str, str] = {}
            client = _Recorder(pages)
            if persona is not None:
                client.force_login(users.get(username=persona))
            site_walk.walk_site(persona or "signed out", client, site_walk.start_pages(), seeds)
            for form in _gather(persona, client, pages):
                key = (form.view, tuple(sorted(form.fields)))
                if key in seen:
                    continue
                seen.add(key)
                result.forms.append(form)
                for what, body in _posts(form):
                    _post(client, form, what, body, result)
        transaction.set_rollback(True)
    yield result


def test_the_walk_finds_the_forms_of_every_area(fuzz: Fuzz) -> None:
    views = {form.view for form in fuzz.forms}
    expected = {
        "accounts:sign-in",
        "brokerage:new-request",
        "brokerage:capacity",
        "commissioning:cost-of-care",
        "commissioning:tenders",
        "commissioning:rate-card-uplift",
        "insight:new-complaint",
        "delivery:uploads",
        "delivery:decide",
        "commissioning:apply",
        "commissioning:application-approve",
    }
    assert expected <= views, f"not found: {sorted(expected - views)}; found {sorted(views)}"
    assert fuzz.posts >= 14 * len(fuzz.forms)


def test_no_hostile_value_answers_a_server_error(fuzz: Fuzz) -> None:
    print(f"{fuzz.posts} posts to {len(fuzz.forms)} forms:")
    print("\n".join(f"  {form.label}: {', '.join(form.fields)}" for form in fuzz.forms))
    assert not fuzz.server_errors, "\n".join(fuzz.server_errors)


def test_every_refusal_names_the_field_in_the_services_words(fuzz: Fuzz) -> None:
    assert fuzz.refused, "no hostile value was refused: the forms were not checked"
    assert not fuzz.unnamed, "\n".join(fuzz.unnamed)
