from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "Nieuws"

    def ready(self):
        # Emails through the outbox, the periodic step that sends mailings, and the privacy registry.
        from . import emails, periodic, personal_data  # noqa: F401
