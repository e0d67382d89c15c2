from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "newsdesk.mailing"
    label = "mailing"
    verbose_name = "the mailing list: subscribers and their consent"
