from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from carecore.errors import InputError
from homecare.accounts import actions, lockout, user_admin_actions
from homecare.accounts.forms import AdminSignInForm
from homecare.accounts.models import ApiToken, Membership, Organisation, SignInAttempt

# The admin's own sign-in page follows the same lockout rule as the platform's.
admin.site.login_form = AdminSignInForm


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Read-only record of sign-in attempts, with the action that lifts a lock early."""

    list_display = ["at", "username", "ip_address", "outcome", "unlocked_by"]
    list_filter = ["outcome"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"
    actions = ["unlock_usernames", "unlock_addresses"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Unlock the usernames of the selected attempts")
    def unlock_usernames(self, request: HttpRequest, queryset: QuerySet[SignInAttempt]) -> None:
        names = sorted({row.username for row in queryset if row.username})
        now = lockout.clock()
        for name in names:
            actions.unlock_sign_in(username=name, acting_user=request.user, now=now)
        self.message_user(request, f"Unlocked {len(names)} username(s).", messages.SUCCESS)

    @admin.action(description="Unlock the addresses of the selected attempts")
    def unlock_addresses(self, request: HttpRequest, queryset: QuerySet[SignInAttempt]) -> None:
        addresses = sorted({row.ip_address for row in queryset if row.ip_address})
        now = lockout.clock()
        for address in addresses:
            actions.unlock_sign_in(address=address, acting_user=request.user, now=now)
        self.message_user(request, f"Unlocked {len(addresses)} address(es).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are issued with ``manage.py issue_api_token`` (the secret is printed once, never
    stored, so it cannot travel through an admin page); here they are listed and revoked.
    Revoking also switches off the token's service user (``user``)."""

    list_display = [
        "name",
        "organisation",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organisation"]
    search_fields = ["name", "prefix", "organisation__name"]
    readonly_fields = [
        "organisation",
        "name",
        "prefix",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["digest"]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked tokens stay, for the record of who had access and when

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            actions.revoke_api_token(token, acting_user=request.user)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class HomecareUserAdmin(UserAdmin):
    """Django's user admin, with the reset of a lost authenticator app (recorded at each of
    the user's organisations, as a user administrator's reset is at theirs)."""

    actions = ["reset_authenticator_apps"]

    @admin.action(description="Reset the authenticator apps of the selected users")
    def reset_authenticator_apps(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done, refused = 0, []
        for user in queryset:
            try:
                user_admin_actions.reset_authenticator(user, None, acting_user=request.user)
            except InputError as exc:
                refused.append(f"{user.get_username()}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                f"Reset {done} authenticator app(s): each will set up a new one at the next "
                "sign-in.",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)
