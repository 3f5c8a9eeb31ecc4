"""Information governance: the audit page, subject-access exports and retention."""

from django.urls import path

app_name = "governance"

urlpatterns: list = []
