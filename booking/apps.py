from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Planning en aanmelding"

    def ready(self):
        from . import emails  # noqa: F401  (registers the email builders)
