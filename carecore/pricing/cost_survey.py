"""Provider cost surveys (the Fair Cost of Care exercise): quartiles per cost line and in total.

Providers return their costs per contact hour, one row per provider and one column per cost
line, laid out after the per-hour lines of the 2022 Fair Cost of Care home care template:
care worker costs, business costs and the return on operations. Any other numeric column is
an extra cost line. A blank line makes a return incomplete: it is left out of that line's
statistics and out of the total, and listed with the reason. Quartiles are Excel's
QUARTILE.INC, so a council's spreadsheet and this report agree to the penny.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from carecore.errors import InputError
from carecore.pricing.cost_survey_io import read_table
from carecore.units import round_pounds, to_decimal


@dataclass(frozen=True)
class CostLine:
    """A cost line: its column, what it holds and its group in the template."""

    column: str
    label: str
    group: str
    required: bool = False


# The 2022 Fair Cost of Care template's per-hour lines, with related lines folded together.
STANDARD_LINES = (
    CostLine("contact_pay", "Care worker pay for contact time (direct care)", "care_worker", True),
    CostLine("travel_pay", "Care worker pay for travel time", "care_worker", True),
    CostLine("mileage", "Mileage", "care_worker", True),
    CostLine("ppe", "PPE", "care_worker"),
    CostLine("training_pay", "Training (staff time)", "care_worker"),
    CostLine("holiday_pay", "Holiday pay", "care_worker"),
    CostLine(
        "other_non_contact_pay",
        "Other non-contact pay: sickness, maternity and paternity, notice and suspension",
        "care_worker",
    ),
    CostLine("on_costs", "Employer National Insurance and pension", "care_worker", True),
    CostLine("back_office", "Back-office staff", "business"),
    CostLine(
        "overheads",
        "Other business costs: premises, recruitment, IT, insurance, fees, central costs",
        "business",
        True,
    ),
    CostLine("surplus", "Return on operations (surplus or profit)", "return", True),
)
TEXT_COLUMNS = ("provider_ref", "provider_name", "notes")
TOTAL_COLUMN = "total"
# A line that may be negative: a provider can report running at a loss.
MAY_BE_NEGATIVE = frozenset({"surplus"})
STATISTICS = ("minimum", "lower_quartile", "median", "upper_quartile", "maximum")
QUARTILE_METHOD = "QUARTILE.INC: linear interpolation between ranks over n-1, as in Excel"
HALF_PENNY = Decimal("0.005")


def quartile_inc(values: Sequence[Decimal], quart: int) -> Decimal:
    """Excel's QUARTILE.INC of ``values`` (quart 0 to 4), exactly, in the values' units.

    With the values sorted, position h = (n - 1) * quart / 4 counted from 0; the result
    interpolates linearly between the values at floor(h) and floor(h) + 1.
    """
    if not values:
        raise ValueError("quartile of no values")
    if quart not in range(5):
        raise ValueError(f"quart must be 0 to 4, got {quart}")
    ordered = sorted(values)
    lower, remainder = divmod((len(ordered) - 1) * quart, 4)
    if remainder == 0:
        return ordered[lower]
    return ordered[lower] + (ordered[lower + 1] - ordered[lower]) * remainder / 4


@dataclass(frozen=True)
class ProviderReturn:
    """One provider's return: pounds per contact hour per line, None where left blank."""

    provider_ref: str
    row: int
    values: Mapping[str, Decimal | None] = field(hash=False)
    stated_total: Decimal | None = None
    provider_name: str = ""

    @property
    def blank_lines(self) -> tuple[str, ...]:
        return tuple(column for column, value in self.values.items() if value is None)

    @property
    def line_sum(self) -> Decimal | None:
        """The sum of the lines in pounds per contact hour, or None if any is blank."""
        if self.blank_lines:
            return None
        return sum((v for v in self.values.values() if v is not None), Decimal(0))


@dataclass(frozen=True)
class CostSurvey:
    """Every return read from one file, with the file's cost lines in column order."""

    source: str
    lines: tuple[CostLine, ...]
    returns: tuple[ProviderReturn, ...]
    has_total: bool = False


