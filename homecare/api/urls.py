"""Mounted at ``/api/v1/`` by ``config/urls.py``; the namespace is ``api-v1``."""

from django.urls import path

from homecare.api.v1 import api

urlpatterns = [path("", api.urls)]
