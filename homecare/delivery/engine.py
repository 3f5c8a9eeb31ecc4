"""Conversions between delivery rows and the ECM engine's frames (``carecore.ecm``).

Provider references in the engine's frames are the provider organisation's slug (what a
provider writes in the ``provider_ref`` column of its files); person references are the
brokerage person's pseudonymised reference; package references are package ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from django.db.models import Prefetch

from carecore.ecm import ACTUAL_SCHEMA, PlannedPackage
from carecore.ecm.schema import APPROVAL_SCHEMA, LOG_KEY
from carecore.units import LONDON, as_london
from homecare.brokerage import schedules
from homecare.brokerage.models import Placement, RequestTransition, State

PERIOD_DAYS = 28

LogKey = tuple[str, str, str, datetime]


def provider_ref(provider: Any) -> str:
    """The provider's reference in files and frames: its organisation's slug."""
    return str(provider.organisation.slug)


def period_end(start: date) -> date:
    """The last day (inclusive) of the four-week period starting on ``start``."""
    return start + timedelta(days=PERIOD_DAYS - 1)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """London midnight at the start of ``start`` and after ``end``: [from, to)."""
    first = datetime(start.year, start.month, start.day, tzinfo=LONDON)
    after = end + timedelta(days=1)
    return first, datetime(after.year, after.month, after.day, tzinfo=LONDON)


def placements_in(council: Any, provider: Any, start: date, end: date) -> list[Placement]:
    """The provider's placements through the council's frameworks that overlap the period,
    each with its request's transitions in order (``placement.request.transitions.all()``),
    its framework and its person's area, zone and band, read in one query for all of them
    rather than one a placement."""
    first, _after = period_bounds(start, end)
    return list(
        Placement.objects.filter(
            provider=provider,
            request__framework__council=council,
            package__start_date__lte=end,
        )
        .exclude(ended_at__lt=first)
        .exclude(package__end_date__lt=start)
        .select_related(
            "package__person__area__band", "package__person__area__zone", "request__framework"
        )
        .prefetch_related(
            "package__visits",
            "package__schedule_versions",
            "package__suspensions",
            Prefetch(
                "request__transitions", queryset=RequestTransition.objects.order_by("at", "pk")
            ),
        )
        .order_by("package_id", "at", "pk")
    )


def suspensions(
    moves: Iterable[RequestTransition], start: date, end: date
) -> tuple[tuple[date, date], ...]:
    """The days a request was suspended (hospital and the like), clipped to the period:
    from the day of the move to ``suspended`` to the day before care resumed. ``moves`` are
    the request's transitions in order of time (as ``placements_in`` prefetches them)."""
    spans: list[tuple[date, date]] = []
    since: date | None = None
    for move in moves:
        day = as_london(move.at).date()
        if move.to_state == State.SUSPENDED and since is None:
            since = day
        elif move.from_state == State.SUSPENDED and since is not None:
            if day > since:
                spans.append((since, day - timedelta(days=1)))
            since = None
    if since is not None:
        spans.append((since, end))
    clipped = [(max(a, start), min(b, end)) for a, b in spans]
    return tuple((a, b) for a, b in clipped if a <= b)


def planned_packages(
    council: Any,
    provider: Any,
    start: date,
    end: date,
    placements: list[Placement] | None = None,
    uplifts: dict[int, list[Any]] | None = None,
) -> list[PlannedPackage]:
    """The engine's packages for a provider's period: each placement's schedule between the
    later of package start and placement, and the earlier of package end and placement end,
    less suspensions, at the rate in force on each day (:mod:`homecare.finance.rates`). A
    package whose schedule or rate changed gives one engine package per schedule and rate in
    force, so each day is planned and priced by its own. ``placements`` (from
    :func:`placements_in`) and ``uplifts`` (framework id to its fee uplifts) are read here
    when not given."""
    return placed_packages(council, provider, start, end, placements, uplifts)[0]


def placed_packages(
    council: Any,
    provider: Any,
    start: date,
    end: date,
    placements: list[Placement] | None = None,
    uplifts: dict[int, list[Any]] | None = None,
) -> tuple[list[PlannedPackage], dict[str, Placement]]:
    """:func:`planned_packages` and the placement behind each package reference."""
    if placements is None:
        placements = placements_in(council, provider, start, end)
    if uplifts is None:
        uplifts = uplifts_by_framework(placements)
    packages: list[PlannedPackage] = []
    behind: dict[str, Placement] = {}
    seen: dict[int, int] = {}
    ref = provider_ref(provider)
    for placement in placements:
        count = seen.get(placement.package_id, 0)
        made = placement_packages(placement, ref, start, end, count, uplifts=uplifts)
        if made:
            seen[placement.package_id] = count + 1
            behind[made[0].package_ref] = placement
            packages.extend(made)
    return packages, behind


