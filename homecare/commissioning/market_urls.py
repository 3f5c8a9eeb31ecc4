"""Addresses of the market's pages (included by ``homecare/commissioning/urls.py``).

URLs carry only numbers and import kinds: nothing about a person appears in them.
"""

from django.urls import path

from homecare.commissioning import (
    framework_card_views,
    market_import_views,
    market_provider_views,
    market_views,
)

urlpatterns = [
    path("frameworks/", market_views.frameworks, name="frameworks"),
    path("frameworks/<int:pk>/", market_views.framework, name="framework"),
    path(
        "frameworks/<int:pk>/rate-card/",
        framework_card_views.framework_card,
        name="framework-card",
    ),
    path("providers/", market_views.providers, name="providers"),
    path("providers/<int:pk>/", market_views.provider, name="provider"),
    path("providers/<int:pk>/status/", market_views.provider_status, name="provider-status"),
    path("providers/<int:pk>/quality/", market_views.provider_quality, name="provider-quality"),
    path("applications/<int:pk>/", market_views.application, name="application"),
    path("applications/<int:pk>/approve/", market_views.approve, name="application-approve"),
    path("applications/<int:pk>/reject/", market_views.reject, name="application-reject"),
    path("tenders/<int:pk>/appoint/", market_views.tender_appoint, name="tender-appoint"),
    path("open-frameworks/", market_provider_views.open_frameworks, name="open-frameworks"),
    path("open-frameworks/<int:pk>/apply/", market_provider_views.apply, name="apply"),
    path("import/", market_import_views.import_market, name="import"),
    path(
        "import/<str:kind>-template.csv",
        market_import_views.import_template,
        name="import-template",
    ),
]
