"""A person's package through the simulation (:class:`Case`), built from the demand draws,
and its review."""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import replace
from decimal import Decimal

import numpy as np

from carecore.brokerage.packages import PackageSpec
from carecore.brokerage.policies import OfferResponse, OfferRound, RoundRecord
from carecore.market.clock import Clock
from carecore.market.demand import PackageDraws, build_visits, shrink_visits
from carecore.market.scenario import Scenario
from carecore.market.supply import Economics, Terms, package_terms

WAITING, PLACED, ENDED, WITHDRAWN = range(4)
#: (pattern, visit minutes, double-handed, jitter): what fixes a package's week of visits.
ShapeKey = tuple[int, int, bool, int]
#: Per package, then per provider: the provider's view of the package (pence), and the
#: uniforms its answer delay and its staying silent are drawn from.
OfferRows = tuple[list[list[float]], list[list[float]], list[list[float]]]


class SimPackage(PackageSpec):
    """A :class:`PackageSpec` that works out its carer hours once. The policies ask for them
    on every eligibility check (a tenth of a run's time when recomputed from the visits);
    the fields, checks and behaviour are PackageSpec's own."""

    @functools.cached_property
    def carer_hours_per_week(self) -> Decimal:
        return super().carer_hours_per_week


class Case:
    """One person's package over its life: mutable simulation state, not a public record.

    ``token`` changes whenever the case moves on (a round closes, it is placed, it ends), so
    events scheduled for an older state are recognised as stale and dropped.
    """

    __slots__ = (
        "attempts", "band", "delay_u", "end_h", "first_day", "history", "hospital", "new",
        "noise", "open_h", "pair", "principal", "provider", "rate_pence", "reason", "request",
        "responses", "retries", "review_pending", "reviewed", "round", "rural", "shape",
        "shrink", "silence_u", "spec", "state", "terms", "tier", "token", "zone",
    )  # fmt: skip

    def __init__(self, spec: PackageSpec, terms: Terms, rural: bool, hospital: bool) -> None:
        self.spec = spec
        self.terms = terms
        self.zone = spec.zone_code
        self.band = spec.band_code
        self.rural = rural
        self.hospital = hospital
        self.state = WAITING
        self.provider = -1
        self.pair = -1
        self.rate_pence = 0
        self.tier = ""
        self.first_day = 0
        self.principal = False
        self.request = -1
        self.open_h = 0.0
        self.token = 0
        self.round: OfferRound | None = None
        self.responses: list[OfferResponse] = []
        self.history: list[RoundRecord] = []
        self.attempts = 0
        self.retries = 0
        self.reviewed = False
        self.review_pending = False
        self.new = True
        self.end_h = math.inf
        self.reason = ""
        self.shrink = False
        self.shape: ShapeKey = (0, 0, False, 0)
        self.noise: list[float] = []
        self.delay_u: list[float] = []
        self.silence_u: list[float] = []


def offer_rows(rng: np.random.Generator, n: int, providers: int, noise_pence: float) -> OfferRows:
    """For ``n`` packages, each provider's view of it (normal, ``noise_pence`` spread) and the
    uniforms its answers are drawn from, as lists (read one value at a time in the loop)."""
    noise = rng.normal(0.0, noise_pence, size=(n, providers))
    delay = rng.uniform(size=(n, providers))
    silence = rng.uniform(size=(n, providers))
    return noise.tolist(), delay.tolist(), silence.tolist()


class CaseMaker:
    """Builds cases from demand draws. Each schedule shape's ``PackageSpec`` is built (and so
    checked) once; later packages of that shape are copies with their own identity fields."""

    def __init__(self, scenario: Scenario, econ: Economics, clock: Clock) -> None:
        self.scenario = scenario
        self.econ = econ
        self.clock = clock
        self.rural_bands = frozenset(scenario.rural_bands)
        self._templates: dict[ShapeKey, PackageSpec] = {}
        self._terms: dict[tuple[ShapeKey, str], Terms] = {}
        self._shrunk: dict[ShapeKey, PackageSpec] = {}
        self._shrunk_terms: dict[tuple[ShapeKey, str], Terms] = {}

    def make(
        self, draws: PackageDraws, j: int, area_index: int, hours: float, rows: OfferRows, ref: str
    ) -> Case:
        """Case ``ref`` from row ``j`` of ``draws``, arriving at ``hours`` in an area."""
        demand = self.scenario.demand
        key: ShapeKey = (
            int(draws.pattern[j]),
            int(draws.minutes[j]),
            bool(draws.double[j]),
            int(draws.jitter[j]),
        )
        area = self.scenario.areas[area_index]
        hospital = bool(draws.hospital[j])
        source = "hospital_discharge" if hospital else "community"
        priority = "urgent" if hospital else "normal"
        start = self.clock.date(hours)
        template = self._templates.get(key)
        spec: PackageSpec
        if template is None:
            shape = demand.patterns[key[0]]
            visits = build_visits(shape, key[1], key[2], key[3], demand.window_minutes)
            spec = SimPackage(
                ref, area.code, area.zone, area.band, "older_people", "council", source,
                priority, start, visits,
            )  # fmt: skip
            self._templates[key] = spec
        else:
            spec = _restamp(
                template,
                {
                    "ref": ref,
                    "area_code": area.code,
                    "zone_code": area.zone,
                    "band_code": area.band,
                    "source": source,
                    "priority": priority,
                    "start_date": start,
                },
            )
        terms = self._terms.get((key, area.band))
        if terms is None:
            terms = package_terms(spec.visits, area.band, self.econ)
            self._terms[(key, area.band)] = terms
        case = Case(spec, terms, area.band in self.rural_bands, hospital)
        case.end_h = hours + float(draws.length_hours[j])
        case.reason = demand.end_reasons[int(draws.end_reason[j])][0]
        case.shrink = bool(draws.shrink[j])
        case.shape = key
        case.noise, case.delay_u, case.silence_u = rows[0][j], rows[1][j], rows[2][j]
        return case

    def review(self, case: Case) -> None:
        """The review: with the drawn chance, the package shrinks (see ``shrink_visits``).
        A shape shrinks the same way every time, so each shrunk shape is built once."""
        case.reviewed = True
        if not case.shrink:
            return
        key = case.shape
        shrunk = self._shrunk.get(key)
        if shrunk is None:
            shrunk = replace(
                case.spec, visits=shrink_visits(case.spec.visits, self.scenario.demand.review_keep)
            )
            self._shrunk[key] = shrunk
        if shrunk.visits == case.spec.visits:
            return
        spec = case.spec
        case.spec = _restamp(
            shrunk,
            {
                "ref": spec.ref,
                "area_code": spec.area_code,
                "zone_code": spec.zone_code,
                "band_code": spec.band_code,
                "source": spec.source,
                "priority": spec.priority,
                "start_date": spec.start_date,
            },
        )
        terms = self._shrunk_terms.get((key, case.band))
        if terms is None:
            terms = package_terms(shrunk.visits, case.band, self.econ)
            self._shrunk_terms[(key, case.band)] = terms
        case.terms = terms


def _restamp(template: PackageSpec, fields: dict[str, object]) -> PackageSpec:
    """``template`` with other identity fields (ref, area, zone, band, source, priority, start
    date), without re-running its checks: the template, built normally, has checked the same
    visits (the costly part: a third of a run's time when repeated), and the new values come
    from the checked scenario. ``dataclasses.replace`` would check everything again."""
    spec = copy.copy(template)
    for name, value in fields.items():
        object.__setattr__(spec, name, value)
    return spec
