"""Council user administration: invite, roles, deactivate, password reset (without Django admin)."""

from django.urls import path  # noqa: F401

app_name = "users"

urlpatterns: list = []
