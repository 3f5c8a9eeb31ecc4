from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "homecare.insight"
    label = "insight"
    verbose_name = "Insight"
