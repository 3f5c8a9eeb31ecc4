from django.urls import path

from homecare.brokerage import views

app_name = "brokerage"

# Only numbers in URLs: nothing about a person appears in a URL (or in the logs that keep them).
urlpatterns = [
    path("", views.waiting_list, name="waiting-list"),
    path("requests/new/", views.new_request, name="new-request"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("offers/", views.offers_inbox, name="offers"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("my-packages/", views.my_packages, name="packages"),
    path("capacity/", views.capacity, name="capacity"),
]
