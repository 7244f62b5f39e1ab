from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CarepathConfig(AppConfig):
    name = "carepath"
    verbose_name = _("Zorgpad")

    def ready(self):
        # Emails through the outbox, the privacy registry, and the receivers that tie a referral to a place.
        from . import emails, periodic, personal_data, receivers  # noqa: F401
