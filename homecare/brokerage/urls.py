from django.urls import path

from homecare.brokerage import broker_views, provider_views

app_name = "brokerage"

# Only numbers in URLs: nothing about a person appears in a URL (or in the logs that keep them).
urlpatterns = [
    path("", broker_views.waiting_list, name="waiting-list"),
    path("requests/new/", broker_views.new_request, name="new-request"),
    path("requests/<int:pk>/", broker_views.request_detail, name="request"),
    path("offers/", provider_views.offers_inbox, name="offers"),
    path("offers/<int:pk>/", provider_views.offer_detail, name="offer"),
    path("my-packages/", provider_views.my_packages, name="packages"),
    path("capacity/", provider_views.capacity, name="capacity"),
]
