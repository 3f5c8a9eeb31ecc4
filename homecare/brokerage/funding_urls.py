"""Changing a person's funding: included under ``brokerage/`` with the namespace "funding"."""

from django.urls import path

from homecare.brokerage import funding_views

app_name = "funding"

# Only numbers in URLs: nothing about a person appears in a URL.
urlpatterns = [
    path("requests/<int:pk>/funding/", funding_views.request_funding, name="request"),
    path("packages/<int:pk>/funding/", funding_views.package_funding, name="package"),
]
