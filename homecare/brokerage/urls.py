from django.urls import path

from homecare.brokerage import broker_views, package_views, provider_views

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
    path("packages/", package_views.package_list, name="package-list"),
    path("packages/find/", package_views.find_person, name="find-person"),
    path("packages/<int:pk>/", package_views.package_detail, name="package"),
    path("packages/<int:pk>/change/", package_views.vary_package, name="package-vary"),
    path("packages/<int:pk>/review/", package_views.review_package, name="package-review"),
    path("packages/<int:pk>/suspend/", package_views.suspend_package, name="package-suspend"),
    path("packages/<int:pk>/end/", package_views.end_package, name="package-end"),
    path("package-changes/<int:pk>/", package_views.change_detail, name="package-change"),
]
