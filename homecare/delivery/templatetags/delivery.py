"""Template filters of the delivery pages."""

from __future__ import annotations

from typing import Any

from django import template

from carecore.units import from_pence
from homecare.accounts.templatetags.govuk import pounds

register = template.Library()


@register.filter
def pence(value: Any) -> str:
    """Integer pence as pounds: ``196600`` -> ``£1,966.00``; blank stays blank."""
    if value is None or value == "":
        return ""
    return pounds(from_pence(int(value)))


SPECIAL_WORDS = {"block_hours": "block hours not used (guaranteed)"}


@register.filter
def words(value: Any) -> str:
    """An engine word such as ``pending_approval`` as ``pending approval``."""
    text = str(value or "")
    return SPECIAL_WORDS.get(text, text.replace("_", " "))
