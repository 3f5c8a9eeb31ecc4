"""The discrete-event loop: packages arrive, are brokered through the delivery model's
allocation policy (the same objects the live platform uses: ``next_round`` and ``choose``),
are placed, reviewed and end; care workers leave and join; providers may fail.

Events sit on a heap of ``(hours, sequence, kind, case, token, provider)``; ties keep the
order they were scheduled in, so a run is a pure function of its inputs. Arrivals are
pre-drawn and merged in from their own sorted array. Each random stream has one job
(``STREAMS``), so changing the market (capacity, rates, the model) never changes which
packages arrive: common random numbers across scenarios and models.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from carecore.brokerage.market import MarketSnapshot
from carecore.brokerage.policies import Choice, OfferRound, RoundRecord, load_policy
from carecore.market.cases import (
    ENDED,
    PLACED,
    WAITING,
    WITHDRAWN,
    Case,
    CaseMaker,
    offer_rows,
)
from carecore.market.clock import Clock
from carecore.market.demand import HOURS_PER_WEEK, draw_arrivals, draw_caseload, draw_packages
from carecore.market.ledger import Ledger
from carecore.market.providers import ProviderMarket
from carecore.market.results import ReplicationResult
from carecore.market.scenario import Scenario
from carecore.market.supply import Economics
from carecore.units import to_pence

TRY, RESPONSE, DEADLINE, END, REVIEW, WEEK, EXIT = range(7)
#: Successive offers of one package to one provider shift its uniforms by this (mod 1), so
#: repeated offers differ yet stay common random numbers across scenarios.
GOLDEN = 0.6180339887498949
STREAMS = ("arrivals", "packages", "caseload", "caseload offers", "offers", "workforce", "placing")


class Simulation:
    """One replication of one delivery model. Build it, then call :meth:`run` once."""

    def __init__(self, scenario: Scenario, model: str, replication: int, seed: int) -> None:
        self.scenario = scenario
        self.model = scenario.model(model)
        self.policy = load_policy(self.model.policy)
        self.replication = replication
        self.seed = seed
        root = np.random.SeedSequence(seed, spawn_key=(replication,))
        streams = (np.random.default_rng(s) for s in root.spawn(len(STREAMS)))
        self.rng = dict(zip(STREAMS, streams, strict=True))
        econ = Economics.of(scenario)
        self.clock = Clock(scenario)
        self.cases = CaseMaker(scenario, econ, self.clock)
        self.providers = ProviderMarket(scenario, self.model, econ)
        self.index = self.providers.index
        self.ledger = Ledger(
            scenario.warm_up_weeks, scenario.horizon_weeks, len(scenario.supply.providers)
        )
        # Dicts, not sets: a set of cases iterates in memory-address order, which differs
        # between processes and would change float sums (miles) in the last digit.
        self.placed_by_provider: list[dict[Case, None]] = [{} for _ in self.providers.refs]
        self._heap: list[tuple[float, int, int, Any, int, int]] = []
        self._sequence = 0
        self._leavers = 0
        self.market: MarketSnapshot

    def _push(
        self, hours: float, kind: int, case: Case | None = None, token: int = 0, provider: int = -1
    ) -> None:
        self._sequence += 1
        heapq.heappush(self._heap, (hours, self._sequence, kind, case, token, provider))

    # --- the start --------------------------------------------------------------------------

    def _start(self) -> None:
        """The caseload in care at the start, placed with the providers of its zone in
        proportion to their workforce; then the snapshot the policy reads."""
        caseload = draw_caseload(self.rng["caseload"], self.scenario)
        count = len(caseload.areas)
        rows = offer_rows(
            self.rng["caseload offers"],
            count,
            len(self.providers.refs),
            self.scenario.supply.noise_pence,
        )
        by_zone: dict[str, list[Case]] = {}
        for j, area in enumerate(caseload.areas.tolist()):
            case = self.cases.make(caseload.draws, j, area, 0.0, rows, f"C{j:06d}")
            case.new = False
            due = float(caseload.review_due_hours[j])
            if due <= 0:
                self.cases.review(case)
            else:
                case.review_pending = True
                self._push(due, REVIEW, case)
            self._push(case.end_h, END, case)
            by_zone.setdefault(case.zone, []).append(case)
        pairs = self.providers.pairs_by_zone()
        shares = self.providers.pairs.share
        for zone in sorted(by_zone):
            candidates = pairs.get(zone, [])
            if not candidates:
                continue
            weights = np.array([shares[i] for i in candidates], dtype=np.float64)
            picks = self.rng["placing"].choice(
                len(candidates), size=len(by_zone[zone]), p=weights / weights.sum()
            )
            for case, pick in zip(by_zone[zone], picks.tolist(), strict=True):
                pair = candidates[pick]
                rate = self.providers.band_rates[case.band]
                self._commit(case, self.providers.pairs.provider[pair], pair, rate, "initial", 0.0)
                case.first_day = 0
        held = {
            self.providers.refs[p]: sum(c.terms.carer_minutes for c in placed)
            for p, placed in enumerate(self.placed_by_provider)
        }
        self.market = self.providers.open(held)

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> ReplicationResult:
        """Simulate the warm-up and the horizon; return the horizon's figures."""
        self._start()
        scenario = self.scenario
        times, areas = draw_arrivals(self.rng["arrivals"], scenario)
        draws = draw_packages(self.rng["packages"], len(times), scenario.demand)
        rows = offer_rows(
            self.rng["offers"], len(times), len(self.providers.refs), scenario.supply.noise_pence
        )
        self._push(HOURS_PER_WEEK, WEEK)
        for leaving in scenario.exits:
            self._push(leaving.week * HOURS_PER_WEEK, EXIT, provider=self.index[leaving.provider])
        self.ledger.workers = self.providers.workforce.total
        end = self.ledger.end_h
        arrival_times = times.tolist()
        arrival_areas = areas.tolist()
        next_arrival = 0
        heap = self._heap
        handlers = (
            self._try,
            self._response,
            self._deadline,
            self._end,
            self._review,
            self._week,
            self._exit,
        )
        while True:
            upcoming = (
                arrival_times[next_arrival] if next_arrival < len(arrival_times) else math.inf
            )
            if heap and heap[0][0] <= upcoming:
                hours, _, kind, case, token, provider = heapq.heappop(heap)
                if hours > end:
                    break  # an event at the very end (the last week's workforce) still counts
                handlers[kind](hours, case, token, provider)
            elif upcoming < end:
                j = next_arrival
                next_arrival += 1
                case = self.cases.make(draws, j, arrival_areas[j], upcoming, rows, f"K{j:06d}")
                self._push(case.end_h, END, case)
                self._open(case, upcoming, rebrokered=False)
            else:
                break
        return self._finish()

    def _finish(self) -> ReplicationResult:
        ledger = self.ledger
        ledger.tick(ledger.end_h)
        for placed in self.placed_by_provider:
            for case in placed:
                self._bill(case, ledger.end_h)
        return ledger.result(
            scenario=self.scenario.name,
            model=self.model.name,
            replication=self.replication,
            seed=self.seed,
            kg_co2e_per_mile=self.scenario.costs.kg_co2e_per_mile,
            zones=tuple(z.code for z in self.scenario.zones),
            leavers=self._leavers,
        )

    # --- brokerage --------------------------------------------------------------------------

    def _open(self, case: Case, hours: float, *, rebrokered: bool) -> None:
        """A new brokerage request: on the waiting list, first try in office hours."""
        ledger = self.ledger
        ledger.tick(hours)
        ledger.waiting += 1
        ledger.waiting_minutes += case.terms.carer_minutes
        case.state = WAITING
        case.open_h = hours
        case.history = []
        case.request = ledger.open_request(hours, case.rural, case.zone, rebrokered)
        self._push(self.clock.office(hours), TRY, case, case.token)

    def _try(self, hours: float, case: Case, token: int, _: int) -> None:
        if case.state != WAITING or token != case.token:
            return
        brokerage = self.scenario.brokerage
        if hours - case.open_h >= brokerage.spot_after_days * 24:
            taker = self.providers.spot_taker(case.terms, case.band, case.zone, case.noise)
            if taker is not None:
                self._place(case, taker[0], taker[1], "spot", hours)
                return
        round = self.policy.next_round(
            case.spec, self.market, case.history, self.clock.moment(hours)
        )
        if round is None:
            # Exhausted: offered again from the start later, waiting twice as long each time
            # up to the longest wait (brokers chase the list daily at first, then weekly).
            wait = min(brokerage.retry_hours * 2**case.retries, brokerage.retry_max_hours)
            case.retries += 1
            case.history = []
            case.token += 1
            self._push(self.clock.office(hours + wait), TRY, case, case.token)
            return
        self._send(case, round, hours)

    def _send(self, case: Case, round: OfferRound, hours: float) -> None:
        """Offers go out; each provider answers after its drawn delay unless it stays
        silent; answers after the deadline are never scheduled (the offer has expired)."""
        case.token += 1
        case.round = round
        case.responses = []
        deadline = self.clock.hours(round.deadline)
        silence = self.scenario.supply.silence_share
        shift = case.attempts * GOLDEN
        case.attempts += 1
        if self.ledger.in_horizon(hours):
            self.ledger.rounds += 1
            self.ledger.offers += len(round.provider_refs)
        for ref in round.provider_refs:
            p = self.index[ref]
            if (case.silence_u[p] + shift) % 1.0 < silence:
                continue
            uniform = (case.delay_u[p] + shift) % 1.0
            delay = -math.log(1.0 - uniform) * self.providers.response_hours[p]
            if hours + delay <= deadline:
                self._push(hours + delay, RESPONSE, case, case.token, p)
        self._push(deadline, DEADLINE, case, case.token)

    def _response(self, hours: float, case: Case, token: int, provider: int) -> None:
        round = case.round
        if case.state != WAITING or token != case.token or round is None:
            return
        if not self.providers.active[provider]:
            return  # a failed provider answers nothing
        now = self.clock.moment(hours)
        response, counted = self.providers.answer(
            provider, case.terms, case.band, case.zone, round.tier, case.noise[provider], now
        )
        if counted:
            self.ledger.answer(case.rural, response.accepted)
        case.responses.append(response)
        self._decided(
            case, self.policy.choose(case.spec, self.market, round, case.responses, now), hours
        )

    def _deadline(self, hours: float, case: Case, token: int, _: int) -> None:
        round = case.round
        if case.state != WAITING or token != case.token or round is None:
            return
        choice = self.policy.choose(case.spec, self.market, round, case.responses, round.deadline)
        if choice.wait:
            raise RuntimeError(
                f"{self.policy.name} kept round {round.number} open past its deadline"
            )
        self._decided(case, choice, hours)

    def _decided(self, case: Case, choice: Choice, hours: float) -> None:
        round = case.round
        if round is None or choice.wait:
            return
        if choice.provider_ref is not None:
            p = self.index[choice.provider_ref]
            rate = (
                to_pence(choice.rate)
                if choice.rate is not None
                else self.providers.band_rates[case.band]
            )
            self._place(case, p, rate, round.tier, hours)
            return
        case.history.append(RoundRecord(round, tuple(case.responses)))
        case.round = None
        case.token += 1
        self._try(hours, case, case.token, -1)  # the next round goes out at once

    # --- placing and releasing --------------------------------------------------------------

    def _place(self, case: Case, p: int, rate_pence: int, tier: str, hours: float) -> None:
        pair = self.providers.pair_of.get((p, case.zone))
        if pair is None:
            who = self.providers.refs[p]
            raise RuntimeError(f"{who} got {case.spec.ref} in {case.zone}: it has no workers there")
        ledger = self.ledger
        ledger.tick(hours)
        ledger.waiting -= 1
        ledger.waiting_minutes -= case.terms.carer_minutes
        self._commit(case, p, pair, rate_pence, tier, hours)
        ledger.close_request(case.request, hours, placed=True)
        ledger.placement(hours, case.zone, tier, case.principal, case.terms.carer_minutes, case.new)
        case.round = None
        case.token += 1
        case.history = []
        case.retries = 0
        if not case.reviewed and not case.review_pending:
            case.review_pending = True
            self._push(
                hours + self.scenario.demand.review_after_weeks * HOURS_PER_WEEK, REVIEW, case
            )

    def _commit(
        self, case: Case, p: int, pair: int, rate_pence: int, tier: str, hours: float
    ) -> None:
        """Give the case to provider ``p``: its worker time, the caseload counts, billing from
        the next day (care starts the day after placement; the caseload from day 0)."""
        ledger = self.ledger
        ledger.tick(hours)
        case.state = PLACED
        case.provider = p
        case.pair = pair
        case.rate_pence = rate_pence
        case.tier = tier
        case.first_day = int(hours // 24) + 1
        case.principal = self.providers.is_principal(p, case.zone)
        self.placed_by_provider[p][case] = None
        self.providers.use(pair, case.terms.worker_minutes, case.terms.carer_minutes)
        ledger.people += 1
        ledger.placed_minutes += case.terms.carer_minutes
        ledger.principal_people += case.principal

    def _release(self, case: Case, hours: float) -> None:
        """Bill the case to ``hours`` and take it off its provider."""
        self._bill(case, hours)
        ledger = self.ledger
        ledger.tick(hours)
        ledger.people -= 1
        ledger.placed_minutes -= case.terms.carer_minutes
        ledger.principal_people -= case.principal
        self.providers.use(case.pair, -case.terms.worker_minutes, -case.terms.carer_minutes)
        del self.placed_by_provider[case.provider][case]

    def _bill(self, case: Case, hours: float) -> None:
        last = min(int(hours // 24), self.ledger.end_day)
        terms = case.terms
        self.ledger.bill(
            case.provider,
            case.rate_pence,
            terms.carer_minutes,
            terms.miles,
            case.first_day,
            last,
            case.tier == "spot",
        )
        case.first_day = max(case.first_day, last)

    # --- the life of a package --------------------------------------------------------------

    def _end(self, hours: float, case: Case, _: int, __: int) -> None:
        if case.state == WAITING:
            ledger = self.ledger
            ledger.tick(hours)
            ledger.waiting -= 1
            ledger.waiting_minutes -= case.terms.carer_minutes
            ledger.close_request(case.request, hours, placed=False)
            case.state = WITHDRAWN
            case.token += 1
        elif case.state == PLACED:
            self._release(case, hours)
            case.state = ENDED
        else:
            return
        self.ledger.end(hours, case.reason)

    def _review(self, hours: float, case: Case, _: int, __: int) -> None:
        case.review_pending = False
        if case.state != PLACED:
            return  # reviewed once placed again
        self._bill(case, hours)
        before = case.terms
        self.cases.review(case)
        after = case.terms
        if after is before:
            return
        self.ledger.tick(hours)
        self.ledger.placed_minutes += after.carer_minutes - before.carer_minutes
        self.providers.use(
            case.pair,
            after.worker_minutes - before.worker_minutes,
            after.carer_minutes - before.carer_minutes,
        )

    # --- the market -------------------------------------------------------------------------

    def _week(self, hours: float, _: Any, __: int, ___: int) -> None:
        ledger = self.ledger
        ledger.tick(hours)
        left = self.providers.week(self.rng["workforce"], hours)
        if ledger.in_horizon(hours - HOURS_PER_WEEK):
            self._leavers += left
        ledger.workers = self.providers.workforce.total
        providers = self.providers
        for ref, block in providers.block.items():
            if providers.active[self.index[ref]]:
                ledger.block_shortfall(
                    hours, providers.block_rate[ref], block - providers.block_used[ref]
                )
        self._push(hours + HOURS_PER_WEEK, WEEK)

    def _exit(self, hours: float, _: Any, __: int, provider: int) -> None:
        """A provider fails: some of its carers move (see ``ProviderMarket.fail``), and every
        package it held returns to the waiting list as a new request."""
        ref = self.providers.refs[provider]
        moving = next(e.staff_moving for e in self.scenario.exits if e.provider == ref)
        self.providers.fail(provider, moving)
        self.ledger.tick(hours)
        self.ledger.workers = self.providers.workforce.total
        for case in sorted(self.placed_by_provider[provider], key=lambda c: c.spec.ref):
            self._release(case, hours)
            case.token += 1
            case.new = False
            self._open(case, hours, rebrokered=True)
