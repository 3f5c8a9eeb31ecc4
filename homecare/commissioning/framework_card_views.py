"""A framework's rate card: which card's minimum time, increments and weekend, bank-holiday
and double-handed enhancements its placements are paid under, and whether the card's band
rate replaces the tendered rates. Commissioners choose; the framework page shows it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import market_actions
from homecare.commissioning.forms import GovukForm
from homecare.commissioning.models import RateCard


class FrameworkCardForm(GovukForm):
    rate_card = forms.ChoiceField(
        required=False,
        label="Rate card",
        error_messages={"invalid_choice": "Choose one of your council's rate cards"},
    )
    pay_at_card = forms.TypedChoiceField(
        choices=[
            ("no", "The rate each provider tendered or was placed at"),
            ("yes", "The card's rate for the person's band on the day of the visit"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
        label="Which hourly rate is paid",
        error_messages={
            "required": "Choose which hourly rate is paid",
            "invalid_choice": "Choose which hourly rate is paid",
        },
    )

    def __init__(self, *args: object, council: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.cards = {str(c.pk): c for c in RateCard.objects.filter(council=council)}
        field = self.fields["rate_card"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No card: pay tendered rates as they are, with no enhancements")]
        field.choices += [(pk, card.label) for pk, card in sorted(self.cards.items())]

    def card(self) -> RateCard | None:
        return self.cards.get(self.cleaned_data["rate_card"] or "")


@require_http_methods(["GET", "POST"])
@access.require_council_role(*access.COMMISSIONERS)
def framework_card(request: HttpRequest, pk: int) -> HttpResponse:
    framework = commissioning_access.framework_for(
        access.scope_of(request), pk, access.COMMISSIONERS
    )
    initial = {
        "rate_card": str(framework.rate_card_id or ""),
        "pay_at_card": "yes" if framework.pay_at_card else "no",
    }
    form = FrameworkCardForm(
        request.POST if request.method == "POST" else None,
        council=framework.council,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            market_actions.set_framework_rate_card(
                framework,
                form.card(),
                pay_at_card=form.cleaned_data["pay_at_card"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "The framework's rate card is saved.")
            return redirect("commissioning:framework", pk=framework.pk)
    return render(
        request,
        "commissioning/market/framework_card.html",
        {"framework": framework, "form": form},
    )
