"""Day-one bulk import of a market from spreadsheets: providers, appointments, people and the
packages already in place with their current provider.

Each row goes through the same actions the pages use, so it is checked by the same rules;
a bad row is reported with its spreadsheet row number (the header is row 1), the column and
why. The whole file is one transaction: by default nothing is written if any row is bad
(``good_rows_only=False``); with ``good_rows_only=True`` the good rows are written and the
bad ones reported. Each row runs in its own savepoint, so a bad row never leaves half of
itself behind. Column lists are in ``docs/market-and-imports.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carecore.errors import InputError
from carecore.tables import sheet_rows
from homecare.accounts.models import Organisation
from homecare.accounts.references import check_person_reference
from homecare.commissioning import market_actions
from homecare.commissioning.models import Framework, Lot, Provider
from homecare.upload_limits import upload_limits

KINDS = ("providers", "appointments", "people", "packages")

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "providers": (("name",), ("cqc_location_id", "cqc_rating", "quality_score")),
    "appointments": (
        ("framework", "lot", "provider", "tier"),
        ("rank", "hourly_rate", "band_rates", "block_hours_per_week", "cohorts"),
    ),
    "people": (("reference", "area_code", "funding", "cohort"), ("nhs_share_percent",)),
    "packages": (
        ("person_reference", "framework", "provider", "start_date", "source", "schedule"),
        (
            "area_code",
            "funding",
            "nhs_share_percent",
            "cohort",
            "priority",
            "needs",
            "rate",
            "state",
        ),
    ),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    good: int = 0
    written: int = 0
    rejected: list[RowError] = field(default_factory=list)
    committed: bool = False

    def lines(self) -> list[str]:
        verdict = "written" if self.committed else "nothing written"
        out = [
            f"{self.kind}: {self.rows} row(s), {self.good} good, "
            f"{len(self.rejected)} rejected; {verdict}."
        ]
        out.extend(f"  {error}" for error in self.rejected)
        return out


class FileError(InputError):
    """The file itself cannot be read (wrong type, missing columns)."""


Row = tuple[int, dict[str, str]]  # (spreadsheet row number, header -> text)


def read_rows(path: Path | str, content: bytes | None = None) -> list[Row]:
    """The rows of a CSV or XLSX file (the workbook's first sheet), each with its spreadsheet
    row number (the header is row 1) and its cells as header -> text; blank rows left out.

    Read by :func:`carecore.tables.sheet_rows` within the council's upload limits, so a file
    over the row or unpacked-size limit is refused (a FileError naming the limit) before it
    is unpacked or read whole.
    """
    name = str(path)
    if not name.lower().endswith((".csv", ".xlsx")):
        raise FileError("expected a .csv or .xlsx file", source=name)
    data = content if content is not None else Path(path).read_bytes()
    if name.lower().endswith(".xlsx") and data[:2] not in (b"PK", b"\xd0\xcf"):
        # Neither a workbook (a zip) nor an old binary .xls, which sheet_rows names itself.
        raise FileError("it is not an XLSX workbook Excel can open", source=name)
    rows: list[Row] = []
    try:
        numbered = iter(sheet_rows(data, name, upload_limits()))
        header = [_text(cell) for cell in next(numbered, (1, []))[1]]
        for number, cells in numbered:
            texts = [_text(cell) for cell in cells]
            if any(texts):
                padded = texts + [""] * (len(header) - len(texts))
                rows.append(
                    (number, {h: text for h, text in zip(header, padded, strict=False) if h})
                )
    except InputError as exc:  # the reader's: empty, too large, not a readable workbook
        raise FileError(exc.message, source=exc.source, row=exc.row, key=exc.key) from None
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_file(
    kind: str,
    path: Path | str,
    *,
    content: bytes | None = None,
    good_rows_only: bool = False,
    council: Organisation | None = None,
    now: datetime,
    acting_user: Any,
) -> ImportReport:
    """Import one file of ``kind`` for ``council`` (default: the importing user's council, or
    the only council there is); see the module docstring for the all-or-nothing rule.

    Frameworks are looked up by name among the council's own, people by reference among the
    council's own people, and quality scores are the council's: another council's frameworks,
    people and scores are never read or written.
    """
    if kind not in KINDS:
        raise FileError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    rows = read_rows(path, content)
    required, optional = COLUMNS[kind]
    headers = set().union(*(row.keys() for _number, row in rows)) if rows else set()
    missing = [c for c in required if c not in headers]
    if missing:
        raise FileError(f"missing column(s): {', '.join(missing)}", source=str(path))
    unknown = sorted(headers - set(required) - set(optional))
    if unknown:
        raise FileError(f"unknown column(s): {', '.join(unknown)}", source=str(path))
    handler = HANDLERS[kind]
    council = council or importing_council(acting_user)
    if council is None:
        raise FileError("say which council the import is for", key="council")
    report = ImportReport(kind, rows=len(rows))
    with transaction.atomic():
        for number, row in rows:
            try:
                with transaction.atomic():  # a savepoint: a bad row leaves nothing behind
                    handler(row, Context(council, now, acting_user))
                report.good += 1
            except (InputError, ValidationError, ValueError, InvalidOperation) as exc:
                report.rejected.extend(_errors(number, exc))
        report.committed = not report.rejected or good_rows_only
        if not report.committed:
            transaction.set_rollback(True)
    report.written = report.good if report.committed else 0
    return report


KEY_COLUMNS = {"visits": "schedule", "person_ref": "person_reference", "reference": "reference"}


def _column(key: str | None) -> str:
    if not key:
        return "-"
    head = key.split(".")[0].split("[")[0]
    return KEY_COLUMNS.get(head, head)


def _errors(row: int, exc: Exception) -> list[RowError]:
    if isinstance(exc, InputError):
        return [RowError(row, _column(exc.key), exc.message)]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(row, _column(name), "; ".join(str(m) for m in ValidationError(errs).messages))
            for name, errs in exc.error_dict.items()
        ]
    if isinstance(exc, ValidationError):
        return [RowError(row, "-", "; ".join(exc.messages))]
    return [RowError(row, "-", str(exc) or type(exc).__name__)]


def _decimal(row: dict[str, str], column: str, default: str | None = None) -> Decimal | None:
    text = row.get(column, "").replace("£", "").replace(",", "").strip()
    if not text:
        return None if default is None else Decimal(default)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InputError(f"expected a number, got {text!r}", key=column) from None


def _lookup(model: Any, column: str, **filters: Any) -> Any:
    """The one row matching ``filters``; an error naming ``column`` (and the text the row
    gave in it) when none or several match."""
    found = list(model.objects.filter(**filters)[:2])
    if len(found) != 1:
        what = "no" if not found else "more than one"
        text = next((v for v in filters.values() if isinstance(v, str)), "")
        raise InputError(f"{what} {model._meta.verbose_name} {text!r} found", key=column)
    return found[0]


@dataclass(frozen=True)
class Context:
    """What every row is imported for: the council, the time and the acting user."""

    council: Organisation
    now: datetime
    acting_user: Any


def _import_provider(row: dict[str, str], ctx: Context) -> None:
    market_actions.create_provider(
        row["name"],
        cqc_location_id=row.get("cqc_location_id", ""),
        cqc_rating=row.get("cqc_rating") or Provider.Rating.NOT_YET_RATED,
        quality_score=_decimal(row, "quality_score", "0") or 0,
        council=ctx.council,
        acting_user=ctx.acting_user,
    )


def _band_rates(text: str) -> dict[str, Decimal]:
    """``URBAN=18.50; RURAL=19.80`` as band -> rate."""
    rates = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        band, _, rate = part.partition("=")
        try:
            rates[band.strip()] = Decimal(rate.strip())
        except InvalidOperation:
            raise InputError(f"expected BAND=rate, got {part!r}", key="band_rates") from None
    return rates


def _import_appointment(row: dict[str, str], ctx: Context) -> None:
    framework = _lookup(Framework, "framework", council=ctx.council, name=row["framework"])
    lot = _lookup(Lot, "lot", framework=framework, code=row["lot"])
    provider = _lookup(Provider, "provider", name=row["provider"])
    rank = row.get("rank") or "1"
    if not rank.isdigit() or int(rank) < 1:
        raise InputError(f"expected a whole number from 1, got {rank!r}", key="rank")
    market_actions.appoint_provider(
        framework=framework,
        lot=lot,
        provider=provider,
        tier=row["tier"],
        rank=int(rank),
        hourly_rate=_decimal(row, "hourly_rate"),
        band_rates=_band_rates(row.get("band_rates", "")),
        block_hours_per_week=_decimal(row, "block_hours_per_week", "0") or 0,
        cohorts=[c.strip() for c in row.get("cohorts", "").split(";") if c.strip()],
        acting_user=ctx.acting_user,
    )


def _import_person(row: dict[str, str], ctx: Context) -> None:
    from homecare.brokerage.models import Cohort
    from homecare.brokerage.tenancy import check_funding, read_share, save_person
    from homecare.commissioning.models import Area

    area = _lookup(Area, "area_code", code=row["area_code"], zone__council=ctx.council)
    # The file says how the person is funded: a joint-funded row gives its NHS share.
    share = check_funding(row["funding"], read_share(row.get("nhs_share_percent")))
    if row["cohort"] not in Cohort.values:
        raise InputError(f"unknown cohort {row['cohort']!r}", key="cohort")
    check_person_reference(ctx.council, row["reference"], key="reference")
    save_person(
        ctx.council,
        row["reference"],
        area=area,
        funding=row["funding"],
        nhs_share_percent=share,
        cohort=row["cohort"],
        acting_user=ctx.acting_user,
        key="reference",
    )


def _fund_person(ctx: Context, reference: str, row: dict[str, str], **values: str) -> None:
    """A package row that gives an NHS share: the person is saved with it before the package
    is made (the request keeps a joint-funded person's share). Without one, a person already
    joint-funded keeps theirs and a new joint-funded person is refused."""
    from homecare.brokerage.tenancy import read_share, save_person
    from homecare.commissioning.models import Area

    share = read_share(row.get("nhs_share_percent"))
    if share is None:
        return
    area = _lookup(Area, "area_code", code=values["area_code"], zone__council=ctx.council)
    save_person(
        ctx.council,
        reference,
        area=area,
        funding=values["funding"],
        nhs_share_percent=share,
        cohort=values["cohort"],
        acting_user=ctx.acting_user,
        key="person_reference",
    )


def importing_council(acting_user: Any) -> Organisation | None:
    """The council an import is for when none is named: the importing user's first council,
    or the only council there is (the command line imports as the system)."""
    from homecare.accounts import access

    councils = access.councils_of(acting_user) if acting_user is not None else []
    if councils:
        return councils[0]
    only = list(Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)[:2])
    return only[0] if len(only) == 1 else None


def _date(row: dict[str, str], column: str) -> date:
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        raise InputError(
            f"expected a date like 2026-04-01, got {row[column]!r}", key=column
        ) from None


def _import_package(row: dict[str, str], ctx: Context) -> None:
    from homecare.brokerage import actions, lifecycle
    from homecare.brokerage.models import LIVE_STATES, Package, State
    from homecare.brokerage.tenancy import person_in

    now, acting_user = ctx.now, ctx.acting_user
    reference = row["person_reference"]
    person = person_in(ctx.council, reference)
    area_code = row.get("area_code") or (person.area.code if person else "")
    funding = row.get("funding") or (person.funding if person else "")
    cohort = row.get("cohort") or (person.cohort if person else "")
    if not area_code:
        raise InputError("unknown person: give area_code, funding and cohort", key="area_code")
    if Package.objects.filter(person=person, status__in=LIVE_STATES).exists():
        raise InputError(f"{reference} already has a live package", key="person_reference")
    state = row.get("state") or State.STARTED
    if state not in (State.PLACED, State.STARTED):
        raise InputError(f"a package in place is placed or started, got {state!r}", key="state")
    framework = _lookup(Framework, "framework", council=ctx.council, name=row["framework"])
    check_person_reference(ctx.council, reference, key="person_reference")
    provider = _lookup(Provider, "provider", name=row["provider"])
    _fund_person(ctx, reference, row, area_code=area_code, funding=funding, cohort=cohort)
    request = actions.create_request(
        reference,
        area_code,
        row["schedule"],
        framework=framework,
        funding=funding,
        cohort=cohort,
        source=row["source"],
        priority=row.get("priority") or "normal",
        start_date=_date(row, "start_date"),
        needs=[n.strip() for n in row.get("needs", "").split(";") if n.strip()],
        now=now,
        acting_user=acting_user,
    )
    actions.place_manually(
        request,
        provider,
        reason="in place on day one (bulk import)",
        rate=_decimal(row, "rate"),
        now=now,
        acting_user=acting_user,
    )
    if state == State.STARTED:
        lifecycle.start_package(request.package, at=now, acting_user=acting_user, reason="imported")


HANDLERS: dict[str, Callable[[dict[str, str], Context], None]] = {
    "providers": _import_provider,
    "appointments": _import_appointment,
    "people": _import_person,
    "packages": _import_package,
}
