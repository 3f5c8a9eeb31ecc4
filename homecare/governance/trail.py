"""Every audit trail of a council's records, as one list: who changed what, and when.

Each audited model keeps its own history table (django-simple-history). :data:`TRAILS` says,
for each, how a history row is tied to a council (directly, or through the person it is
about) and to a person. :func:`entries` unions the scoped history tables newest first, so a
page of 50 rows costs one query plus the rows' own; :func:`describe` turns each row into
plain words: the record, who, when and each field's old and new value.

A row is scoped through the live record it points at (a request's framework's council, a
package's person): a history row whose parent record was deleted drops out of the council's
view. The audited records are protected from deletion, so this is the rare case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value

from homecare.accounts.models import Organisation
from homecare.brokerage.models import Person

LONDON = ZoneInfo("Europe/London")

# Never shown in a change, nor written to an export: secrets and raw file bytes.
HIDDEN_FIELDS = frozenset(
    {"digest", "password", "content", "submission_key", "version", "planned_id"}
)
TEXT_LIMIT = 300  # characters of a long text shown in a change


@dataclass(frozen=True)
class Trail:
    """How one audited model's history rows belong to a council and to a person.

    ``council``: the path from a history row to its council's id (None: through the person).
    ``person``: the path to the person's id, or to their reference when ``by_reference``
    (None: a record about no one person, such as a rate card).
    """

    label: str
    council: str | None = None
    person: str | None = None
    by_reference: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model  # type: ignore[attr-defined, no-any-return]

    def scope(self, council: Organisation) -> Q:
        """The history rows of ``council``'s records."""
        if self.council is not None:
            return Q(**{self.council: council.pk})
        assert self.person is not None
        return Q(**{f"{self.person}__in": people_of(council).values("pk")})

    def about(self, people: QuerySet[Person]) -> Q:
        """The history rows about any of ``people`` (nothing when the model is about no one)."""
        if self.person is None:
            return Q(pk__in=[])
        if self.by_reference:
            return Q(**{f"{self.person}__in": people.values("reference")})
        return Q(**{f"{self.person}__in": people.values("pk")})


TRAILS: tuple[Trail, ...] = (
    Trail("brokerage.Person", person="id"),
    Trail("brokerage.Package", person="person_id"),
    Trail(
        "brokerage.Offer",
        council="request__framework__council_id",
        person="request__package__person_id",
    ),
    Trail(
        "brokerage.Placement",
        council="request__framework__council_id",
        person="package__person_id",
    ),
    Trail("brokerage.ScheduleChange", person="package__person_id"),
    Trail("brokerage.ScheduleVersion", person="package__person_id"),
    Trail("brokerage.Suspension", person="package__person_id"),
    Trail("brokerage.PackageEnding", person="package__person_id"),
    Trail("delivery.VisitLog", person="person_id"),
    Trail("delivery.ReconciliationRun", council="council_id"),
    Trail("delivery.Invoice", council="run__council_id"),
    Trail(
        "delivery.VisitException",
        council="run__council_id",
        person="person_ref",
        by_reference=True,
    ),
    Trail("insight.Complaint", council="council_id", person="person_id"),
    Trail("insight.SimulationRun", council="council_id"),
    Trail("commissioning.TravelCalibration", council="council_id"),
    Trail("commissioning.RateCard", council="council_id"),
    Trail("commissioning.RatePeriod", council="card__council_id"),
    Trail("commissioning.BandRate", council="period__card__council_id"),
    Trail("commissioning.Framework", council="council_id"),
    Trail("commissioning.Appointment", council="framework__council_id"),
    Trail("commissioning.AppointmentBandRate", council="appointment__framework__council_id"),
    Trail("commissioning.FrameworkApplication", council="framework__council_id"),
    Trail("accounts.Organisation", council="id"),
    Trail("accounts.Membership", council="organisation_id"),
    Trail("accounts.ApiToken", council="organisation_id"),
    Trail("governance.SubjectAccessExport", council="council_id", person="person_id"),
    Trail("governance.AnonymisedPerson", person="person_id"),
)
# Audited records that appear once other work lands (a provider's standing at one council).
OPTIONAL_TRAILS: tuple[Trail, ...] = (
    Trail("commissioning.ProviderStanding", council="council_id"),
)


def trails() -> list[Trail]:
    """The trails whose models exist and keep a history."""
    found = []
    for trail in TRAILS + OPTIONAL_TRAILS:
        try:
            model = trail.model
        except LookupError:
            continue
        if hasattr(model, "history"):
            found.append(trail)
    return found


