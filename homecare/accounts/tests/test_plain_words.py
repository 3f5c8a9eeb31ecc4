"""No page shows the platform's internal words: research-seed references, file formats,
digests, raw place codes, slugs, zone codes in place of names, or "1 carer hours".

:func:`internal_words_in` is the check (the walk of every URL reuses it); the pages are the
demo's, as each persona sees them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecare.accounts.plain_words import (
    internal_words_in,
    plain_source,
    plural,
    rules_title,
    tier_words,
)

# --- the check itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>Source: Seed 000 paragraph 14: indicative prices</p>",
        "<p>band names from seed 001 paragraph 3.7.1</p>",
        "<p>See § 4.2 of the report</p>",
        "<p>Upload a rules file (TOML)</p>",
        "<p>A CSV or Parquet file</p>",
        "<dt>SHA-256</dt>",
        "<td>GN2642763</td>",
        "<span>Zone melton</span>",
        "<h1>Rate card leicestershire-2020-21</h1>",
        "<p>Rules: rotherham-actual</p>",
        "<p>1 carer hours a week</p>",
        "<p><strong>1</strong> visits</p>",
        "<td>None</td>",
        "<p>Tier: back_up</p>",
    ],
)
def test_each_kind_of_internal_word_is_found(html: str) -> None:
    assert internal_words_in(html), html


@pytest.mark.parametrize(
    "html",
    [
        "<p>1 carer hour a week; 2.5 carer hours; 11 hours; 21 visits</p>",
        "<p>Zone</p><h1>Melton</h1>",
        "<p>Leicestershire 2020-21, four-week period, day-one import</p>",
        "<p>None of the bands routed is on the rate card</p>",
        '<a href="/zones/melton/" download="x.parquet">Melton</a>',
        "<script>var sha256 = 'TOML';</script><style>.seed-0 {}</style>",
        "<p>Columns: <code>provider_ref, person_ref, check_in</code></p>",
        "<p><a href='/x.csv'>Download as CSV</a></p>",
    ],
)
def test_plain_words_pass(html: str) -> None:
    assert internal_words_in(html) == []


def test_a_finding_names_what_it_is_and_where() -> None:
    [finding] = internal_words_in("<p>Hello</p><p>Zone melton has 3 towns</p>")
    assert finding.startswith("a zone's code instead of its name: 'Zone melton'")


def test_a_seed_reference_becomes_the_report_it_stands_for() -> None:
    text = plain_source("Seed 000 paragraph 14: indicative prices for 2020-21")
    assert text.startswith("Leicestershire County Council's report to its Adults")
    assert "18 January 2021, paragraph 14: indicative prices" in text
    assert internal_words_in(f"<p>{text}</p>") == []


def test_counts_agree_with_their_nouns() -> None:
    assert plural(1, "carer hour") == "1 carer hour"
    assert plural("7.50", "carer hour") == "7.5 carer hours"
    assert plural(0, "exception") == "0 exceptions"
    assert plural(1200, "visit") == "1,200 visits"


def test_rules_and_tiers_are_named_in_words() -> None:
    assert rules_title("rotherham-actual") == "paid on the time actually delivered"
    assert rules_title("our-own-rules") == "our own rules"
    assert tier_words("back_up") == "back-up"


# --- the demo's pages -----------------------------------------------------------------------


@pytest.fixture
def demo(db: Any) -> Any:
    from homecare.commissioning.demo import load_demo

    return load_demo()


def _pages(user: Any) -> list[str]:
    """The pages a persona opens from the menu, with a few of each kind of record."""
    from homecare.accounts import access
    from homecare.brokerage import access as brokerage_access
    from homecare.commissioning import access as commissioning_access
    from homecare.commissioning.models import RateCard, Zone
    from homecare.delivery import access as delivery_access
    from homecare.delivery.models import InvoiceLine

    scope = access.scope_of_user(user)

    common = [
        reverse("home"),
        reverse("glossary"),
        reverse("commissioning:zones"),
        *[reverse("commissioning:zone", args=[z.code]) for z in Zone.objects.all()[:3]],
        reverse("commissioning:rate-cards"),
        *[reverse("commissioning:rate-card", args=[c.pk]) for c in RateCard.objects.all()],
    ]
    username = user.username
    runs = list(delivery_access.runs_for(scope)[:1])
    delivery = [
        reverse("delivery:uploads"),
        *[reverse("delivery:upload", args=[u.pk]) for u in delivery_access.uploads_for(scope)[:1]],
        reverse("delivery:runs"),
        *[reverse("delivery:run", args=[r.pk]) for r in runs],
        *[reverse("delivery:lines", args=[r.pk]) for r in runs],
        *[
            reverse("delivery:line", args=[line.run_id, line.pk])
            for line in InvoiceLine.objects.filter(run__in=runs, log__isnull=False)[:1]
        ],
    ]
    council = [
        reverse("commissioning:cost-of-care"),
        reverse("brokerage:waiting-list"),
        *[
            reverse("brokerage:request", args=[r.pk])
            for r in brokerage_access.requests_for(scope).order_by("-pk")[:2]
        ],
        reverse("insight:dashboard"),
        reverse("commissioning:frameworks"),
        *[
            reverse("commissioning:framework", args=[f.pk])
            for f in commissioning_access.frameworks_for(scope).order_by("pk")[:2]
        ],
        reverse("commissioning:providers"),
        *[
            reverse("commissioning:provider", args=[p.pk])
            for p in commissioning_access.market_providers_for(scope).order_by("pk")[:2]
        ],
    ]
    if username == "commissioner":
        return [
            *common,
            *council,
            reverse("delivery:performance"),
            reverse("insight:report"),
            reverse("insight:complaints"),
            reverse("insight:simulations"),
            reverse("insight:new-simulation"),
            reverse("commissioning:travel"),
            reverse("commissioning:import"),
        ]
    if username == "broker":
        return [*common, *council]
    if username == "finance":
        return [*common, *delivery, reverse("delivery:performance"), reverse("insight:report")]
    offers = brokerage_access.offers_for(scope).order_by("-pk")
    return [
        *common,
        *delivery,
        reverse("brokerage:offers"),
        *[reverse("brokerage:offer", args=[o.pk]) for o in offers[:2]],
        reverse("brokerage:packages"),
        reverse("brokerage:capacity"),
        reverse("commissioning:open-frameworks"),
    ]


@pytest.mark.parametrize("username", ["commissioner", "broker", "finance", "provider-a"])
def test_no_demo_page_shows_internal_words(demo: Any, username: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    found = {}
    for path in _pages(user):
        response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        words = internal_words_in(response.content.decode())
        if words:
            found[path] = words
    assert found == {}, found


def test_what_a_person_typed_or_uploaded_is_theirs_to_name() -> None:
    page = "<dl><dd data-user-text>rules.toml</dd><dd>rules<br>TOML</dd></dl><p>Parquet</p>"
    found = internal_words_in(page)
    assert [f.split(":")[0] for f in found] == ["a file format name", "a file format name"]
    assert not any("rules.toml" in f for f in found)
