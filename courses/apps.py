from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Trainingen")

    def ready(self):
        from . import personal_data  # noqa: F401  (what this app holds of people: privacy.registry)
