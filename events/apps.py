from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Scholing voor professionals"

    def ready(self):
        # Emails through the outbox, the step in the periodic run, and the privacy registry.
        from . import emails, periodic, personal_data  # noqa: F401
