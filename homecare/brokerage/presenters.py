"""How the brokerage pages show packages: visit rows, short schedules, waiting times, and
who pays for a person's care."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from homecare.brokerage.forms import DAYS


def schedule_rows(package: Any) -> list[dict[str, Any]]:
    """The package's visits as the pages show them (see :func:`visit_rows`)."""
    return visit_rows(package.visits.all())


def visit_rows(visits: Any) -> list[dict[str, Any]]:
    """Visits (rows or the engine's) as the pages show them, by day and time: day name,
    window, minutes, carers, critical."""
    rows = []
    for visit in sorted(visits, key=lambda v: (v.day, v.window_start)):
        start = datetime.combine(datetime(2000, 1, 3).date(), visit.window_start)
        end = start + timedelta(minutes=visit.window_minutes)
        rows.append(
            {
                "day": DAYS[visit.day],
                "window": f"{start:%H:%M} to {end:%H:%M}",
                "minutes": visit.minutes,
                "carers": visit.carers,
                "critical": visit.critical,
            }
        )
    return rows


def waited(since: datetime, now: datetime) -> str:
    """A waiting time in words: "3 days 4 hours", "5 hours 10 minutes", "12 minutes"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return f"{unit(days, 'day')} {unit(hours, 'hour')}"
    if hours:
        return f"{unit(hours, 'hour')} {unit(mins, 'minute')}"
    return unit(mins, "minute")


def day_runs(days: list[int]) -> str:
    """Day numbers as short names, runs joined: [0, 1, 2, 3, 4] -> "Mon-Fri"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        DAYS[run[0]][:3] if len(run) == 1 else f"{DAYS[run[0]][:3]}-{DAYS[run[-1]][:3]}"
        for run in runs
    )


def schedule_text(package: Any) -> str:
    """The visits in short, alike visits grouped: "Mon-Fri 08:00 45m x2; Wed 18:00 30m"."""
    alike: dict[tuple[Any, ...], list[int]] = {}
    for visit in package.visits.all():
        key = (visit.window_start, visit.minutes, visit.carers, visit.critical)
        alike.setdefault(key, []).append(visit.day)
    parts = []
    for (start, minutes, carers, critical), days in sorted(
        alike.items(), key=lambda item: (min(item[1]), item[0][0])
    ):
        text = f"{day_runs(days)} {start:%H:%M} {minutes}m"
        parts.append(text + (" x2" if carers == 2 else "") + (" critical" if critical else ""))
    return "; ".join(parts)


FUNDING_WORDS = {
    "council": "Council-funded",
    "nhs_chc": "NHS continuing healthcare: the NHS pays",
    "direct_payment": "Direct payment: the person buys their own care",
}


def percent(share: Decimal | int) -> str:
    """A share in percent as people write it: 40, 37.5, 33.33 (with a % sign)."""
    text = f"{Decimal(share).quantize(Decimal('0.01')):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def funding_text(funding: str, nhs_share_percent: Decimal | None = None) -> str:
    """Who pays, in plain words: "Joint-funded: NHS pays 40%, the council 60%"."""
    if funding == "joint":
        if nhs_share_percent is None:
            return "Joint-funded (council and NHS)"
        share = Decimal(nhs_share_percent)
        return f"Joint-funded: NHS pays {percent(share)}, the council {percent(100 - share)}"
    return FUNDING_WORDS.get(funding, str(funding))


def person_funding(person: Any) -> str:
    """:func:`funding_text` for a person."""
    return funding_text(person.funding, person.nhs_share_percent)


def funding_changes(person: Any) -> list[dict[str, Any]]:
    """The person's changes of funding, newest first, from their history: when, from what to
    what, by whom and why. The first version (how they were funded when made) is the start."""
    # In the order they were written: each version follows the one before it.
    versions = list(person.history.order_by("history_id").select_related("history_user"))
    rows = []
    for before, after in pairwise(versions):
        was = (before.funding, before.nhs_share_percent)
        now = (after.funding, after.nhs_share_percent)
        if was == now:
            continue
        rows.append(
            {
                "at": after.history_date,
                "from": funding_text(*was),
                "to": funding_text(*now),
                "by": after.history_user,
                "reason": after.history_change_reason or "",
            }
        )
    return rows[::-1]