@dataclass(frozen=True)
class LineStatistics:
    """Spread of one line (or the total) over the returns that gave it; pounds per hour."""

    column: str
    label: str
    group: str
    count: int
    minimum: Decimal | None
    lower_quartile: Decimal | None
    median: Decimal | None
    upper_quartile: Decimal | None
    maximum: Decimal | None
    outliers: tuple[tuple[str, Decimal], ...] = ()

    def statistic(self, name: str) -> Decimal | None:
        if name not in STATISTICS:
            raise InputError(f"unknown statistic {name!r} (one of {', '.join(STATISTICS)})")
        value: Decimal | None = getattr(self, name)
        return value

    def to_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "label": self.label,
            "group": self.group,
            "count": self.count,
            **{name: getattr(self, name) for name in STATISTICS},
            "outliers": [{"provider_ref": ref, "value": value} for ref, value in self.outliers],
        }


@dataclass(frozen=True)
class ExcludedReturn:
    """A return left out of the total, with why."""

    provider_ref: str
    row: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PriceRangeRule:
    """Which statistics of the totals propose the floor and ceiling prices.

    The default is the lower quartile for the floor and the upper quartile for the ceiling.
    ``outlier_fence`` is Tukey's multiple of the interquartile range beyond the quartiles past
    which a value is flagged (flagged only: it stays in the statistics); 0 flags nothing.
    """

    floor: str = "lower_quartile"
    ceiling: str = "upper_quartile"
    outlier_fence: Decimal = Decimal("1.5")

    def __post_init__(self) -> None:
        for key in ("floor", "ceiling"):
            if getattr(self, key) not in STATISTICS:
                raise InputError(
                    f"must be one of {', '.join(STATISTICS)}, got {getattr(self, key)!r}", key=key
                )
        if STATISTICS.index(self.floor) > STATISTICS.index(self.ceiling):
            raise InputError(
                f"the floor ({self.floor}) is above the ceiling ({self.ceiling})", key="floor"
            )
        fence = to_decimal(self.outlier_fence, key="outlier_fence")
        if fence < 0:
            raise InputError("must be zero or more", key="outlier_fence")
        object.__setattr__(self, "outlier_fence", fence)


@dataclass(frozen=True)
class CostSurveySummary:
    """Quartiles per line and in total, the excluded returns and the proposed price range."""

    source: str
    returns_received: int
    returns_usable: int
    lines: tuple[LineStatistics, ...]
    total: LineStatistics
    excluded: tuple[ExcludedReturn, ...]
    rule: PriceRangeRule
    floor: Decimal | None
    ceiling: Decimal | None

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "returns_received": self.returns_received,
            "returns_usable": self.returns_usable,
            "quartile_method": QUARTILE_METHOD,
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total.to_dict(),
            "excluded": [
                {"provider_ref": e.provider_ref, "row": e.row, "reasons": list(e.reasons)}
                for e in self.excluded
            ],
            "price_range": {
                "floor": self.floor,
                "ceiling": self.ceiling,
                "floor_rule": f"{self.rule.floor} of the usable returns' totals",
                "ceiling_rule": f"{self.rule.ceiling} of the usable returns' totals",
                "rounding": "half up to the penny",
            },
        }


def _line_for(column: str) -> CostLine:
    for line in STANDARD_LINES:
        if line.column == column:
            return line
    return CostLine(column, column.replace("_", " ").capitalize(), "other")


def read_cost_survey(path: str | Path, *, sheet: str | None = None) -> CostSurvey:
    """Read providers' returns from a CSV or XLSX file (first sheet unless ``sheet``).

    Row 1 names the columns: ``provider_ref`` and the required lines of
    :data:`STANDARD_LINES`, with any optional or extra numeric lines and an optional
    ``total``. Values are pounds per contact hour. Blank cells (or n/a, -) are blank lines.
    Raises InputError naming the file, row and column for anything it cannot use.
    """
    source = str(path)
    header, rows = read_table(path, sheet=sheet)
    columns = [c for c in header if c not in TEXT_COLUMNS and c != TOTAL_COLUMN]
    for required in ("provider_ref", *(line.column for line in STANDARD_LINES if line.required)):
        if required not in header:
            raise InputError("missing column", source=source, row=1, key=required)
    seen: dict[str, int] = {}
    returns = []
    for row_number, cells in rows:
        ref = _reference(cells.get("provider_ref"))
        if not ref:
            raise InputError(
                "a return needs a provider reference",
                source=source,
                row=row_number,
                key="provider_ref",
            )
        if ref.casefold() in seen:
            raise InputError(
                f"duplicate provider {ref!r} (first on row {seen[ref.casefold()]})",
                source=source,
                row=row_number,
                key="provider_ref",
            )
        seen[ref.casefold()] = row_number
        values = {c: _cost(cells.get(c), source, row_number, c) for c in columns}
        total = _cost(cells.get(TOTAL_COLUMN), source, row_number, TOTAL_COLUMN)
        name = cells.get("provider_name")
        returns.append(
            ProviderReturn(
                ref, row_number, values, total, name.strip() if isinstance(name, str) else ""
            )
        )
    if not returns:
        raise InputError("no provider returns below the header row", source=source)
    return CostSurvey(
        source, tuple(_line_for(c) for c in columns), tuple(returns), TOTAL_COLUMN in header
    )


