from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "homecare.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning"
