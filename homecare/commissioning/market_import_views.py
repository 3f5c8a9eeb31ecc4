"""The day-one import page: a commissioner uploads a CSV or XLSX file of providers,
appointments, people or packages and reads the report of every rejected row.

The import itself is :func:`homecare.brokerage.imports.import_file` (one transaction; all or
nothing unless the good rows only are asked for). A template CSV for each kind is generated
from the importer's own column lists, so it never drifts from what the importer reads.
"""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage.imports import COLUMNS, KINDS, import_file
from homecare.commissioning.market_forms import IMPORT_KINDS, ImportForm


@access.require_council_role(access.Role.COMMISSIONER)
def import_market(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_file(
                form.cleaned_data["kind"],
                upload.name,
                content=upload.read(),
                good_rows_only=form.cleaned_data["mode"] == "good",
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:  # the file itself: not CSV or XLSX, too big, wrong columns
            reason = exc.message[:1].lower() + exc.message[1:]
            form.add_error("file", f"The selected file cannot be imported: {reason}")
    return render(
        request,
        "commissioning/market/import.html",
        {"form": form, "report": report, "kinds": _kinds()},
    )


def _kinds() -> list[dict[str, object]]:
    """Each kind in load order, with its columns (required first) for the page."""
    return [
        {
            "value": value,
            "label": label,
            "hint": hint,
            "required": COLUMNS[value][0],
            "optional": COLUMNS[value][1],
        }
        for value, label, hint in IMPORT_KINDS
    ]


@access.require_council_role(access.Role.COMMISSIONER)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV with just the header row the importer expects for ``kind``."""
    if kind not in KINDS:
        raise Http404("No such kind of import")
    required, optional = COLUMNS[kind]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([*required, *optional])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-template.csv"'
    return response
