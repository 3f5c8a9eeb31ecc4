"""A package of care: who it is for (pseudonymised), where, and its weekly schedule of visits.

Hours per week are derived from the visits, never typed, so they cannot disagree with the
schedule. Durations are whole minutes; hours are exact ``Decimal`` (minutes / 60).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from carecore.errors import InputError

COHORTS = ("older_people", "learning_disability", "mental_health", "physical_disability")
FUNDINGS = ("council", "nhs_chc", "direct_payment", "joint")
SOURCES = ("hospital_discharge", "community", "reablement_step_down")
PRIORITIES = ("urgent", "high", "normal")

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60
DEFAULT_WINDOW_MINUTES = 30
SIXTY = Decimal(60)


@dataclass(frozen=True)
class Visit:
    """One weekly visit: ``day`` 0 (Monday) to 6, a start window, minutes of care, carers.

    ``window_start`` is the earliest arrival; the carer may arrive up to ``window_minutes``
    later. ``critical`` marks a time-critical call (medication, insulin) that must not move.
    The visit is checked by :meth:`check`, which :class:`PackageSpec` calls with the visit's
    position so an error names ``visits[3].minutes``.
    """

    day: int
    window_start: time
    window_minutes: int
    minutes: int
    carers: int
    critical: bool = False

    def check(self, where: str = "visit") -> None:
        """Raise :class:`InputError` naming ``where.field`` for the first bad field."""
        for name in ("day", "window_minutes", "minutes", "carers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"expected a whole number, got {value!r}", key=f"{where}.{name}")
        if not 0 <= self.day <= 6:
            raise InputError(
                f"must be 0 (Monday) to 6 (Sunday), got {self.day}", key=f"{where}.day"
            )
        if not isinstance(self.window_start, time) or self.window_start.tzinfo is not None:
            raise InputError(
                f"expected a wall-clock time, got {self.window_start!r}",
                key=f"{where}.window_start",
            )
        if self.window_minutes < 0:
            raise InputError(
                f"must be 0 or more, got {self.window_minutes}", key=f"{where}.window_minutes"
            )
        if self.minutes <= 0:
            raise InputError(f"must be more than 0, got {self.minutes}", key=f"{where}.minutes")
        if self.carers not in (1, 2):
            raise InputError(f"must be 1 or 2, got {self.carers}", key=f"{where}.carers")
        if not isinstance(self.critical, bool):
            raise InputError(
                f"expected true or false, got {self.critical!r}", key=f"{where}.critical"
            )

    @property
    def start_minute(self) -> int:
        """Minutes from midnight of the window start."""
        return self.window_start.hour * 60 + self.window_start.minute

    @property
    def carer_minutes(self) -> int:
        return self.minutes * self.carers

    def describe(self) -> str:
        """The visit in the schedule syntax of :func:`parse_schedule`."""
        text = f"{DAY_NAMES[self.day]} {self.window_start:%H:%M}"
        if self.window_minutes != DEFAULT_WINDOW_MINUTES:
            end = datetime.combine(date(2000, 1, 3), self.window_start)
            text += f"-{end + timedelta(minutes=self.window_minutes):%H:%M}"
        text += f" {self.minutes}m"
        if self.carers == 2:
            text += " x2"
        if self.critical:
            text += " critical"
        return text


def _check_choice(value: str, allowed: tuple[str, ...], key: str) -> None:
    if value not in allowed:
        raise InputError(f"must be one of {', '.join(allowed)}, got {value!r}", key=key)


@dataclass(frozen=True)
class PackageSpec:
    """A package of care as the allocation policies see it: no name, no address.

    ``area_code`` (an LSOA or similar) fixes the ``zone_code`` and ``band_code``; the caller
    looks them up. ``needs`` are free tags (e.g. ``"dementia"``, ``"peg_feeding"``).
    """

    ref: str
    area_code: str
    zone_code: str
    band_code: str
    cohort: str
    funding: str
    source: str
    priority: str
    start_date: date
    visits: tuple[Visit, ...]
    needs: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("ref", "area_code", "zone_code", "band_code"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError("must not be blank", key=name)
        _check_choice(self.cohort, COHORTS, "cohort")
        _check_choice(self.funding, FUNDINGS, "funding")
        _check_choice(self.source, SOURCES, "source")
        _check_choice(self.priority, PRIORITIES, "priority")
        if not isinstance(self.start_date, date) or isinstance(self.start_date, datetime):
            raise InputError(f"expected a date, got {self.start_date!r}", key="start_date")
        if not isinstance(self.visits, tuple):
            object.__setattr__(self, "visits", tuple(self.visits))
        if not self.visits:
            raise InputError("a package needs at least one visit", key="visits")
        for index, visit in enumerate(self.visits):
            if not isinstance(visit, Visit):
                raise InputError(f"expected a visit, got {visit!r}", key=f"visits[{index}]")
            visit.check(f"visits[{index}]")
        _check_overlaps(self.visits)
        if not isinstance(self.needs, frozenset):
            object.__setattr__(self, "needs", frozenset(self.needs))
        for need in self.needs:
            if not isinstance(need, str) or not need.strip():
                raise InputError(f"each need must be a word, got {need!r}", key="needs")

    @property
    def contact_minutes_per_week(self) -> int:
        return sum(visit.minutes for visit in self.visits)

    @property
    def carer_minutes_per_week(self) -> int:
        return sum(visit.carer_minutes for visit in self.visits)

    @property
    def contact_hours_per_week(self) -> Decimal:
        """Hours of the person's time with carers a week (minutes / 60)."""
        return Decimal(self.contact_minutes_per_week) / SIXTY

    @property
    def carer_hours_per_week(self) -> Decimal:
        """Hours of carers' time a week: a double-handed visit counts twice. Capacity and
        block hours are measured in these, because a provider staffs both carers."""
        return Decimal(self.carer_minutes_per_week) / SIXTY

    @property
    def visits_per_week(self) -> int:
        return len(self.visits)

    @property
    def is_double_handed(self) -> bool:
        return any(visit.carers == 2 for visit in self.visits)

    @property
    def schedule_text(self) -> str:
        """The schedule in :func:`parse_schedule` syntax, one day after another."""
        ordered = sorted(self.visits, key=lambda v: (v.day, v.start_minute))
        return "; ".join(visit.describe() for visit in ordered)


