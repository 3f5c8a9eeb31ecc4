from django.urls import path

from homecare.accounts import access, views
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
]
