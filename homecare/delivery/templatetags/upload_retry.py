"""``{% can_retry_upload upload as ok %}``: whether the signed-in user may send the upload's
file again (a user of the provider that sent it)."""

from __future__ import annotations

from typing import Any

from django import template

from homecare.accounts import access
from homecare.commissioning import access as commissioning_access

register = template.Library()


@register.simple_tag(takes_context=True)
def can_retry_upload(context: dict[str, Any], upload: Any) -> bool:
    request = context.get("request")
    if request is None or not upload.stopped:
        return False
    providers = commissioning_access.providers_of(access.scope_of(request))
    return bool(providers.filter(pk=upload.provider_id).exists())