def person_trails() -> list[Trail]:
    """The trails of records about one person."""
    return [trail for trail in trails() if trail.person is not None]


def trail_of(label: str) -> Trail:
    return next(trail for trail in trails() if trail.label == label)


def people_of(council: Organisation) -> QuerySet[Person]:
    """The council's people."""
    return Person.objects.filter(council=council)


# --- the list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the audit page narrows the list to (None: no narrowing)."""

    people: QuerySet[Person] | None = None
    user_ids: list[int] | None = None
    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive


ENTRY_FIELDS = ("history_id", "history_date", "history_user_id", "history_type", "id")


def entries(council: Organisation, filters: Filters | None = None) -> QuerySet[Any]:
    """Every history row of ``council``'s records, newest first, as dicts of
    :data:`ENTRY_FIELDS` and ``label`` (the model); ``filters`` narrow it."""
    filters = filters or Filters()
    parts = []
    for trail in trails():
        if filters.people is not None and trail.person is None:
            continue
        rows = trail.history_model._default_manager.filter(trail.scope(council))
        if filters.people is not None:
            rows = rows.filter(trail.about(filters.people))
        if filters.user_ids is not None:
            rows = rows.filter(history_user_id__in=filters.user_ids)
        if filters.since is not None:
            rows = rows.filter(history_date__gte=filters.since)
        if filters.before is not None:
            rows = rows.filter(history_date__lt=filters.before)
        label = Value(trail.label, output_field=CharField())
        parts.append(rows.order_by().annotate(label=label).values(*ENTRY_FIELDS, "label"))
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


# --- in words -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field's change; ``old`` is empty for a record's first version."""

    field: str
    old: str
    new: str

    @property
    def text(self) -> str:
        if not self.old:
            return f"{self.field}: {self.new}"
        return f"{self.field}: {self.old} → {self.new}"


@dataclass(frozen=True)
class Entry:
    """One history row in words."""

    when: datetime
    who: str
    record: str  # "Package"
    which: str  # "Package 12 for P-0001"
    action: str  # "Created", "Changed", "Deleted"
    changes: tuple[Change, ...]

    @property
    def changes_text(self) -> str:
        return "; ".join(change.text for change in self.changes)


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def who(user: Any) -> str:
    """A user's full name, else username; "The system" for imports, the demo and tasks."""
    if user is None:
        return "The system"
    return str(user.get_full_name() or user.username)


def shown(value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in HIDDEN_FIELDS
    ]


# Related records named by one of their own fields (a provider by its name); any other is
# named by its kind and number ("Request 12"), so a page of changes costs a few queries.
NAME_FIELDS = ("reference", "name", "title", "number", "username")


class _Namer:
    """Names of related records, looked up in bulk a model at a time and kept."""

    def __init__(self) -> None:
        self.names: dict[tuple[type[models.Model], Any], str] = {}
        self.wanted: dict[type[models.Model], set[Any]] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None and pk != "" and (model, pk) not in self.names:
            self.wanted.setdefault(model, set()).add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            field = next((f for f in NAME_FIELDS if _has_field(model, f)), None)
            found: dict[Any, Any] = {}
            if field is not None:
                rows = model._default_manager.filter(pk__in=pks).values_list("pk", field)
                found = dict(rows.iterator() if len(pks) > 1000 else rows)
            for pk in pks:
                text = found.get(pk)
                self.names[(model, pk)] = (
                    str(text) if text else f"{model._meta.verbose_name} {pk}".capitalize()
                )
        self.wanted = {}

    def name(self, model: type[models.Model], pk: Any) -> str:
        return self.names.get((model, pk)) or f"{model._meta.verbose_name} {pk}".capitalize()

    def value(self, field: models.Field[Any, Any], raw: Any) -> str:
        if raw is None or raw == "":
            return "(empty)"
        if field.choices:
            return str(dict(field.flatchoices).get(raw, raw))
        if field.is_relation and field.related_model is not None:
            return self.name(field.related_model, raw)  # type: ignore[arg-type]
        return shown(in_words(raw))


CODE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)+")


def in_words(raw: Any) -> Any:
    """A stored value as words: codes ("pending_approval", "rotherham-actual") spaced out, and
    structured values (a visit's ``{"window_start": "07:30"}``) as "window start: 07:30"."""
    if isinstance(raw, dict):
        return "; ".join(f"{in_words(key)}: {in_words(value)}" for key, value in raw.items())
    if isinstance(raw, list | tuple):
        return ", ".join(str(in_words(item)) for item in raw)
    if isinstance(raw, str) and CODE.fullmatch(raw):
        return raw.replace("_", " ").replace("-", " ")
    return raw


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.concrete_fields)


