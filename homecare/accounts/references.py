"""A council's format for people's references: the one check the form, the API and the importer
share, so a name or an address never becomes a "pseudonymised" reference.

The format is the council's (:class:`~homecare.accounts.models.Organisation` fields
``person_reference_pattern``, ``person_reference_format`` and ``person_reference_example``);
a council without a pattern accepts any reference.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from carecore.errors import InputError

MAX_PATTERN_LENGTH = 200


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def reference_hint(council: Any) -> str:
    """The format in words, for a hint: "P- followed by digits, for example P-004512"."""
    words = getattr(council, "person_reference_format", "") or ""
    example = getattr(council, "person_reference_example", "") or ""
    if words and example:
        return f"{words}, for example {example}"
    return words or (f"For example {example}" if example else "")


def reference_message(council: Any) -> str:
    """What the user is told when a reference is not in the council's format."""
    example = getattr(council, "person_reference_example", "") or ""
    text = "Enter the person's reference in the council's format"
    return f"{text}, for example {example}" if example else text


def matches_reference(council: Any, reference: str) -> bool:
    """True when ``reference`` (stripped) is wholly in the council's format, or it has none."""
    pattern = getattr(council, "person_reference_pattern", "") or ""
    if not pattern:
        return True
    try:
        return _compiled(pattern).fullmatch(str(reference or "").strip()) is not None
    except re.error:
        return True  # a broken pattern was refused when set; never lock brokers out over it


def check_person_reference(council: Any, reference: str, *, key: str = "person_ref") -> str:
    """The reference, stripped, or an InputError (named ``key``) in the user's words."""
    text = str(reference or "").strip()
    if not matches_reference(council, text):
        raise InputError(reference_message(council), key=key)
    return text


def check_pattern(pattern: str, example: str) -> None:
    """Raise InputError unless ``pattern`` is a regular expression ``example`` matches."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InputError(
            f"must be {MAX_PATTERN_LENGTH} characters or fewer", key="person_reference_pattern"
        )
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InputError(
            f"is not a regular expression ({exc})", key="person_reference_pattern"
        ) from None
    if pattern and example and compiled.fullmatch(example) is None:
        raise InputError(
            f"the example {example!r} does not match the pattern", key="person_reference_example"
        )
