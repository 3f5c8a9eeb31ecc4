"""The simulation's books: what was billed, who waited how long, and time-averages of the
waiting list and caseload, all over the horizon (the warm-up is simulated, not counted).

Money is integer pence. A line of care is ``days`` whole days of a package at one size and
rate: ``rate (pence per carer hour) x carer minutes a week x days / (7 x 60)``, rounded half
up to the penny once per line, so the spend is the exact sum of its lines.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from carecore.market.demand import HOURS_PER_WEEK, WEEKS_PER_YEAR
from carecore.market.results import ReplicationResult

HOURS_PER_DAY = 24.0
MINUTE_DAYS_PER_HOUR_WEEK = 7 * 60  # carer minutes x days in one carer hour a week
PENNY = Decimal("0.01")


class Ledger:
    """Counters the engine updates as events happen; :meth:`result` turns them into figures.

    The levels (``waiting``, ``people``, ...) are integrated over time: call :meth:`tick`
    with the current time before changing any of them.
    """

    def __init__(self, warm_up_weeks: int, horizon_weeks: int, providers: int) -> None:
        self.warm_h = warm_up_weeks * HOURS_PER_WEEK
        self.end_h = (warm_up_weeks + horizon_weeks) * HOURS_PER_WEEK
        self.warm_day = warm_up_weeks * 7
        self.end_day = (warm_up_weeks + horizon_weeks) * 7
        self.weeks = horizon_weeks
        # levels and their integrals over the horizon
        self.waiting = 0
        self.waiting_minutes = 0
        self.people = 0
        self.placed_minutes = 0
        self.principal_people = 0
        self.workers = 0
        self._last = 0.0
        self._areas = [0.0] * 6
        # money and delivered care
        self.spend_pence = 0
        self.spot_spend_pence = 0
        self.block_unused_pence = 0
        self.minute_days = 0
        self.provider_minute_days = [0] * providers
        self.miles = 0.0
        # requests: opened (hours), closed (hours or nan), placed?, rural?, zone
        self.open_h: list[float] = []
        self.close_h: list[float] = []
        self.was_placed: list[bool] = []
        self.rural: list[bool] = []
        self.zone: list[str] = []
        # flows in the horizon
        self.arrivals = 0
        self.rebrokered = 0
        self.withdrawn = 0
        self.new_minutes = 0
        self.placements = 0
        self.principal_placements = 0
        self.by_tier: dict[str, int] = {}
        self.by_zone_tier: dict[str, dict[str, int]] = {}
        self.spot_placements = 0
        self.ends: dict[str, int] = {}
        self.offers = 0
        self.rounds = 0
        self.answered = {True: 0, False: 0}
        self.accepted = {True: 0, False: 0}

    def in_horizon(self, hours: float) -> bool:
        return self.warm_h <= hours < self.end_h

    def tick(self, hours: float) -> None:
        """Add the current levels x the time since the last tick (within the horizon)."""
        low = max(self._last, self.warm_h)
        high = min(hours, self.end_h)
        if high > low:
            span = high - low
            areas = self._areas
            areas[0] += self.waiting * span
            areas[1] += self.waiting_minutes * span
            areas[2] += self.people * span
            areas[3] += self.placed_minutes * span
            areas[4] += self.principal_people * span
            areas[5] += self.workers * span
        self._last = max(self._last, hours)

    # --- events -----------------------------------------------------------------------------

    def open_request(self, hours: float, rural: bool, zone: str, rebrokered: bool) -> int:
        self.open_h.append(hours)
        self.close_h.append(math.nan)
        self.was_placed.append(False)
        self.rural.append(rural)
        self.zone.append(zone)
        if self.in_horizon(hours):
            if rebrokered:
                self.rebrokered += 1
            else:
                self.arrivals += 1
        return len(self.open_h) - 1

    def close_request(self, request: int, hours: float, placed: bool) -> None:
        self.close_h[request] = hours
        self.was_placed[request] = placed
        if not placed and self.in_horizon(hours):
            self.withdrawn += 1

    def placement(
        self, hours: float, zone: str, tier: str, principal: bool, minutes: int, new: bool
    ) -> None:
        if not self.in_horizon(hours):
            return
        self.placements += 1
        self.principal_placements += principal
        self.by_tier[tier] = self.by_tier.get(tier, 0) + 1
        in_zone = self.by_zone_tier.setdefault(zone, {})
        in_zone[tier] = in_zone.get(tier, 0) + 1
        self.spot_placements += tier == "spot"
        if new:
            self.new_minutes += minutes

    def answer(self, rural: bool, accepted: bool) -> None:
        self.answered[rural] += 1
        self.accepted[rural] += accepted

    def end(self, hours: float, reason: str) -> None:
        if self.in_horizon(hours):
            self.ends[reason] = self.ends.get(reason, 0) + 1

    def bill(
        self,
        provider: int,
        rate_pence: int,
        carer_minutes: int,
        miles_per_week: float,
        first_day: int,
        end_day: int,
        spot: bool,
    ) -> None:
        """One line: care from ``first_day`` up to (not including) ``end_day``, clipped to
        the horizon."""
        days = min(end_day, self.end_day) - max(first_day, self.warm_day)
        if days <= 0:
            return
        minute_days = carer_minutes * days
        exact = rate_pence * minute_days
        pence = (2 * exact + MINUTE_DAYS_PER_HOUR_WEEK) // (2 * MINUTE_DAYS_PER_HOUR_WEEK)
        self.spend_pence += pence
        if spot:
            self.spot_spend_pence += pence
        self.minute_days += minute_days
        self.provider_minute_days[provider] += minute_days
        self.miles += miles_per_week * days / 7

    def block_shortfall(self, hours: float, rate_pence: int, minutes: int) -> None:
        """A week's unused guaranteed block (carer minutes), paid at ``rate_pence``."""
        if minutes <= 0 or not self.in_horizon(hours - HOURS_PER_WEEK):
            return
        pence = (2 * rate_pence * minutes + 60) // 120
        self.spend_pence += pence
        self.block_unused_pence += pence

    # --- figures ----------------------------------------------------------------------------

    def result(
        self,
        *,
        scenario: str,
        model: str,
        replication: int,
        seed: int,
        kg_co2e_per_mile: float,
        zones: tuple[str, ...],
        leavers: int,
    ) -> ReplicationResult:
        span = self.end_h - self.warm_h
        mean = [area / span for area in self._areas]
        waits = self._waits()
        delivered = Decimal(self.minute_days) / MINUTE_DAYS_PER_HOUR_WEEK
        cost = None
        if self.minute_days:
            cost = (
                Decimal(self.spend_pence) * MINUTE_DAYS_PER_HOUR_WEEK / self.minute_days / 100
            ).quantize(PENNY, ROUND_HALF_UP)
        people = mean[2]
        years = self.weeks / WEEKS_PER_YEAR
        return ReplicationResult(
            scenario=scenario,
            model=model,
            replication=replication,
            seed=seed,
            weeks=self.weeks,
            requests=self.arrivals + self.rebrokered,
            placed=self.placements,
            withdrawn_waiting=self.withdrawn,
            waiting_at_end=self.waiting,
            rebrokered=self.rebrokered,
            spot_placements=self.spot_placements,
            arrivals_per_week=self.arrivals / self.weeks,
            new_hours_per_week=self.new_minutes / 60 / self.weeks,
            median_days_to_place=waits.quantile(None, 0.5),
            p90_days_to_place=waits.quantile(None, 0.9),
            share_placed_within_2_days=waits.share_within(None, 2),
            share_placed_within_7_days=waits.share_within(None, 7),
            median_days_rural=waits.quantile(True, 0.5),
            median_days_urban=waits.quantile(False, 0.5),
            share_within_7_days_rural=waits.share_within(True, 7),
            share_within_7_days_urban=waits.share_within(False, 7),
            mean_waiting_list=mean[0],
            mean_unmet_hours_per_week=mean[1] / 60,
            offers=self.offers,
            rounds=self.rounds,
            offer_acceptance_rural=_ratio(self.accepted[True], self.answered[True]),
            offer_acceptance_urban=_ratio(self.accepted[False], self.answered[False]),
            share_placements_with_principal=_ratio(self.principal_placements, self.placements),
            share_people_with_principal=mean[4] / people if people else None,
            hhi=_herfindahl(self.provider_minute_days),
            mean_people_served=people,
            mean_hours_per_week=mean[3] / 60,
            hours_per_person=mean[3] / 60 / people if people else None,
            mean_care_workers=mean[5],
            turnover_per_year=leavers / mean[5] / years if mean[5] else None,
            spend_pence=self.spend_pence,
            spot_spend_pence=self.spot_spend_pence,
            block_unused_pence=self.block_unused_pence,
            delivered_carer_hours=delivered.quantize(PENNY, ROUND_HALF_UP),
            cost_per_hour=cost,
            travel_miles=self.miles,
            co2_kg=self.miles * kg_co2e_per_mile,
            placements_by_tier=dict(sorted(self.by_tier.items())),
            placements_by_zone={
                zone: dict(sorted(self.by_zone_tier.get(zone, {}).items())) for zone in zones
            },
            ends_by_reason=dict(sorted(self.ends.items())),
            median_days_by_zone={zone: waits.zone_median(zone) for zone in zones},
        )

    def _waits(self) -> Waits:
        return Waits(self)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _herfindahl(minute_days: list[int]) -> float:
    """Herfindahl-Hirschman index of providers' shares of delivered hours, 0 to 10,000."""
    total = sum(minute_days)
    if not total:
        return 0.0
    return sum((100 * m / total) ** 2 for m in minute_days)


