"""A subject-access archive: everything held about one person, as one ZIP file.

What a data-protection officer hands to a person who asks for their records: a plain-English
summary (``Read me first.txt``) and one CSV file a kind of record (their packages, visits,
requests, offers, placements, schedule changes, visit logs, exceptions, invoice lines,
complaints) with the history of every change to them. Rows are read from the database in
chunks and streamed into the archive, so a person with years of visit logs never sits in
memory whole. Text that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet

from carecore.spreadsheets import csv_text
from homecare.accounts.templatetags.govuk import pounds
from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    PackageEnding,
    Person,
    Placement,
    RequestTransition,
    ScheduleChange,
    ScheduleVersion,
    Suspension,
    Visit,
)
from homecare.delivery.models import InvoiceLine, VisitException, VisitLog
from homecare.governance import trail
from homecare.insight.models import Complaint

CHUNK = 1000
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Column = tuple[str, Callable[[Any], Any]]


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(trail.LONDON).strftime("%Y-%m-%d %H:%M")


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _pence(value: int | None) -> str:
    return "" if value is None else pounds(Decimal(value) / 100)


def _label(name: str) -> Callable[[Any], str]:
    """The display text of a field with choices (``status`` -> "Placed")."""
    return lambda row: getattr(row, f"get_{name}_display")()


def _who(name: str) -> Callable[[Any], str]:
    return lambda row: trail.who(getattr(row, name)) if getattr(row, name) else ""


@dataclass(frozen=True)
class Section:
    """One CSV file of the archive."""

    file_name: str
    title: str
    rows: Callable[[Person], QuerySet[Any]]
    columns: tuple[Column, ...]


def _packages(person: Person) -> QuerySet[Package]:
    return Package.objects.filter(person=person)


SECTIONS: tuple[Section, ...] = (
    Section(
        "person.csv",
        "The person: reference, area, funding and group",
        lambda person: Person.objects.filter(pk=person.pk).select_related(
            "council", "area__zone", "area__band"
        ),
        (
            ("Reference", lambda p: p.reference),
            ("Council", lambda p: p.council.name),
            ("Area", lambda p: p.area.name),
            ("Zone", lambda p: p.area.zone.name),
            ("Pricing band", lambda p: p.area.band.name),
            ("Funding", _label("funding")),
            ("NHS share (joint funding, %)", lambda p: p.nhs_share_percent or ""),
            ("Group", _label("cohort")),
        ),
    ),
    Section(
        "packages.csv",
        "Packages of care",
        lambda person: _packages(person).order_by("created_at", "pk"),
        (
            ("Package", lambda p: p.pk),
            ("Requested", lambda p: _when(p.created_at)),
            ("Start date", lambda p: _day(p.start_date)),
            ("End date", lambda p: _day(p.end_date)),
            ("Referred by", _label("source")),
            ("Priority", _label("priority")),
            ("Needs", lambda p: ", ".join(str(need) for need in p.needs or [])),
            ("Status", _label("status")),
            ("Hours of visits a week", lambda p: p.contact_hours_per_week),
            ("Carer hours a week", lambda p: p.carer_hours_per_week),
        ),
    ),
    Section(
        "weekly visits.csv",
        "The weekly visits of each package",
        lambda person: Visit.objects.filter(package__person=person).order_by(
            "package_id", "day", "window_start"
        ),
        (
            ("Package", lambda v: v.package_id),
            ("Day", lambda v: DAYS[v.day] if v.day < len(DAYS) else v.day),
            ("From", lambda v: v.window_start.strftime("%H:%M")),
            ("Window (minutes)", lambda v: v.window_minutes),
            ("Length (minutes)", lambda v: v.minutes),
            ("Carers", lambda v: v.carers),
            ("Must not be missed", lambda v: "Yes" if v.critical else "No"),
        ),
    ),
    Section(
        "requests.csv",
        "Requests to place a package with a provider",
        lambda person: (
            BrokerageRequest.objects.filter(package__person=person)
            .select_related("framework", "placed_provider")
            .order_by("created_at", "pk")
        ),
        (
            ("Request", lambda r: r.pk),
            ("Package", lambda r: r.package_id),
            ("Framework", lambda r: r.framework.name),
            ("Made", lambda r: _when(r.created_at)),
            ("State", _label("state")),
            ("Placed with", lambda r: r.placed_provider.name if r.placed_provider else ""),
            ("Rate an hour", lambda r: pounds(r.placed_rate)),
            ("Placed", lambda r: _when(r.placed_at)),
        ),
    ),
    Section(
        "request changes.csv",
        "Each change of a request's state, and why",
        lambda person: (
            RequestTransition.objects.filter(request__package__person=person)
            .select_related("by")
            .order_by("at", "pk")
        ),
        (
            ("Request", lambda t: t.request_id),
            ("When", lambda t: _when(t.at)),
            ("From", _label("from_state")),
            ("To", _label("to_state")),
            ("By", _who("by")),
            ("Why", lambda t: t.reason),
        ),
    ),
    Section(
        "offers.csv",
        "Offers of a package made to providers",
        lambda person: (
            Offer.objects.filter(request__package__person=person)
            .select_related("provider")
            .order_by("sent_at", "pk")
        ),
        (
            ("Offer", lambda o: o.pk),
            ("Request", lambda o: o.request_id),
            ("Provider", lambda o: o.provider.name),
            ("Sent", lambda o: _when(o.sent_at)),
            ("Answer due", lambda o: _when(o.deadline)),
            ("Status", _label("status")),
            ("Answered", lambda o: _when(o.answered_at)),
            ("Provider's reason", lambda o: o.reason),
            ("Rate bid an hour", lambda o: pounds(o.bid_rate)),
        ),
    ),
    Section(
        "placements.csv",
        "Placements of a package with a provider",
        lambda person: (
            Placement.objects.filter(package__person=person)
            .select_related("provider", "by")
            .order_by("at", "pk")
        ),
        (
            ("Package", lambda p: p.package_id),
            ("Provider", lambda p: p.provider.name),
            ("Rate an hour", lambda p: pounds(p.rate)),
            ("Placed", lambda p: _when(p.at)),
            ("By", _who("by")),
            ("Why", lambda p: p.reason),
            ("Ended", lambda p: _when(p.ended_at)),
        ),
    ),
    Section(
        "schedule changes.csv",
        "Changes to a package's weekly schedule (the council's variations, providers' reviews)",
        lambda person: ScheduleChange.objects.filter(package__person=person).order_by(
            "created_at", "pk"
        ),
        (
            ("Package", lambda c: c.package_id),
            ("Kind", _label("kind")),
            ("Status", _label("status")),
            ("From", lambda c: _day(c.effective_from)),
            ("Carer hours a week before", lambda c: c.carer_hours_before),
            ("Carer hours a week after", lambda c: c.carer_hours_after),
            ("Why", lambda c: c.reason),
            ("Asked", lambda c: _when(c.created_at)),
            ("Decided", lambda c: _when(c.decided_at)),
            ("Why decided so", lambda c: c.decision_reason),
        ),
    ),
    Section(
        "schedules.csv",
        "Each weekly schedule in force and when",
        lambda person: ScheduleVersion.objects.filter(package__person=person).order_by(
            "package_id", "effective_from", "pk"
        ),
        (
            ("Package", lambda s: s.package_id),
            ("From", lambda s: _day(s.effective_from)),
            ("To", lambda s: _day(s.effective_to)),
            ("Hours of visits a week", lambda s: s.contact_hours_per_week),
            ("Carer hours a week", lambda s: s.carer_hours_per_week),
        ),
    ),
    Section(
        "suspensions.csv",
        "Days with no visits (a stay in hospital, say)",
        lambda person: Suspension.objects.filter(package__person=person).order_by(
            "start_date", "pk"
        ),
        (
            ("Package", lambda s: s.package_id),
            ("First day", lambda s: _day(s.start_date)),
            ("Last day", lambda s: _day(s.end_date)),
            ("Why", lambda s: s.reason),
        ),
    ),
    Section(
        "endings.csv",
        "Why and when a package's care ended",
        lambda person: PackageEnding.objects.filter(package__person=person).order_by("pk"),
        (
            ("Package", lambda e: e.package_id),
            ("First day with no care", lambda e: _day(e.ends_from)),
            ("Why", _label("reason")),
            ("Note", lambda e: e.note),
        ),
    ),
    Section(
        "visit logs.csv",
        "Carers' arrivals and departures recorded at each visit",
        lambda person: (
            VisitLog.objects.filter(person=person)
            .select_related("provider")
            .order_by("check_in", "pk")
        ),
        (
            ("Provider", lambda v: v.provider.name),
            ("Carer", lambda v: v.carer_id),
            ("Arrived", lambda v: _when(v.check_in)),
            ("Left", lambda v: _when(v.check_out)),
            ("Recorded by", _label("method")),
            ("Provider's note", lambda v: v.exception_code),
            ("Approval", _label("approval")),
        ),
    ),
    Section(
        "visit exceptions.csv",
        "Visits the council's finance team looked at (late, missed, entered by hand)",
        lambda person: (
            VisitException.objects.filter(run__council=person.council, person_ref=person.reference)
            .select_related("run__provider")
            .order_by("planned_start", "pk")
        ),
        (
            ("Provider", lambda x: x.run.provider.name),
            ("What", lambda x: x.kind.replace("_", " ")),
            ("Planned start", lambda x: _when(x.planned_start)),
            ("Carer", lambda x: x.carer_id),
            ("Arrived", lambda x: _when(x.check_in)),
            ("Left", lambda x: _when(x.check_out)),
            ("Found", lambda x: x.detail),
            ("Decision", _label("status")),
            ("Why", lambda x: x.reason),
        ),
    ),
    Section(
        "invoice lines.csv",
        "Invoice lines paid for visits to the person",
        lambda person: (
            InvoiceLine.objects.filter(person=person)
            .select_related("invoice", "run__provider")
            .order_by("visit_start", "pk")
        ),
        (
            ("Invoice", lambda line: line.invoice.number),
            ("Provider", lambda line: line.run.provider.name),
            ("Visit start", lambda line: _when(line.visit_start)),
            ("Outcome", lambda line: line.outcome.replace("_", " ")),
            ("Carer", lambda line: line.carer_id),
            ("Minutes paid", lambda line: line.payable_minutes),
            ("Rate an hour", lambda line: _pence(line.rate_pence_per_hour)),
            ("Amount", lambda line: _pence(line.amount_pence)),
        ),
    ),
    Section(
        "complaints.csv",
        "Complaints about the person's care",
        lambda person: (
            Complaint.objects.filter(person=person, council=person.council)
            .select_related("provider")
            .order_by("received_on", "pk")
        ),
        (
            ("Complaint", lambda c: c.pk),
            ("Received", lambda c: _day(c.received_on)),
            ("Provider", lambda c: c.provider.name),
            ("About", _label("category")),
            ("Summary", lambda c: c.summary),
            ("Outcome", _label("outcome")),
        ),
    ),
)


def history_rows(person: Person) -> QuerySet[Any]:
    """Every history row of every record about ``person`` (oldest first)."""
    people = Person.objects.filter(pk=person.pk)
    rows = trail.entries(person.council, trail.Filters(people=people))
    return rows.order_by("history_date", "history_id")


def csv_lines(headings: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV table in chunks of text, every value kept as text a spreadsheet will not run."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, lines: Iterable[str]) -> None:
    with archive.open(name, "w") as raw:
        # utf-8-sig: spreadsheets read the accents and the £ sign right.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        for chunk in lines:
            text.write(chunk)
        text.flush()
        text.detach()


class _Counter:
    """Counts rows as they stream past."""

    def __init__(self) -> None:
        self.count = 0

    def each(self, rows: Iterable[Any]) -> Iterator[Any]:
        for row in rows:
            self.count += 1
            yield row


def write_archive(
    person: Person, out: IO[bytes], *, exported_at: datetime, exported_by: str
) -> int:
    """Write the archive of ``person`` to ``out``; return how many records it holds."""
    counts: list[tuple[Section | None, int]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in SECTIONS:
            counter = _Counter()
            rows = counter.each(section.rows(person).iterator(chunk_size=CHUNK))
            cells = ([get(row) for _, get in section.columns] for row in rows)
            _write(archive, section.file_name, csv_lines([h for h, _ in section.columns], cells))
            counts.append((section, counter.count))
        counter = _Counter()
        entries = trail.described_in_batches(
            counter.each(history_rows(person).iterator(chunk_size=CHUNK))
        )
        cells = (trail.entry_cells(entry) for entry in entries)
        _write(archive, HISTORY_FILE, csv_lines(trail.ENTRY_HEADINGS, cells))
        counts.append((None, counter.count))
        summary = _summary(person, counts, exported_at=exported_at, exported_by=exported_by)
        _write(archive, SUMMARY_FILE, [summary])
    return sum(count for _, count in counts)


HISTORY_FILE = "history of changes.csv"
SUMMARY_FILE = "Read me first.txt"


def _summary(
    person: Person,
    counts: list[tuple[Section | None, int]],
    *,
    exported_at: datetime,
    exported_by: str,
) -> str:
    lines = [
        f"Records held by {person.council.name} about the person with reference {person.reference}",
        "",
        f"Made on {_when(exported_at)} (UK time) by {exported_by}.",
        "",
        "The council knows people in this system by a reference, the area they live in, "
        "how their care is funded and the group of people they belong to; it does not hold "
        "names, addresses or dates of birth here. Each file below is a table that opens in "
        "a spreadsheet. Times are UK times.",
        "",
        "Files:",
    ]
    for section, count in counts:
        name, title = (
            (section.file_name, section.title)
            if section
            else (HISTORY_FILE, "Every change to the records above: who made it and when")
        )
        rows = "1 row" if count == 1 else f"{count:,} rows"
        lines.append(f"- {name}: {title} ({rows})")
    return "\r\n".join(lines) + "\r\n"
