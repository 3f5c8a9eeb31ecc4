"""Changing who pays for a person's care, from a request's page or the person's package page.

Only the brokers and commissioners of the person's council may: the request or package is
found on their council's own rows (another council's is a 404, as a missing one is). Views
parse, call :func:`homecare.brokerage.tenancy.change_person_funding` and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from carecore.errors import InputError
from homecare.accounts import access
from homecare.brokerage import access as brokerage_access
from homecare.brokerage import presenters
from homecare.brokerage.forms import FundingForm
from homecare.brokerage.models import Person
from homecare.brokerage.tenancy import change_person_funding

BROKERS = (access.Role.BROKER, access.Role.COMMISSIONER)


@access.require_council_role(*BROKERS)
def request_funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the funding of the person a request is for; back to the request's page."""
    item = brokerage_access.request_for(access.scope_of(request), pk)
    back = reverse("brokerage:request", args=[item.pk])
    return _change(request, item.package.person, back, f"Back to request {item.pk}")


@access.require_council_role(*BROKERS)
def package_funding(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the funding of the person a package is for; back to the package's page."""
    scope = access.scope_of(request)
    councils = scope.councils(access.BROKERAGE_ROLES)
    own = brokerage_access.packages_for(scope).filter(person__council__in=councils)
    package = get_object_or_404(own, pk=pk)
    back = reverse("brokerage:package", args=[package.pk])
    return _change(request, package.person, back, "Back to the person's package")


def _change(request: HttpRequest, person: Person, back: str, back_text: str) -> HttpResponse:
    if request.method == "POST":
        form = FundingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                change_person_funding(
                    person,
                    funding=data["funding"],
                    nhs_share_percent=data["nhs_share_percent"],
                    reason=data["reason"],
                    now=timezone.now(),
                    acting_user=request.user,
                )
            except InputError as exc:
                field = FundingForm.KEYS.get(exc.key or "", "reason")
                form.add_error(field, exc.message[:1].upper() + exc.message[1:])
            else:
                words = presenters.person_funding(person)
                messages.success(request, f"Funding changed for {person.reference}: {words}.")
                return redirect(back)
    else:
        share = person.nhs_share_percent
        form = FundingForm(
            initial={
                "funding": person.funding,
                "nhs_share_percent": presenters.percent(share)[:-1] if share is not None else "",
            }
        )
    return render(
        request,
        "brokerage/person_funding.html",
        {
            "form": form,
            "person": person,
            "changes": presenters.funding_changes(person),
            "back": back,
            "back_text": back_text,
        },
    )
