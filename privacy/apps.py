from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        # The models of the packages we use (allauth, Wagtail, the calendar), declared here because
        # those packages cannot declare them themselves. Each of our apps declares its own.
        from . import checks, personal_data  # noqa: F401
