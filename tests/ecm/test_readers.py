"""Reading logs and planned visits: every bad value named by row and column, at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from carecore.ecm import InputErrors, read_approvals, read_logs, read_planned
from carecore.ecm.schema import ACTUAL_SCHEMA, PLANNED_SCHEMA
from carecore.errors import InputError
from carecore.units import LONDON

HEADER = "provider_ref,person_ref,carer_id,check_in,check_out,method,exception_code\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_row_is_reported_with_its_spreadsheet_row_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "logs.csv",
        HEADER
        + "PRV,P1,C1,2021-06-07 08:03,2021-06-07 08:45,app,\n"  # row 2: fine
        + "PRV,P1,C1,2021-06-07 08:03,2021-06-07 07:45,app,\n"  # row 3: out before in
        + "PRV,,C1,2021-06-07 08:03,2021-06-07 08:45,fax,\n"  # row 4: blank person, method
        + "PRV,P2,C2,yesterday,,phone,\n"  # row 5: bad check-in, missing check-out
        + "PRV,P2,C2,2021-03-28 01:30,2021-03-28 03:00,phone,eaten\n",  # row 6: gap, code
    )
    with pytest.raises(InputErrors) as caught:
        read_logs(path)
    found = [(e.row, e.key) for e in caught.value.errors]
    assert found == [
        (3, "check_out"),
        (4, "person_ref"),
        (4, "method"),
        (5, "check_in"),
        (5, "check_out"),
        (6, "check_in"),
        (6, "exception_code"),
    ]
    assert caught.value.total == 7
    assert isinstance(caught.value, InputError)
    messages = {(e.row, e.key): e.message for e in caught.value.errors}
    assert "is before check-in" in messages[(3, "check_out")]
    assert "never happened in London" in messages[(6, "check_in")]
    assert "'fax'" in messages[(4, "method")]
    assert str(caught.value).startswith(f"{path}: 7 bad values: row 3 'check_out'")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "logs.csv", "provider_ref,person_ref,carer_id,check_in\n")
    with pytest.raises(InputError) as caught:
        read_logs(path)
    assert caught.value.key == "check_out"


def test_offsets_are_honoured_and_naive_times_are_london_wall_time(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "logs.csv",
        HEADER
        + "PRV,P1,C1,2021-06-07T07:03:00Z,2021-06-07T08:45:00+01:00,APP,\n"
        + "PRV,P1,C2,07/01/2021 08:03,07/01/2021 08:45:10,qr,\n"
        + "PRV,P1,C3,2021-10-31 01:30,2021-10-31 01:50,app,\n",  # the autumn hour: BST first
    )
    logs = read_logs(path)
    assert logs.schema == pl.Schema(ACTUAL_SCHEMA)
    check_in = logs["check_in"].to_list()
    assert check_in[0] == datetime(2021, 6, 7, 8, 3, tzinfo=LONDON)
    assert check_in[1] == datetime(2021, 1, 7, 8, 3, tzinfo=LONDON)
    assert check_in[2].utcoffset().total_seconds() == 3600  # 01:30 BST, the first one
    assert logs["method"].to_list() == ["app", "qr", "app"]


def test_a_cancellation_may_leave_check_out_empty(tmp_path: Path) -> None:
    path = _write(tmp_path, "logs.csv", HEADER + "PRV,P1,C1,2021-06-07 08:00,,phone,cancelled\n")
    assert read_logs(path)["check_out"].to_list() == [None]


def test_parquet_logs_with_naive_datetimes_read_as_london_time(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "provider_ref": ["PRV"],
            "person_ref": ["P1"],
            "carer_id": ["C1"],
            "check_in": [datetime(2021, 6, 7, 8, 0)],
            "check_out": [datetime(2021, 6, 7, 8, 30)],
            "method": ["app"],
        }
    )
    path = tmp_path / "logs.parquet"
    frame.write_parquet(path)
    logs = read_logs(path)
    assert logs["check_in"].to_list() == [datetime(2021, 6, 7, 8, 0, tzinfo=LONDON)]
    assert logs["exception_code"].to_list() == [None]


RETURN_HEADER = (
    "ServiceUserRef,VisitDate,StartTimeClaimed,DurationClaimed,ActualStartTime,"
    "ActualDuration,NumberOfCarers\n"
)


def test_a_provider_return_becomes_one_log_per_carer_with_stable_carer_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "return.csv", RETURN_HEADER + "SU1,07/06/2021,08:00,45,08:05,40,2\n")
    logs = read_logs(path, provider_ref="PRV-A")
    assert logs.select("provider_ref", "person_ref", "carer_id", "method").rows() == [
        ("PRV-A", "SU1", "return-carer-1", "manual"),
        ("PRV-A", "SU1", "return-carer-2", "manual"),
    ]
    assert logs["check_in"][0] == datetime(2021, 6, 7, 8, 5, tzinfo=LONDON)
    assert logs["check_out"][0] == datetime(2021, 6, 7, 8, 45, tzinfo=LONDON)
    assert read_logs(path, provider_ref="PRV-A").equals(logs)  # the same ids every read
    app = read_logs(path, provider_ref="PRV-A", return_method="app")
    assert set(app["method"]) == {"app"}


def test_a_provider_return_needs_its_provider_and_reports_bad_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "return.csv",
        RETURN_HEADER
        + "SU1,2021-06-07,08:00,45,8:05,40.5,0\n"
        + "SU2,31/02/2021,08:00,45,25:00,40,1\n"
        + "SU3,2021-03-28,01:00,45,01:30,40,1\n",
    )
    with pytest.raises(InputError, match="provider") as missing:
        read_logs(path)
    assert missing.value.key == "provider"
    with pytest.raises(InputErrors) as caught:
        read_logs(path, provider_ref="PRV-A")
    assert [(e.row, e.key) for e in caught.value.errors] == [
        (2, "ActualDuration"),
        (2, "NumberOfCarers"),
        (3, "VisitDate"),
        (3, "ActualStartTime"),
        (4, "ActualStartTime"),
    ]


def test_planned_visits_read_from_csv_with_defaults_and_errors(tmp_path: Path) -> None:
    header = "planned_id,provider_ref,person_ref,band,planned_start,planned_minutes,carers\n"
    good = _write(tmp_path, "good.csv", header + "V1,PRV,P1,URBAN,2021-05-31 09:00,30,1\n")
    planned = read_planned(good)
    assert planned.schema == pl.Schema(PLANNED_SCHEMA)
    row = planned.row(0, named=True)
    assert (row["critical"], row["bank_holiday"], row["rate_pence_per_hour"]) == (
        False,
        True,  # Spring bank holiday 2021
        None,
    )
    bad = _write(
        tmp_path,
        "bad.csv",
        header
        + "V1,PRV,P1,URBAN,2021-06-01 09:00,0,1\n"
        + "V1,PRV,P1,URBAN,soon,30,3\n"
        + "V3,PRV,,URBAN,2021-06-01 09:00,30,5\n",
    )
    with pytest.raises(InputErrors) as caught:
        read_planned(bad)
    assert [(e.row, e.key) for e in caught.value.errors] == [
        (2, "planned_id"),
        (2, "planned_minutes"),
        (3, "planned_id"),
        (3, "planned_start"),
        (4, "person_ref"),
        (4, "carers"),
    ]


def test_a_planned_start_in_the_spring_gap_is_kept_an_hour_later(tmp_path: Path) -> None:
    header = "planned_id,provider_ref,person_ref,band,planned_start,planned_minutes,carers\n"
    path = _write(tmp_path, "gap.csv", header + "V1,PRV,P1,URBAN,2021-03-28 01:30,30,1\n")
    start = read_planned(path)["planned_start"][0]
    assert start == datetime(2021, 3, 28, 2, 30, tzinfo=LONDON)


def test_approvals_name_logs_by_their_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "approvals.csv",
        "provider_ref,person_ref,carer_id,check_in\nPRV,P1,C1,2021-06-07 08:03\nPRV,P1,,x\n",
    )
    with pytest.raises(InputErrors) as caught:
        read_approvals(path)
    assert [(e.row, e.key) for e in caught.value.errors] == [(3, "carer_id"), (3, "check_in")]


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_logs(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="empty"):
        read_logs(_write(tmp_path, "empty.csv", ""))
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_logs(_write(tmp_path, "logs.json", "{}"))