def _raw_changes(record: Any, before: Any, model: type[models.Model]) -> list[tuple[Any, Any, Any]]:
    """(field, old, new) for each field that changed (every filled field of a new record)."""
    changes = []
    for field in _fields(model):
        new = getattr(record, field.attname)
        old = getattr(before, field.attname) if before is not None else None
        if before is not None and old == new:
            continue
        if before is None and (new is None or new == "" or new == [] or new == {}):
            continue
        changes.append((field, old, new))
    return changes


def _with_previous(history: QuerySet[Any], ids: list[int]) -> dict[int, tuple[Any, Any]]:
    """The records ``ids`` and, for each, the version saved just before it (by the history's
    own numbering, which is exact even when two versions carry the same time)."""
    previous = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    records = {
        record.history_id: record
        for record in history.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(previous_id=Subquery(previous.order_by("-history_id").values("history_id")[:1]))
    }
    wanted = [r.previous_id for r in records.values() if r.previous_id and r.history_type == "~"]
    before = history.in_bulk(wanted)
    return {pk: (record, before.get(record.previous_id)) for pk, record in records.items()}


def _which(record: Any, trail: Trail, model: type[models.Model], namer: _Namer) -> str:
    """The record in words: "Package 12 of P-0001", "Framework Test framework"."""
    kind = str(model._meta.verbose_name).capitalize()
    if trail.label in WHICH:
        return WHICH[trail.label](record)
    if model is Person:
        return f"{kind} {record.reference}"
    if trail.person is not None and not trail.by_reference:
        return f"{kind} {record.id} of {namer.name(Person, record.person_key)}"
    field = next((f for f in NAME_FIELDS if _has_field(model, f)), None)
    named = getattr(record, field) if field else ""
    return f"{kind} {named}" if named else f"{kind} {record.id}"


# Records whose own name is written in codes get a name in words here.
WHICH = {
    "delivery.VisitException": lambda x: (
        f"Visit of {x.person_ref} planned {shown(x.planned_start)} ({x.kind.replace('_', ' ')})"
    ),
}


def describe(rows: Iterable[dict[str, Any]], namer: _Namer | None = None) -> list[Entry]:
    """The history rows from :func:`entries` in words, in the order given."""
    rows = list(rows)
    namer = namer or _Namer()
    found: dict[tuple[str, int], tuple[Any, Any]] = {}
    by_label: dict[str, list[int]] = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(row["history_id"])
    for label, ids in by_label.items():
        trail = trail_of(label)
        history = trail.history_model._default_manager.all()
        if trail.person is not None and not trail.by_reference:
            history = history.annotate(person_key=F(trail.person))
        for pk, pair in _with_previous(history, ids).items():
            found[(label, pk)] = pair
            if trail.person is not None and not trail.by_reference:
                namer.want(Person, pair[0].person_key)
    raw = {}
    for key, (record, before) in found.items():
        model = trail_of(key[0]).model
        changes = [] if record.history_type == "-" else _raw_changes(record, before, model)
        for field, old, new in changes:
            if field.is_relation and field.related_model is not None:
                namer.want(field.related_model, old)
                namer.want(field.related_model, new)
        raw[key] = changes
    namer.fetch()
    described = []
    for row in rows:
        key = (row["label"], row["history_id"])
        record, before = found[key]
        trail = trail_of(row["label"])
        model = trail.model
        changes = [
            Change(
                field=str(field.verbose_name).capitalize(),
                old="" if before is None else namer.value(field, old),
                new=namer.value(field, new),
            )
            for field, old, new in raw[key]
        ]
        described.append(
            Entry(
                when=record.history_date,
                who=who(record.history_user),
                record=str(model._meta.verbose_name).capitalize(),
                which=_which(record, trail, model, namer),
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=tuple(changes),
            )
        )
    return described


def described_in_batches(rows: Iterable[dict[str, Any]], size: int = 200) -> Iterator[Entry]:
    """:func:`describe` over many rows, a batch at a time (for exports)."""
    namer = _Namer()
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield from describe(batch, namer)
            batch = []
    if batch:
        yield from describe(batch, namer)


ENTRY_HEADINGS = ("When", "Who", "Record", "Which", "What happened", "Changes")


def entry_cells(entry: Entry) -> tuple[str, ...]:
    """One entry as the cells of a CSV row (see :data:`ENTRY_HEADINGS`)."""
    return (
        entry.when.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S"),
        entry.who,
        entry.record,
        entry.which,
        entry.action,
        entry.changes_text,
    )
