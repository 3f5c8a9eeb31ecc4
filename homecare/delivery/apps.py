from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "homecare.delivery"
    label = "delivery"
    verbose_name = "Delivery and payment"
