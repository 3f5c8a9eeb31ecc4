"""Supply: what a package costs a provider, whether it takes it, and its care workers.

A provider's capacity is paid worker time: contact time plus the travel it brings, so a
rural package uses more of a worker's week per hour of care than an urban one. A provider
values a package by its margin per worker hour,

    (rate - cost per carer hour) x carer hours / worker hours,

where the cost is pay for the contact and travel time, mileage, overheads, the package's
share of fixed weekly admin (small packages carry more of it per hour) and a cost for calls
at awkward times; travel per contact hour grows as visits get shorter. It accepts when it
has the worker time and the value, plus its own view of the package (noise), reaches its
threshold: its least margin when idle, rising with how busy it is. Cherry-picking follows:
a busy provider with first refusal takes the packages worth most per worker hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from carecore.brokerage.packages import Visit
from carecore.market.demand import HOURS_PER_WEEK, WEEKS_PER_YEAR, build_visits, shrink_visits
from carecore.market.scenario import Scenario

#: Travel per contact hour scales with reference visit length / actual, within these bounds.
SHORT_VISIT_BOUNDS = (0.5, 2.0)
#: A provider past full utilisation is no choosier than at 150%.
MOST_UTILISATION = 1.5


@dataclass(frozen=True)
class Economics:
    """The scenario's cost figures, in the units the hot loop uses."""

    pay_pence: float
    overhead_pence: float
    admin_pence: float
    awkward_pence: float
    reference_visit_minutes: float
    awkward_before_minute: int
    awkward_from_minute: int
    travel_minutes: dict[str, float]
    miles: dict[str, float]
    pence_per_mile: int

    @classmethod
    def of(cls, scenario: Scenario) -> Economics:
        supply, costs = scenario.supply, scenario.costs
        return cls(
            pay_pence=supply.pay_pence_per_paid_hour,
            overhead_pence=supply.overhead_pence_per_hour,
            admin_pence=supply.admin_pence_per_package_week,
            awkward_pence=supply.awkward_pence_per_hour,
            reference_visit_minutes=supply.reference_visit_minutes,
            awkward_before_minute=supply.awkward_before.hour * 60 + supply.awkward_before.minute,
            awkward_from_minute=supply.awkward_from.hour * 60 + supply.awkward_from.minute,
            travel_minutes=dict(costs.travel_minutes_per_contact_hour),
            miles=dict(costs.miles_per_contact_hour),
            pence_per_mile=costs.pence_per_mile,
        )


@dataclass(frozen=True)
class Terms:
    """A package as a provider weighs it. ``worker_minutes``: paid worker time a week
    (carer minutes plus their travel); ``cost_pence``: cost per carer hour; ``miles``: a week."""

    carer_minutes: int
    contact_minutes: int
    worker_minutes: int
    cost_pence: float
    miles: float

    @property
    def carer_share(self) -> float:
        """Carer hours per worker hour (below 1: the rest is travel)."""
        return self.carer_minutes / self.worker_minutes


def package_terms(visits: Iterable[Visit], band: str, econ: Economics) -> Terms:
    """What a week of ``visits`` in ``band`` costs a provider and how much worker time it uses."""
    visit_list = list(visits)
    contact = sum(v.minutes for v in visit_list)
    carer = sum(v.carer_minutes for v in visit_list)
    mean_visit = contact / len(visit_list)
    low, high = SHORT_VISIT_BOUNDS
    scale = min(high, max(low, econ.reference_visit_minutes / mean_visit))
    travel_per_hour = econ.travel_minutes[band] / 60 * scale
    miles_per_hour = econ.miles[band] * scale
    awkward = sum(
        1
        for v in visit_list
        if v.start_minute < econ.awkward_before_minute or v.start_minute >= econ.awkward_from_minute
    ) / len(visit_list)
    carer_hours = carer / 60
    cost = (
        econ.pay_pence * (1 + travel_per_hour)
        + econ.pence_per_mile * miles_per_hour
        + econ.overhead_pence
        + econ.awkward_pence * awkward
        + econ.admin_pence / carer_hours
    )
    return Terms(
        carer_minutes=carer,
        contact_minutes=contact,
        worker_minutes=carer + round(carer * travel_per_hour),
        cost_pence=cost,
        miles=carer_hours * miles_per_hour,
    )


def threshold_pence(
    margin: float, choosiness: float, utilisation: float, obligation: float = 0.0
) -> float:
    """Least value per worker hour the provider accepts, given how busy it is (0 to 1+)."""
    return margin + choosiness * min(utilisation, MOST_UTILISATION) - obligation


def offer_value_pence(rate_pence: float, terms: Terms, noise: float) -> float:
    """Margin per worker hour of the package at ``rate_pence`` per carer hour, plus the
    provider's own view of it (``noise``)."""
    return (rate_pence - terms.cost_pence) * terms.carer_share + noise


