from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Site")

    def ready(self):
        from groepswijzer.spreadsheets import protect_wagtail_exports

        from . import (
            page_changes,  # noqa: F401  (a saved or published page makes the page cache stale)
            personal_data,  # noqa: F401  (what this app holds of people: privacy.registry)
        )

        # Wagtail's own listings (reports, redirects, form submissions) export typed data too.
        protect_wagtail_exports()
