"""Upload pages: providers send files of visit logs and watch their import; finance
officers see their council's uploads and release held ones. Views only parse, ask
``access`` and call actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.delivery import access as delivery_access
from homecare.delivery import actions
from homecare.delivery.forms import UploadForm
from homecare.delivery.models import LogUpload

UPLOAD_ROLES = (access.Role.PROVIDER, access.Role.FINANCE, access.Role.COMMISSIONER)
REFRESH_SECONDS = 2
PAGE_SIZE = 25


@access.require_role(*UPLOAD_ROLES)
def uploads(request: HttpRequest) -> HttpResponse:
    """The list of uploads; a provider's user also gets the upload form."""
    scope = access.scope_of(request)
    provider = commissioning_access.provider_of(scope)
    form = UploadForm(request.POST or None, request.FILES or None) if provider else None
    if request.method == "POST" and form is not None and form.is_valid():
        sent = form.cleaned_data["file"]
        try:
            upload = actions.create_upload(
                provider,
                sent.name,
                sent.read(),
                now=timezone.now(),
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, {"file": "file"}, "file")
        else:
            return redirect("delivery:upload", pk=upload.pk)
    page = Paginator(delivery_access.uploads_for(scope).defer("content"), PAGE_SIZE)
    return render(
        request,
        "delivery/uploads.html",
        {
            "form": form,
            "provider": provider,
            "page": page.get_page(request.GET.get("page")),
        },
    )


@access.require_role(*UPLOAD_ROLES)
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload's progress (refreshing itself until it finishes) and its errors."""
    scope = access.scope_of(request)
    upload = delivery_access.upload_for(scope, pk)
    # A finance officer releases only the held logs of their council's people.
    councils = access.finance_councils_of(scope)
    can_release = (
        upload.status == LogUpload.Status.HELD
        and upload.logs.filter(held=True, person__council__in=councils).exists()
    )
    # The rows a file refused name people: a council sees them only in a file of its own.
    own_file = (
        bool(scope.provider_organisations)
        or not upload.logs.exclude(
            person__council__in=scope.councils(access.DELIVERY_ROLES)
        ).exists()
    )
    if request.method == "POST" and can_release:
        try:
            count = actions.release_upload(
                upload, councils=councils, now=timezone.now(), acting_user=request.user
            )
        except InputError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Released {count} held log{'s' if count != 1 else ''}.")
        return redirect("delivery:upload", pk=upload.pk)
    return render(
        request,
        "delivery/upload.html",
        {
            "upload": upload,
            "refresh_seconds": REFRESH_SECONDS,
            "can_release": can_release,
            "errors": upload.errors[:200] if own_file else [],
        },
    )
