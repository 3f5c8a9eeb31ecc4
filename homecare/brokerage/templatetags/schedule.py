"""The weekly schedule as a grid: a row for each arrival window, a column for each day."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day(value: Any) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() else DAYS.index(text)


@register.filter
def week_grid(visits: Any) -> dict[str, Any]:
    """Visits (``day`` as 0 to 6 or a day's name, ``window``, ``minutes``, ``carers``,
    ``critical``) as ``{"days": [...], "rows": [{"window", "cells": [visit or None x 7]}]}``.

    Rows are in order of the window (its start time, written first as "07:30 to 08:00").
    """
    rows: dict[str, list[Any]] = {}
    count = 0
    for visit in visits or ():
        cells = rows.setdefault(str(visit["window"]), [None] * 7)
        cells[_day(visit["day"])] = visit
        count += 1
    return {
        "days": [(name, name[:3]) for name in DAYS],
        "rows": [{"window": key, "cells": rows[key]} for key in sorted(rows)],
        "count": count,
    }
