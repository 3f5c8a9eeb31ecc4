"""Period runs: every provider of a council reconciled for a period at once (namespace
"finance"; the lead includes these with the other finance pages)."""

from django.urls import path

from homecare.finance import period_views

app_name = "finance"

urlpatterns = [
    path("period-runs/", period_views.period_runs, name="period-runs"),
    path("period-runs/<int:pk>/", period_views.period_run, name="period-run"),
]
