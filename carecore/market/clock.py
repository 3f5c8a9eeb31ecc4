"""Simulated time: hours from the scenario's start (Monday 00:00, Europe/London), the
aware datetimes the allocation policies need, and brokers' office hours in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from carecore.market.scenario import Scenario
from carecore.units import LONDON

HOUR = timedelta(hours=1)
SPARE_DAYS = 400  # office hours may be looked up after the end (a retry past the horizon)


class Clock:
    def __init__(self, scenario: Scenario) -> None:
        self.start_date = scenario.start_date
        self.start = datetime.combine(scenario.start_date, time(0), tzinfo=LONDON)
        self.start_utc = self.start.astimezone(UTC)
        brokerage = scenario.brokerage
        self.opens = float(brokerage.office_opens)
        self.closes = float(brokerage.office_closes)
        self.weekdays_only = brokerage.weekdays_only
        base = self.start.utcoffset() or timedelta(0)
        days = scenario.total_weeks * 7 + SPARE_DAYS
        # Local hours run ahead of simulated hours by this much on each day (0, or 1 in
        # summer time when the run starts in winter): clocks change at 01:00-02:00 UTC, so a
        # day's offset at noon holds through office hours.
        self._shift = []
        for day in range(days):
            noon = datetime.combine(
                scenario.start_date + timedelta(days=day), time(12), tzinfo=LONDON
            )
            self._shift.append(((noon.utcoffset() or base) - base) / HOUR)

    def moment(self, hours: float) -> datetime:
        """The Europe/London time ``hours`` of real elapsed time after the start."""
        return (self.start_utc + timedelta(hours=hours)).astimezone(LONDON)

    def hours(self, moment: datetime) -> float:
        """Hours from the start to an aware ``moment``."""
        return (moment - self.start_utc) / HOUR

    def _shift_on(self, day: int) -> float:
        return self._shift[min(max(day, 0), len(self._shift) - 1)]

    def date(self, hours: float) -> date:
        """The local calendar date at ``hours``."""
        local = hours + self._shift_on(int(hours // 24))
        return self.start_date + timedelta(days=int(local // 24))

    def office(self, hours: float) -> float:
        """The first moment at or after ``hours`` inside brokers' office hours."""
        local = hours + self._shift_on(int(hours // 24))
        day = int(local // 24)
        hour = local - day * 24
        if hour >= self.closes:
            day, hour = day + 1, self.opens
        elif hour < self.opens:
            hour = self.opens
        if self.weekdays_only and day % 7 >= 5:
            day, hour = day + (7 - day % 7), self.opens
        return day * 24 + hour - self._shift_on(day)
