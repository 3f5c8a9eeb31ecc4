from django.urls import path

from homecare.insight import complaint_views, report_views, simulation_views, views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", report_views.report, name="report"),
    path("report/pdf/", report_views.report_pdf, name="report-pdf"),
    path("report/csv/", report_views.report_csv, name="report-csv"),
    path("complaints/", complaint_views.complaints, name="complaints"),
    path("complaints/new/", complaint_views.new_complaint, name="new-complaint"),
    path("complaints/<int:pk>/", complaint_views.complaint, name="complaint"),
    path("simulations/", simulation_views.simulations, name="simulations"),
    path("simulations/new/", simulation_views.new_simulation, name="new-simulation"),
    path("simulations/<int:pk>/", simulation_views.simulation, name="simulation"),
    path("simulations/<int:pk>/pdf/", simulation_views.simulation_pdf, name="simulation-pdf"),
]
