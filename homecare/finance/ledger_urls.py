"""Payment batches, their ledger files, the council's ledger layout, and the charging and NHS
recharge exports (namespace "finance"; only numbers in URLs)."""

from django.urls import path

from homecare.finance import ledger_views

app_name = "finance"

urlpatterns = [
    path("batches/", ledger_views.batches, name="batches"),
    path("batches/new/", ledger_views.batch_new, name="batch-new"),
    path("batches/<int:pk>/", ledger_views.batch_detail, name="batch"),
    path("batches/<int:pk>/export/", ledger_views.batch_make_export, name="batch-make-export"),
    path(
        "batches/<int:pk>/files/<int:export_pk>/",
        ledger_views.batch_export,
        name="batch-export",
    ),
    path("ledger-layout/", ledger_views.ledger_layout, name="ledger-layout"),
    path("charging/", ledger_views.charging_export, name="charging-export"),
    path("nhs-recharge/", ledger_views.recharge_export, name="recharge-export"),
]
