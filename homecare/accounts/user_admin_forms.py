"""Forms of the user administration pages and of choosing or resetting a password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from homecare.accounts import bounds
from homecare.accounts.models import Membership, Organisation
from homecare.accounts.user_admin_access import roles_offered
from homecare.commissioning.forms import GovukForm

EMAIL_MESSAGES = {
    "required": "Enter an e-mail address",
    "invalid": "Enter an e-mail address in the correct format, like name@example.com",
    "max_length": "E-mail address must be 150 characters or fewer",
}
ROLE_HINTS = {
    Membership.Role.USER_ADMIN: "invites people and manages accounts here",
}


def role_field(organisation: Organisation, label: str) -> forms.MultipleChoiceField:
    """Check boxes of the roles a user may hold at ``organisation``."""
    choices = [
        (role, f"{role.label} ({ROLE_HINTS[role]})" if role in ROLE_HINTS else role.label)
        for role in roles_offered(organisation)
    ]
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )


class InviteForm(GovukForm):
    email = forms.EmailField(label="E-mail address", max_length=150, error_messages=EMAIL_MESSAGES)
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter their last name"}
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = role_field(organisation, "Roles")


class RolesForm(GovukForm):
    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = role_field(organisation, f"Roles at {organisation.name}")


class ForgottenPasswordForm(PasswordResetForm):
    """Django's password reset form with the service's words and bounds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].error_messages.update(
            required=EMAIL_MESSAGES["required"], invalid=EMAIL_MESSAGES["invalid"]
        )
        bounds.bound_form(self)


class NewPasswordForm(SetPasswordForm):
    """Choosing a password (after an invitation or a reset), under the platform's rules."""

    error_messages = {"password_mismatch": "Enter the same password in both boxes"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Enter the new password again"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        bounds.bound_form(self)
