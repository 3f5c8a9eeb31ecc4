"""The broker's new-request form: who, where, how funded, when, and the week as a pattern.

Joint funding needs the NHS share (more than 0% and less than 100%); any other funding
refuses one (:func:`clean_funding`, shared with the form that changes a person's funding).

The schedule is one or more *sets of days* (every day, weekdays, or chosen days), each with
its calls (a time, minutes of care, carers): four calls a day on seven days is four rows, not
28. :attr:`RequestForm.visits` expands the pattern into the engine's rows, one per visit in the
week, exactly as the actions expect them. Field names are ``days-P``, ``days_quick-P`` and
``call-P-N-name`` (P and N from 1, as the page numbers them); blank call rows are ignored, so
"Add another call" works without JavaScript.

Every error is found at once and named in the broker's words: a start more than
:data:`LATE_START_DAYS` days ago needs a reason; a visit outside :data:`USUAL_MINUTES` needs
"I have checked these visit lengths"; one longer than :data:`MAX_MINUTES` is refused; the
person's reference must be in the council's format. The engine still judges the package when
the request is made.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.accounts.references import matches_reference, reference_hint, reference_message
from homecare.brokerage.models import Cohort, Funding, Priority, Source
from homecare.brokerage.tenancy import SHARE_KEY, check_funding, read_share
from homecare.commissioning.forms import GovukForm

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
QUICK_DAYS = (
    ("every", "Every day"),
    ("weekdays", "Weekdays, Monday to Friday"),
    ("chosen", "Choose the days"),
)
QUICK_SETS = {"every": tuple(range(7)), "weekdays": tuple(range(5))}
DEFAULT_CALLS = 4
MAX_CALLS = 12  # a dozen calls a day is more than any package; the cap bounds a forged count
MAX_PATTERNS = 7  # one set per day at most
CALL_FIELDS = ("time", "window_minutes", "minutes", "carers", "critical")
LATE_START_DAYS = 14
FAR_DAYS = 366  # a start more than a year either side of today is a typing mistake
USUAL_MINUTES = (15, 240)  # per carer; outside this, the broker confirms the lengths
MAX_MINUTES = 720  # twelve hours: no confirmation makes a longer visit right
MAX_WINDOW = 240
LATE_REASON_LENGTH = 85
_VISIT_KEY = re.compile(r"^visits\[(\d+)\](?:\.(\w+))?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")
_FIELD_WORDS = {
    "day": "day",
    "window_start": "time",
    "window_minutes": "window",
    "minutes": "minutes of care",
    "carers": "carers",
    "critical": "time-critical",
}
_ENGINE_FIELD = {"window_start": "time", "day": "time"}


def _choice(label: str, choices: Any, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Select"), *choices],
        error_messages={"required": message, "invalid_choice": message},
    )


def _count(data: Any, name: str, default: int, cap: int) -> int:
    try:
        value = int((data or {}).get(name, default))
    except (TypeError, ValueError):
        value = default
    return max(1, min(value, cap))


def _clock(text: str) -> str | None:
    match = _CLOCK.match(text.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def _date_text(day: date) -> str:
    return f"{day.day} {day.month} {day.year}"


SHARE_WORDS = "NHS share"
SHARE_HINT = (
    "Joint funding only: the NHS's share of the cost of each visit, in percent, for example "
    "40; the council pays the rest. Leave empty for any other funding."
)


def share_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label="NHS share, percent",
        required=False,
        max_length=12,
        help_text=SHARE_HINT,
        error_messages={"max_length": f"{SHARE_WORDS} must be a percentage, like 40 or 37.5"},
        **kwargs,
    )


def clean_funding(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Judge the funding and its NHS share together; each error goes on its field and
    ``cleaned["nhs_share_percent"]`` becomes the share to store (None unless joint)."""
    funding = cleaned.get("funding")
    if not funding or form.has_error(SHARE_KEY):
        return  # their own errors say what to do
    try:
        cleaned[SHARE_KEY] = check_funding(funding, read_share(cleaned.get(SHARE_KEY)))
    except InputError as exc:
        field = SHARE_KEY if exc.key == SHARE_KEY else "funding"
        message = exc.message
        text = f"{SHARE_WORDS} {message}" if message.startswith("must") else message
        form.add_error(field, text[0].upper() + text[1:])


