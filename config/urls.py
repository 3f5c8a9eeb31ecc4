"""URL wiring: each app owns its own urls.py."""

from django.contrib import admin
from django.urls import include, path

from homecare.accounts.views import glossary, home

urlpatterns = [
    path("", home, name="home"),
    path("glossary/", glossary, name="glossary"),
    path("admin/", admin.site.urls),
    path("accounts/", include("homecare.accounts.urls")),
    path("users/", include("homecare.accounts.user_admin_urls")),
    path("api/v1/", include("homecare.api.urls")),
    path("", include("homecare.commissioning.urls")),
    path("brokerage/", include("homecare.brokerage.urls")),
    path("brokerage/", include("homecare.brokerage.funding_urls")),
    path("insight/", include("homecare.insight.urls")),
    path("delivery/", include("homecare.delivery.urls")),
    path("governance/", include("homecare.governance.urls")),
    path("finance/", include("homecare.finance.urls")),
]
