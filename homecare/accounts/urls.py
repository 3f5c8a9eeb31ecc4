from django.urls import path

from homecare.accounts import access, sso_views, two_factor, views
from homecare.accounts.two_factor_views import second_factor

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        access.public("anyone signs in here")(views.SignInView.as_view()),
        name="sign-in",
    ),
    path(
        "sign-out/",
        access.public("signing out needs no role; it only ends the session")(
            views.SignOutView.as_view()
        ),
        name="sign-out",
    ),
    path("two-factor/", second_factor, name="two-factor"),
    path(
        "sso/start/",
        access.public("single sign-on starts here, before anyone is signed in")(
            two_factor.exempt(sso_views.StartSignIn.as_view())
        ),
        name="sso-start",
    ),
    path(
        "sso/callback/",
        access.public("the council's identity provider returns here to sign someone in")(
            two_factor.exempt(sso_views.Callback.as_view())
        ),
        name="sso-callback",
    ),
]
