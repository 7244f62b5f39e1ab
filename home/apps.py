from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Site"

    def ready(self):
        from . import personal_data  # noqa: F401  (what this app holds of people: privacy.registry)
