"""Placing packages: requests, rounds of offers, answers, manual placement, time-outs.

Named verb_noun, each in a transaction, each taking ``acting_user`` (``None``: the system,
e.g. the offer time-out task). The engine decides: the state machine
(``carecore.brokerage.requests``) which change may follow which, the framework's allocation
policy who is offered what and who wins. Every change of a request's state writes a
:class:`RequestTransition`; packages, offers and placements keep simple_history rows. What
happens after placement (transfers, withdrawal, start, suspension, end) is in
:mod:`homecare.brokerage.lifecycle`.

Two providers accepting at the same moment: ``answer_offer`` locks the request row
(``select_for_update``) before reading its state, so the second waits for the first to commit
and then finds the request placed. The partial unique constraint on :class:`Placement` is the
last guard.

An answer is the busiest write (providers' systems answer offers all day), so it reads the
request, its package and the market once and hands them on (docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from carecore.errors import InputError
from homecare.accounts.plain_words import plural, tier_words
from homecare.brokerage.bids import check_answer_rate
from homecare.brokerage.engine import engine_visits, package_spec, save_visit_rows
from homecare.brokerage.models import (
    BrokerageRequest,
    Offer,
    Package,
    Placement,
    State,
)
from homecare.brokerage.steps import (
    PLACED_STATES,
    audited,
    locked,
    move,
    new_request,
    withdraw_open_offers,
)
from homecare.brokerage.tenancy import KEEP, save_person
from homecare.commissioning import snapshot as market
from homecare.commissioning.market_actions import standing_of
from homecare.commissioning.models import Area, Framework, Provider


class OfferClosed(InputError):
    """An answer to an offer that can no longer be accepted: placed, answered or expired."""


@transaction.atomic
def create_request_once(
    submission_key: str, *args: Any, **kwargs: Any
) -> tuple[BrokerageRequest, bool]:
    """:func:`create_request` at most once for ``submission_key``: a second call with the same
    key, even at the same moment, returns the request the first made and False."""
    found = BrokerageRequest.objects.filter(submission_key=submission_key).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            created = create_request(*args, **kwargs)
            created.submission_key = submission_key
            created.save(update_fields=["submission_key"])
    except IntegrityError:  # the same key's request was committed meanwhile
        return BrokerageRequest.objects.get(submission_key=submission_key), False
    return created, True


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
    nhs_share_percent: Any = KEEP,
    now: datetime,
    acting_user: Any,
) -> BrokerageRequest:
    """A person's new package and a request to place it; InputError names any bad field.

    ``nhs_share_percent`` is a joint-funded person's NHS share (kept as it is when not given).

    The person is the framework's council's: ``person_ref`` finds (and updates) that council's
    person with the reference, or makes one; another council's person is never touched.

    ``visits`` is schedule text ("Mon-Fri 07:30 45m x2"), engine visits or rows. The package
    is checked by the engine (``PackageSpec``) before anything is written.
    """
    if not str(person_ref or "").strip():
        raise InputError("must not be blank", key="person_ref")
    area = (
        Area.objects.select_related("zone", "band")
        .filter(code=area_code, zone__council=framework.council)
        .first()
    )
    if area is None:  # missing, or another council's: the same answer
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
    person = save_person(
        framework.council,
        person_ref,
        area=area,
        funding=funding,
        cohort=cohort,
        nhs_share_percent=nhs_share_percent,
        acting_user=acting_user,
    )
    package = audited(
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
    save_visit_rows(package, spec.visits)
    return new_request(package, framework, now=now, acting_user=acting_user)


def _all_offers(request: BrokerageRequest) -> list[Offer]:
    return list(request.offers.order_by("round_number", "pk"))


def _history(offers: list[Offer]) -> list[Any]:
    """Past rounds as the engine's RoundRecords, from all the offers sent for a request."""
    from carecore.brokerage import OfferResponse, RoundRecord

    rounds: dict[int, list[Offer]] = {}
    for offer in offers:
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
def send_next_round(request: BrokerageRequest, *, now: datetime, acting_user: Any) -> list[Offer]:
    """Ask the policy for the next round and send it; none left means a spot purchase.

    Returns the offers sent (empty when the request now needs a broker's spot purchase).
    """
    request = locked(request.pk)
    if request.state not in (State.REQUESTED, State.OFFERED):
        raise InputError(f"a {request.state} request gets no more offers", key="state")
    offers = _all_offers(request)
    if any(offer.status == Offer.Status.OPEN for offer in offers):
        raise InputError(f"round {request.round_number} is still open", key="round")
    snapshot = market.market_snapshot(request.framework, at=now)
    spec = package_spec(request.package)
    return _send_round(request, spec, snapshot, _history(offers), now=now, acting_user=acting_user)


