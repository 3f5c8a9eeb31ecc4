"""The forms that were plain Django forms (the waiting list's filters, the dashboard's period,
a new simulation, the second factor's code) have the shared bounds, with messages naming the
field: no control characters, lengths, whole numbers of a sensible size."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from homecare.accounts.two_factor_views import CodeForm
from homecare.brokerage.filters import WaitingListFilters
from homecare.commissioning.forms import GovukForm
from homecare.insight.simulation_views import SimulationForm
from homecare.insight.views import PeriodForm


def _errors(form: forms.Form) -> dict[str, list[str]]:
    assert not form.is_valid()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_every_form_of_a_page_is_a_govuk_form_or_bounds_itself() -> None:
    for form in (CodeForm, WaitingListFilters, SimulationForm, PeriodForm):
        assert issubclass(form, GovukForm), form


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12\x003456", "Security code must not contain control characters"),
        ("1" * 21, "Security code must be 20 characters or fewer"),
    ],
)
def test_a_second_factor_code_with_a_null_or_too_long_is_refused_naming_it(
    code: str, message: str
) -> None:
    [error] = _errors(CodeForm({"otp_token": code}))["otp_token"]
    assert error.startswith(message), error


def test_a_second_factor_code_is_read_as_typed() -> None:
    form = CodeForm({"otp_token": "123456"})
    assert form.is_valid() and form.cleaned_data == {"otp_token": "123456"}


@pytest.mark.parametrize("days", ["7\x00", "9" * 30, "1e309"])
def test_a_dashboard_period_out_of_the_list_is_refused_naming_it(days: str) -> None:
    assert _errors(PeriodForm({"days": days})) == {"days": ["Choose a period from the list"]}


def test_a_dashboard_period_from_the_list_is_a_number_of_days() -> None:
    form = PeriodForm({"days": "91"})
    assert form.is_valid() and form.cleaned_data == {"days": 91}


def _simulation(**changes: Any) -> dict[str, Any]:
    return {"models": ["prime"], "replications": "4", "horizon_weeks": "52", "seed": "1", **changes}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"models": ["prime\x00"]}, "models", "Choose delivery models from the list"),
        ({"seed": "9" * 30}, "seed", "Seed must be a whole number from 0 to"),
        ({"replications": "1e309"}, "replications", "Replications must be a whole number"),
        ({"horizon_weeks": "52\x00"}, "horizon_weeks", "Weeks to simulate must"),
    ],
)
def test_a_simulation_with_a_hostile_value_is_refused_naming_the_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    errors = _errors(SimulationForm(_simulation(**changes)))
    assert list(errors) == [field], errors
    assert errors[field][0].startswith(message), errors


def test_a_simulation_of_sensible_values_is_accepted() -> None:
    form = SimulationForm(_simulation())
    assert form.is_valid(), form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"zone": "west\x00leicester"}, "zone", "Select zone from the list"),
        ({"priority": "x" * 10_000}, "priority", "Select priority from the list"),
        ({"waiting_for": "\x7f"}, "waiting_for", "Select waiting for from the list"),
    ],
)
def test_a_waiting_list_filter_with_a_hostile_value_is_refused_naming_it(
    data: dict[str, str], field: str, message: str
) -> None:
    filters = WaitingListFilters(data)
    assert _errors(filters) == {field: [message]}
    assert not filters.active


def test_a_dashboard_period_of_thirty_digits_is_a_page_naming_the_field(
    personas: dict[str, Any], signed_in: Any
) -> None:
    response = signed_in(personas["commissioner"]).get("/insight/", {"days": "9" * 30})
    assert response.status_code == 400
    assert b"Choose a period from the list" in response.content
    assert b'href="#days"' in response.content
