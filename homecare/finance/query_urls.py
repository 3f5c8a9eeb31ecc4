"""A provider's invoices, queries on their lines, credit notes and re-invoices (namespace
"finance"; the lead includes these with the other finance pages). Only numbers in URLs."""

from django.urls import path

from homecare.finance import adjustment_views, query_views

app_name = "finance"

urlpatterns = [
    path("my-invoices/", query_views.my_invoices, name="my-invoices"),
    path("my-invoices/<int:pk>/", query_views.my_invoice, name="my-invoice"),
    path("my-invoices/<int:pk>/query/", query_views.query_line, name="query-invoice"),
    path(
        "my-invoices/<int:pk>/lines/<int:line_pk>/query/",
        query_views.query_line,
        name="query-line",
    ),
    path("queries/", query_views.query_list, name="queries"),
    path("queries/<int:pk>/", query_views.query_thread, name="query"),
    path("queries/<int:pk>/reply/", query_views.query_reply, name="query-reply"),
    path("queries/<int:pk>/close/", query_views.query_close, name="query-close"),
    path("invoices/<int:pk>/credit-note/", adjustment_views.credit_note, name="credit-note"),
    path("invoices/<int:pk>/re-invoice/", adjustment_views.reinvoice, name="re-invoice"),
    path("adjustments/<int:pk>/", adjustment_views.adjustment_detail, name="adjustment"),
]