def accepts(rate_pence: float, terms: Terms, noise: float, threshold: float) -> bool:
    """Whether a provider with room takes the package at ``rate_pence`` (per carer hour)."""
    return offer_value_pence(rate_pence, terms, noise) >= threshold


def reservation_pence(terms: Terms, noise: float, threshold: float) -> float:
    """The lowest rate per carer hour at which :func:`accepts` holds: what a provider bids
    from in a mini-competition."""
    return terms.cost_pence + (threshold - noise) / terms.carer_share


# --- sizing the workforce ------------------------------------------------------------------


def caseload_minutes(scenario: Scenario, econ: Economics) -> dict[str, tuple[float, float]]:
    """Mean carer minutes and worker minutes a week of a package in the caseload, per band.

    Exact over the stated distributions (patterns x visit lengths x double-handed x reviewed
    and shrunk); jitter does not change minutes. The share reviewed is that of a steady
    caseload: a kind of episode with mean ``m`` has passed its review ``r`` with probability
    ``exp(-r / m)``, weighted by share x mean.
    """
    demand = scenario.demand
    weights = [c.share * c.mean_weeks for c in demand.length_of_care]
    reviewed = sum(
        w * math.exp(-demand.review_after_weeks / c.mean_weeks)
        for w, c in zip(weights, demand.length_of_care, strict=True)
    ) / sum(weights)
    shrunk = reviewed * demand.review_shrink_share
    pattern_total = sum(p.weight for p in demand.patterns)
    minute_total = sum(w for _, w in demand.visit_minutes)
    shapes = []
    for pattern in demand.patterns:
        for minutes, m_weight in demand.visit_minutes:
            for double, d_weight in (
                (True, demand.double_handed_share),
                (False, 1 - demand.double_handed_share),
            ):
                weight = pattern.weight / pattern_total * m_weight / minute_total * d_weight
                if weight > 0:
                    visits = build_visits(pattern, minutes, double, 0, 30)
                    shapes.append((weight, visits, shrink_visits(visits, demand.review_keep)))
    result = {}
    for band in scenario.costs.bands:
        carer = worker = 0.0
        for weight, whole, cut in shapes:
            for visits, chance in ((whole, 1 - shrunk), (cut, shrunk)):
                terms = package_terms(visits, band, econ)
                carer += weight * chance * terms.carer_minutes
                worker += weight * chance * terms.worker_minutes
        result[band] = (carer, worker)
    return result


class Workforce:
    """Care workers per (provider, zone): head counts, recruitment targets and the worker
    minutes a week they give. Leavers and hires are drawn weekly from the caller's stream."""

    def __init__(
        self,
        scenario: Scenario,
        pairs: list[tuple[int, str]],
        staffed: npt.NDArray[np.float64],
    ) -> None:
        supply = scenario.supply
        self.pairs = pairs
        self.minutes_per_worker = round(supply.hours_per_worker * 60)
        self.workers = np.round(staffed).astype(np.int64)
        self.workers_per_post = 1 - supply.vacancy_rate
        self.target = staffed / self.workers_per_post
        self.leave_chance = 1 - math.exp(-supply.turnover_per_year / WEEKS_PER_YEAR)
        self.hire_rate = supply.hires_per_year_per_vacancy / WEEKS_PER_YEAR
        growth = supply.workforce_growth_per_year
        self.growth = scenario.demand.growth_per_year if growth is None else growth
        self.leavers = 0
        self.hires = 0

    def capacity_minutes(self, index: int) -> int:
        return int(self.workers[index]) * self.minutes_per_worker

    def week(self, rng: np.random.Generator, hours: float) -> None:
        """One week of leavers and hires; targets grow with the workforce growth rate."""
        target = self.target * (1 + self.growth) ** (hours / HOURS_PER_WEEK / WEEKS_PER_YEAR)
        leaving = rng.binomial(self.workers, self.leave_chance)
        gap = np.maximum(target - self.workers, 0.0)
        joining = rng.poisson(gap * self.hire_rate)
        self.workers = self.workers - leaving + joining
        self.leavers += int(leaving.sum())
        self.hires += int(joining.sum())

    def join(self, index: int, count: int) -> None:
        """``count`` workers join the pair from a failed provider; its target grows with them,
        so it keeps them."""
        self.workers[index] += count
        self.target[index] += count / self.workers_per_post

    def leave_all(self, index: int) -> None:
        """Every worker of the pair goes (the provider has failed); nobody is recruited."""
        self.workers[index] = 0
        self.target[index] = 0.0

    @property
    def total(self) -> int:
        return int(self.workers.sum())
