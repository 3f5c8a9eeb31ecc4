"""Forms of the pay pages: a provider's pay return and the audit's month."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from carecore.errors import InputError
from homecare.brokerage.package_forms import DatesForm
from homecare.commissioning.forms import GovukForm
from homecare.delivery.performance import add_months, first_of
from homecare.finance.models import PayReturn

MONTH_CHOICES = 24  # two years of months to choose from


def _money(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


class PayReturnForm(DatesForm):
    """What the provider pays its care workers, from a day. The action checks the values."""

    DATES = {"effective_from": "the date this pay starts"}
    hourly_pay = _money("Hourly pay for time with people")
    travel_pay = forms.ChoiceField(
        label="How travel between visits is paid",
        choices=PayReturn.TravelPay.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how travel between visits is paid",
            "invalid_choice": "Select how travel between visits is paid",
        },
    )
    travel_rate = _money("Hourly rate for travel", required=False)
    per_visit_pay = _money("Sum paid a visit for travel", required=False)
    waiting_paid = forms.ChoiceField(
        label="Is waiting between visits paid at the hourly pay?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether waiting between visits is paid",
            "invalid_choice": "Select whether waiting between visits is paid",
        },
    )
    break_after_minutes = forms.CharField(
        label="Longest wait between visits counted as working time",
        max_length=6,
        error_messages={"required": "Enter the longest wait counted as working time"},
    )

    FIELDS = {
        "effective_from": "effective_from_day",
        "hourly_pay": "hourly_pay",
        "travel_pay": "travel_pay",
        "travel_rate": "travel_rate",
        "per_visit_pay": "per_visit_pay",
        "waiting_paid": "waiting_paid",
        "break_after_minutes": "break_after_minutes",
    }

    def action_values(self) -> dict[str, Any]:
        """The action's keyword arguments from the cleaned form."""
        data = self.cleaned_data
        return {
            "effective_from": self.dates["effective_from"],
            "hourly_pay": data["hourly_pay"],
            "travel_pay": data["travel_pay"],
            "travel_rate": data.get("travel_rate") or None,
            "per_visit_pay": data.get("per_visit_pay") or None,
            "waiting_paid": data["waiting_paid"] == "yes",
            "break_after_minutes": data["break_after_minutes"],
        }

    def add_action_error(self, exc: InputError) -> None:
        """The action's error on the field its key names, as one sentence."""
        field = self.FIELDS.get(exc.key or "", "hourly_pay")
        message = exc.message
        self.add_error(field, message[0].upper() + message[1:])


class MonthForm(GovukForm):
    month = forms.ChoiceField(label="Month", error_messages={"required": "Choose a month"})

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_month = first_of(today)
        months = [add_months(this_month, -n) for n in range(MONTH_CHOICES)]
        self.fields["month"].choices = [  # type: ignore[attr-defined]
            (m.isoformat()[:7], f"{m:%B %Y}" + (" (so far)" if m == this_month else ""))
            for m in months
        ]
        self.fields["month"].error_messages["invalid_choice"] = (
            "Choose a month from the list (the last two years)"
        )


def month_asked(data: Any, today: date) -> tuple[MonthForm, date]:
    """The month asked for in ``data`` (a query), or the last full month; a month not in the
    list leaves the error on the form and the last full month shown."""
    default = add_months(first_of(today), -1)
    form = MonthForm(data if "month" in data else {"month": default.isoformat()[:7]}, today=today)
    if form.is_valid():
        return form, date.fromisoformat(form.cleaned_data["month"] + "-01")
    return form, default
