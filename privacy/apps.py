from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        # The models of the packages we use (allauth, Wagtail, the calendar), declared here because
        # those packages cannot declare them themselves. Each of our apps declares its own.
        from . import checks, personal_data  # noqa: F401