class Waits:
    """Days from opening to placing of the requests opened in the horizon; a request never
    placed counts with the days it waited (until withdrawn or the end): a lower bound."""

    def __init__(self, ledger: Ledger) -> None:
        opened = np.array(ledger.open_h, dtype=np.float64)
        closed = np.array(ledger.close_h, dtype=np.float64)
        placed = np.array(ledger.was_placed, dtype=np.bool_)
        inside = (opened >= ledger.warm_h) & (opened < ledger.end_h)
        stop = np.where(np.isnan(closed), ledger.end_h, np.minimum(closed, ledger.end_h))
        self.days = (stop - opened) / HOURS_PER_DAY
        self.placed_in_time = placed & ~np.isnan(closed) & (closed < ledger.end_h)
        self.inside = inside
        self.rural = np.array(ledger.rural, dtype=np.bool_)
        self.zone = np.array(ledger.zone, dtype=object)
        # requests old enough for "placed within 7 days" to be known by the end
        self.known = inside & (opened <= ledger.end_h - 7 * HOURS_PER_DAY)

    def _select(self, rural: bool | None, base: np.ndarray) -> np.ndarray:
        return base if rural is None else base & (self.rural == rural)

    def quantile(self, rural: bool | None, fraction: float) -> float | None:
        chosen = self.days[self._select(rural, self.inside)]
        return float(np.quantile(chosen, fraction)) if len(chosen) else None

    def share_within(self, rural: bool | None, days: float) -> float | None:
        chosen = self._select(rural, self.known)
        count = int(chosen.sum())
        if not count:
            return None
        hits = chosen & self.placed_in_time & (self.days <= days)
        return int(hits.sum()) / count

    def zone_median(self, zone: str) -> float | None:
        chosen = self.days[self.inside & (self.zone == zone)]
        return float(np.median(chosen)) if len(chosen) else None
