"""The writes of information governance: exporting a person's records, applying retention.

Each is recorded: an export as a :class:`SubjectAccessExport` (who exported whom, when, and
the archive's fingerprint), a retention run as a :class:`RetentionRun` with its report.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts.models import audited
from homecare.brokerage.models import Person
from homecare.governance import retention
from homecare.governance.models import RetentionRun, SubjectAccessExport
from homecare.governance.subject_access import write_archive
from homecare.governance.trail import who


def _fingerprint(out: IO[bytes]) -> tuple[str, int]:
    out.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := out.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    out.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def export_subject_access(
    person: Person, *, out: IO[bytes], now: datetime, acting_user: Any
) -> SubjectAccessExport:
    """Write everything held about ``person`` to ``out`` (a ZIP archive, left at its start)
    and record who exported it and when."""
    if acting_user is None:
        raise InputError("Say who is exporting the person's records", key="acting_user")
    records = write_archive(person, out, exported_at=now, exported_by=who(acting_user))
    sha256, size = _fingerprint(out)
    export = SubjectAccessExport(
        council=person.council,
        person=person,
        exported_by=acting_user,
        exported_at=now,
        records=records,
        size_bytes=size,
        sha256=sha256,
    )
    audited(export, acting_user).save()
    return export


@transaction.atomic
def apply_retention(*, now: datetime, acting_user: Any) -> RetentionRun:
    """Apply every retention rule as of ``now``, all or nothing, and record what it did."""
    run = RetentionRun.objects.create(
        ran_at=timezone.now(), as_of=now, ran_by=acting_user, report=[]
    )
    findings = []
    for rule in retention.RULES:
        due = rule.due(now)
        finding = rule.find(now)
        rule.apply(due, now, run)
        findings.append(finding.as_json())
    run.report = findings
    run.save(update_fields=["report"])
    return run
