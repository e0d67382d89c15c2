from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "newsdesk.desk"
    label = "desk"
    verbose_name = "the editor's desk"
