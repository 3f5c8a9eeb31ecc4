"""Information governance: the audit page, subject-access exports and retention."""

from django.urls import path

from homecare.governance import views

app_name = "governance"

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("audit/download/", views.audit_download, name="audit-download"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/export/", views.person_export, name="person-export"),
    path("retention/", views.retention_report, name="retention"),
]
