"""Reconciling in parts (a group of providers at a time, into Parquet) gives what one run
over everything gives, reports every bad row with its file row number, and leaves nothing
behind when it fails."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from carecore.ecm import (
    ContractRules,
    InputErrors,
    read_logs,
    read_planned,
    reconcile,
    synthetic_period,
)
from carecore.ecm.io import DATETIME_FORMAT
from carecore.ecm.partitioned import OUTPUTS, group_providers, reconcile_partitioned
from carecore.errors import InputError

CARD = "leicestershire-2020-21"


@pytest.fixture(scope="module")
def period():
    return synthetic_period(40, 14, seed=7, providers=5)


def _files(period, folder: Path, fmt: str) -> tuple[Path, Path]:
    planned, actual = folder / f"planned.{fmt}", folder / f"actual.{fmt}"
    if fmt == "parquet":
        period.planned.write_parquet(planned)
        period.actual.write_parquet(actual)
    else:
        period.planned.write_csv(planned, datetime_format=DATETIME_FORMAT)
        period.actual.write_csv(actual, datetime_format=DATETIME_FORMAT)
    return planned, actual


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_parts_give_the_rows_and_money_of_one_run(period, tmp_path: Path, fmt: str) -> None:
    rules = ContractRules()
    planned, actual = _files(period, tmp_path, fmt)
    # The same files read whole (CSV keeps whole seconds, so it is compared with itself).
    whole = reconcile(read_planned(planned), read_logs(actual), rules, CARD)
    progress: list[tuple[int, int]] = []
    run = reconcile_partitioned(
        planned,
        actual,
        rules,
        CARD,
        tmp_path / "out",
        max_rows=period.actual.height // 3,  # forces several parts
        progress=lambda done, total, _providers: progress.append((done, total)),
    )
    assert len(run.parts) >= 3
    assert progress[-1] == (len(run.parts), len(run.parts))
    assert run.summary == whole.summary
    for name in OUTPUTS:
        written = pl.read_parquet(tmp_path / "out" / name)
        assert_frame_equal(_sorted(written), _sorted(getattr(whole, name)))
    invoices = pl.read_csv(tmp_path / "out" / "invoices.csv")
    assert invoices["amount_pence"].sum() == whole.summary.amount_pence
    assert not list(tmp_path.glob(".out.partial-*"))


def test_bad_rows_in_several_parts_are_all_reported_and_nothing_is_left(
    period, tmp_path: Path
) -> None:
    planned = tmp_path / "planned.parquet"
    # A bad planned visit in the same part as a bad log: both are reported.
    period.planned.with_columns(
        carers=pl.when(pl.int_range(pl.len()) == 0).then(9).otherwise(pl.col("carers"))
    ).write_parquet(planned)
    logs = period.actual.with_columns(pl.col("check_in", "check_out").dt.strftime("%Y-%m-%d %H:%M"))
    providers = logs["provider_ref"].unique().sort().to_list()
    first_of = {p: logs["provider_ref"].to_list().index(p) for p in (providers[0], providers[-1])}
    for index in first_of.values():
        logs[index, "method"] = "pigeon"
    actual = tmp_path / "actual.csv"
    logs.write_csv(actual)
    with pytest.raises(InputErrors) as caught:
        reconcile_partitioned(
            planned, actual, ContractRules(), CARD, tmp_path / "out", max_rows=1_000
        )
    found = caught.value.errors
    rows = sorted(error.row for error in found if error.key == "method")
    # The header is row 1, so the n-th record (0-based) is row n + 2.
    assert rows == sorted(index + 2 for index in first_of.values())
    # In Parquet the first record is row 1.
    assert [(e.source, e.row) for e in found if e.key == "carers"] == [(str(planned), 1)]
    assert caught.value.total == 3
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_a_folder_with_files_in_it_is_refused(period, tmp_path: Path) -> None:
    planned, actual = _files(period, tmp_path, "parquet")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        reconcile_partitioned(planned, actual, ContractRules(), CARD, tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_providers_are_packed_into_parts_in_order() -> None:
    counts = {"B": 5, "A": 3, None: 1, "C": 9, "D": 2}
    assert group_providers(counts, 6) == [[None, "A"], ["B"], ["C"], ["D"]]
    assert group_providers(counts, 100) == [[None, "A", "B", "C", "D"]]
    assert group_providers({}, 10) == []
