from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "homecare.finance"
    verbose_name = "Paying providers"
