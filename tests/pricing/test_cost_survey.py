"""Provider cost surveys: QUARTILE.INC, the golden 13-return survey, XLSX and bad files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.pricing.cost_survey import (
    PriceRangeRule,
    quartile_inc,
    read_cost_survey,
    summarise_cost_survey,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "pricing"
SURVEY = DATA / "survey_synthetic_13_returns.csv"
HEADER = "provider_ref,contact_pay,travel_pay,mileage,on_costs,overheads,surplus"


def _decimals(*values: str | int) -> list[Decimal]:
    return [Decimal(str(v)) for v in values]


def _write(tmp_path: Path, text: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- QUARTILE.INC against Excel's documented results -----------------------------------------


def test_quartile_inc_matches_excels_documented_example() -> None:
    # Microsoft's QUARTILE.INC help: data 1,2,4,7,8,9,10,12 -> first quartile 3.5.
    values = _decimals(1, 2, 4, 7, 8, 9, 10, 12)
    assert quartile_inc(values, 1) == Decimal("3.5")
    assert quartile_inc(values, 2) == Decimal("7.5")
    assert quartile_inc(values, 3) == Decimal("9.25")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Excel QUARTILE.INC results (also tabulated for the "Quartile" article's two examples).
        ((6, 7, 15, 36, 39, 40, 41, 42, 43, 47, 49), ("6", "25.5", "40", "42.5", "49")),
        ((7, 15, 36, 39, 40, 41), ("7", "20.25", "37.5", "39.75", "41")),
        ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ("1", "3.25", "5.5", "7.75", "10")),
        ((5,), ("5", "5", "5", "5", "5")),
        ((3, 1), ("1", "1.5", "2", "2.5", "3")),
    ],
)
def test_quartile_inc_matches_excel(values: tuple[int, ...], expected: tuple[str, ...]) -> None:
    shuffled = _decimals(*reversed(values))
    assert [quartile_inc(shuffled, q) for q in range(5)] == _decimals(*expected)


def test_quartile_inc_keeps_pennies_exact() -> None:
    values = _decimals("12.61", "12.90", "14.31", "14.38")
    assert quartile_inc(values, 1) == Decimal("12.8275")  # 12.61 + 0.75 x 0.29


def test_quartile_inc_refuses_no_values_and_bad_quart() -> None:
    with pytest.raises(ValueError):
        quartile_inc([], 1)
    with pytest.raises(ValueError):
        quartile_inc(_decimals(1, 2), 5)


# --- golden: 13 returns of which 10 are usable (the shape of Leeds' 2014 exercise) -----------


@pytest.fixture(scope="module")
def summary() -> dict[str, object]:
    return summarise_cost_survey(read_cost_survey(SURVEY)).to_dict()


def test_golden_survey_has_13_returns_of_which_10_are_usable(summary: dict[str, object]) -> None:
    assert summary["returns_received"] == 13
    assert summary["returns_usable"] == 10


def test_golden_survey_lists_the_incomplete_returns_with_their_blank_lines(
    summary: dict[str, object],
) -> None:
    assert summary["excluded"] == [
        {"provider_ref": "SYN-04", "row": 5, "reasons": ["blank: mileage"]},
        {"provider_ref": "SYN-09", "row": 10, "reasons": ["blank: on_costs"]},
        {"provider_ref": "SYN-12", "row": 13, "reasons": ["blank: overheads, surplus"]},
    ]


def test_golden_survey_total_quartiles_and_proposed_range(summary: dict[str, object]) -> None:
    total = summary["total"]
    assert isinstance(total, dict)
    # Totals of the 10 usable returns, sorted: 12.61 12.90 14.31 14.38 14.39 14.85 15.42 15.46
    # 16.93 18.50. LQ at position 2.25: 14.31 + 0.25 x 0.07; UQ at 6.75: 15.42 + 0.75 x 0.04.
    assert total["count"] == 10
    assert total["minimum"] == Decimal("12.61")
    assert total["lower_quartile"] == Decimal("14.3275")
    assert total["median"] == Decimal("14.62")
    assert total["upper_quartile"] == Decimal("15.45")
    assert total["maximum"] == Decimal("18.50")
    price_range = summary["price_range"]
    assert isinstance(price_range, dict)
    assert (price_range["floor"], price_range["ceiling"]) == (Decimal("14.33"), Decimal("15.45"))


def test_golden_survey_line_statistics_leave_out_only_that_lines_blanks(
    summary: dict[str, object],
) -> None:
    lines = {line["column"]: line for line in summary["lines"]}  # type: ignore[attr-defined]
    assert list(lines) == [
        "contact_pay",
        "travel_pay",
        "mileage",
        "on_costs",
        "overheads",
        "call_monitoring",
        "surplus",
    ]
    assert {name: line["count"] for name, line in lines.items()} == {
        "contact_pay": 13,
        "travel_pay": 13,
        "mileage": 12,
        "on_costs": 12,
        "overheads": 12,
        "call_monitoring": 13,
        "surplus": 12,
    }
    mileage = lines["mileage"]
    assert (mileage["lower_quartile"], mileage["median"], mileage["upper_quartile"]) == (
        Decimal("0.5725"),
        Decimal("0.68"),
        Decimal("0.7825"),
    )
    assert lines["surplus"]["minimum"] == Decimal("-0.15")  # a loss is allowed in surplus
    assert lines["call_monitoring"]["group"] == "other"  # an extra column is an extra line
    assert lines["contact_pay"]["group"] == "care_worker"


def test_golden_survey_quartiles_agree_with_numpy_linear_percentiles() -> None:
    survey = read_cost_survey(SURVEY)
    result = summarise_cost_survey(survey)
    for line in result.lines:
        values = [float(v) for r in survey.returns if (v := r.values[line.column]) is not None]
        expected = np.percentile(values, [25, 50, 75], method="linear")
        got = [float(x) for x in (line.lower_quartile, line.median, line.upper_quartile)]  # type: ignore[arg-type]
        assert got == pytest.approx(list(expected), abs=1e-9), line.column


def test_golden_survey_flags_outliers_without_dropping_them(summary: dict[str, object]) -> None:
    total = summary["total"]
    assert isinstance(total, dict)
    assert total["outliers"] == [
        {"provider_ref": "SYN-10", "value": Decimal("18.50")},
        {"provider_ref": "SYN-11", "value": Decimal("12.61")},
    ]
    assert total["maximum"] == Decimal("18.50")


def test_floor_and_ceiling_follow_the_configured_statistics() -> None:
    rule = PriceRangeRule(floor="median", ceiling="maximum")
    result = summarise_cost_survey(read_cost_survey(SURVEY), rule=rule)
    assert (result.floor, result.ceiling) == (Decimal("14.62"), Decimal("18.50"))
    assert result.to_dict()["price_range"]["floor_rule"].startswith("median")  # type: ignore[index]


def test_a_floor_above_the_ceiling_is_refused() -> None:
    with pytest.raises(InputError, match="above the ceiling"):
        PriceRangeRule(floor="upper_quartile", ceiling="median")
    with pytest.raises(InputError) as caught:
        PriceRangeRule(floor="mean")
    assert caught.value.key == "floor"


def test_outlier_fence_of_zero_flags_nothing() -> None:
    result = summarise_cost_survey(read_cost_survey(SURVEY), rule=PriceRangeRule(outlier_fence=0))
    assert all(not line.outliers for line in (*result.lines, result.total))


# --- reading: totals, blanks, headers --------------------------------------------------------


def test_a_stated_total_that_is_not_the_sum_of_the_lines_is_excluded_with_the_reason(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, f"{HEADER},total\nA,7,1,0.5,1.5,3,0.5,13.50\nB,7,1,0.5,1.5,3,0.5,14\n")
    result = summarise_cost_survey(read_cost_survey(path))
    assert result.returns_usable == 1
    assert result.excluded[0].provider_ref == "B"
    assert "stated total £14 is not the sum of its lines £13.5" in result.excluded[0].reasons[0]


def test_a_stated_total_may_differ_by_rounding_only(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER},total\nA,7,1,0.5,1.5,3,0.5,13.52\n")
    assert summarise_cost_survey(read_cost_survey(path)).returns_usable == 1


def test_blank_markers_are_blank_not_zero(tmp_path: Path) -> None:
    path = _write(
        tmp_path, f"{HEADER}\nA,7,1,-,1.5,3,0.5\nB,7,1,N/A,1.5,3,0.5\nC,7,1, ,1.5,3,0.5\n"
    )
    survey = read_cost_survey(path)
    assert [r.values["mileage"] for r in survey.returns] == [None, None, None]
    result = summarise_cost_survey(survey)
    assert result.returns_usable == 0
    assert result.floor is None and result.ceiling is None
    mileage = next(line for line in result.lines if line.column == "mileage")
    assert mileage.count == 0 and mileage.median is None


def test_column_names_are_normalised_and_money_may_carry_pound_signs(tmp_path: Path) -> None:
    header = "Provider ref,Contact pay (£/hour),Travel pay,Mileage,On-costs,Overheads,Surplus"
    path = _write(tmp_path, f'\ufeff{header}\nA,"£7.00",1,0.5,1.5,"£1,003.00",0.5\n')
    survey = read_cost_survey(path)
    assert survey.returns[0].values["contact_pay"] == Decimal("7.00")
    assert survey.returns[0].values["overheads"] == Decimal("1003.00")


def test_blank_rows_are_skipped_and_rows_keep_their_file_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n,,,,,,\nA,7,1,0.5,1.5,3,0.5\n\nB,7,1,,1.5,3,0.5\n")
    survey = read_cost_survey(path)
    assert [(r.provider_ref, r.row) for r in survey.returns] == [("A", 3), ("B", 5)]


# --- bad files: errors name the file, row and column -----------------------------------------


@pytest.mark.parametrize(
    ("text", "row", "key", "message"),
    [
        (f"{HEADER}\nA,7,1,lots,1.5,3,0.5\n", 2, "mileage", "expected a number, got 'lots'"),
        (
            f"{HEADER}\nA,7,1,0.5,1.5,3,0.5\na,7,1,0.5,1.5,3,0.5\n",
            3,
            "provider_ref",
            "duplicate provider 'a' (first on row 2)",
        ),
        (f"{HEADER}\n,7,1,0.5,1.5,3,0.5\n", 2, "provider_ref", "needs a provider reference"),
        (f"{HEADER}\nA,7,-1,0.5,1.5,3,0.5\n", 2, "travel_pay", "cannot be negative"),
        ("A,7,1,0.5,1.5,3,0.5\n", 1, None, "no header row"),
        ("provider_ref,contact_pay,travel_pay\nA,7,1\n", 1, "mileage", "missing column"),
        (f"{HEADER},mileage\n", 1, "mileage", "the same column appears twice"),
        (f"{HEADER}\nA,7,1,0.5,1.5,3,0.5,9\n", 2, None, "in column 8, which has no name"),
    ],
)
def test_bad_survey_csv_names_file_row_and_column(
    tmp_path: Path, text: str, row: int, key: str | None, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        read_cost_survey(path)
    assert caught.value.source == str(path)
    assert caught.value.row == row
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\n,,\n\n", "the file is empty"),
        (f"{HEADER}\n", "no provider returns below the header row"),
    ],
)
def test_empty_survey_is_an_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as caught:
        read_cost_survey(path)
    assert str(path) in str(caught.value)


def test_missing_or_unsupported_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_cost_survey(tmp_path / "absent.csv")
    with pytest.raises(InputError, match=r"expected a \.csv or \.xlsx file"):
        read_cost_survey(_write(tmp_path, "x", "survey.ods"))
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook"):
        read_cost_survey(_write(tmp_path, "not a zip", "survey.xlsx"))


def test_csv_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(f"{HEADER}\nA,£7,1,0.5,1.5,3,0.5\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_cost_survey(path)


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_from_csv(csv_path: Path, xlsx_path: Path, *, title_sheet: bool = False) -> None:
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title_sheet:
        sheet.title = "Notes"
        sheet.append(["Synthetic survey for tests"])
        sheet = book.create_sheet("Returns")
    with csv_path.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            cells: list[object] = []
            for cell in row:
                if number == 0 or not cell or cell in ("n/a", "-") or cell.startswith("SYN"):
                    cells.append(cell or None)
                else:
                    cells.append(float(cell))  # numbers as Excel stores them
            sheet.append(cells)
    book.save(xlsx_path)


def test_xlsx_survey_gives_the_same_summary_as_the_csv(tmp_path: Path) -> None:
    xlsx = tmp_path / "survey.xlsx"
    _xlsx_from_csv(SURVEY, xlsx)
    from_xlsx = summarise_cost_survey(read_cost_survey(xlsx)).to_dict()
    from_csv = summarise_cost_survey(read_cost_survey(SURVEY)).to_dict()
    from_xlsx.pop("source")
    from_csv.pop("source")
    assert from_xlsx == from_csv


def test_xlsx_sheet_can_be_chosen_by_name(tmp_path: Path) -> None:
    xlsx = tmp_path / "survey.xlsx"
    _xlsx_from_csv(SURVEY, xlsx, title_sheet=True)
    assert len(read_cost_survey(xlsx, sheet="Returns").returns) == 13
    with pytest.raises(InputError, match="no sheet 'Costs'") as caught:
        read_cost_survey(xlsx, sheet="Costs")
    assert caught.value.key == "sheet"


def test_xlsx_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["SYN-01", 7.2, 1.35, 0.62, 1.48, 3.1, 0.45])
    sheet.append(["SYN-02", 7.05, datetime(2022, 6, 1), 0.75, 1.39, 2.85, 0.52])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_cost_survey(path)
    assert (caught.value.source, caught.value.row, caught.value.key) == (
        str(path),
        3,
        "travel_pay",
    )


def test_xlsx_numeric_provider_references_are_read_as_text(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append([101, 7.2, 1.35, 0.62, 1.48, 3.1, 0.45])
    sheet.append([102.0, 7.05, 1.6, 0.75, 1.39, 2.85, 0.52])
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    assert [r.provider_ref for r in read_cost_survey(path).returns] == ["101", "102"]
