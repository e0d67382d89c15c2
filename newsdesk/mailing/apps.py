from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "newsdesk.mailing"
    label = "mailing"
    verbose_name = "the mailing list: subscribers and their consent"

    def ready(self) -> None:
        """Tell the desk's Publish how many readers an issue is mailed to (the newsroom,
        below this app, cannot ask it: `newsroom/audience.py`)."""
        from newsdesk.mailing.roster import reach  # deferred: models load once apps are ready
        from newsdesk.newsroom import audience  # deferred: as above

        audience.register(reach)
