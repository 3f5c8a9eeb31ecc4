"""Day-one import: every bad row reported with row, column and reason; all or nothing by
default, the good rows only when asked; never half-written."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from homecare.brokerage.imports import FileError, import_file
from homecare.brokerage.models import Package, Person, Placement
from homecare.brokerage.testing import NOW, make_market
from homecare.commissioning.models import Appointment, Provider

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "data" / "imports"


def _load(kind: str, name: str, **options: Any) -> Any:
    return import_file(kind, SAMPLES / name, now=NOW, acting_user=None, **options)


@pytest.fixture
def day_one(geography: Any, council: Any) -> Any:
    return make_market(council, name="Day one framework", primes=0, supplementary=0)


def test_a_whole_market_loads_from_the_sample_files(day_one: Any) -> None:
    for kind, name in (
        ("providers", "providers.csv"),
        ("appointments", "appointments.csv"),
        ("people", "people.csv"),
        ("packages", "packages.csv"),
    ):
        report = _load(kind, name)
        assert report.rejected == [], report.lines()
        assert report.committed
    assert Provider.objects.count() == 3
    kestrel = Appointment.objects.get(provider__name="Kestrel Lane Support (sample)")
    assert {r.band: r.hourly_rate for r in kestrel.rates.all()}["RURAL"] == Decimal("22.30")
    assert kestrel.block_hours_per_week == Decimal("200")
    statuses = dict(Package.objects.values_list("person__reference", "status"))
    assert statuses == {"SAMPLE-0001": "started", "SAMPLE-0002": "started", "SAMPLE-0004": "placed"}
    rates = dict(Placement.objects.values_list("provider__name", "rate"))
    assert rates == {
        "Kestrel Lane Support (sample)": Decimal("20.40"),  # its URBAN band rate
        "Harebell Home Care (sample)": Decimal("20.95"),
        "Oriel Court Care (sample)": Decimal("19.75"),  # the rate in the file
    }


def test_an_xlsx_file_reads_like_its_csv(day_one: Any) -> None:
    assert _load("providers", "providers.xlsx").written == 3
    _load("appointments", "appointments.csv")
    _load("people", "people.csv")
    report = _load("packages", "packages.xlsx")
    assert report.rejected == [], report.lines()
    assert Package.objects.count() == 3


def test_bad_rows_are_each_reported_and_nothing_is_written(day_one: Any) -> None:
    report = _load("providers", "providers_bad.csv")
    assert not report.committed
    assert report.written == 0
    found = {(e.row, e.column) for e in report.rejected}
    assert found == {(3, "cqc_location_id"), (4, "cqc_rating"), (5, "quality_score")}
    assert not Provider.objects.exists()


def test_bad_package_rows_name_the_row_the_column_and_the_reason(day_one: Any) -> None:
    _load("providers", "providers.csv")
    _load("appointments", "appointments.csv")
    _load("people", "people.csv")
    report = _load("packages", "packages_bad.csv")
    errors = {e.row: e for e in report.rejected}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert errors[3].column == "schedule"
    assert "0" in errors[3].reason
    assert (errors[4].column, "overlaps" in errors[4].reason) == ("schedule", True)
    assert errors[5].column == "area_code"
    assert errors[6].column == "provider"
    assert errors[7].column == "start_date"
    assert not Package.objects.exists()
    assert not Placement.objects.exists()
    assert Person.objects.count() == 3  # only the people file's, nothing from the bad file


def test_the_good_rows_load_when_the_council_asks_and_bad_ones_leave_nothing(
    day_one: Any,
) -> None:
    report = _load("providers", "providers_bad.csv", good_rows_only=True)
    assert report.committed
    assert report.written == 1
    assert list(Provider.objects.values_list("name", flat=True)) == ["Harebell Home Care (sample)"]
    # The rejected providers' organisations were rolled back with their rows.
    from homecare.accounts.models import Organisation

    assert not Organisation.objects.filter(name__startswith="Kestrel").exists()


def test_a_file_with_a_missing_column_is_refused_whole(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "providers.csv"
    path.write_text("provider_name\nX\n")
    with pytest.raises(FileError, match="missing column"):
        import_file("providers", path, now=NOW, acting_user=None)


def test_the_command_prints_the_report_and_fails_on_bad_rows(day_one: Any) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_market", "providers", str(SAMPLES / "providers_bad.csv"), stdout=out)
    text = out.getvalue()
    assert "nothing written" in text
    assert "row 3, column cqc_location_id" in text
    out = io.StringIO()
    call_command("import_market", "providers", str(SAMPLES / "providers.csv"), stdout=out)
    assert "3 good, 0 rejected; written" in out.getvalue()
