"""Council user administration: invite, roles, deactivate, password and authenticator app reset
(without the Django admin)."""

from django.urls import path

from homecare.accounts import access
from homecare.accounts import user_admin_views as views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path("<int:pk>/", views.user_page, name="user"),
    path("<int:pk>/roles/", views.change_roles, name="roles"),
    path("<int:pk>/switch-off/", views.switch_off, name="switch-off"),
    path("<int:pk>/switch-on/", views.switch_on, name="switch-on"),
    path("<int:pk>/invite-again/", views.invite_again, name="invite-again"),
    path(
        "<int:pk>/reset-authenticator/",
        views.reset_authenticator,
        name="reset-authenticator",
    ),
    path(
        "invitation/done/",
        views.invitation_done,
        name="invitation-done",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        access.public("the invitee has no password to sign in with yet")(
            views.AcceptInvitationView.as_view()
        ),
        name="accept-invitation",
    ),
    path(
        "password-reset/",
        access.public("someone who has forgotten their password cannot sign in")(
            views.ForgottenPasswordView.as_view()
        ),
        name="password-reset",
    ),
    path("password-reset/sent/", views.sent_page, name="password-reset-sent"),
    path("password-reset/done/", views.password_reset_done, name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        access.public("the link in the e-mail is the proof of who is asking")(
            views.NewPasswordView.as_view()
        ),
        name="password-reset-confirm",
    ),
]
