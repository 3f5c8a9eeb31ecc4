"""Signing in and out, and the home page that says what each role can do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator

from homecare.accounts import access, two_factor, worklists
from homecare.accounts.forms import SignInForm
from homecare.accounts.glossary import GLOSSARY


@method_decorator(two_factor.exempt, name="dispatch")
class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@method_decorator(two_factor.exempt, name="dispatch")
class SignOutView(LogoutView):
    """POST only (Django refuses GET), so a link cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


@access.require_role(*access.ALL_ROLES, *access.ADMIN_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The user's worklists, one section a role they hold, then their roles."""
    now = timezone.now()
    return render(
        request,
        "accounts/home.html",
        {
            "work": worklists.worklists_for(request.user, now),
            "memberships": access.memberships_of(request.user),
            "now": now,
        },
    )


@access.require_member
def glossary(request: HttpRequest) -> HttpResponse:
    """The words of home care commissioning in plain English, for every member."""
    return render(request, "accounts/glossary.html", {"terms": GLOSSARY})
