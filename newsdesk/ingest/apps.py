from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "newsdesk.ingest"
    label = "ingest"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from newsdesk.config import size_checkpoints

        connection_created.connect(size_checkpoints, dispatch_uid="newsdesk-size-checkpoints")