class RequestForm(GovukForm):
    """A new package and its request; :attr:`visits` holds the engine's rows once valid."""

    person_ref = forms.CharField(
        label="Person's reference",
        max_length=40,
        error_messages={
            "required": "Enter the person's reference",
            "max_length": "Person's reference must be 40 characters or fewer",
        },
    )
    area = forms.ChoiceField(
        label="Area",
        error_messages={"required": "Select an area", "invalid_choice": "Select an area"},
    )
    framework = forms.ChoiceField(
        label="Framework",
        error_messages={"required": "Select a framework", "invalid_choice": "Select a framework"},
    )
    funding = _choice("Funding", Funding.choices, "Select the funding")
    nhs_share_percent = share_field()
    cohort = _choice("Cohort", Cohort.choices, "Select the cohort")
    source = _choice("Source", Source.choices, "Select where the request comes from")
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        initial="normal",
        error_messages={"invalid_choice": "Select the priority"},
    )
    start_day = forms.CharField(label="Day", required=False, max_length=4)
    start_month = forms.CharField(label="Month", required=False, max_length=4)
    start_year = forms.CharField(label="Year", required=False, max_length=6)
    late_start_reason = forms.CharField(
        label="Reason for the late start",
        required=False,
        # Kept as the package's audit reason ("Late start: ..."), which holds 100 characters.
        max_length=LATE_REASON_LENGTH,
        widget=forms.Textarea,
        help_text=f"In {LATE_REASON_LENGTH} characters or fewer, for example: "
        "discharged on the 2nd, care began that day on an emergency placement.",
        error_messages={
            "max_length": f"Reason for the late start must be {LATE_REASON_LENGTH} characters "
            "or fewer"
        },
    )
    needs = forms.CharField(
        label="Needs (optional)",
        required=False,
        max_length=500,
        help_text="Single words separated by commas, for example: medication, hoist, dementia.",
    )
    lengths_checked = forms.BooleanField(label="I have checked these visit lengths", required=False)

    KEYS = {
        "person_ref": "person_ref",
        "area_code": "area",
        "funding": "funding",
        "nhs_share_percent": "nhs_share_percent",
        "cohort": "cohort",
        "source": "source",
        "priority": "priority",
        "start_date": "start_day",
        "needs": "needs",
    }

    def __init__(
        self,
        *args: Any,
        areas: list[tuple[str, list[tuple[str, str]]]],
        frameworks: list[tuple[str, str]],
        councils: dict[str, Any] | None = None,
        today: date | None = None,
        extra_call: int | None = None,
        extra_pattern: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.area_groups = areas
        self.councils = councils or {}
        self.today = today or date.today()
        self.fields["area"].choices = [("", "Select"), *areas]  # type: ignore[attr-defined]
        self.fields["framework"].choices = frameworks  # type: ignore[attr-defined]
        self.fields["start_day"].error_anchor = "start_day"  # type: ignore[attr-defined]
        council = next(iter(self.councils.values()), None)
        hint = reference_hint(council)
        self.fields["person_ref"].help_text = (
            "The pseudonymised reference from the case-management system, not a name."
            + (f" Format: {hint}." if hint else "")
        )
        count = _count(source, "patterns", 1, MAX_PATTERNS)
        if extra_pattern:
            count = min(count + 1, MAX_PATTERNS)
        self.pattern_count = count
        self.call_counts: dict[int, int] = {}
        for p in range(1, count + 1):
            calls = _count(source, f"calls-{p}", DEFAULT_CALLS if p == 1 else 2, MAX_CALLS)
            if extra_call == p:
                calls = min(calls + 1, MAX_CALLS)
            self.call_counts[p] = calls
            self._add_pattern(p, calls)
        # After the calls, as on the page, so the error summary lists it in the page's order.
        self.fields["lengths_checked"] = self.fields.pop("lengths_checked")

    def _add_pattern(self, p: int, calls: int) -> None:
        self.fields[f"days_quick-{p}"] = forms.ChoiceField(
            label="Days of the week",
            choices=QUICK_DAYS,
            initial="every",
            required=False,
            widget=forms.RadioSelect,
        )
        self.fields[f"days-{p}"] = forms.MultipleChoiceField(
            label="Days",
            choices=[(str(i), name) for i, name in enumerate(DAYS)],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Select days of the week from the list"},
        )
        for n in range(1, calls + 1):
            prefix = f"call-{p}-{n}-"
            self.fields[prefix + "time"] = forms.CharField(
                label="Time", required=False, max_length=5
            )
            self.fields[prefix + "window_minutes"] = forms.CharField(
                label="Window, minutes", required=False, initial="30", max_length=4
            )
            self.fields[prefix + "minutes"] = forms.CharField(
                label="Minutes of care", required=False, max_length=6
            )
            self.fields[prefix + "carers"] = forms.ChoiceField(
                label="Carers", choices=[("1", "1"), ("2", "2")], initial="1", required=False
            )
            self.fields[prefix + "critical"] = forms.BooleanField(
                label="Time-critical", required=False
            )

    # --- for the template ---------------------------------------------------------------

    def pattern_groups(self) -> list[dict[str, Any]]:
        """Each set of days: its number, fields, chosen days and its calls with their errors."""
        groups = []
        for p in range(1, self.pattern_count + 1):
            quick = self[f"days_quick-{p}"]
            days = self[f"days-{p}"]
            chosen = {str(v) for v in (days.value() or [])}
            calls = []
            for n in range(1, self.call_counts[p] + 1):
                fields = {name: self[f"call-{p}-{n}-{name}"] for name in CALL_FIELDS}
                errors = [str(e) for field in fields.values() for e in field.errors]
                calls.append({"number": n, "errors": errors, **fields})
            groups.append(
                {
                    "number": p,
                    "quick": quick,
                    "quick_value": quick.value() or "every",
                    "days": days,
                    "day_boxes": [(str(i), name, str(i) in chosen) for i, name in enumerate(DAYS)],
                    "calls": calls,
                    "calls_name": f"calls-{p}",
                    "call_count": self.call_counts[p],
                }
            )
        return groups

    @property
    def late_start(self) -> bool:
        """Show the reason box: the start is late, or a reason was typed already."""
        start = getattr(self, "start_date", None)
        late = start is not None and start < self.today - timedelta(days=LATE_START_DAYS)
        return late or bool(str(self["late_start_reason"].value() or "").strip())

    @property
    def unusual_lengths(self) -> bool:
        return bool(getattr(self, "unusual", None)) or bool(self["lengths_checked"].value())

    # --- checking -----------------------------------------------------------------------

    def clean_person_ref(self) -> str:
        text = (self.cleaned_data.get("person_ref") or "").strip()
        if not text:
            raise forms.ValidationError("Enter the person's reference")
        council = self.councils.get(str(self.data.get("framework", ""))) or next(
            iter(self.councils.values()), None
        )
        if not matches_reference(council, text):
            raise forms.ValidationError(reference_message(council))
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_funding(self, cleaned)
        self.start_date = self._start_date(cleaned)
        self._late_start(cleaned)
        self.visits: list[dict[str, Any]] = []
        self.origins: list[tuple[int, int, int]] = []  # (set, call, day) of each visit
        self.unusual: list[str] = []
        calls = self._calls(cleaned)
        if not calls and not self._schedule_has_errors():
            self.add_error("call-1-1-time", "Enter at least one call: its time and minutes")
        if self.unusual and not cleaned.get("lengths_checked"):
            low, high = USUAL_MINUTES
            self.add_error(
                "lengths_checked",
                f"Check the visit lengths: {' and '.join(self.unusual)}, outside the usual "
                f"{low} to {high} minutes. If they are right, select 'I have checked these "
                "visit lengths'",
            )
        if calls and not self._schedule_has_errors():
            self._expand(calls)
            self._overlaps()
        return cleaned

    def _schedule_has_errors(self) -> bool:
        return any(
            self.has_error(name) for name in self.fields if name.startswith(("call-", "days-"))
        )

    def _start_date(self, cleaned: dict[str, Any]) -> date | None:
        parts = [str(cleaned.get(f"start_{p}") or "").strip() for p in ("day", "month", "year")]
        if not all(parts):
            names = ("day", "month", "year")
            missing = [w for w, part in zip(names, parts, strict=True) if not part]
            if len(missing) == 3:
                self.add_error("start_day", "Enter the start date")
            else:
                self.add_error("start_day", f"Start date must include a {' and '.join(missing)}")
            return None
        try:
            day, month, year = (int(part) for part in parts)
            start = date(year, month, day)
        except ValueError:
            self.add_error("start_day", "Start date must be a real date, like 9 3 2026")
            return None
        earliest = self.today - timedelta(days=FAR_DAYS)
        latest = self.today + timedelta(days=FAR_DAYS)
        if not earliest <= start <= latest:
            self.add_error(
                "start_day",
                f"Start date must be between {_date_text(earliest)} and {_date_text(latest)}",
            )
            return None
        return start

    def _late_start(self, cleaned: dict[str, Any]) -> None:
        start = self.start_date
        if start is None or start >= self.today - timedelta(days=LATE_START_DAYS):
            return
        if not (cleaned.get("late_start_reason") or "").strip():
            self.add_error(
                "late_start_reason",
                f"The start date is more than {LATE_START_DAYS} days ago: enter the reason "
                "for the late start",
            )

    def _where(self, p: int, n: int) -> str:
        return f"Call {n}" if self.pattern_count == 1 else f"Set {p}, call {n}"

    def _days(self, p: int, cleaned: dict[str, Any]) -> tuple[int, ...]:
        quick = cleaned.get(f"days_quick-{p}") or "every"
        if quick in QUICK_SETS:
            return QUICK_SETS[quick]
        chosen = tuple(sorted(int(d) for d in cleaned.get(f"days-{p}") or ()))
        if not chosen and not self.has_error(f"days-{p}"):
            which = "" if self.pattern_count == 1 else f" for set {p}"
            self.add_error(f"days-{p}", f"Select the days of the week{which}")
        return chosen

    def _calls(self, cleaned: dict[str, Any]) -> list[tuple[int, int, tuple[int, ...], dict]]:
        """The filled calls as (set, call, days, row); each bad value is an error on its field."""
        found = []
        for p in range(1, self.pattern_count + 1):
            rows = []
            for n in range(1, self.call_counts[p] + 1):
                name = f"call-{p}-{n}-"
                row = {key: cleaned.get(name + key) for key in CALL_FIELDS}
                if not (str(row["time"] or "").strip() or str(row["minutes"] or "").strip()):
                    continue  # a spare row
                checked = self._call(p, n, row)
                if checked is not None:
                    rows.append((n, checked))
            if rows:
                days = self._days(p, cleaned)
                found.extend((p, n, days, row) for n, row in rows)
        return found

    def _call(self, p: int, n: int, row: dict[str, Any]) -> dict[str, Any] | None:
        where, name, ok = self._where(p, n), f"call-{p}-{n}-", True
        time = _clock(str(row["time"] or ""))
        if not str(row["time"] or "").strip():
            self.add_error(name + "time", f"{where}: enter the time, like 07:30")
            ok = False
        elif time is None:
            self.add_error(name + "time", f"{where}: time must be a time like 07:30 or 18:15")
            ok = False
        minutes = self._whole(name + "minutes", row["minutes"], f"{where}: minutes of care")
        if minutes is not None:
            if minutes < 1:
                self.add_error(name + "minutes", f"{where}: minutes of care must be at least 1")
                minutes = None
            elif minutes > MAX_MINUTES:
                self.add_error(
                    name + "minutes",
                    f"{where}: minutes of care must be {MAX_MINUTES} or fewer (12 hours)",
                )
                minutes = None
            elif not USUAL_MINUTES[0] <= minutes <= USUAL_MINUTES[1]:
                self.unusual.append(f"{where.lower()} is {minutes:,} minutes")
        window = self._whole(
            name + "window_minutes", row["window_minutes"] or "30", f"{where}: window"
        )
        if window is not None and not 0 <= window <= MAX_WINDOW:
            self.add_error(
                name + "window_minutes", f"{where}: window must be 0 to {MAX_WINDOW} minutes"
            )
            window = None
        if not ok or minutes is None or window is None:
            return None
        return {
            "window_start": time,
            "window_minutes": window,
            "minutes": minutes,
            "carers": int(row["carers"] or 1),
            "critical": bool(row["critical"]),
        }

    def _whole(self, field: str, value: Any, words: str) -> int | None:
        text = str(value or "").strip().replace(",", "")
        if not text:
            self.add_error(field, f"{words} must be entered, like 45")
            return None
        if not re.fullmatch(r"-?\d{1,6}", text):
            self.add_error(field, f"{words} must be a whole number of minutes, like 45")
            return None
        return int(text)

    def _expand(self, calls: list[tuple[int, int, tuple[int, ...], dict]]) -> None:
        """One engine row per visit in the week: the calls on each of their days."""
        for p, n, days, row in calls:
            for day in days:
                self.visits.append({"day": day, **row})
                self.origins.append((p, n, day))

    def _overlaps(self) -> None:
        """Calls that run into the next on the same day, all named (the engine stops at one)."""
        order = sorted(
            range(len(self.visits)),
            key=lambda i: (self.visits[i]["day"], self.visits[i]["window_start"]),
        )
        seen: set[tuple[tuple[int, int], tuple[int, int]]] = set()
        for first, second in pairwise(order):
            a, b = self.visits[first], self.visits[second]
            if a["day"] != b["day"] or _minute(a) + a["minutes"] <= _minute(b):
                continue
            pa, na, _ = self.origins[first]
            pb, nb, _ = self.origins[second]
            pair = ((pa, na), (pb, nb))
            if pair in seen:
                continue
            seen.add(pair)
            self.add_error(
                f"call-{pb}-{nb}-time",
                f"{self._where(pa, na)} and {self._where(pb, nb).lower()} overlap on "
                f"{DAYS[a['day']]}: {self._where(pa, na).lower()} is {a['minutes']} minutes from "
                f"{a['window_start']}, so it runs past {b['window_start']}",
            )

    def needs_list(self) -> list[str]:
        text = self.cleaned_data.get("needs") or ""
        return [word.strip().lower() for word in text.split(",") if word.strip()]

    # --- what the check page shows --------------------------------------------------------

    def hours_per_week(self) -> tuple[Decimal, Decimal]:
        """Contact hours and carer hours a week (a double-handed visit counts twice)."""
        contact = sum((v["minutes"] for v in self.visits), 0)
        carer = sum((v["minutes"] * v["carers"] for v in self.visits), 0)
        cent = Decimal("0.01")
        return (Decimal(contact) / 60).quantize(cent), (Decimal(carer) / 60).quantize(cent)

    def week_rows(self) -> list[dict[str, Any]]:
        """The visits as the schedule grid reads them (day number, window, minutes, carers)."""
        rows = []
        for visit in self.visits:
            start = datetime.strptime(visit["window_start"], "%H:%M")
            end = start + timedelta(minutes=visit["window_minutes"])
            rows.append(
                {
                    "day": visit["day"],
                    "window": f"{start:%H:%M} to {end:%H:%M}",
                    "minutes": visit["minutes"],
                    "carers": visit["carers"],
                    "critical": visit["critical"],
                }
            )
        return rows

    # --- the engine's errors, on the call the broker typed ----------------------------------

    def add_input_error(  # type: ignore[override]
        self, exc: InputError, fields: dict[str, str] | None = None, fallback: str = "person_ref"
    ) -> None:
        """The engine's error on the field or call it names, in the broker's numbering."""
        match = _VISIT_KEY.match(exc.key or "")
        if match is None or not self.origins:
            super().add_input_error(exc, fields or self.KEYS, fallback)
            return
        index, name = int(match.group(1)), match.group(2) or "day"
        p, n, day = self.origins[min(index, len(self.origins) - 1)]
        field = f"call-{p}-{n}-{_ENGINE_FIELD.get(name, name)}"
        message = f"{self._where(p, n)} on {DAYS[day]}: {_FIELD_WORDS.get(name, name)} "
        message += re.sub(r"visits\[\d+\]", "another call", exc.message)
        self.add_error(field if field in self.fields else "call-1-1-time", message)


def _minute(visit: dict[str, Any]) -> int:
    hours, minutes = visit["window_start"].split(":")
    return int(hours) * 60 + int(minutes)
