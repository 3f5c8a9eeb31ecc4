"""Councils are kept apart in delivery: one provider serving two councils sends one file of
visit logs; each council's reconciliation reads its own people's logs only, and a log is paid
in at most one council's invoice (issue 13, rerun with two councils side by side).

The logs arrive as a provider sends them: a file uploaded and imported, or one pushed log.
"""

from __future__ import annotations

from typing import Any

import pytest

from carecore.errors import InputError
from homecare.brokerage.testing import NOW, make_market, other_council, persona
from homecare.delivery import actions, reconciliation
from homecare.delivery.models import InvoiceLine, LogUpload, VisitLog
from homecare.delivery.testing import PERIOD_START, at, csv_bytes, log_row, place_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def council_b(framework: Any) -> Any:
    council_b = other_council()
    make_market(council_b)  # the same providers serve it
    return council_b


@pytest.fixture
def framework_b(council_b: Any) -> Any:
    return council_b.frameworks.get()


def _upload(provider: Any, rows: list[dict[str, str]]) -> LogUpload:
    upload = actions.create_upload(provider, "logs.csv", csv_bytes(rows), now=NOW, acting_user=None)
    return actions.import_upload(upload.pk, now=NOW)


def test_each_council_pays_only_its_own_people_s_logs_and_a_log_at_most_once(
    council: Any, framework: Any, council_b: Any, framework_b: Any, prime_1: Any, finance: Any
) -> None:
    finance_b = persona("finance_b", council_b, "finance")
    place_package(framework, "P-0001")
    place_package(framework_b, "P-0002")
    upload = _upload(
        prime_1,
        [log_row(prime_1, "P-0001", at(1, 8), 30), log_row(prime_1, "P-0002", at(1, 8), 30)],
    )
    assert upload.status == LogUpload.Status.DONE and upload.logs_created == 2

    run_a = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )
    run_b = reconciliation.run_reconciliation(
        council_b, prime_1, PERIOD_START, now=NOW, acting_user=finance_b
    )

    paid_a = {line.log.person.reference for line in run_a.lines.exclude(log=None)}
    paid_b = {line.log.person.reference for line in run_b.lines.exclude(log=None)}
    assert (paid_a, paid_b) == ({"P-0001"}, {"P-0002"})
    assert {line.person.council for line in run_b.lines.all()} == {council_b}
    assert {e.person_ref for e in run_b.exceptions.all()} <= {"P-0002"}  # none of A's as B's
    for log in VisitLog.objects.all():
        assert InvoiceLine.objects.filter(log=log).values("invoice").distinct().count() <= 1


def test_b_s_finance_never_sees_a_s_logs_when_b_s_broker_typed_a_s_reference(
    council: Any, framework: Any, council_b: Any, framework_b: Any, prime_1: Any, finance: Any
) -> None:
    """The probe: A's visits to P-0001 are logged; then B's broker types P-0001 and places
    B's package with the same provider. B's run neither pays A's logs nor lists them as
    exceptions, and A's run still pays them."""
    finance_b = persona("finance_b", council_b, "finance")
    place_package(framework, "P-0001")
    _upload(prime_1, [log_row(prime_1, "P-0001", at(1, 8), 30)])
    place_package(framework_b, "P-0001")
    a_logs = set(VisitLog.objects.values_list("pk", flat=True))

    run_b = reconciliation.run_reconciliation(
        council_b, prime_1, PERIOD_START, now=NOW, acting_user=finance_b
    )
    run_a = reconciliation.run_reconciliation(
        council, prime_1, PERIOD_START, now=NOW, acting_user=finance
    )

    assert not a_logs & set(run_b.lines.values_list("log", flat=True))
    assert not a_logs & set(run_b.exceptions.values_list("log", flat=True))
    assert a_logs <= set(run_a.lines.values_list("log", flat=True))


def test_a_row_naming_a_reference_of_two_councils_people_is_refused_with_its_row_number(
    framework: Any, framework_b: Any, prime_1: Any
) -> None:
    place_package(framework, "P-0005")
    place_package(framework_b, "P-0005")
    upload = actions.create_upload(
        prime_1,
        "logs.csv",
        csv_bytes([log_row(prime_1, "P-0005", at(1, 8), 30)]),
        now=NOW,
        acting_user=None,
    )

    actions.import_upload(upload.pk, now=NOW)

    upload.refresh_from_db()
    assert upload.status == LogUpload.Status.FAILED
    (error,) = upload.errors
    assert (error["row"], error["column"]) == (2, "person_ref")
    assert "P-0005" in error["message"] and "Otherton Borough Council (test)" in error["message"]
    assert not VisitLog.objects.exists()


def test_a_pushed_log_for_a_reference_of_two_councils_people_names_the_field(
    framework: Any, framework_b: Any, prime_1: Any
) -> None:
    place_package(framework, "P-0005")
    place_package(framework_b, "P-0005")
    row = log_row(prime_1, "P-0005", at(1, 8), 30)

    with pytest.raises(InputError) as refused:
        actions.record_visit_log(prime_1, row, now=NOW, acting_user=None)

    assert refused.value.key == "person_ref" and "Testshire County Council" in str(refused.value)
    assert not VisitLog.objects.exists()
