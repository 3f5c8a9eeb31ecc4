"""URLs of the pay pages (namespace "finance"): a provider's pay return and the pay-floor
audit of a month with its CSV. Only numbers and months in URLs."""

from django.urls import path

from homecare.finance import pay_audit_views

app_name = "finance"

urlpatterns = [
    path("pay-return/", pay_audit_views.pay_return, name="pay-return"),
    path("pay-audit/", pay_audit_views.pay_audit, name="pay-audit"),
    path("pay-audit/carer-days.csv", pay_audit_views.pay_audit_csv, name="pay-audit-csv"),
]