def _reference(value: object) -> str:
    """A provider reference as text; a spreadsheet may hold 101 as the number 101.0."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if isinstance(value, str | int) else ""


def _cost(value: object, source: str, row: int, column: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = to_decimal(value)
    except InputError as exc:
        raise InputError(exc.message, source=source, row=row, key=column) from None
    if amount < 0 and column not in MAY_BE_NEGATIVE:
        raise InputError(
            f"a cost cannot be negative, got {value}", source=source, row=row, key=column
        )
    return amount


def _statistics(line: CostLine, values: Mapping[str, Decimal], fence: Decimal) -> LineStatistics:
    if not values:
        return LineStatistics(line.column, line.label, line.group, 0, None, None, None, None, None)
    numbers = list(values.values())
    lq, median, uq = (quartile_inc(numbers, q) for q in (1, 2, 3))
    outliers: tuple[tuple[str, Decimal], ...] = ()
    if fence > 0 and len(numbers) >= 4:
        low, high = lq - fence * (uq - lq), uq + fence * (uq - lq)
        outliers = tuple((ref, v) for ref, v in values.items() if v < low or v > high)
    return LineStatistics(
        line.column,
        line.label,
        line.group,
        len(numbers),
        min(numbers),
        lq,
        median,
        uq,
        max(numbers),
        outliers,
    )


def _exclusion_reasons(entry: ProviderReturn) -> tuple[str, ...]:
    blanks = entry.blank_lines
    if blanks:
        return (f"blank: {', '.join(blanks)}",)
    line_sum = entry.line_sum
    if entry.stated_total is not None and line_sum is not None:
        tolerance = max(Decimal("0.01"), HALF_PENNY * len(entry.values))
        if abs(entry.stated_total - line_sum) > tolerance:
            return (f"stated total £{entry.stated_total} is not the sum of its lines £{line_sum}",)
    return ()


def summarise_cost_survey(
    survey: CostSurvey, *, rule: PriceRangeRule | None = None
) -> CostSurveySummary:
    """Quartiles (QUARTILE.INC) per line and of the totals, in pounds per contact hour.

    A line's statistics use every return that filled that line. The total of a return is the
    sum of its lines; it counts only when no line is blank and any stated total agrees with
    the lines to rounding (half a penny a line, at least 1p). The floor and ceiling are the
    statistics of the totals that ``rule`` names, rounded half up to the penny.
    """
    rule = rule or PriceRangeRule()
    lines = tuple(
        _statistics(
            line,
            {r.provider_ref: v for r in survey.returns if (v := r.values[line.column]) is not None},
            rule.outlier_fence,
        )
        for line in survey.lines
    )
    excluded = []
    totals: dict[str, Decimal] = {}
    for entry in survey.returns:
        reasons = _exclusion_reasons(entry)
        if reasons:
            excluded.append(ExcludedReturn(entry.provider_ref, entry.row, reasons))
        elif (line_sum := entry.line_sum) is not None:
            totals[entry.provider_ref] = line_sum
    total_line = CostLine(TOTAL_COLUMN, "Total per contact hour (sum of the lines)", "total")
    total = _statistics(total_line, totals, rule.outlier_fence)
    floor, ceiling = (total.statistic(name) for name in (rule.floor, rule.ceiling))
    return CostSurveySummary(
        source=survey.source,
        returns_received=len(survey.returns),
        returns_usable=len(totals),
        lines=lines,
        total=total,
        excluded=tuple(excluded),
        rule=rule,
        floor=round_pounds(floor) if floor is not None else None,
        ceiling=round_pounds(ceiling) if ceiling is not None else None,
    )
