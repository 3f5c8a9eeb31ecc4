from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "homecare.brokerage"
    label = "brokerage"
    verbose_name = "Brokerage"
