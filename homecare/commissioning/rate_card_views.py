"""Uplifting a rate card: the form, a check of the new rates, then the new card's page.

Only a commissioner of the card's council (``rate_card_to_change_for`` in
:mod:`homecare.commissioning.access`). The check page carries the answers in hidden fields,
so nothing is kept between the steps but the form.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carecore.errors import InputError
from homecare.accounts import access
from homecare.commissioning import access as commissioning_access
from homecare.commissioning import actions
from homecare.commissioning.rate_card_forms import UpliftForm, _field_of


@access.require_council_role(access.Role.COMMISSIONER)
def rate_card_uplift(request: HttpRequest, pk: int) -> HttpResponse:
    card = commissioning_access.rate_card_to_change_for(access.scope_of(request), pk)
    base = actions.latest_period(card)
    bands = [rate.band for rate in base.rates.all()]
    if request.method != "POST":
        form = UpliftForm(card=card, bands=bands, initial={"how": "percent", "where": "new"})
        return _form(request, card, base, form)
    form = UpliftForm(request.POST, card=card, bands=bands)
    if "change" in request.POST or not form.is_valid():
        return _form(request, card, base, form)
    uplift = form.uplift
    if request.POST.get("confirm") != "yes":
        rows = actions.uplift_preview(
            card, percent=uplift["percent"], new_rates=uplift["new_rates"]
        )
        context = {
            "card": card,
            "base": base,
            "form": form,
            "uplift": uplift,
            "rows": [
                {"band": band, "old": old, "new": new, "change": new - old}
                for band, old, new in rows
            ],
            "rule": actions.UPLIFT_RULE,
            "ends_on": _ends_on(base, uplift),
        }
        return render(request, "commissioning/rate_card_uplift_check.html", context)
    try:
        new = actions.uplift_rate_card(card, **uplift, acting_user=request.user)
    except InputError as exc:  # e.g. another commissioner took the name meanwhile
        form.add_error(_field_of(exc.key or "") or None, exc.message)
        return _form(request, card, base, form)
    messages.success(request, "The new rates have been saved.")
    return redirect("commissioning:rate-card", pk=new.pk)


def _ends_on(base: Any, uplift: dict[str, Any]) -> date | None:
    """When the card's latest rates will end, if the new ones go on the same card."""
    start = uplift["effective_from"]
    if uplift["name"] is not None or (base.effective_to and base.effective_to < start):
        return None
    return start - timedelta(days=1)


def _form(request: HttpRequest, card: object, base: Any, form: UpliftForm) -> HttpResponse:
    context = {
        "card": card,
        "base": base,
        "form": form,
        "rule": actions.UPLIFT_RULE,
        "date_hint": f"For example, 1 4 {base.effective_from.year + 1}. It must be after "
        f"{base.effective_from:%-d %B %Y}.",
    }
    return render(request, "commissioning/rate_card_uplift.html", context)
