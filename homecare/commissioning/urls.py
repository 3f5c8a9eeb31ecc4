from django.urls import include, path

from homecare.commissioning import rate_card_views, travel_views, views

app_name = "commissioning"

urlpatterns = [
    path("zones/", views.zones, name="zones"),
    path("zones/<str:code>/", views.zone, name="zone"),
    path("cost-of-care/", views.cost_of_care, name="cost-of-care"),
    path("rate-cards/", views.rate_cards, name="rate-cards"),
    path("rate-cards/<int:pk>/", views.rate_card, name="rate-card"),
    path("rate-cards/<int:pk>/uplift/", rate_card_views.rate_card_uplift, name="rate-card-uplift"),
    path("tenders/", views.tenders, name="tenders"),
    path("tenders/<int:pk>/", views.tender, name="tender"),
    path("tenders/<int:pk>/result.xlsx", views.tender_download, name="tender-download"),
    path("travel/", travel_views.travel, name="travel"),
    path("travel/<int:pk>/", travel_views.travel_run, name="travel-run"),
    # The market's pages: frameworks, providers, applications, awards, the day-one import.
    path("", include("homecare.commissioning.market_urls")),
]
