"""Try this file again: a provider sends again, unchanged, a file whose import stopped (a
crash, a worker that died), without finding the file on their computer. The view parses,
asks ``access`` and calls the action."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from carecore.errors import InputError
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.delivery import access as delivery_access
from homecare.delivery import actions


@require_POST
@access.require_role(access.Role.PROVIDER)
def retry_upload(request: HttpRequest, pk: int) -> HttpResponse:
    scope = access.scope_of(request)
    upload = delivery_access.upload_for(scope, pk)
    if not commissioning_access.providers_of(scope).filter(pk=upload.provider_id).exists():
        raise Http404("No such upload")  # another provider's: as if it did not exist
    try:
        again = actions.retry_upload(upload, now=timezone.now(), acting_user=request.user)
    except InputError as exc:
        messages.error(request, exc.message)
        return redirect("delivery:upload", pk=upload.pk)
    messages.success(request, f"{upload.file_name} is being imported again.")
    return redirect("delivery:upload", pk=again.pk)
