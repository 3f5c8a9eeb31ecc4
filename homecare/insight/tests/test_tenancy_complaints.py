"""A complaint names one of the council's own people: a person of the same reference in
another council is never found (issue 13, "people belong to a council")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from homecare.brokerage.models import Person
from homecare.brokerage.testing import NOW, make_market, make_request, other_council
from homecare.insight import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_councils(geography: Any, council: Any) -> tuple[Any, Any]:
    council_b = other_council()
    for each in (council, council_b):
        make_market(each)
    return council, council_b


def test_the_council_s_own_person_is_found_and_another_council_s_is_not(
    two_councils: tuple[Any, Any],
) -> None:
    council_a, council_b = two_councils
    make_request(council_a.frameworks.get(), "P-0001", now=NOW)
    make_request(council_b.frameworks.get(), "P-0001", now=NOW)
    make_request(council_b.frameworks.get(), "P-0002", now=NOW)

    found = actions.council_person(council_a, "P-0001")
    assert found == Person.objects.get(council=council_a, reference="P-0001")
    assert actions.council_person(council_b, "P-0001").council == council_b
    with pytest.raises(ValidationError) as raised:
        actions.council_person(council_a, "P-0002")  # council B's person only
    assert "No person with the reference P-0002" in raised.value.message_dict["person"][0]


def test_a_council_s_person_with_no_package_yet_is_still_its_own(
    two_councils: tuple[Any, Any],
) -> None:
    council_a, _council_b = two_councils
    make_request(council_a.frameworks.get(), "P-0001", now=NOW)
    known = Person.objects.get(council=council_a, reference="P-0001")
    person = Person.objects.create(
        council=council_a,
        reference="P-0003",
        area=known.area,
        funding="council",
        cohort="older_people",
    )
    assert not person.packages.exists()
    assert actions.council_person(council_a, "P-0003") == person