def _send_round(
    request: BrokerageRequest,
    spec: Any,
    snapshot: Any,
    history: list[Any],
    *,
    now: datetime,
    acting_user: Any,
) -> list[Offer]:
    """Send the policy's next round for a locked request with no open offers."""
    offer_round = _policy(request.framework).next_round(spec, snapshot, history, now)
    if offer_round is None or not offer_round.provider_refs:
        request.needs_spot_purchase = True
        request.save(update_fields=["needs_spot_purchase"])
        if request.state == State.OFFERED:
            move(
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
    _email_after_commit([offer.pk for offer in offers])
    move(
        request,
        State.OFFERED,
        at=now,
        acting_user=acting_user,
        reason=(
            f"round {offer_round.number}: {plural(len(offers), 'offer')}, "
            f"{tier_words(str(offer_round.tier))}"
        ),
        also_save=("round_number",),
    )
    return list(offers)


def _email_after_commit(offer_ids: list[int]) -> None:
    """The offered providers' users are emailed by the task worker once the round commits.

    Not in the request: a slow mail server must never slow an answer to an offer, and a round
    rolled back sends nothing.
    """
    from homecare.brokerage.tasks import notify_new_offers_task

    transaction.on_commit(lambda: notify_new_offers_task.enqueue(offer_ids))


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
    request = locked(offer.request_id)  # every answer to this request waits here for the last
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
    bid_rate = check_answer_rate(kind=offer.kind, accepted=accepted, bid_rate=bid_rate)
    offer.status = Offer.Status.ACCEPTED if accepted else Offer.Status.DECLINED
    offer.answered_at, offer.answered_by = now, acting_user
    offer.reason, offer.bid_rate = reason, bid_rate
    audited(offer, acting_user).save()
    return _decide_round(request, now=now, acting_user=acting_user)


def _decide_round(
    request: BrokerageRequest, *, now: datetime, acting_user: Any
) -> Placement | None:
    """Ask the policy to choose among this round's answers; place, wait or go on."""
    from carecore.brokerage import OfferResponse

    all_offers = _all_offers(request)
    offers = [o for o in all_offers if o.round_number == request.round_number]
    responses = tuple(_response(o, OfferResponse) for o in offers if o.answered_at)
    snapshot = market.market_snapshot(request.framework, at=now)
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
            offers=all_offers,
            now=now,
            reason=choice.reason,
            acting_user=acting_user,
        )
    if choice.wait:
        return None
    withdraw_open_offers(request, acting_user, all_offers)  # the round failed: none may accept
    _send_round(request, spec, snapshot, _history(all_offers), now=now, acting_user=acting_user)
    return None


def _place(
    request: BrokerageRequest,
    provider: Provider,
    rate: Decimal,
    *,
    offer: Offer | None,
    offers: list[Offer] | None = None,
    now: datetime,
    reason: str,
    acting_user: Any,
) -> Placement:
    rate = rate.quantize(Decimal("0.01"))
    request.placed_provider, request.placed_rate, request.placed_at = provider, rate, now
    request.needs_spot_purchase = False
    move(
        request,
        State.PLACED,
        at=now,
        acting_user=acting_user,
        reason=reason,
        also_save=("placed_provider", "placed_rate", "placed_at", "needs_spot_purchase"),
    )
    placement = audited(
        Placement(
            request=request,
            package=request.package,
            provider=provider,
            offer=offer,
            rate=rate,
            at=now,
            by=acting_user,
            reason=reason,
        ),
        acting_user,
    )
    placement.save()
    withdraw_open_offers(request, acting_user, offers)
    return placement


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
        request = locked(request.pk)
        late = list(request.offers.filter(status=Offer.Status.OPEN, deadline__lte=now))
        for offer in late:
            offer.status, offer.answered_at = Offer.Status.EXPIRED, now
        bulk_update_with_history(late, Offer, ["status", "answered_at"], default_user=None)
        expired += len(late)
        if request.state == State.OFFERED:
            _decide_round(request, now=now, acting_user=None)
    return expired


def _appointed_rate(request: BrokerageRequest, provider: Provider) -> Decimal | None:
    spec = package_spec(request.package)
    return market.market_snapshot(request.framework, at=request.state_changed_at).rate_for(
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
    request = locked(request.pk)
    if not reason.strip():
        raise InputError("a manual placement needs a reason", key="reason")
    standing = standing_of(provider, request.framework.council)
    if standing.status != Provider.Status.ACTIVE:
        raise InputError(f"{provider} is {standing.get_status_display().lower()}", key="provider")
    rate = rate if rate is not None else _appointed_rate(request, provider)
    if rate is None:
        raise InputError(f"{provider} has no appointed rate here: give a rate", key="rate")
    return _place(
        request, provider, rate, offer=None, now=now, reason=reason, acting_user=acting_user
    )
