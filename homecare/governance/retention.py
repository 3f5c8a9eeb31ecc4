"""How long records are kept, as rules read from settings, and what applying them does.

Each rule finds the records it is due to act on as of a given time (``now``; the clock is
never read here) and can report them (how many, the oldest) or act on them. A rule never
deletes a number a report adds up: people keep their area, funding, group, packages, hours
and payments; what goes is what could identify someone.

The rules and their settings (years count back from the day the rules are applied):

- ``HOMECARE_RETENTION_PERSON_YEARS`` (6): a person whose last service ended that many
  years ago is anonymised: their reference becomes "Anonymised-<number>" everywhere it is
  stored (including the history of changes), and free text about their care (reasons,
  notes, complaint summaries) is removed.
- ``HOMECARE_RETENTION_VISIT_LOG_YEARS`` (6): carers' ids on visit logs (and on the invoice
  lines and exceptions made from them) are replaced after that many years; the times and
  payments stay.
- ``HOMECARE_RETENTION_UPLOAD_FILE_YEARS`` (2): the files providers uploaded (which hold
  references and carers' ids) are emptied after that many years; the upload's counts stay.
- Sign-in attempts are deleted after the lockout's own period (30 days), as each sign-in
  already does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import CharField, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat, Replace

from homecare.accounts import lockout
from homecare.accounts.models import Organisation, SignInAttempt, audited
from homecare.brokerage.models import (
    LIVE_STATES,
    Offer,
    Package,
    PackageEnding,
    Person,
    Placement,
    RequestTransition,
    ScheduleChange,
    Suspension,
)
from homecare.delivery.models import InvoiceLine, LogUpload, VisitException, VisitLog
from homecare.governance.trail import LONDON
from homecare.insight.models import Complaint

BATCH = 500
REMOVED_TEXT = "Removed when the person's details were anonymised"
ANONYMISED_PREFIX = "Anonymised-"
REMOVED_CARER_PREFIX = "removed-"


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def setting(name: str, default: int) -> int:
    value = getattr(settings, name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a whole number of years, 1 or more")
    return value


@dataclass(frozen=True)
class Finding:
    """What one rule would do (or did): a line of the report."""

    rule: str
    title: str
    kept_for: str  # "6 years after the last service"
    cutoff: date | None
    count: int
    oldest: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "kept_for": self.kept_for,
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "count": self.count,
            "oldest": self.oldest.isoformat() if self.oldest else None,
        }


def _london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _batches(ids: QuerySet[Any]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids.iterator(chunk_size=BATCH):
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class Rule:
    name: ClassVar[str]
    title: ClassVar[str]
    per_council: ClassVar[bool] = True  # False: the records belong to no council

    def cutoff(self, now: datetime) -> date | None:
        raise NotImplementedError

    def due(self, now: datetime, council: Organisation | None = None) -> QuerySet[Any]:
        raise NotImplementedError

    def kept_for(self) -> str:
        raise NotImplementedError

    def oldest(self, due: QuerySet[Any]) -> date | None:
        raise NotImplementedError

    def apply(self, due: QuerySet[Any], now: datetime, run: Any) -> None:
        raise NotImplementedError

    def find(self, now: datetime, council: Organisation | None = None) -> Finding:
        due = self.due(now, council)
        count = due.count()
        return Finding(
            rule=self.name,
            title=self.title,
            kept_for=self.kept_for(),
            cutoff=self.cutoff(now),
            count=count,
            oldest=self.oldest(due) if count else None,
        )


class YearsRule(Rule):
    setting_name: ClassVar[str]
    default_years: ClassVar[int]
    after: ClassVar[str]

    @property
    def years(self) -> int:
        return setting(self.setting_name, self.default_years)

    def cutoff(self, now: datetime) -> date:
        return years_before(_london_day(now), self.years)

    def kept_for(self) -> str:
        years = "1 year" if self.years == 1 else f"{self.years} years"
        return f"{years} after {self.after}"


# --- people -------------------------------------------------------------------------------

# Free text about a person's care: (model, field, path to the person). Each may name someone.
FREE_TEXT: tuple[tuple[Any, str, str], ...] = (
    (RequestTransition, "reason", "request__package__person"),
    (Offer, "reason", "request__package__person"),
    (Placement, "reason", "package__person"),
    (ScheduleChange, "reason", "package__person"),
    (ScheduleChange, "decision_reason", "package__person"),
    (Suspension, "reason", "package__person"),
    (PackageEnding, "note", "package__person"),
    (Complaint, "summary", "person"),
)


def _history(model: Any) -> QuerySet[Any] | None:
    history = getattr(model, "history", None)
    return None if history is None else history.all()


def _everywhere(model: Any, ids: list[int], **values: Any) -> None:
    """Write ``values`` on the records ``ids`` and on every version in their history."""
    model.objects.filter(pk__in=ids).update(**values)
    history = _history(model)
    if history is not None:
        history.filter(id__in=ids).update(**values)


class PeopleRule(YearsRule):
    name = "people"
    title = "People's details anonymised"
    setting_name = "HOMECARE_RETENTION_PERSON_YEARS"
    default_years = 6
    after = "their last service ended"

    def due(self, now: datetime, council: Organisation | None = None) -> QuerySet[Person]:
        cutoff = self.cutoff(now)
        packages = Package.objects.filter(person=OuterRef("pk")).order_by().values("person")
        logs = VisitLog.objects.filter(person=OuterRef("pk")).order_by().values("person")
        people = Person.objects.filter(anonymised__isnull=True).annotate(
            last_end=Subquery(packages.annotate(m=Max("end_date")).values("m")),
            last_requested=Subquery(packages.annotate(m=Max("created_at")).values("m")),
            last_log=Subquery(logs.annotate(m=Max("check_in")).values("m")),
        )
        if council is not None:
            people = people.filter(council=council)
        return (
            people.exclude(packages__status__in=LIVE_STATES)
            .filter(last_requested__lt=_midnight(cutoff))
            .filter(Q(last_end__isnull=True) | Q(last_end__lt=cutoff))
            .filter(Q(last_log__isnull=True) | Q(last_log__lt=_midnight(cutoff)))
        )

    @staticmethod
    def last_service(person: Any) -> date:
        """The last day of service: the last package end, log or request, whichever is latest."""
        days = [_london_day(person.last_requested)]
        if person.last_end is not None:
            days.append(person.last_end)
        if person.last_log is not None:
            days.append(_london_day(person.last_log))
        return max(days)

    def oldest(self, due: QuerySet[Any]) -> date | None:
        return min((self.last_service(p) for p in due.iterator(chunk_size=BATCH)), default=None)

    def apply(self, due: QuerySet[Any], now: datetime, run: Any) -> None:
        from homecare.governance.models import AnonymisedPerson

        for person in list(due.select_related("council")):
            last_service = self.last_service(person)
            anonymise_person(person)
            record = AnonymisedPerson(
                person=person, anonymised_at=now, last_service=last_service, run=run
            )
            audited(record, run.ran_by).save()


def anonymise_person(person: Person) -> None:
    """Replace ``person``'s reference and the free text about them, in records and history."""
    old = person.reference
    new = f"{ANONYMISED_PREFIX}{person.pk}"
    _everywhere(Person, [person.pk], reference=new)
    for model, field, path in FREE_TEXT:
        ids = list(model.objects.filter(**{path: person}).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).exclude(**{field: ""}).update(**{field: REMOVED_TEXT})
        history = _history(model)
        if history is not None:
            history.filter(id__in=ids).exclude(**{field: ""}).update(**{field: REMOVED_TEXT})
    exceptions = list(
        VisitException.objects.filter(run__council=person.council_id, person_ref=old).values_list(
            "pk", flat=True
        )
    )
    replaced = {
        name: Replace(F(name), Value(old), Value(new)) for name in ("detail", "action", "reason")
    }
    _everywhere(VisitException, exceptions, person_ref=new, **replaced)
    person.reference = new


