"""Kept documents and the NHS recharge document (namespace "finance"; the lead includes
these with the other finance pages)."""

from django.urls import path

from homecare.finance import document_views

app_name = "finance"

urlpatterns = [
    path("documents/<int:pk>/", document_views.document, name="document"),
    path("documents/<int:pk>/file/", document_views.document_file, name="document-file"),
    path("recharge-document/", document_views.recharge_document, name="recharge-document"),
]
