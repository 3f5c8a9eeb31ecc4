"""Information governance pages: the audit trail, a person's records, the retention report.

Views parse, call :mod:`homecare.governance.actions` and render. Every page is a council
commissioner's (see :mod:`homecare.governance.access`) and shows only that council's records.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from homecare.accounts import access
from homecare.accounts.paging import query_without_page
from homecare.governance import actions, retention, subject_access, trail
from homecare.governance.access import GOVERNANCE_ROLES, governance_council_for, person_for
from homecare.governance.forms import AuditFilterForm, FindPersonForm
from homecare.governance.models import AnonymisedPerson, RetentionRun, SubjectAccessExport

PAGE_SIZE = 50
ROLES = tuple(GOVERNANCE_ROLES)


@access.require_council_role(*ROLES)
def audit(request: HttpRequest) -> HttpResponse:
    council = governance_council_for(request.user)
    form = AuditFilterForm(request.GET or None, council=council)
    page = None
    if not request.GET or form.is_valid():
        rows = trail.entries(council, form.filters)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.entries = trail.describe(page.object_list)  # type: ignore[attr-defined]
    return render(
        request,
        "governance/audit.html",
        {"council": council, "form": form, "page": page, "query": query_without_page(request)},
        status=400 if form.errors else 200,
    )


@access.require_council_role(*ROLES)
def audit_download(request: HttpRequest) -> HttpResponse:
    council = governance_council_for(request.user)
    form = AuditFilterForm(request.GET or None, council=council)
    if request.GET and not form.is_valid():
        return redirect(f"{reverse('governance:audit')}?{request.GET.urlencode()}")
    rows = trail.entries(council, form.filters).iterator(chunk_size=subject_access.CHUNK)
    cells = (trail.entry_cells(entry) for entry in trail.described_in_batches(rows))
    response = StreamingHttpResponse(
        _encoded(subject_access.csv_lines(trail.ENTRY_HEADINGS, cells)), content_type="text/csv"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="history of changes {day}.csv"'
    return response


def _encoded(lines: Iterator[str]) -> Iterator[bytes]:
    yield "\ufeff".encode()  # spreadsheets then read the £ sign and accents right
    for chunk in lines:
        yield chunk.encode("utf-8")


@access.require_council_role(*ROLES)
def people(request: HttpRequest) -> HttpResponse:
    council = governance_council_for(request.user)
    form = FindPersonForm(request.GET or None, council=council)
    if request.GET and form.is_valid():
        return redirect("governance:person", pk=form.person.pk)
    return render(
        request,
        "governance/people.html",
        {"council": council, "form": form},
        status=400 if form.errors else 200,
    )


@access.require_council_role(*ROLES)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    found = person_for(request.user, pk)
    counts = [
        (section.title, section.rows(found).count()) for section in subject_access.SECTIONS[1:]
    ]
    exports = SubjectAccessExport.objects.filter(person=found).select_related("exported_by")
    return render(
        request,
        "governance/person.html",
        {
            "person": found,
            "counts": counts,
            "exports": exports,
            "anonymised": AnonymisedPerson.objects.filter(person=found).first(),
        },
    )


@require_POST
@access.require_council_role(*ROLES)
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    found = person_for(request.user, pk)
    now = timezone.now()
    # On disk, not in memory: a person with years of visit logs makes a large archive.
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    actions.export_subject_access(found, out=out, now=now, acting_user=request.user)
    name = f"Records of {found.reference} {timezone.localdate(now).isoformat()}.zip"
    return FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")


@access.require_council_role(*ROLES)
def retention_report(request: HttpRequest) -> HttpResponse:
    council = governance_council_for(request.user)
    now = timezone.now()
    findings = retention.report(now, council)
    runs = (
        RetentionRun.objects.annotate(
            council_people=Count("people", filter=Q(people__person__council=council))
        )
        .only("ran_at")
        .order_by("-ran_at")[:10]
    )
    return render(
        request,
        "governance/retention.html",
        {"council": council, "findings": findings, "runs": runs, "now": now},
    )
