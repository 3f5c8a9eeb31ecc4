"""Bounds on everything a user or provider types: the forms and the API's schemas share them.

Text holds no control characters (a NUL is refused by PostgreSQL and breaks files made from
it), numbers are finite and of a sensible size (``1e309``, ``NaN`` and 30-digit numbers are
refused before any arithmetic or database column sees them), and dates fall between
:data:`EARLIEST_DAY` and :data:`LATEST_DAY`. Each check raises :class:`InputError` with the
end of a sentence ("must be a real date"); the caller starts it with the field's name.

:func:`bound_form` applies the text bounds to every field of a form (``GovukForm`` calls it
before cleaning), so each form states only its own limits.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError

from carecore.errors import InputError

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
MAX_DIGITS = 12  # no amount, count or score kept by the service needs more
LINE_LENGTH = 200  # a single-line input with no limit of its own
TEXT_LENGTH = 2000  # a text area with no limit of its own
LARGEST_WHOLE = 2**31 - 1  # a whole-number input with no limit of its own

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; and lone
# surrogates, which a JSON body can carry ("\ud800") but no database or file can store.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = "must not contain control characters, such as a null character"


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def check_text(text: str) -> str:
    """``text`` unchanged, or :class:`InputError` if it holds a control character."""
    if has_control_characters(text):
        raise InputError(CONTROL_MESSAGE)
    return text


def decimal_or_none(text: str, *, strip: str = "£,%") -> Decimal | None:
    """The number typed, ignoring ``strip`` characters and spaces; ``None`` if it is not a
    finite number of at most :data:`MAX_DIGITS` digits with at most 6 decimal places."""
    for character in (*strip, " "):
        text = text.replace(character, "")
    if not text or len(text) > MAX_DIGITS + 2:  # digits, a sign and a point
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) + max(exponent, 0) > MAX_DIGITS or exponent < -6:
        return None
    return value


def date_words(day: date) -> str:
    return f"{day.day} {day.month} {day.year}"


def read_date(day: Any, month: Any, year: Any, *, example: str = "9 3 2026") -> date:
    """The date typed as day, month and year, between :data:`EARLIEST_DAY` and
    :data:`LATEST_DAY`; :class:`InputError` ("must be a real date, like 9 3 2026")."""
    parts = [str(part or "").strip() for part in (day, month, year)]
    if not all(part.isdecimal() and part.isascii() and len(part) <= 4 for part in parts):
        raise InputError(f"must be a real date, like {example}")
    try:
        typed = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise InputError(f"must be a real date, like {example}") from None
    return check_day(typed)


def check_day(day: date) -> date:
    """``day`` unchanged, or :class:`InputError` if it is outside the years the service keeps."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InputError(f"must be between {date_words(EARLIEST_DAY)} and {date_words(LATEST_DAY)}")
    return day


# --- forms ----------------------------------------------------------------------------------


def _label(name: str, field: forms.Field) -> str:
    label = str(field.label or name.replace("_", " ").capitalize())
    return label.replace("%", "%%")  # Django formats these messages with % parameters


def _default(field: forms.Field, code: str) -> bool:
    """True while ``code``'s message is still Django's own (which names no field)."""
    ours = field.error_messages.get(code)
    for klass in type(field).__mro__:
        django_default = getattr(klass, "default_error_messages", {}).get(code)
        if django_default is not None:
            return ours is None or str(ours) == str(django_default)
    return ours is None


class _NoControlCharacters:
    """Refuses text with a control character, naming the field (replaces Django's NUL check)."""

    def __init__(self, label: str) -> None:
        self.message = f"{label} {CONTROL_MESSAGE}"

    def __call__(self, value: Any) -> None:
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, str) and _CONTROL.search(item):
                raise ValidationError(self.message, code="control_characters")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NoControlCharacters) and other.message == self.message


def bound_field(name: str, field: forms.Field) -> None:
    """Give ``field`` the shared bounds and messages that name it (once)."""
    if getattr(field, "bounded", False):
        return
    field.bounded = True  # type: ignore[attr-defined]
    label = _label(name, field)
    field.validators = [
        v for v in field.validators if not isinstance(v, validators.ProhibitNullCharactersValidator)
    ] + [_NoControlCharacters(label)]
    if isinstance(field, forms.CharField) and field.max_length is None:
        field.max_length = TEXT_LENGTH if isinstance(field.widget, forms.Textarea) else LINE_LENGTH
        field.validators.append(validators.MaxLengthValidator(field.max_length))
    if isinstance(field, forms.IntegerField):
        if field.max_value is None:
            field.validators.append(validators.MaxValueValidator(LARGEST_WHOLE))
        if field.min_value is None:
            field.validators.append(validators.MinValueValidator(-LARGEST_WHOLE))
    lowered = label[0].lower() + label[1:]
    messages = {
        "required": f"Enter {lowered}",
        "max_length": f"{label} must be %(limit_value)d characters or fewer",
        "invalid_choice": f"Select {lowered} from the list",
        "invalid": f"{label} is not in the right form",
        "max_value": f"{label} must be %(limit_value)s or less",
        "min_value": f"{label} must be %(limit_value)s or more",
        "invalid_list": f"Select {lowered} from the list",
    }
    if isinstance(field, forms.ChoiceField):
        messages["required"] = f"Select {lowered}"
    if isinstance(field, forms.FileField):
        messages |= {
            "required": f"Select {lowered}",
            "max_length": f"The name of {lowered} must be %(max)d characters or fewer",
            "invalid": f"{label}: select a file",
            "missing": f"{label}: select a file",
            "empty": f"{label}: the file is empty",
        }
    for code, message in messages.items():
        if _default(field, code):
            field.error_messages[code] = message


def bound_form(form: forms.BaseForm) -> None:
    """The shared bounds on every field of ``form``, including fields its ``__init__`` added."""
    for name, field in form.fields.items():
        bound_field(name, field)
