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
from homecare.commissioning.models import RateCard


class FrameworkCardForm(forms.Form):
    rate_card = forms.ModelChoiceField(
        queryset=RateCard.objects.none(),
        required=False,
        empty_label="No card: pay tendered rates as they are, with no enhancements",
        label="Rate card",
        help_text="Its minimum time, billing increments and enhancements apply to every "
        "placement made through this framework.",
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
    )

    def __init__(self, *args: object, council: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["rate_card"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = RateCard.objects.filter(council=council).order_by("name")
        field.label_from_instance = lambda card: card.label  # type: ignore[method-assign]


@require_http_methods(["GET", "POST"])
@access.require_council_role(*access.COMMISSIONERS)
def framework_card(request: HttpRequest, pk: int) -> HttpResponse:
    framework = commissioning_access.framework_for(
        access.scope_of(request), pk, access.COMMISSIONERS
    )
    initial = {
        "rate_card": framework.rate_card_id,
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
                form.cleaned_data["rate_card"],
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