# --- carers' ids on visit logs -------------------------------------------------------------


def _removed_carer(key: str) -> Concat:
    return Concat(Value(REMOVED_CARER_PREFIX), Cast(key, CharField()), output_field=CharField())


class VisitLogRule(YearsRule):
    name = "visit_logs"
    title = "Carers' ids removed from visit logs"
    setting_name = "HOMECARE_RETENTION_VISIT_LOG_YEARS"
    default_years = 6
    after = "the visit"

    def due(self, now: datetime, council: Organisation | None = None) -> QuerySet[VisitLog]:
        logs = VisitLog.objects.filter(check_in__lt=_midnight(self.cutoff(now))).exclude(
            carer_id__startswith=REMOVED_CARER_PREFIX
        )
        return logs if council is None else logs.filter(person__council=council)

    def oldest(self, due: QuerySet[Any]) -> date | None:
        first = due.order_by("check_in").values_list("check_in", flat=True).first()
        return None if first is None else _london_day(first)

    def apply(self, due: QuerySet[Any], now: datetime, run: Any) -> None:
        # Each log gets its own replacement ("removed-<log number>"), so the database's one
        # log per provider, person, carer and arrival still holds for double-handed visits.
        for ids in _batches(due.order_by().values_list("pk", flat=True)):
            VisitLog.objects.filter(pk__in=ids).update(carer_id=_removed_carer("pk"))
            VisitLog.history.filter(id__in=ids).update(carer_id=_removed_carer("id"))
            InvoiceLine.objects.filter(log_id__in=ids).update(carer_id=_removed_carer("log_id"))
            exceptions = VisitException.objects.filter(log_id__in=ids)
            exception_ids = list(exceptions.values_list("pk", flat=True))
            exceptions.update(carer_id=_removed_carer("log_id"))
            VisitException.history.filter(id__in=exception_ids).update(
                carer_id=_removed_carer("log_id")
            )


