"""The top navigation offers "Provider performance" to the council's commissioners and
finance officers (who see the whole league table), and to nobody else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

URL = reverse("delivery:performance")


def navigation(client: Any, path: str) -> list[tuple[str, str, bool]]:
    """The top navigation's links on ``path``: (text, href, marked current)."""
    page = client.get(path).content.decode()
    found = re.search(r'<ul[^>]*id="navigation".*?</ul>', page, re.S)
    if found is None:
        return []
    links = re.findall(r"<li[^>]*>.*?</li>", found.group(0), re.S)
    items = []
    for item in links:
        link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', item, re.S)
        assert link is not None, item
        text = re.sub(r"<[^>]+>", "", link.group(2)).strip()
        items.append((text, link.group(1), "aria-current" in item or "--active" in item))
    return items


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("commissioner", True),
        ("finance", True),
        ("broker", False),
        ("provider_a_user", False),
        ("outsider", False),
    ],
)
def test_the_navigation_offers_provider_performance_to_those_who_see_the_whole_table(
    persona: str, offered: bool, personas: dict[str, Any], finance: Any, signed_in: Any
) -> None:
    user = finance if persona == "finance" else personas[persona]
    links = navigation(signed_in(user), reverse("home"))
    assert (("Provider performance", URL, False) in links) == offered, links
    if persona != "outsider":
        assert links, "a member sees a navigation"


def test_the_performance_link_is_current_on_the_league_table_and_no_other_is(
    commissioner: Any, signed_in: Any
) -> None:
    links = navigation(signed_in(commissioner), URL)
    assert [text for text, _href, current in links if current] == ["Provider performance"]
