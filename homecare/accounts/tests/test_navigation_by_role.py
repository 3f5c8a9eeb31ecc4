"""The top navigation: each role sees the pages of its own work, every link's words are the
title of the page it opens, and the glossary is open to every member."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from homecare.accounts import actions
from homecare.accounts.glossary import GLOSSARY
from homecare.accounts.plain_words import internal_words_in
from homecare.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def links(client: Any, path: str = "/") -> list[tuple[str, str]]:
    """The navigation's (text, href) on ``path``."""
    page = client.get(path).content.decode()
    found = re.search(r'<ul[^>]*id="navigation".*?</ul>', page, re.S)
    assert found, "no navigation"
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href)
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', found.group(0), re.S)
    ]


@pytest.fixture
def finance(council: Any) -> Any:
    return actions.create_persona(
        "finance",
        password=PASSWORD,
        organisation=council,
        role="finance",
        first_name="Finance",
        acting_user=None,
    )


EXPECTED = {
    "broker": ["Home", "Waiting list", "Market dashboard", "Frameworks", "Providers", "Zones"],
    "finance": [
        "Home",
        "Reconciliation runs",
        "Visit log uploads",
        "Provider performance",
        "Performance report",
    ],
    "commissioner": [
        "Home",
        "Waiting list",
        "Market dashboard",
        "Frameworks",
        "Providers",
        "Provider performance",
        "Performance report",
        "Complaints",
        "Market simulations",
        "Tender evaluation",
    ],
    "provider_a_user": [
        "Home",
        "Offers",
        "My packages",
        "Capacity",
        "Reconciliation runs",
        "Visit log uploads",
        "Frameworks open to new providers",
    ],
}
NOT_FOR = {
    "broker": ["Reconciliation runs", "Complaints", "Offers", "Tender evaluation"],
    "finance": ["Waiting list", "Offers", "Complaints", "Market dashboard"],
    "commissioner": ["Offers", "My packages", "Capacity"],
    "provider_a_user": ["Waiting list", "Market dashboard", "Provider performance", "Complaints"],
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_the_links_of_its_own_work(
    who: str, personas: dict[str, Any], finance: Any, signed_in: Any, geography: Any
) -> None:
    user = finance if who == "finance" else personas[who]
    texts = [text for text, _ in links(signed_in(user))]
    for text in EXPECTED[who]:
        assert text in texts, (who, text, texts)
    for text in NOT_FOR[who]:
        assert text not in texts, (who, text, texts)
    assert texts[0] == "Home" and texts[-1] == "Glossary"
    assert "Rate cards" in texts


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_link_opens_a_page_whose_heading_is_the_links_words(
    who: str, personas: dict[str, Any], finance: Any, signed_in: Any, geography: Any
) -> None:
    user = finance if who == "finance" else personas[who]
    client = signed_in(user)
    for text, href in links(client):
        response = client.get(href)
        assert response.status_code == 200, (who, href, response.status_code)
        html = response.content.decode()
        headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        assert [re.sub(r"<[^>]+>", "", h).strip() for h in headings] == [text], (who, href)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title and title.group(1).strip().startswith(text), (who, href, title)


def test_the_current_page_is_marked_in_the_navigation(
    commissioner: Any, signed_in: Any, geography: Any
) -> None:
    page = signed_in(commissioner).get(reverse("insight:complaints")).content.decode()
    current = re.findall(r'<a[^>]*aria-current="page"[^>]*>(.*?)</a>', page, re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in current] == ["Complaints"]


@pytest.mark.parametrize("who", ["commissioner", "broker", "provider_a_user"])
def test_the_glossary_explains_the_words_in_plain_english(
    who: str, personas: dict[str, Any], signed_in: Any
) -> None:
    response = signed_in(personas[who]).get(reverse("glossary"))
    assert response.status_code == 200
    html = response.content.decode()
    for term in ("Band", "Tier", "Zone", "ECM", "Framework", "Spot purchase", "Double-handed"):
        assert f">{term}" in html, term
    assert "Contact hours and carer hours" in html
    assert 'id="spot-purchase"' in html
    assert internal_words_in(html) == []
    assert len({term.anchor for term in GLOSSARY}) == len(GLOSSARY)


def test_the_glossary_is_refused_to_the_outsider_and_asks_strangers_to_sign_in(
    outsider: Any, signed_in: Any, client: Any
) -> None:
    assert client.get(reverse("glossary")).status_code == 302
    assert signed_in(outsider).get(reverse("glossary")).status_code == 403
