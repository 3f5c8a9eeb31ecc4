"""The day-one market import with two councils holding frameworks of the same name: each
council's commissioner imports into its own framework, people and quality scores, through
the import page as a council does (issue 13, "the market import looks frameworks up by name
across councils")."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from homecare.brokerage.models import Person, Placement
from homecare.brokerage.testing import (
    AREA,
    NOW,
    make_market,
    other_area,
    other_council,
    persona,
)
from homecare.commissioning.market_models import Appointment, Provider, ProviderStanding

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "imports"
ORDER = ("providers", "appointments", "people", "packages")


@pytest.fixture(autouse=True)
def _monday(frozen_now: Any) -> None:
    frozen_now(NOW)


@pytest.fixture
def two_councils(geography: Any, council: Any) -> tuple[Any, Any]:
    council_b = other_council()
    for each in (council, council_b):  # both call theirs "Day one framework"
        make_market(each, name="Day one framework", primes=0, supplementary=0)
    return council, council_b


def _import_by_page(client: Any, kind: str, council: Any = None) -> str:
    """The sample file imported by ``client``; for a ``council`` made by ``other_council``
    its people live in that council's own area, not in the first council's."""
    content = (SAMPLES / f"{kind}.csv").read_bytes()
    if council is not None:
        content = content.replace(AREA.encode(), other_area(council).encode())
    upload = io.BytesIO(content)
    upload.name = f"{kind}.csv"
    page = client.post(
        reverse("commissioning:import"), {"kind": kind, "file": upload, "mode": "all"}
    )
    assert page.status_code == 200
    return page.content.decode()


def test_each_council_imports_into_its_own_framework_of_the_same_name(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    _council_a, council_b = two_councils
    client = signed_in(persona("commissioner_b", council_b, "commissioner"))
    for kind in ORDER:
        assert "Nothing was loaded" not in _import_by_page(client, kind, council_b), kind

    appointed = {a.framework.council for a in Appointment.objects.all()}
    assert appointed == {council_b}
    assert {p.council for p in Person.objects.all()} == {council_b}
    assert {p.request.framework.council for p in Placement.objects.all()} == {council_b}
    assert set(ProviderStanding.objects.values_list("council", flat=True)) == {council_b.pk}
    kestrel = Provider.objects.get(name="Kestrel Lane Support (sample)")
    assert kestrel.standings.get().quality_score == Decimal("91")


def test_the_second_council_s_import_of_the_same_references_makes_its_own_people(
    signed_in: Any, two_councils: tuple[Any, Any]
) -> None:
    council_a, council_b = two_councils
    client_a = signed_in(persona("commissioner_a", council_a, "commissioner"))
    for kind in ORDER:
        _import_by_page(client_a, kind)
    a_people = {p.pk: (p.area_id, p.funding, p.cohort) for p in Person.objects.all()}

    client_b = signed_in(persona("commissioner_b", council_b, "commissioner"))
    for kind in ORDER:
        assert "Nothing was loaded" not in _import_by_page(client_b, kind, council_b), kind

    by_council = {
        council: sorted(Person.objects.filter(council=council).values_list("reference", flat=True))
        for council in (council_a, council_b)
    }
    assert by_council[council_a] == by_council[council_b] != []
    assert {
        p.pk: (p.area_id, p.funding, p.cohort) for p in Person.objects.filter(council=council_a)
    } == a_people
    assert all(
        {h.history_user.username for h in person.history.all()} == {"commissioner_a"}
        for person in Person.objects.filter(council=council_a)
    )
    assert Placement.objects.filter(request__framework__council=council_a).count() == (
        Placement.objects.filter(request__framework__council=council_b).count()
    )


def test_a_framework_is_found_only_among_the_importing_council_s_own(
    signed_in: Any, geography: Any, council: Any
) -> None:
    council_b = other_council()
    make_market(council_b, name="Day one framework", primes=0, supplementary=0)
    client = signed_in(persona("commissioner_a", council, "commissioner"))
    _import_by_page(client, "providers")

    page = _import_by_page(client, "appointments")

    assert "Nothing was loaded" in page and "Day one framework" in page
    assert not Appointment.objects.exists()


def test_the_command_names_the_council_when_there_are_two(two_councils: tuple[Any, Any]) -> None:
    _council_a, council_b = two_councils
    with pytest.raises(CommandError, match="--council"):
        call_command("import_market", "providers", str(SAMPLES / "providers.csv"))

    out = io.StringIO()
    call_command(
        "import_market",
        "providers",
        str(SAMPLES / "providers.csv"),
        council=council_b.name,
        stdout=out,
    )
    assert "3 good" in out.getvalue()
    assert set(ProviderStanding.objects.values_list("council", flat=True)) == {council_b.pk}
