from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from groepswijzer.spreadsheets import protect_wagtail_exports

        # Wagtail's own listings (reports, redirects, form submissions) export typed data too.
        protect_wagtail_exports()
