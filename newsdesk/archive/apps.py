from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "newsdesk.archive"
    label = "archive"
    verbose_name = "the public site"
