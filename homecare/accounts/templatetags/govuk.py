"""GOV.UK Design System components as template tags, so every form is marked up one way.

Fields are Django bound fields; forms are built with ``auto_id="%s"`` so an input's id is its
name and the error summary can link to ``#name``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField, Form

register = template.Library()


def _described_by(field_id: str, hint: str, errors: Any) -> str:
    parts = [f"{field_id}-hint"] if hint else []
    if errors:
        parts.append(f"{field_id}-error")
    return " ".join(parts)


@register.inclusion_tag("govuk/input.html")
def govuk_input(
    field: BoundField,
    label: str = "",
    hint: str = "",
    prefix: str = "",
    suffix: str = "",
    classes: str = "govuk-input--width-5",
    type: str = "text",
    inputmode: str = "",
    autocomplete: str = "",
    label_class: str = "",
) -> dict[str, Any]:
    """A text input with its label, hint, error message and optional prefix or suffix."""
    value = field.value()
    if type == "password":
        value = None  # never send a password back to the browser
    return {
        "id": field.auto_id,
        "name": field.html_name,
        "value": "" if value is None else value,
        "label": label or field.label,
        "label_class": label_class,
        "hint": hint or field.help_text,
        "prefix": prefix,
        "suffix": suffix,
        "classes": classes,
        "type": type,
        "inputmode": inputmode,
        "autocomplete": autocomplete,
        "errors": field.errors,
        "describedby": _described_by(field.auto_id, hint or field.help_text, field.errors),
    }


@register.inclusion_tag("govuk/select.html")
def govuk_select(field: BoundField, label: str = "", hint: str = "") -> dict[str, Any]:
    """A select with its label, hint and error message; options come from the field's choices."""
    value = field.value()
    return {
        "id": field.auto_id,
        "name": field.html_name,
        "value": "" if value is None else str(value),
        "choices": [(str(key), text) for key, text in field.field.choices],  # type: ignore[attr-defined]
        "label": label or field.label,
        "hint": hint,
        "errors": field.errors,
        "describedby": _described_by(field.auto_id, hint, field.errors),
    }


@register.inclusion_tag("govuk/file_upload.html")
def govuk_file_upload(
    field: BoundField, label: str = "", hint: str = "", accept: str = ""
) -> dict[str, Any]:
    """A file upload with its label, hint and error message."""
    return {
        "id": field.auto_id,
        "name": field.html_name,
        "label": label or field.label,
        "hint": hint,
        "accept": accept,
        "errors": field.errors,
        "describedby": _described_by(field.auto_id, hint, field.errors),
    }


def summary_items(form: Form) -> list[dict[str, str]]:
    """Each error of ``form`` as ``{"text", "href"}``, fields in form order, links to inputs."""
    items: list[dict[str, str]] = []
    first_id = next((f.auto_id for f in form), "")
    for error in form.non_field_errors():
        items.append({"text": str(error), "href": f"#{first_id}" if first_id else ""})
    for field in form:
        anchor = getattr(field.field, "error_anchor", None) or field.auto_id
        items.extend({"text": str(error), "href": f"#{anchor}"} for error in field.errors)
    return items


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms: Form | None) -> dict[str, Any]:
    """The error summary for one or more forms; renders nothing when they have no errors."""
    items = [item for form in forms if form is not None for item in summary_items(form)]
    return {"items": items}


@register.filter
def pounds(value: Any) -> str:
    """Money for display: ``Decimal("18.6")`` or ``"18.60"`` -> ``£18.60``; blank stays blank."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def number(value: Any) -> str:
    """A count or measure with thousands separators: ``148083`` -> ``148,083``."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.normalize():,f}"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def pounds_exact(value: Any) -> str:
    """Money at the engine's own precision (``"19.776"`` -> ``£19.776``), for workings."""
    if value is None or value == "":
        return ""
    return f"£{value}"


@register.filter
def who(user: Any, nobody: str = "the system") -> str:
    """Who did something: a user's full name, else their username; ``nobody`` when no user.

    Records made by the importer, the demo or a background task have no acting user, so
    ``{{ request.created_by|who }}`` must never fail on ``None``.
    """
    if user is None:
        return nobody
    return str(user.get_full_name() or user.username)
