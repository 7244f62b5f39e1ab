from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Trainingen"

    def ready(self):
        from . import personal_data  # noqa: F401  (what this app holds of people: privacy.registry)
