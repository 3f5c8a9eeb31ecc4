from django.urls import path

from homecare.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
