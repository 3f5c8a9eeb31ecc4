"""The brokerage request's life as a state machine: which change may follow which.

The legal transitions are data (:data:`TRANSITIONS`), so the docs table, the web pages'
buttons and the checks all read the same thing. Every change is a timed, signed
:class:`Transition`; :func:`replay` checks a whole history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from carecore.errors import InputError


class RequestState(StrEnum):
    REQUESTED = "requested"
    OFFERED = "offered"
    PLACED = "placed"
    STARTED = "started"
    SUSPENDED = "suspended"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


S = RequestState

#: Each state's legal next states, with why each move happens (for the docs and the pages).
TRANSITIONS: Mapping[RequestState, Mapping[RequestState, str]] = {
    S.REQUESTED: {
        S.OFFERED: "the policy sends the first round of offers",
        S.PLACED: "a broker places the package by hand (a reason is required)",
        S.WITHDRAWN: "the request is no longer needed",
    },
    S.OFFERED: {
        S.OFFERED: "the round failed or timed out; the next round goes out",
        S.PLACED: "a provider's acceptance is chosen",
        S.REQUESTED: "every round declined; back to the waiting list",
        S.WITHDRAWN: "the request is no longer needed",
    },
    S.PLACED: {
        S.STARTED: "the first visit took place",
        S.WITHDRAWN: "the request is no longer needed before care starts",
        S.TRANSFERRED: "moved to another provider before care starts",
    },
    S.STARTED: {
        S.SUSPENDED: "care paused (e.g. a hospital stay)",
        S.ENDED: "care ended",
        S.TRANSFERRED: "moved to another provider (a new request carries on)",
    },
    S.SUSPENDED: {
        S.STARTED: "care resumed",
        S.ENDED: "care ended while suspended",
        S.TRANSFERRED: "moved to another provider while suspended",
    },
    S.ENDED: {},
    S.WITHDRAWN: {},
    S.TRANSFERRED: {},
}

FINAL_STATES = frozenset(state for state, nexts in TRANSITIONS.items() if not nexts)

#: Moves that must carry a reason: a broker overriding the policy must say why.
REASON_REQUIRED = frozenset({(S.REQUESTED, S.PLACED)})


class IllegalTransition(InputError):
    """A change the state machine does not allow, e.g. ``ended`` to ``started``."""


@dataclass(frozen=True)
class Transition:
    """One change of state: from, to, when (time-zone aware), by whom and why."""

    from_state: RequestState
    to_state: RequestState
    at: datetime
    by: str
    reason: str = ""


def allowed_targets(current: RequestState | str) -> tuple[RequestState, ...]:
    """The states that may follow ``current``, in the order of :class:`RequestState`."""
    state = _state(current, "from_state")
    return tuple(target for target in RequestState if target in TRANSITIONS[state])


def is_final(state: RequestState | str) -> bool:
    return _state(state, "state") in FINAL_STATES


def transition(
    current: RequestState | str,
    target: RequestState | str,
    *,
    at: datetime,
    by: str,
    reason: str = "",
) -> Transition:
    """The record of moving from ``current`` to ``target``, or :class:`IllegalTransition`.

    ``at`` must carry a time zone; ``by`` names who did it (a user or ``"policy"``).
    """
    source, dest = _state(current, "from_state"), _state(target, "to_state")
    if dest not in TRANSITIONS[source]:
        if source in FINAL_STATES:
            message = f"a {source} request is final; it cannot become {dest}"
        else:
            allowed = ", ".join(allowed_targets(source))
            message = f"a {source} request cannot become {dest} (it may become: {allowed})"
        raise IllegalTransition(message, key="to_state")
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InputError(f"the time must carry a time zone, got {at!r}", key="at")
    if not isinstance(by, str) or not by.strip():
        raise InputError("who made the change must be named", key="by")
    if (source, dest) in REASON_REQUIRED and not reason.strip():
        raise InputError(f"moving from {source} to {dest} needs a reason", key="reason")
    return Transition(source, dest, at, by, reason)


def replay(
    transitions: Iterable[Transition], *, initial: RequestState = S.REQUESTED
) -> RequestState:
    """The state after a history, checking every step: each starts where the last ended,
    is legal and is no earlier than the one before. Errors name ``transitions[i]``."""
    state = initial
    previous: datetime | None = None
    for index, step in enumerate(transitions):
        key = f"transitions[{index}]"
        if step.from_state != state:
            raise IllegalTransition(
                f"starts from {step.from_state} but the request was {state}", key=key
            )
        try:
            transition(step.from_state, step.to_state, at=step.at, by=step.by, reason=step.reason)
        except IllegalTransition as exc:
            raise IllegalTransition(exc.message, key=key) from None
        except InputError as exc:
            raise InputError(exc.message, key=f"{key}.{exc.key}") from None
        if previous is not None and step.at < previous:
            raise IllegalTransition("is earlier than the change before it", key=f"{key}.at")
        previous = step.at
        state = step.to_state
    return state


def _state(value: RequestState | str, key: str) -> RequestState:
    try:
        return RequestState(value)
    except ValueError:
        names = ", ".join(RequestState)
        raise InputError(f"unknown state {value!r} (expected one of: {names})", key=key) from None
