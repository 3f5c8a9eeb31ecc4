"""Who pays for a person's care, in plain words, on any page that shows a person."""

from __future__ import annotations

from typing import Any

from django import template

from homecare.brokerage.presenters import funding_text, person_funding

register = template.Library()


@register.filter
def funding_words(person: Any) -> str:
    """ "Council-funded", or "Joint-funded: NHS pays 40%, the council 60%", and so on."""
    return person_funding(person)


@register.filter
def funding_answer(form: Any) -> str:
    """The funding a checked new-request form gives, with its NHS share when joint."""
    data = getattr(form, "cleaned_data", None) or {}
    return funding_text(data.get("funding", ""), data.get("nhs_share_percent"))
