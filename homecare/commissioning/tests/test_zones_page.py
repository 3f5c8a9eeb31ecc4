"""The zones map and table, and a zone's own page, come from the stored geography."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from carecore.geography import zones_summary


@pytest.mark.django_db
def test_the_zones_table_has_every_zone_with_its_counts(
    signed_in: Any, broker: Any, geography: Any
) -> None:
    page = signed_in(broker).get(reverse("commissioning:zones")).content.decode()
    table = page.split('id="zones-caption"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, flags=re.S)[1:]
    summary = zones_summary(geography)
    assert len(rows) == len(summary) == 14
    for row, zone in zip(rows, summary, strict=True):
        assert zone["name"] in row
        cells = re.findall(r'govuk-table__cell--numeric">([\d,]+)<', row)
        counts = [
            str(zone["areas_by_band"][code]) for code in ("URBAN", "FRINGE", "RURAL", "ISOLATED")
        ]
        assert cells == [*counts, f"{zone['population_65_plus']:,}"]
        assert ('<td class="govuk-table__cell">Yes</td>' in row) == zone["has_prime"]


@pytest.mark.django_db
def test_the_map_is_inline_and_accessible(signed_in: Any, broker: Any, geography: Any) -> None:
    page = signed_in(broker).get(reverse("commissioning:zones")).content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg


@pytest.mark.django_db
def test_a_zone_page_lists_its_areas_and_highlights_the_zone(
    signed_in: Any, broker: Any, geography: Any
) -> None:
    zone = next(z for z in geography.zones if z.code == "charnwood-north")
    client = signed_in(broker)
    page = client.get(reverse("commissioning:zone", args=[zone.code])).content.decode()
    assert f'<h1 class="govuk-heading-l">{zone.name}</h1>' in page
    for area in geography.areas_in_zone(zone.code):
        assert area.code in page
    other = client.get(reverse("commissioning:zone", args=["melton"])).content.decode()
    assert page.split("<svg", 1)[1] != other.split("<svg", 1)[1]


@pytest.mark.django_db
def test_the_zones_page_says_so_when_nothing_is_loaded(signed_in: Any, broker: Any) -> None:
    page = signed_in(broker).get(reverse("commissioning:zones")).content.decode()
    assert "No zones have been loaded yet" in page