def uplifts_by_framework(placements: Iterable[Placement]) -> dict[int, list[Any]]:
    """The fee uplifts of the placements' frameworks, by framework id (one query)."""
    from homecare.finance.models import FeeUplift

    ids = {p.request.framework_id for p in placements}
    found: dict[int, list[Any]] = {i: [] for i in ids}
    for uplift in FeeUplift.objects.filter(framework_id__in=ids).order_by("effective_from"):
        found[uplift.framework_id].append(uplift)
    return found


def placement_packages(
    placement: Placement,
    ref: str,
    start: date,
    end: date,
    count: int = 0,
    *,
    uplifts: dict[int, list[Any]] | None = None,
) -> list[PlannedPackage]:
    """One placement's engine packages over ``start``..``end``: one per schedule version and
    rate in force, all with the same package reference (their days never overlap, so
    neither do their planned ids). ``count`` numbers a package's second and later
    placements. ``uplifts`` are the fee uplifts by framework id (none when not given)."""
    from homecare.finance import rates

    package = placement.package
    first = max(package.start_date, as_london(placement.at).date())
    last_days = [d for d in (package.end_date, _ended(placement)) if d is not None]
    last = min(last_days) if last_days else None
    if last is not None and last < first:
        return []
    package_ref = str(package.pk) if count == 0 else f"{package.pk}-{count}"
    band = package.person.area.band.code
    framework = placement.request.framework
    spans = rates.rate_spans(
        placement,
        band,
        (uplifts or {}).get(framework.pk, []),
        pay_at_card=framework.pay_at_card,
    )
    held = suspensions(placement.request.transitions.all(), start, end)
    dated = schedules.suspended_days(package, start, end)
    made = []
    for span in schedules.spans_of(package):
        span_first = max(first, span.first)
        ends = [d for d in (last, span.last) if d is not None]
        span_last = min(ends) if ends else None
        if not span.visits or (span_last is not None and span_last < span_first):
            continue
        for priced in rates.clip(spans, span_first, span_last):
            made.append(
                PlannedPackage(
                    package_ref=package_ref,
                    person_ref=package.person.reference,
                    provider_ref=ref,
                    band=band,
                    start_date=priced.first,
                    end_date=priced.last,
                    visits=span.visits,
                    suspensions=tuple(sorted(set(held + dated))),
                    rate_pence_per_hour=priced.pence,
                )
            )
    return made


def _ended(placement: Placement) -> date | None:
    # Care ends the day before the placement ended (a transfer at 09:00 hands the day over).
    if placement.ended_at is None:
        return None
    return as_london(placement.ended_at).date() - timedelta(days=1)


LOG_VALUES = (
    "id",
    "person_id",
    "person__funding",
    "provider__organisation__slug",
    "person__reference",
    "carer_id",
    "check_in",
    "check_out",
    "method",
    "exception_code",
    "approval",
)


@dataclass(frozen=True)
class LogFrames:
    """Visit logs as the engine reads them (``actual``, ``approvals``) and, by the engine's log
    key, each log's id, person id and funding (``keys``)."""

    actual: pl.DataFrame
    approvals: pl.DataFrame
    keys: pl.DataFrame

    def ids(self) -> dict[LogKey, int]:
        """Log id by key (provider, person, carer, London check-in)."""
        return {key: entry[0] for key, entry in self.entries().items()}

    def entries(self) -> dict[LogKey, tuple[int, str]]:
        """(log id, approval) by key (provider, person, carer, London check-in)."""
        return {
            (row[0], row[1], row[2], row[3]): (row[4], row[5])
            for row in self.keys.select(*LOG_KEY, "log_id", "approval").iter_rows()
        }


def read_logs(logs: Any) -> LogFrames:
    """A queryset of visit logs as the engine's frames, read as plain values in one query
    (building model instances costs ten times as much as the query on a county's month of
    logs): the one way logs become frames, for runs and the league table alike."""
    utc = pl.Datetime("us", "UTC")
    rows = pl.DataFrame(
        list(logs.values_list(*LOG_VALUES)),
        schema={
            "log_id": pl.Int64,
            "person_id": pl.Int64,
            "funding": pl.String,
            "provider_ref": pl.String,
            "person_ref": pl.String,
            "carer_id": pl.String,
            "check_in": utc,
            "check_out": utc,
            "method": pl.String,
            "exception_code": pl.String,
            "approval": pl.String,
        },
        orient="row",
    ).with_columns(
        pl.col("check_in", "check_out").dt.convert_time_zone(ACTUAL_SCHEMA["check_in"].time_zone),
        pl.when(pl.col("exception_code") != "")
        .then(pl.col("exception_code"))
        .alias("exception_code"),
    )
    approved = rows.filter(pl.col("approval") == "approved").select(LOG_KEY)
    return LogFrames(
        actual=rows.select(list(ACTUAL_SCHEMA)).cast(ACTUAL_SCHEMA),
        approvals=approved.cast(APPROVAL_SCHEMA),
        keys=rows.select(*LOG_KEY, "log_id", "person_id", "funding", "approval"),
    )


def frames_of(logs: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A queryset of visit logs as the engine's logs and approvals frames (:func:`read_logs`)."""
    read = read_logs(logs)
    return read.actual, read.approvals
