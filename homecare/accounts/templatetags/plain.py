"""Template filters that put the platform's internal words into a council officer's."""

from __future__ import annotations

from django import template

from homecare.accounts import plain_words

register = template.Library()


@register.filter
def plain_source(text: str) -> str:
    """A source note with its research-seed references named as the reports they are."""
    return plain_words.plain_source(text or "")


@register.filter
def rules_title(name: str) -> str:
    """Contract rules' name in words ("paid on the time actually delivered")."""
    return plain_words.rules_title(name or "")


@register.filter
def tier_words(tier: str) -> str:
    """A provider's tier in words ("back-up", not "back_up")."""
    return plain_words.tier_words(str(tier or ""))