# --- uploaded files -------------------------------------------------------------------------


class UploadFileRule(YearsRule):
    name = "upload_files"
    title = "Files of visit logs that providers uploaded emptied"
    setting_name = "HOMECARE_RETENTION_UPLOAD_FILE_YEARS"
    default_years = 2
    after = "the upload"

    def due(self, now: datetime, council: Organisation | None = None) -> QuerySet[LogUpload]:
        uploads = LogUpload.objects.filter(uploaded_at__lt=_midnight(self.cutoff(now))).exclude(
            content=b""
        )
        if council is not None:
            ids = LogUpload.objects.filter(logs__person__council=council).values("pk")
            uploads = uploads.filter(pk__in=ids)
        return uploads

    def oldest(self, due: QuerySet[Any]) -> date | None:
        first = due.order_by("uploaded_at").values_list("uploaded_at", flat=True).first()
        return None if first is None else _london_day(first)

    def apply(self, due: QuerySet[Any], now: datetime, run: Any) -> None:
        # The error list quotes the file's values (references, carers' ids): it goes too.
        for ids in _batches(due.order_by().values_list("pk", flat=True)):
            LogUpload.objects.filter(pk__in=ids).update(content=b"", errors=[])


# --- sign-in attempts ----------------------------------------------------------------------


class SignInAttemptRule(Rule):
    name = "sign_in_attempts"
    title = "Sign-in attempts deleted"
    per_council = False

    @property
    def keep(self) -> timedelta:
        policy = getattr(lockout, "POLICY", None)
        return getattr(policy, "keep_attempts_for", timedelta(days=30))

    def cutoff(self, now: datetime) -> date:
        return _london_day(now - self.keep)

    def kept_for(self) -> str:
        return f"{self.keep.days} days"

    def due(self, now: datetime, council: Organisation | None = None) -> QuerySet[Any]:
        return SignInAttempt.objects.filter(at__lt=now - self.keep)

    def oldest(self, due: QuerySet[Any]) -> date | None:
        first = due.order_by("at").values_list("at", flat=True).first()
        return None if first is None else _london_day(first)

    def apply(self, due: QuerySet[Any], now: datetime, run: Any) -> None:
        due.delete()


RULES: tuple[Rule, ...] = (PeopleRule(), VisitLogRule(), UploadFileRule(), SignInAttemptRule())


def report(now: datetime, council: Organisation | None = None) -> list[Finding]:
    """What each rule would do as of ``now`` (for ``council``'s records only, when given)."""
    return [rule.find(now, council) for rule in RULES if council is None or rule.per_council]
