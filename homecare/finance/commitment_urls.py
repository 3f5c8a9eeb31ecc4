"""URLs of commitments, budgets, fee uplifts and purchase orders (namespace "finance").

Included under ``finance/`` by the finance app's URL wiring: ``urlpatterns`` may be added to
the other finance pages' patterns under the one namespace.
"""

from django.urls import path

from homecare.finance import commitment_views, uplift_views

app_name = "finance"

urlpatterns = [
    path("commitments/", commitment_views.commitments, name="commitments"),
    path("commitments/csv/", commitment_views.commitments_csv, name="commitments-csv"),
    path("commitments/budget/", commitment_views.budget, name="budget"),
    path("frameworks/<int:pk>/uplifts/", uplift_views.framework_uplifts, name="uplifts"),
    path(
        "frameworks/<int:pk>/uplifts/<int:uplift_pk>/withdraw/",
        uplift_views.withdraw_uplift,
        name="uplift-withdraw",
    ),
    path("purchase-orders/", commitment_views.purchase_orders, name="purchase-orders"),
    path("purchase-orders/<int:pk>/", commitment_views.purchase_order, name="purchase-order"),
]
