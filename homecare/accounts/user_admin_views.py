"""Pages of user administration, and choosing a password from an invitation or a reset link.

An organisation's user administrators list, invite, change the roles of, switch off or on
the accounts of, and reset the authenticator apps of people with a role there; the views parse, call
:mod:`homecare.accounts.user_admin_actions` and render. Choosing a password (invitation) and
resetting one are Django's password reset views with the service's forms and pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from carecore.errors import InputError
from homecare.accounts import access, lockout, reset_requests, tokens
from homecare.accounts import user_admin_actions as actions
from homecare.accounts.models import AccountEvent, Membership, Organisation
from homecare.accounts.templatetags.govuk import who
from homecare.accounts.user_admin_access import (
    require_user_admin,
    role_words,
    roles_here,
    second_factor_of,
    user_for,
    user_rows,
)
from homecare.accounts.user_admin_emails import invitation_tokens, link_lifetime, site_url
from homecare.accounts.user_admin_forms import (
    ForgottenPasswordForm,
    InviteForm,
    NewPasswordForm,
    RolesForm,
)

FORM_FIELDS = {"email": "email", "roles": "roles"}


@require_user_admin
def user_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    rows = user_rows(organisation)
    return render(
        request,
        "accounts/users/list.html",
        {
            "organisation": organisation,
            "rows": rows,
            "show_second_factor": any(row.second_factor is not None for row in rows),
        },
    )


@require_user_admin
def invite(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, created = actions.invite_user(
                organisation,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=data["roles"],
                acting_user=request.user,
            )
        except InputError as exc:
            form.add_input_error(exc, FORM_FIELDS, "email")
        else:
            if created:
                text = f"We have sent {user.email} an invitation to choose a password."
            else:
                text = f"{who(user)} already had an account: we have e-mailed them their new roles."
            messages.success(request, text)
            return redirect("users:user", pk=user.pk)
    return render(
        request, "accounts/users/invite.html", {"organisation": organisation, "form": form}
    )


@require_user_admin
def user_page(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    person = user_for(organisation, pk)
    events = AccountEvent.objects.filter(organisation=organisation, user=person).select_related(
        "by"
    )[:20]
    return render(
        request,
        "accounts/users/user.html",
        {
            "organisation": organisation,
            "person": person,
            "roles": role_words(roles_here(person)),
            "second_factor": second_factor_of(person),
            "awaiting_password": actions.is_awaiting_password(person),
            "is_self": person == request.user,
            "events": events,
        },
    )


@require_user_admin
def change_roles(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    person = user_for(organisation, pk)
    initial = {"roles": roles_here(person)}
    form = RolesForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.change_roles(
                person, organisation, form.cleaned_data["roles"], acting_user=request.user
            )
        except InputError as exc:
            form.add_input_error(exc, FORM_FIELDS, "roles")
        else:
            if changed:
                messages.success(request, f"{who(person)}'s roles are changed.")
            return redirect("users:user", pk=person.pk)
    return render(
        request,
        "accounts/users/roles.html",
        {"organisation": organisation, "person": person, "form": form},
    )


@require_user_admin
def switch_off(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    person = user_for(organisation, pk)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            done = actions.deactivate_user(person, organisation, acting_user=request.user)
        except InputError as exc:
            errors = [{"text": exc.message, "href": "#confirm"}]
        else:
            if done == AccountEvent.Kind.REMOVED:
                messages.success(request, f"{who(person)} no longer has any role here.")
                return redirect("users:list")
            messages.success(request, f"{who(person)}'s account is switched off.")
            return redirect("users:user", pk=person.pk)
    elsewhere = Membership.objects.filter(user=person).exclude(organisation=organisation)
    return render(
        request,
        "accounts/users/switch_off.html",
        {
            "organisation": organisation,
            "person": person,
            "elsewhere": elsewhere.exists(),
            "errors": errors,
        },
    )


@require_POST
@require_user_admin
def switch_on(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    person = user_for(organisation, pk)
    if actions.reactivate_user(person, organisation, acting_user=request.user):
        messages.success(request, f"{who(person)}'s account is switched back on.")
    return redirect("users:user", pk=person.pk)


@require_POST
@require_user_admin
def invite_again(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    person = user_for(organisation, pk)
    try:
        actions.resend_invitation(person, organisation, acting_user=request.user)
    except InputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"We have sent {person.email} a new invitation.")
    return redirect("users:user", pk=person.pk)


@require_user_admin
def reset_authenticator(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    """Check, then remove a person's authenticator app and recovery codes (a lost phone)."""
    person = user_for(organisation, pk)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            actions.reset_authenticator(person, organisation, acting_user=request.user)
        except InputError as exc:
            errors = [{"text": exc.message, "href": "#confirm"}]
        else:
            messages.success(
                request,
                f"{who(person)}'s authenticator app is reset: they will set up a new one the "
                "next time they sign in.",
            )
            return redirect("users:user", pk=person.pk)
    return render(
        request,
        "accounts/users/reset_authenticator.html",
        {"organisation": organisation, "person": person, "errors": errors},
        status=400 if errors else 200,
    )


# --- choosing a password: from an invitation, or after forgetting it ------------------------


class _ChoosePassword(auth_views.PasswordResetConfirmView):
    """Django's view behind a link with a token: refuses switched-off and service accounts."""

    form_class = NewPasswordForm

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is None or not user.is_active or tokens.is_service_user(user):
            return None
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_rules"] = password_validators_help_texts()
        return context


class AcceptInvitationView(_ChoosePassword):
    template_name = "accounts/users/accept_invitation.html"
    token_generator = invitation_tokens
    reset_url_token = "choose-password"
    success_url = reverse_lazy("users:invitation-done")

    def form_valid(self, form: Any) -> HttpResponse:
        actions.accept_invitation(self.user, form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class ForgottenPasswordView(auth_views.PasswordResetView):
    form_class = ForgottenPasswordForm
    template_name = "registration/forgotten_password.html"
    email_template_name = "registration/forgotten_password_email.txt"
    subject_template_name = "registration/forgotten_password_subject.txt"
    success_url = reverse_lazy("users:password-reset-sent")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_url": site_url(""), "lifetime": link_lifetime()}

    def form_valid(self, form: Any) -> HttpResponse:
        """Send the e-mail unless this address (or this computer) has asked too often lately;
        the page says the same either way, so nobody learns anything from it."""
        if reset_requests.allow(form.cleaned_data["email"], lockout.client_address(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class NewPasswordView(_ChoosePassword):
    template_name = "registration/new_password.html"
    success_url = reverse_lazy("users:password-reset-done")


@access.public("someone who has forgotten their password is not signed in")
def sent_page(request: HttpRequest) -> HttpResponse:
    """The same page whether or not the address belongs to an account."""
    return render(
        request, "registration/forgotten_password_sent.html", {"lifetime": link_lifetime()}
    )


def _password_set(request: HttpRequest, *, invitation: bool) -> HttpResponse:
    return render(
        request,
        "registration/password_set.html",
        {"invitation": invitation, "sign_in": reverse(settings.LOGIN_URL)},
    )


@access.public("the invitee is not signed in yet")
def invitation_done(request: HttpRequest) -> HttpResponse:
    return _password_set(request, invitation=True)


@access.public("someone who has reset their password is not signed in yet")
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return _password_set(request, invitation=False)
