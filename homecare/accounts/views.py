"""Signing in and out, and the home page that says what each role can do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homecare.accounts import access
from homecare.accounts.forms import SignInForm


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    """POST only (Django refuses GET), so a link cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


@access.require_member
def home(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    return render(
        request,
        "accounts/home.html",
        {
            "is_commissioner": access.Role.COMMISSIONER in roles,
            "is_council": bool(roles & access.COUNCIL_ROLES),
            "is_provider": access.Role.PROVIDER in roles,
            "memberships": access.memberships_of(request.user),
        },
    )
