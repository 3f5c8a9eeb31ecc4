"""Who pays for a person's care: checked the same way wherever people are made (the request,
the market import), and changed only with a reason that the person's history keeps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from carecore.errors import InputError
from homecare.brokerage.imports import import_file
from homecare.brokerage.models import Person
from homecare.brokerage.presenters import funding_changes, funding_text, person_funding
from homecare.brokerage.tenancy import change_person_funding, check_funding, read_share
from homecare.brokerage.testing import AREA, NOW, make_market

pytestmark = pytest.mark.django_db
LATER = NOW.replace(hour=15)


@pytest.mark.parametrize(
    ("funding", "share", "key", "words"),
    [
        ("joint", None, "nhs_share_percent", "enter the NHS share"),
        ("joint", Decimal("0"), "nhs_share_percent", "more than 0%"),
        ("joint", Decimal("100"), "nhs_share_percent", "less than 100%"),
        ("joint", Decimal("-5"), "nhs_share_percent", "more than 0%"),
        ("joint", Decimal("37.125"), "nhs_share_percent", "two decimal places"),
        ("council", Decimal("40"), "nhs_share_percent", "only a joint-funded person"),
        ("nhs_chc", Decimal("40"), "nhs_share_percent", "only a joint-funded person"),
        ("self_funded", None, "funding", "unknown funding"),
    ],
)
def test_a_share_is_required_for_joint_funding_and_refused_for_any_other(
    funding: str, share: Decimal | None, key: str, words: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_funding(funding, share)
    assert refused.value.key == key
    assert words in refused.value.message


def test_a_share_is_kept_to_the_penny_and_read_as_people_type_it() -> None:
    assert check_funding("joint", Decimal("40")) == Decimal("40.00")
    assert check_funding("joint", Decimal("0.01")) == Decimal("0.01")
    assert check_funding("joint", Decimal("99.99")) == Decimal("99.99")
    assert check_funding("council", None) is None
    assert read_share(" 37.5 % ") == Decimal("37.5")
    assert read_share("") is None
    with pytest.raises(InputError) as bad:
        read_share("forty")
    assert bad.value.key == "nhs_share_percent"


@pytest.mark.parametrize(
    ("funding", "share", "words"),
    [
        ("joint", Decimal("40.00"), "Joint-funded: NHS pays 40%, the council 60%"),
        ("joint", Decimal("33.33"), "Joint-funded: NHS pays 33.33%, the council 66.67%"),
        ("joint", Decimal("37.50"), "Joint-funded: NHS pays 37.5%, the council 62.5%"),
        ("council", None, "Council-funded"),
        ("nhs_chc", None, "NHS continuing healthcare: the NHS pays"),
        ("direct_payment", None, "Direct payment: the person buys their own care"),
    ],
)
def test_funding_in_plain_words(funding: str, share: Decimal | None, words: str) -> None:
    assert funding_text(funding, share) == words


@pytest.fixture
def person(new_request: Any) -> Person:
    return new_request("P-0001").package.person


def test_changing_a_person_s_funding_is_recorded_with_who_when_and_why(
    person: Person, broker: Any
) -> None:
    change_person_funding(
        person,
        funding="joint",
        nhs_share_percent=Decimal("40"),
        reason="CHC panel agreed joint funding",
        now=LATER,
        acting_user=broker,
    )
    person.refresh_from_db()
    assert (person.funding, person.nhs_share_percent) == ("joint", Decimal("40.00"))
    assert person_funding(person) == "Joint-funded: NHS pays 40%, the council 60%"
    latest = person.history.order_by("-history_id").first()
    assert latest is not None
    assert (latest.history_user, latest.history_date) == (broker, LATER)
    assert latest.history_change_reason == "CHC panel agreed joint funding"
    assert funding_changes(person) == [
        {
            "at": LATER,
            "from": "Council-funded",
            "to": "Joint-funded: NHS pays 40%, the council 60%",
            "by": broker,
            "reason": "CHC panel agreed joint funding",
        }
    ]


def test_a_person_leaving_joint_funding_keeps_no_share(person: Person, broker: Any) -> None:
    for funding, share in (("joint", Decimal("35")), ("direct_payment", None)):
        change_person_funding(
            person,
            funding=funding,
            nhs_share_percent=share,
            reason="Reviewed",
            now=LATER,
            acting_user=broker,
        )
    person.refresh_from_db()
    assert (person.funding, person.nhs_share_percent) == ("direct_payment", None)
    assert [row["to"] for row in funding_changes(person)] == [
        "Direct payment: the person buys their own care",
        "Joint-funded: NHS pays 35%, the council 65%",
    ]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"funding": "council", "nhs_share_percent": None}, "funding"),  # nothing changes
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 101}, "reason"),
        ({"nhs_share_percent": None}, "nhs_share_percent"),
        ({"funding": "nhs_chc"}, "nhs_share_percent"),
        ({"funding": "private"}, "funding"),
    ],
)
def test_a_bad_change_of_funding_names_its_field_and_writes_nothing(
    person: Person, broker: Any, changes: dict[str, Any], key: str
) -> None:
    versions = person.history.count()
    values = {"funding": "joint", "nhs_share_percent": Decimal("40"), "reason": "Reviewed"}
    values.update(changes)
    with pytest.raises(InputError) as refused:
        change_person_funding(person, now=LATER, acting_user=broker, **values)
    assert refused.value.key == key
    person.refresh_from_db()
    assert (person.funding, person.nhs_share_percent) == ("council", None)
    assert person.history.count() == versions


def test_a_new_request_for_a_joint_funded_person_on_other_funding_ends_their_share(
    person: Person, broker: Any, new_request: Any
) -> None:
    change_person_funding(
        person,
        funding="joint",
        nhs_share_percent=Decimal("40"),
        reason="Reviewed",
        now=LATER,
        acting_user=broker,
    )
    new_request("P-0001", funding="nhs_chc")
    person.refresh_from_db()
    assert (person.funding, person.nhs_share_percent) == ("nhs_chc", None)


def test_a_new_joint_request_keeps_a_joint_funded_person_s_share(
    person: Person, broker: Any, new_request: Any
) -> None:
    change_person_funding(
        person,
        funding="joint",
        nhs_share_percent=Decimal("40"),
        reason="Reviewed",
        now=LATER,
        acting_user=broker,
    )
    new_request("P-0001", funding="joint")
    person.refresh_from_db()
    assert (person.funding, person.nhs_share_percent) == ("joint", Decimal("40.00"))


def _people(text: str) -> Any:
    content = ("reference,area_code,funding,cohort,nhs_share_percent\n" + text).encode()
    return import_file(
        "people", "people.csv", content=content, good_rows_only=True, now=NOW, acting_user=None
    )


def test_the_people_import_takes_a_joint_share_and_names_the_row_and_column_of_a_bad_one(
    geography: Any, council: Any
) -> None:
    report = _people(
        f"P-1,{AREA},joint,older_people,40\n"
        f"P-2,{AREA},joint,older_people,\n"
        f"P-3,{AREA},council,older_people,25\n"
        f"P-4,{AREA},joint,older_people,100\n"
        f"P-5,{AREA},joint,older_people,forty\n"
        f"P-6,{AREA},direct_payment,older_people,\n"
        f"P-7,{AREA},joint,older_people,37.5%\n"
    )
    assert [(e.row, e.column) for e in report.rejected] == [
        (3, "nhs_share_percent"),
        (4, "nhs_share_percent"),
        (5, "nhs_share_percent"),
        (6, "nhs_share_percent"),
    ]
    assert "row 3, column nhs_share_percent: enter the NHS share" in str(report.rejected[0])
    stored = dict(Person.objects.values_list("reference", "nhs_share_percent"))
    assert stored == {"P-1": Decimal("40.00"), "P-6": None, "P-7": Decimal("37.50")}


def test_the_people_import_needs_no_share_column_when_nobody_is_joint_funded(
    geography: Any, council: Any
) -> None:
    content = f"reference,area_code,funding,cohort\nP-1,{AREA},nhs_chc,older_people\n".encode()
    report = import_file("people", "people.csv", content=content, now=NOW, acting_user=None)
    assert report.rejected == [] and report.committed
    assert Person.objects.get().funding == "nhs_chc"


PACKAGE_HEAD = (
    "person_reference,framework,provider,start_date,source,schedule,area_code,funding,cohort,"
    "nhs_share_percent\n"
)


def _packages(text: str) -> Any:
    return import_file(
        "packages",
        "packages.csv",
        content=(PACKAGE_HEAD + text).encode(),
        good_rows_only=True,
        now=NOW,
        acting_user=None,
    )


def test_a_package_row_with_a_share_for_other_funding_is_refused_naming_the_column(
    geography: Any, council: Any
) -> None:
    make_market(council, name="Day one")
    report = _packages(
        f"P-1,Day one,Prime 1 (test),2026-03-09,community,Mon 08:00 30m,{AREA},council,"
        "older_people,40\n"
    )
    assert [(e.row, e.column) for e in report.rejected] == [(2, "nhs_share_percent")]
    assert not Person.objects.exists()


def test_a_joint_funded_package_imports_with_its_share(geography: Any, council: Any) -> None:
    make_market(council, name="Day one")
    report = _packages(
        f"P-1,Day one,Prime 1 (test),2026-03-09,community,Mon 08:00 30m,{AREA},joint,"
        "older_people,35\n"
        f"P-2,Day one,Prime 1 (test),2026-03-09,community,Mon 09:00 30m,{AREA},joint,"
        "older_people,\n"
    )
    assert [(e.row, e.column) for e in report.rejected] == [(3, "nhs_share_percent")]
    person = Person.objects.get()
    assert (person.reference, person.funding, person.nhs_share_percent) == (
        "P-1",
        "joint",
        Decimal("35.00"),
    )
    assert person.packages.get().placements.exists()
