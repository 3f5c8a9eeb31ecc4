"""``{% sso_start_url as url %}``: the link that starts single sign-on, empty when it is off."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from homecare.accounts import sso

register = template.Library()


@register.simple_tag
def sso_start_url(next_url: str = "") -> str:
    """Where "Sign in with your council account" leads (with ``next``), or "" when off."""
    if not sso.is_configured():
        return ""
    start = reverse("accounts:sso-start")
    return f"{start}?{urlencode({'next': next_url})}" if next_url else start
