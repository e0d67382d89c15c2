from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "newsdesk.ops"
    label = "ops"
    verbose_name = "operations: workers, schedules, health"
