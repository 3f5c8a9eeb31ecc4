"""The request state machine: every legal move allowed, every other one refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from carecore.brokerage import (
    FINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    RequestState,
    Transition,
    allowed_targets,
    replay,
    transition,
)
from carecore.errors import InputError
from carecore.units import LONDON

S = RequestState
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
PAIRS = [(a, b) for a in RequestState for b in RequestState]
LEGAL = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def test_the_table_has_the_moves_the_brokerage_team_makes() -> None:
    assert set(TRANSITIONS[S.REQUESTED]) == {S.OFFERED, S.PLACED, S.WITHDRAWN}
    assert set(TRANSITIONS[S.OFFERED]) == {S.OFFERED, S.PLACED, S.REQUESTED, S.WITHDRAWN}
    assert set(TRANSITIONS[S.PLACED]) == {S.STARTED, S.WITHDRAWN, S.TRANSFERRED}
    assert set(TRANSITIONS[S.STARTED]) == {S.SUSPENDED, S.ENDED, S.TRANSFERRED}
    assert set(TRANSITIONS[S.SUSPENDED]) == {S.STARTED, S.ENDED, S.TRANSFERRED}
    assert {S.ENDED, S.WITHDRAWN, S.TRANSFERRED} == FINAL_STATES
    assert len(LEGAL) == 16 and len(ILLEGAL) == 64 - 16


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_move_gives_a_timed_signed_record(source: S, target: S) -> None:
    step = transition(source, target, at=T0, by="broker:ann", reason="agreed on the phone")
    assert step == Transition(source, target, T0, "broker:ann", "agreed on the phone")


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_move_is_refused(source: S, target: S) -> None:
    with pytest.raises(IllegalTransition, match=f"{source} request"):
        transition(source, target, at=T0, by="broker:ann", reason="because")


def test_an_illegal_move_is_an_input_error_that_lists_the_allowed_moves() -> None:
    with pytest.raises(InputError, match="may become: offered, placed, withdrawn"):
        transition("requested", "started", at=T0, by="broker:ann")
    with pytest.raises(IllegalTransition, match="final"):
        transition("ended", "started", at=T0, by="broker:ann")


def test_a_naive_time_an_unknown_state_or_a_nameless_actor_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        transition("requested", "offered", at=datetime(2026, 3, 2, 9), by="policy")
    with pytest.raises(InputError, match="unknown state"):
        transition("requested", "lost", at=T0, by="policy")
    with pytest.raises(InputError) as excinfo:
        transition("requested", "offered", at=T0, by=" ")
    assert excinfo.value.key == "by"


def test_a_manual_placement_needs_a_reason() -> None:
    with pytest.raises(InputError) as excinfo:
        transition("requested", "placed", at=T0, by="broker:ann")
    assert excinfo.value.key == "reason"
    assert transition("offered", "placed", at=T0, by="policy").reason == ""


def test_allowed_targets_follow_the_declared_order_of_states() -> None:
    assert allowed_targets("offered") == (S.REQUESTED, S.OFFERED, S.PLACED, S.WITHDRAWN)
    assert allowed_targets("ended") == ()


def _history(*states: S) -> list[Transition]:
    steps = []
    for i, (a, b) in enumerate(pairwise(states)):
        steps.append(transition(a, b, at=T0 + timedelta(hours=i), by="policy", reason="r"))
    return steps


def test_replay_follows_a_whole_life_to_its_final_state() -> None:
    life = _history(
        S.REQUESTED,
        S.OFFERED,
        S.OFFERED,
        S.REQUESTED,
        S.OFFERED,
        S.PLACED,
        S.STARTED,
        S.SUSPENDED,
        S.STARTED,
        S.TRANSFERRED,
    )
    assert replay(life) == S.TRANSFERRED
    assert replay([]) == S.REQUESTED


def test_replay_refuses_a_step_that_does_not_start_where_the_last_ended() -> None:
    life = _history(S.REQUESTED, S.OFFERED, S.PLACED)
    life[1] = Transition(S.REQUESTED, S.PLACED, life[1].at, "broker:ann", "urgent")
    with pytest.raises(
        IllegalTransition, match="starts from requested but the request was offered"
    ) as e:
        replay(life)
    assert e.value.key == "transitions[1]"


def test_replay_refuses_a_forged_illegal_step_and_time_running_backwards() -> None:
    forged = [*_history(S.REQUESTED, S.OFFERED), Transition(S.OFFERED, S.ENDED, T0, "x")]
    with pytest.raises(IllegalTransition) as excinfo:
        replay(forged)
    assert excinfo.value.key == "transitions[1]"
    backwards = _history(S.REQUESTED, S.OFFERED, S.PLACED)
    backwards[1] = Transition(S.OFFERED, S.PLACED, T0 - timedelta(hours=1), "policy")
    with pytest.raises(IllegalTransition, match="earlier") as excinfo:
        replay(backwards)
    assert excinfo.value.key == "transitions[1].at"


def test_replay_names_a_naive_time_inside_a_history() -> None:
    naive = [Transition(S.REQUESTED, S.OFFERED, datetime(2026, 3, 2, 9), "policy")]
    with pytest.raises(InputError) as excinfo:
        replay(naive)
    assert excinfo.value.key == "transitions[0].at"
