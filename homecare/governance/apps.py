from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "homecare.governance"
    verbose_name = "Information governance"
