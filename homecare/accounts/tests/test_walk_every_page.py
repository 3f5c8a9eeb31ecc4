"""Every page, as every persona of both demo councils and signed out, on data made the
real ways.

The demo is loaded (small, with its two councils), then records are added the ways a council
adds them: a day-one import of people and placed packages (no acting user, as
``import_market`` leaves them), a request through the API from each council (with the same
person's reference) and a complaint through the pages. Each persona then walks the site from
every page that needs no id, following every link and every GET form, and is sent to the
records made above; every URL pattern must be reached by someone. No answer may be a server
error or a debug page, no link may lead nowhere, and no page may run more than
``QUERY_BUDGET`` database queries (page speed is measured in ``benchmarks/page_walk.py``,
never asserted here).

Councils are kept apart: no council persona may open a page of a record another council owns
(:mod:`homecare.accounts.walk_owners`), and every record page a council persona reached is
asked for again as the other council's persona in the same role, who must be refused.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from homecare.accounts.site_walk import Visit, page_patterns, start_pages, walk_site
from homecare.accounts.tests.walk_api import api_crossed, walk_the_api
from homecare.accounts.walk_owners import Owners

# The tests read the walk's results; the walk itself runs once, in a transaction rolled back.
pytestmark = pytest.mark.django_db

# The most database queries one page may run: a page whose queries grow with its rows fails.
QUERY_BUDGET = 120


@dataclass
class Walk:
    visits: list[Visit] = field(default_factory=list)
    made: dict[str, list[str]] = field(default_factory=dict)
    api: list[tuple[str, str, int]] = field(default_factory=list)  # (token of, path, status)
    foreign: list[str] = field(default_factory=list)  # another council's records opened
    crossed: list[tuple[str, str, int]] = field(default_factory=list)  # (persona, path, status)
    api_crossed: list[str] = field(default_factory=list)  # a council token on another's

    def of(self, persona: str) -> list[Visit]:
        return [v for v in self.visits if v.persona == persona]


def _make_data_the_real_ways(now: Any) -> dict[str, list[str]]:
    """Load the small demo, then import a day-one market and add through the API and pages."""
    from homecare.accounts import actions as accounts
    from homecare.accounts.models import Organisation
    from homecare.brokerage.models import BrokerageRequest, Person
    from homecare.commissioning.demo import COUNCIL, COUNCIL_2, FRAMEWORK, PROVIDER_A, load_demo
    from homecare.commissioning.models import Area

    load_demo()
    made: dict[str, list[str]] = {}
    council = Organisation.objects.get(name=COUNCIL)
    # The broker has set up an authenticator app, so their administrator can reset it.
    from django.contrib.auth import get_user_model

    from homecare.accounts import two_factor

    broker = get_user_model().objects.get(username="broker")
    two_factor.give_known_app(broker, "3132333435363738393031323334353637383930", acting_user=None)
    mine = Area.objects.filter(zone__lots__framework__council=council).order_by("code")
    areas = list(mine.values_list("code", flat=True)[:3])

    def sheet(folder: str, kind: str, rows: list[dict[str, str]]) -> str:
        path = os.path.join(folder, f"{kind}.csv")
        with open(path, "w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    people = [
        {"reference": f"P-9{n:05d}", "area_code": areas[n % len(areas)], "funding": "council"}
        | {"cohort": "older_people"}
        for n in range(2)
    ]
    start = (now.date()).replace(day=1).isoformat()
    packages = [
        {
            "person_reference": person["reference"],
            "framework": FRAMEWORK,
            "provider": PROVIDER_A,
            "start_date": start,
            "source": "community",
            "schedule": "Mon-Fri 08:00 30m; Daily 18:00 30m x2",
            "state": state,
        }
        for person, state in zip(people, ("started", "placed"), strict=True)
    ]
    # The day-one import as a council runs it: ``manage.py import_market KIND FILE --council``.
    with tempfile.TemporaryDirectory() as folder:
        for kind, rows in (("people", people), ("packages", packages)):
            out = io.StringIO()
            path = sheet(folder, kind, rows)
            call_command("import_market", kind, path, "--council", COUNCIL, stdout=out)
            assert "0 rejected; written." in out.getvalue(), out.getvalue()
    imported = BrokerageRequest.objects.filter(
        package__person__reference__in=[p["reference"] for p in people]
    )
    made["imported requests"] = [
        f"/brokerage/requests/{pk}/" for pk in imported.values_list("pk", flat=True)
    ]

    # A case-management system asks for care through the API with the council's token.
    _, token = accounts.issue_api_token(council, "Case management", acting_user=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "person_reference": "P-990100",
        "area_code": areas[0],
        "funding": "council",
        "cohort": "older_people",
        "source": "hospital_discharge",
        "priority": "urgent",
        "start_date": now.date().isoformat(),
        "visits": [{"day": d, "window_start": "08:00", "minutes": 45} for d in range(7)],
    }
    answer = api.post("/api/v1/requests", body, content_type="application/json")
    assert answer.status_code in (200, 201), answer.content
    api_request = BrokerageRequest.objects.get(
        package__person__reference="P-990100", framework__council=council
    )
    made["API requests"] = [f"/brokerage/requests/{api_request.pk}/"]
    # The second council's system asks for care for its own person with the same reference.
    second = Organisation.objects.get(name=COUNCIL_2)
    _, token = accounts.issue_api_token(second, "Case management", acting_user=None)
    area = Area.objects.filter(zone__lots__framework__council=second).order_by("code").first()
    assert area is not None
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/requests", body | {"area_code": area.code}, content_type="application/json"
    )
    assert answer.status_code in (200, 201), answer.content
    api_request = BrokerageRequest.objects.get(
        package__person__reference="P-990100", framework__council=second
    )
    made["second council's API requests"] = [f"/brokerage/requests/{api_request.pk}/"]
    assert Person.objects.filter(reference="P-990100").count() == 2  # one each
    made |= _make_commissioning_records(council, now)
    # A person's records for the information governance page (their history, exports).
    person = Person.objects.get(council=council, reference=people[0]["reference"])
    made["people's records"] = [
        f"/governance/people/{person.pk}/",
    ]
    # Links sent by e-mail, opened after they have expired: the page must say so plainly.
    made["expired links"] = [
        "/users/invitation/MQ/expired-token/",
        "/users/password-reset/MQ/expired-token/",
    ]
    return made


def _make_commissioning_records(council: Any, now: Any) -> dict[str, list[str]]:
    """A tender evaluated through its page, an open framework with a provider's application,
    and a small simulation and travel calibration run as the worker runs them."""
    from pathlib import Path

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from homecare.commissioning import market_actions, travel_actions
    from homecare.commissioning.demo import PROVIDER_A
    from homecare.commissioning.models import Provider, TenderEvaluation, Zone
    from homecare.insight import simulation_actions

    users = get_user_model().objects
    commissioner = users.get(username="commissioner")
    data = Path(__file__).resolve().parents[3] / "tests" / "data" / "procurement"
    page = Client()
    page.force_login(commissioner)
    answer = page.post(
        "/tenders/",
        {
            "bids": SimpleUploadedFile("bids.csv", (data / "golden_bids.csv").read_bytes()),
            "rules_source": "file",
            "rules": SimpleUploadedFile("rules.toml", (data / "golden_rules.toml").read_bytes()),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    tender = TenderEvaluation.objects.get(council=council)
    zone = Zone.objects.order_by("code").first()
    assert zone is not None
    framework = market_actions.create_framework(
        council=council,
        name="Open framework for the walk",
        policy_kind="open_framework",
        start_date=now.date(),
        open_to_new_providers=True,
        lots=[{"code": zone.code, "name": zone.name, "kind": "geographic", "zones": [zone.code]}],
        acting_user=commissioner,
    )
    application = market_actions.apply_to_framework(
        framework=framework,
        provider=Provider.objects.get(name=PROVIDER_A),
        lots=list(framework.lots.all()),
        hourly_rate=None,
        at=now,
        acting_user=users.get(username="provider-a"),
    )
    simulation = simulation_actions.start_simulation(
        council=council, models=["prime"], replications=1, horizon_weeks=1, seed=1,
        now=now, acting_user=commissioner,
    )  # fmt: skip
    travel = travel_actions.start_travel_calibration(
        council, source="demo", people=4, seconds_per_visit=0.001,
        acting_user=commissioner, now=now,
    )  # fmt: skip
    # The background worker's step, run here as the worker runs it.
    simulation = simulation_actions.run_simulation(simulation.pk, now=now)
    travel = travel_actions.run_travel_calibration(travel.pk, now=now)
    assert (simulation.status, travel.status) == ("done", "done"), (simulation.error, travel.error)
    return {
        "tender evaluations": [f"/tenders/{tender.pk}/", f"/tenders/{tender.pk}/result.xlsx"],
        "framework applications": [f"/applications/{application.pk}/"],
        "simulations": [f"/insight/simulations/{simulation.pk}/"],
        "simulation reports": [f"/insight/simulations/{simulation.pk}/pdf/"],
        "travel calibrations": [f"/travel/{travel.pk}/"],
    }


# Each first-council persona and the second council's in the same role.
COUNTERPARTS = {
    "commissioner": "ferncaster-commissioner",
    "broker": "ferncaster-broker",
    "finance": "ferncaster-finance",
    "user-admin": "ferncaster-user-admin",
}
# Provider A serves both councils, B only the first, C only the second.
PERSONAS = (*COUNTERPARTS, *COUNTERPARTS.values(), "provider-a", "provider-b", "provider-c")
PERSONAS += ("outsider", None)


@pytest.fixture(scope="module")
def walk(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Walk]:
    from django.contrib.auth import get_user_model

    from homecare.accounts import actions as accounts

    result = Walk()
    demo = override_settings(
        HOMECARE_DEMO_PACKAGES=12,
        HOMECARE_DEMO_LOG_PERIODS=2,  # the earlier is approved, paid and corrected
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    with django_db_blocker.unblock(), demo, transaction.atomic():
        now = timezone.now()
        result.made = _make_data_the_real_ways(now)
        accounts.create_persona(
            "outsider", password="x", organisation=None, role=None, acting_user=None
        )
        start = start_pages()
        seeds = [path for paths in result.made.values() for path in paths]
        users = get_user_model().objects
        files: set[str] = set()  # each PDF, workbook and CSV is downloaded once in all
        clients = {}
        for persona in PERSONAS:
            # A server error is recorded as the answer, not raised, so the walk goes on.
            client = clients[persona] = Client(raise_request_exception=False)
            if persona is not None:
                client.force_login(users.get(username=persona))
            result.visits += walk_site(persona or "signed out", client, start, seeds, files)
        _keep_councils_apart(result, clients)
        result.api = walk_the_api()
        result.api_crossed = api_crossed(result.api)
        transaction.set_rollback(True)
    yield result


def _keep_councils_apart(result: Walk, clients: dict[Any, Client]) -> None:
    """Record every page of another council's record a council persona opened, then ask
    for each record page a council persona reached as the other council's persona in the
    same role (with ``result.crossed``'s answers)."""
    from homecare.accounts.models import Membership

    owners = Owners()
    organisations = {
        persona: set(
            Membership.objects.filter(user__username=persona).values_list(
                "organisation_id", flat=True
            )
        )
        for pair in COUNTERPARTS.items()
        for persona in pair
    }
    result.foreign = [
        f"{v.persona}: {v.path} (from {v.came_from})"
        for v in result.visits
        if v.persona in organisations
        and v.status == 200
        and owners.foreign(v.path, organisations[v.persona])
    ]
    for pair in COUNTERPARTS.items():
        for mine, other in (pair, pair[::-1]):
            reached = {v.path for v in result.of(mine) if v.status == 200}
            for path in sorted(reached):
                if owners(path) and owners(path) <= organisations[mine]:
                    result.crossed.append((other, path, clients[other].get(path).status_code))


def _failures(visits: list[Visit], bad: Any) -> list[str]:
    return [f"{v.status} {v.path} (from {v.came_from})" for v in visits if bad(v)]


@pytest.mark.parametrize("persona", [p or "signed out" for p in PERSONAS])
def test_no_page_answers_a_server_error_or_a_debug_page(walk: Walk, persona: str) -> None:
    visits = walk.of(persona)
    assert visits, f"{persona} walked no page"
    failures = _failures(visits, lambda v: v.status >= 500)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", [p or "signed out" for p in PERSONAS])
def test_no_link_leads_nowhere(walk: Walk, persona: str) -> None:
    # A refusal is right for a record a persona may not see (the importer's and the API's
    # are the council's), but a link a page offers must lead somewhere.
    linked = [v for v in walk.of(persona) if not v.came_from.startswith("(")]
    failures = _failures(linked, lambda v: v.status == 404)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", [p or "signed out" for p in PERSONAS])
def test_no_page_shows_internal_words(walk: Walk, persona: str) -> None:
    # Seed references, file formats, codes and slugs in place of names, "1 carer hours".
    found = [f"{v.path}: {'; '.join(v.words)}" for v in walk.of(persona) if v.words]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("persona", [p or "signed out" for p in PERSONAS])
def test_no_page_runs_more_queries_than_its_budget(walk: Walk, persona: str) -> None:
    heavy = [f"{v.queries} queries: {v.path}" for v in walk.of(persona) if v.queries > QUERY_BUDGET]
    assert not heavy, "\n".join(heavy)


def test_every_record_made_the_real_ways_opens_for_the_council(walk: Walk) -> None:
    # Requests are the brokers' work; everything else made here is the commissioners'.
    for made, paths in walk.made.items():
        persona = "broker" if "requests" in made else "commissioner"
        if made.startswith("second council's"):
            persona = COUNTERPARTS[persona]
        by_path = {v.path: v.status for v in walk.of(persona)}
        assert paths, f"no {made} were made"
        for path in paths:
            assert by_path.get(path) == 200, f"{made}: {path} answered {by_path.get(path)}"


def test_no_council_persona_opens_a_page_of_another_councils_record(walk: Walk) -> None:
    assert not walk.foreign, "\n".join(walk.foreign)


@pytest.mark.parametrize("persona", [*COUNTERPARTS, *COUNTERPARTS.values()])
def test_every_record_page_a_council_reached_is_refused_to_the_other_council(
    walk: Walk, persona: str
) -> None:
    # The other council's persona in the same role reached these pages of their own
    # council's records (requests, packages, runs, invoices, rate cards, complaints...).
    asked = [(path, status) for who, path, status in walk.crossed if who == persona]
    assert len(asked) >= 3, f"too few of the other council's record pages to ask for: {asked}"
    opened = [f"{status} {path}" for path, status in asked if status not in (403, 404)]
    assert not opened, "\n".join(opened)


def test_the_api_gives_no_council_another_councils_records(walk: Walk) -> None:
    asked = walk.api_crossed
    assert len(asked) >= 4, asked  # the other council's requests and packages
    # Refused, or (for planned visits asked for without their dates) asked for wrongly.
    assert all(line.startswith(("403 ", "404 ", "400 ")) for line in asked), "\n".join(asked)


def test_every_read_endpoint_of_the_api_answers_without_a_server_error(walk: Walk) -> None:
    assert len({path for _, path, _ in walk.api}) >= 10
    unfilled = [f"{who}: {path}" for who, path, status in walk.api if status == 0]
    assert not unfilled, "no data to fill: " + ", ".join(unfilled)
    failures = [f"{status} {path} ({who})" for who, path, status in walk.api if status >= 500]
    assert not failures, "\n".join(failures)


def test_the_signed_out_visitor_opens_only_public_pages(walk: Walk) -> None:
    # Signing in, and the pages of an e-mailed link (an invitation, a password reset).
    visits = walk.of("signed out")
    assert {v.status for v in visits} <= {200, 302, 404}
    opened = [v.path for v in visits if v.status == 200]
    assert "/accounts/sign-in/" in opened
    private = [path for path in opened if not _rule(path).startswith("public:")]
    assert not private, private


def _rule(path: str) -> str:
    from django.urls import resolve

    return str(getattr(resolve(path.split("?")[0]).func, "access_rule", ""))


def test_every_page_is_reached_by_some_persona(walk: Walk) -> None:
    reached = {v.name for v in walk.visits if v.status == 200}
    # Pages that only answer a form's POST (their GET is refused or redirected), and the
    # steps of signing in the walk cannot take.
    posted_only = {
        "accounts:sign-out",
        "commissioning:provider-status",
        "commissioning:provider-quality",
        "commissioning:application-approve",
        "commissioning:application-reject",
        "commissioning:tender-appoint",
        "delivery:rerun",
        "delivery:approve",
        "delivery:decide_all",
        "delivery:decide",
        "users:switch-on",
        "users:invite-again",
        "governance:person-export",
        "delivery:upload-again",
        "finance:batch-make-export",
        "finance:query-reply",
        "finance:query-close",
        # The second step of a password sign-in (the walk's personas are signed in already;
        # the browser tests sign in with a password and a code).
        "accounts:two-factor",
        # Single sign-on answers only where a council has set it up (the demo has not); its
        # tests sign in through a real OpenID Connect provider.
        "accounts:sso-start",
        "accounts:sso-callback",
    }
    names = {name for name, _, _ in page_patterns()}
    missing = sorted(names - reached - posted_only)
    assert missing == [], f"no persona reached: {missing}"
