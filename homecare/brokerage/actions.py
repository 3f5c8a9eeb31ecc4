"""Every write to brokerage: requests, rounds of offers, answers, placements and their life.

Named verb_noun, each in a transaction, each taking ``acting_user`` (``None``: the system,
e.g. the offer time-out task). The engine decides: the state machine
(``carecore.brokerage.requests``) which change may follow which, the framework's allocation
policy who is offered what and who wins. Every change of a request's state writes a
:class:`RequestTransition`; packages, offers and placements keep simple_history rows.

Two providers accepting at the same moment: ``answer_offer`` locks the request row
(``select_for_update``) before reading its state, so the second waits for the first to commit
and then finds the request placed. The partial unique constraint on :class:`Placement` is the
last guard.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from carecore.brokerage import transition
from carecore.errors import InputError
from homecare.brokerage.engine import engine_visits, package_spec
from homecare.brokerage.models import (
    LIVE_STATES,
    BrokerageRequest,
    Offer,
    Package,
    Person,
    Placement,
    RequestTransition,
    State,
    Visit,
)
from homecare.commissioning.models import Area, Framework, Provider

PLACED_STATES = (State.PLACED, State.STARTED, State.SUSPENDED)


class OfferClosed(InputError):
    """An answer to an offer that can no longer be accepted: placed, answered or expired."""


def _audited(instance: Any, acting_user: Any) -> Any:
    instance._history_user = acting_user
    return instance


def _who(acting_user: Any) -> str:
    return getattr(acting_user, "username", None) or "system"


def _move(
    request: BrokerageRequest, target: str, *, at: datetime, acting_user: Any, reason: str = ""
) -> None:
    """Move the request (and its package's status) through the engine's state machine."""
    step = transition(request.state, target, at=at, by=_who(acting_user), reason=reason)
    RequestTransition.objects.create(
        request=request,
        from_state=step.from_state,
        to_state=step.to_state,
        at=at,
        by=acting_user,
        reason=reason,
    )
    request.state, request.state_changed_at = step.to_state, at
    request.save()
    package = request.package
    if package.status != step.to_state:
        package.status = step.to_state
        _audited(package, acting_user).save()


def _locked(request: BrokerageRequest) -> BrokerageRequest:
    return (
        BrokerageRequest.objects.select_for_update()
        .select_related("package__person__area__zone", "package__person__area__band", "framework")
        .get(pk=request.pk)
    )


@transaction.atomic
def create_request(
    person_ref: str,
    area_code: str,
    visits: Any,
    *,
    framework: Framework,
    funding: str,
    cohort: str,
    source: str,
    priority: str = "normal",
    start_date: date,
    needs: list[str] | tuple[str, ...] = (),
    now: datetime,
    acting_user: Any,
) -> BrokerageRequest:
    """A person's new package and a request to place it; InputError names any bad field.

    ``visits`` is schedule text ("Mon-Fri 07:30 45m x2"), engine visits or rows. The package
    is checked by the engine (``PackageSpec``) before anything is written.
    """
    if not str(person_ref or "").strip():
        raise InputError("must not be blank", key="person_ref")
    area = Area.objects.select_related("zone", "band").filter(code=area_code).first()
    if area is None:
        raise InputError(f"unknown area {area_code!r}", key="area_code")
    parsed = engine_visits(visits)
    from carecore.brokerage import PackageSpec

    spec = PackageSpec(
        ref="new",
        area_code=area.code,
        zone_code=area.zone.code,
        band_code=area.band.code,
        cohort=cohort,
        funding=funding,
        source=source,
        priority=priority,
        start_date=start_date,
        visits=parsed,
        needs=frozenset(needs),
    )
    person, _ = Person.objects.update_or_create(
        reference=person_ref.strip(), defaults={"area": area, "funding": funding, "cohort": cohort}
    )
    package = _audited(
        Package(
            person=person,
            start_date=start_date,
            source=source,
            priority=priority,
            needs=sorted(spec.needs),
            status=State.REQUESTED,
            contact_hours_per_week=spec.contact_hours_per_week.quantize(Decimal("0.01")),
            carer_hours_per_week=spec.carer_hours_per_week.quantize(Decimal("0.01")),
            created_at=now,
        ),
        acting_user,
    )
    package.save()
    Visit.objects.bulk_create(
        Visit(
            package=package,
            day=v.day,
            window_start=v.window_start,
            window_minutes=v.window_minutes,
            minutes=v.minutes,
            carers=v.carers,
            critical=v.critical,
        )
        for v in spec.visits
    )
    return _new_request(package, framework, now=now, acting_user=acting_user)


def _new_request(
    package: Package, framework: Framework, *, now: datetime, acting_user: Any
) -> BrokerageRequest:
    return BrokerageRequest.objects.create(
        package=package,
        framework=framework,
        state=State.REQUESTED,
        created_at=now,
        created_by=acting_user,
        state_changed_at=now,
    )


def _history(request: BrokerageRequest) -> list[Any]:
    """Past rounds as the engine's RoundRecords, from the offers sent (one query)."""
    from carecore.brokerage import OfferResponse, RoundRecord

    rounds: dict[int, list[Offer]] = {}
    for offer in request.offers.order_by("round_number", "pk"):
        rounds.setdefault(offer.round_number, []).append(offer)
    return [
        RoundRecord(
            round=_round(offers),
            responses=tuple(_response(o, OfferResponse) for o in offers if o.answered_at),
        )
        for _, offers in sorted(rounds.items())
    ]


def _round(offers: list[Offer]) -> Any:
    from carecore.brokerage import OfferRound

    first = offers[0]
    return OfferRound(
        number=first.round_number,
        tier=first.tier,
        provider_refs=tuple(str(o.provider_id) for o in offers),
        deadline=first.deadline,
        kind=first.kind,
        closes_on_first_accept=first.closes_on_first_accept,
    )


def _response(offer: Offer, response_class: Any) -> Any:
    return response_class(
        provider_ref=str(offer.provider_id),
        accepted=offer.status == Offer.Status.ACCEPTED,
        at=offer.answered_at,
        reason=offer.reason,
        bid_rate=offer.bid_rate,
    )


def _policy(framework: Framework) -> Any:
    from carecore.brokerage import load_policy

    return load_policy(framework.policy_mapping())


@transaction.atomic
def send_next_round(
    request: BrokerageRequest, *, now: datetime, acting_user: Any, snapshot: Any = None
) -> list[Offer]:
    """Ask the policy for the next round and send it; none left means a spot purchase.

    ``snapshot`` is the market as the caller already read it at ``now`` (answering an offer
    reads it to decide the round; building it is most of an answer's cost, so it is reused).
    Returns the offers sent (empty when the request now needs a broker's spot purchase).
    """
    from homecare.commissioning.market_actions import market_snapshot

    request = _locked(request)
    if request.state not in (State.REQUESTED, State.OFFERED):
        raise InputError(f"a {request.state} request gets no more offers", key="state")
    if request.offers.filter(status=Offer.Status.OPEN).exists():
        raise InputError(f"round {request.round_number} is still open", key="round")
    spec = package_spec(request.package)
    if snapshot is None:
        snapshot = market_snapshot(request.framework, at=now)
    offer_round = _policy(request.framework).next_round(spec, snapshot, _history(request), now)
    if offer_round is None or not offer_round.provider_refs:
        request.needs_spot_purchase = True
        request.save(update_fields=["needs_spot_purchase"])
        if request.state == State.OFFERED:
            _move(
                request,
                State.REQUESTED,
                at=now,
                acting_user=acting_user,
                reason="every round declined or timed out: spot purchase needed",
            )
        return []
    offers = bulk_create_with_history(
        [
            Offer(
                request=request,
                provider_id=int(ref),
                round_number=offer_round.number,
                tier=str(offer_round.tier),
                kind=str(offer_round.kind),
                closes_on_first_accept=offer_round.closes_on_first_accept,
                sent_at=now,
                deadline=offer_round.deadline,
            )
            for ref in offer_round.provider_refs
        ],
        Offer,
        default_user=acting_user,
    )
    request.round_number = offer_round.number
    request.save(update_fields=["round_number"])
    _email_after_commit([offer.pk for offer in offers])
    _move(
        request,
        State.OFFERED,
        at=now,
        acting_user=acting_user,
        reason=f"round {offer_round.number}: {len(offers)} offer(s), {offer_round.tier}",
    )
    return list(offers)


def _email_after_commit(offer_ids: list[int]) -> None:
    """The offered providers' users are emailed once the round is committed."""
    from homecare.brokerage.notifications import notify_new_offers

    transaction.on_commit(lambda: notify_new_offers(offer_ids))


@transaction.atomic
def answer_offer(
    offer: Offer,
    *,
    accepted: bool,
    reason: str = "",
    bid_rate: Decimal | None = None,
    now: datetime,
    acting_user: Any,
) -> Placement | None:
    """A provider accepts or declines; returns the placement if this answer placed it.

    Raises :class:`OfferClosed` when the package was already placed (with another provider or
    by a broker), the offer was already answered, or its deadline has passed.
    """
    request = _locked(offer.request)  # every answer to this request waits here for the last
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if request.state in (*PLACED_STATES, State.TRANSFERRED, State.ENDED) or hasattr(
        request, "placement"
    ):
        raise OfferClosed("this package has already been placed", key="offer")
    if offer.status != Offer.Status.OPEN:
        raise OfferClosed(f"this offer was already {offer.status}", key="offer")
    if now > offer.deadline:
        raise OfferClosed(f"this offer expired at {offer.deadline:%d %b %Y %H:%M}", key="offer")
    if not accepted and not reason.strip():
        raise InputError("say why the offer is declined", key="reason")
    offer.status = Offer.Status.ACCEPTED if accepted else Offer.Status.DECLINED
    offer.answered_at, offer.answered_by = now, acting_user
    offer.reason, offer.bid_rate = reason, bid_rate
    _audited(offer, acting_user).save()
    return _decide_round(request, now=now, acting_user=acting_user)


def _decide_round(
    request: BrokerageRequest, *, now: datetime, acting_user: Any
) -> Placement | None:
    """Ask the policy to choose among this round's answers; place, wait or go on."""
    from carecore.brokerage import OfferResponse
    from homecare.commissioning.market_actions import market_snapshot

    offers = list(request.offers.filter(round_number=request.round_number).order_by("pk"))
    responses = tuple(_response(o, OfferResponse) for o in offers if o.answered_at)
    snapshot = market_snapshot(request.framework, at=now)
    spec = package_spec(request.package)
    choice = _policy(request.framework).choose(spec, snapshot, _round(offers), responses, now)
    if choice.provider_ref is not None:
        winner = next(o for o in offers if str(o.provider_id) == choice.provider_ref)
        rate = choice.rate if choice.rate is not None else winner.bid_rate
        if rate is None:
            raise InputError(f"{winner.provider} has no tendered rate here", key="rate")
        return _place(
            request,
            winner.provider,
            Decimal(rate),
            offer=winner,
            now=now,
            reason=choice.reason,
            acting_user=acting_user,
        )
    if choice.wait:
        return None
    _withdraw_open_offers(request, acting_user)  # the round failed; nobody may still accept
    send_next_round(request, now=now, acting_user=acting_user, snapshot=snapshot)
    return None


def _place(
    request: BrokerageRequest,
    provider: Provider,
    rate: Decimal,
    *,
    offer: Offer | None,
    now: datetime,
    reason: str,
    acting_user: Any,
) -> Placement:
    _move(request, State.PLACED, at=now, acting_user=acting_user, reason=reason)
    placement = _audited(
        Placement(
            request=request,
            package=request.package,
            provider=provider,
            offer=offer,
            rate=rate.quantize(Decimal("0.01")),
            at=now,
            by=acting_user,
            reason=reason,
        ),
        acting_user,
    )
    placement.save()
    request.placed_provider, request.placed_rate, request.placed_at = provider, placement.rate, now
    request.needs_spot_purchase = False
    request.save()
    _withdraw_open_offers(request, acting_user)
    return placement


def _withdraw_open_offers(request: BrokerageRequest, acting_user: Any) -> None:
    still_open = list(request.offers.filter(status=Offer.Status.OPEN))
    for offer in still_open:
        offer.status = Offer.Status.WITHDRAWN
    if still_open:
        bulk_update_with_history(still_open, Offer, ["status"], default_user=acting_user)


@transaction.atomic
def expire_offers(now: datetime) -> int:
    """Offers past their deadline expire; each request then gets a choice or its next round.

    Returns how many offers expired. Run by the background task and ``run_offer_timeouts``.
    """
    due = list(
        Offer.objects.filter(status=Offer.Status.OPEN, deadline__lte=now)
        .values_list("request_id", flat=True)
        .distinct()
    )
    expired = 0
    for request in BrokerageRequest.objects.filter(pk__in=due).order_by("pk"):
        request = _locked(request)
        late = list(request.offers.filter(status=Offer.Status.OPEN, deadline__lte=now))
        for offer in late:
            offer.status, offer.answered_at = Offer.Status.EXPIRED, now
        bulk_update_with_history(late, Offer, ["status", "answered_at"], default_user=None)
        expired += len(late)
        if request.state == State.OFFERED:
            _decide_round(request, now=now, acting_user=None)
    return expired


def _appointed_rate(request: BrokerageRequest, provider: Provider) -> Decimal | None:
    from homecare.commissioning.market_actions import market_snapshot

    spec = package_spec(request.package)
    return market_snapshot(request.framework, at=request.state_changed_at).rate_for(
        str(provider.pk), spec.band_code, spec.zone_code
    )


@transaction.atomic
def place_manually(
    request: BrokerageRequest,
    provider: Provider,
    *,
    reason: str,
    rate: Decimal | None = None,
    now: datetime,
    acting_user: Any,
) -> Placement:
    """A broker places the request by hand (a spot purchase, say); a reason is required.

    The rate is the provider's appointed rate for the package's band unless ``rate`` is given
    (a spot price); a provider with neither is an error naming ``rate``.
    """
    request = _locked(request)
    if not reason.strip():
        raise InputError("a manual placement needs a reason", key="reason")
    if provider.status != Provider.Status.ACTIVE:
        raise InputError(f"{provider} is {provider.status}", key="provider")
    rate = rate if rate is not None else _appointed_rate(request, provider)
    if rate is None:
        raise InputError(f"{provider} has no appointed rate here: give a rate", key="rate")
    return _place(
        request, provider, rate, offer=None, now=now, reason=reason, acting_user=acting_user
    )


def current_request(package: Package) -> BrokerageRequest:
    request = package.requests.filter(state__in=LIVE_STATES).order_by("-pk").first()
    if request is None:
        raise InputError(f"package {package.pk} has no live request", key="package")
    return request


def _end_placement(request: BrokerageRequest, at: datetime, acting_user: Any) -> None:
    placement = Placement.objects.filter(request=request, ended_at__isnull=True).first()
    if placement is not None:
        placement.ended_at = at
        _audited(placement, acting_user).save()


@transaction.atomic
def transfer_package(
    package: Package,
    to_provider: Provider,
    *,
    reason: str,
    rate: Decimal | None = None,
    now: datetime,
    acting_user: Any,
) -> BrokerageRequest:
    """Move a placed or running package to another provider: the old request is
    ``transferred``, a new one is placed with ``to_provider`` (and started if care had)."""
    old = _locked(current_request(package))
    was_started = old.state in (State.STARTED, State.SUSPENDED)
    _move(old, State.TRANSFERRED, at=now, acting_user=acting_user, reason=reason)
    _end_placement(old, now, acting_user)
    new = _new_request(package, old.framework, now=now, acting_user=acting_user)
    place_manually(new, to_provider, reason=reason, rate=rate, now=now, acting_user=acting_user)
    new = _locked(new)
    if was_started:
        _move(new, State.STARTED, at=now, acting_user=acting_user, reason="care carries on")
    return new


def rebroker_provider_packages(
    provider: Provider, *, reason: str, at: datetime, acting_user: Any
) -> list[BrokerageRequest]:
    """An exiting provider's live packages go back to brokerage as new requests."""
    placements = Placement.objects.filter(provider=provider, ended_at__isnull=True)
    new_requests = []
    for placement in placements.select_related("request", "package"):
        old = _locked(placement.request)
        _move(
            old,
            State.TRANSFERRED,
            at=at,
            acting_user=acting_user,
            reason=f"provider exited: {reason}",
        )
        _end_placement(old, at, acting_user)
        new = _new_request(old.package, old.framework, now=at, acting_user=acting_user)
        package = old.package
        package.status = State.REQUESTED
        _audited(package, acting_user).save()
        new_requests.append(new)
    for offer in Offer.objects.filter(provider=provider, status=Offer.Status.OPEN):
        offer.status = Offer.Status.WITHDRAWN
        _audited(offer, acting_user).save()
    return new_requests


@transaction.atomic
def withdraw_request(
    request: BrokerageRequest, *, reason: str, now: datetime, acting_user: Any
) -> BrokerageRequest:
    request = _locked(request)
    _move(request, State.WITHDRAWN, at=now, acting_user=acting_user, reason=reason)
    _end_placement(request, now, acting_user)
    _withdraw_open_offers(request, acting_user)
    return request


def _step(package: Package, target: str, *, reason: str, at: datetime, acting_user: Any) -> Any:
    request = _locked(current_request(package))
    _move(request, target, at=at, acting_user=acting_user, reason=reason)
    return request


@transaction.atomic
def start_package(package: Package, *, at: datetime, acting_user: Any, reason: str = "") -> Any:
    """The first visit happened (or care resumed after a suspension)."""
    return _step(package, State.STARTED, reason=reason, at=at, acting_user=acting_user)


@transaction.atomic
def suspend_package(package: Package, *, reason: str, at: datetime, acting_user: Any) -> Any:
    return _step(package, State.SUSPENDED, reason=reason, at=at, acting_user=acting_user)


@transaction.atomic
def end_package(package: Package, *, reason: str, at: datetime, acting_user: Any) -> Any:
    request = _step(package, State.ENDED, reason=reason, at=at, acting_user=acting_user)
    _end_placement(request, at, acting_user)
    package.refresh_from_db()
    package.end_date = at.date()
    _audited(package, acting_user).save()
    return request