def _check_overlaps(visits: tuple[Visit, ...]) -> None:
    """Two visits on one day overlap if one's window start plus its minutes passes the next
    one's window start: a carer cannot be in two calls, and the person cannot take two."""
    order = sorted(range(len(visits)), key=lambda i: (visits[i].day, visits[i].start_minute, i))
    for earlier, later in pairwise(order):
        first, second = visits[earlier], visits[later]
        if first.day == second.day and first.start_minute + first.minutes > second.start_minute:
            raise InputError(
                f"overlaps visits[{earlier}] ({first.describe()}) on {DAY_NAMES[first.day]}",
                key=f"visits[{later}].window_start",
            )


# --- imports -------------------------------------------------------------------------------

_DAY_WORDS = {
    **{name.lower(): i for i, name in enumerate(DAY_NAMES)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_ITEM = re.compile(
    r"^(?P<days>[A-Za-z]+(?:-[A-Za-z]+)?)\s+"
    r"(?P<start>\d{1,2}:\d{2})(?:-(?P<end>\d{1,2}:\d{2}))?\s+"
    r"(?P<minutes>\d+)\s*m(?:in(?:s|utes)?)?"
    r"(?:\s+x(?P<carers>\d))?"
    r"(?P<critical>\s+critical)?$",
    re.IGNORECASE,
)


def _day(word: str) -> int:
    try:
        return _DAY_WORDS[word.lower()]
    except KeyError:
        raise ValueError(f"unknown day {word!r} (use Mon to Sun)") from None


def _days(text: str) -> list[int]:
    """``Mon``, ``Mon-Fri`` (wrapping, so ``Sat-Mon`` is three days) or ``Daily``."""
    if text.lower() == "daily":
        return list(range(7))
    if "-" not in text:
        return [_day(text)]
    first, last = (_day(part) for part in text.split("-"))
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


def _clock(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"expected a time like 07:30, got {text!r}")
    return time(int(match[1]), int(match[2]))


def parse_schedule(
    text: str, *, default_window_minutes: int = DEFAULT_WINDOW_MINUTES
) -> tuple[Visit, ...]:
    """Visits from text such as ``"Mon-Fri 07:30-08:00 45m x2 critical; Sat 12:00 30m"``.

    Items are separated by ``;`` or new lines. Each is days (``Mon``, ``Mon-Fri``, ``Daily``),
    a window start with an optional end (default window: ``default_window_minutes``),
    minutes of care, optional ``x2`` for two carers and optional ``critical``. An error names
    the item by its 1-based position. The visits are checked, not their overlaps (that is
    the package's job, naming ``visits[i]``).
    """
    visits: list[Visit] = []
    items = [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
    if not items:
        raise InputError("the schedule has no visits", key="schedule")
    for number, item in enumerate(items, start=1):
        try:
            visits.extend(_parse_item(item, default_window_minutes))
        except (ValueError, InputError) as exc:
            if isinstance(exc, InputError):
                field_name = (exc.key or "").rsplit(".", 1)[-1]
                detail = f"{field_name} {exc.message}".strip()
            else:
                detail = str(exc)
            raise InputError(f"item {number} ({item!r}): {detail}", key="schedule") from None
    return tuple(visits)


def _parse_item(item: str, default_window_minutes: int) -> list[Visit]:
    match = _ITEM.match(" ".join(item.split()))
    if not match:
        raise ValueError("expected e.g. 'Mon 07:30 45m', 'Mon-Fri 07:30-08:00 30m x2 critical'")
    start = _clock(match["start"])
    window = default_window_minutes
    if match["end"]:
        end = _clock(match["end"])
        window = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if window < 0:
            raise ValueError("the window ends before it starts")
    carers = int(match["carers"]) if match["carers"] else 1
    result = []
    for day in _days(match["days"]):
        visit = Visit(day, start, window, int(match["minutes"]), carers, bool(match["critical"]))
        visit.check("visit")
        result.append(visit)
    return result


_ROW_KEYS = ("day", "window_start", "window_minutes", "minutes", "carers", "critical")
_TRUE = {"true", "yes", "y", "1", "critical"}
_FALSE = {"false", "no", "n", "0", ""}


def schedule_from_rows(
    rows: Iterable[Mapping[str, object]], *, default_window_minutes: int = DEFAULT_WINDOW_MINUTES
) -> tuple[Visit, ...]:
    """Visits from rows of a form set or spreadsheet (keys as :class:`Visit` fields).

    ``day`` may be 0 to 6 or a day name; ``window_start`` a ``time`` or ``"07:30"``;
    ``carers`` defaults to 1, ``window_minutes`` to ``default_window_minutes``; ``critical``
    accepts yes/no/true/false. Errors name ``visits[i].field``; unknown keys are errors.
    """
    visits = []
    for index, row in enumerate(rows):
        where = f"visits[{index}]"
        for key in row:
            if key not in _ROW_KEYS:
                raise InputError(
                    f"unknown column (expected one of: {', '.join(_ROW_KEYS)})",
                    key=f"{where}.{key}",
                )
        for key in ("day", "window_start", "minutes"):
            if row.get(key) in (None, ""):
                raise InputError("missing", key=f"{where}.{key}")
        visit = Visit(
            day=_row_day(row["day"], f"{where}.day"),
            window_start=_row_time(row["window_start"], f"{where}.window_start"),
            window_minutes=_row_int(
                row.get("window_minutes"), default_window_minutes, f"{where}.window_minutes"
            ),
            minutes=_row_int(row["minutes"], 0, f"{where}.minutes"),
            carers=_row_int(row.get("carers"), 1, f"{where}.carers"),
            critical=_row_bool(row.get("critical"), f"{where}.critical"),
        )
        visit.check(where)
        visits.append(visit)
    return tuple(visits)


def _row_int(value: object, default: int, key: str) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InputError(f"expected a whole number, got {value!r}", key=key)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise InputError(f"expected a whole number, got {value!r}", key=key)


def _row_day(value: object, key: str) -> int:
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        try:
            return _day(value.strip())
        except ValueError as exc:
            raise InputError(str(exc), key=key) from None
    return _row_int(value, 0, key)


def _row_time(value: object, key: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return _clock(value)
        except ValueError as exc:
            raise InputError(str(exc), key=key) from None
    raise InputError(f"expected a time like 07:30, got {value!r}", key=key)


def _row_bool(value: object, key: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError(f"expected yes or no, got {value!r}", key=key)
