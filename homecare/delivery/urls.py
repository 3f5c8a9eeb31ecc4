from django.urls import path, re_path

from homecare.delivery import finance_views, performance_views, upload_retry_views, views

app_name = "delivery"

# Only numbers in URLs: nothing about a person appears in a URL (or in the logs that keep them).
urlpatterns = [
    path("uploads/", views.uploads, name="uploads"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload"),
    path("uploads/<int:pk>/again/", upload_retry_views.retry_upload, name="upload-again"),
    path("runs/", finance_views.runs, name="runs"),
    path("runs/<int:pk>/", finance_views.run_detail, name="run"),
    path("runs/<int:pk>/rerun/", finance_views.rerun, name="rerun"),
    path("runs/<int:pk>/approve/", finance_views.approve, name="approve"),
    path("runs/<int:pk>/decide-all/", finance_views.decide_all, name="decide_all"),
    path(
        "runs/<int:pk>/exceptions/<int:exception_pk>/decide/",
        finance_views.decide,
        name="decide",
    ),
    path("runs/<int:pk>/lines/", finance_views.lines, name="lines"),
    path("runs/<int:pk>/lines/<int:line_pk>/", finance_views.line_detail, name="line"),
    path("performance/", performance_views.league, name="performance"),
    path("performance/table.csv", performance_views.league_csv, name="performance-csv"),
    re_path(
        r"^runs/(?P<pk>[0-9]+)/(?P<name>(invoice|remittance)\.(xlsx|pdf))$",
        finance_views.download,
        name="download",
    ),
]
