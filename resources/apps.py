from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Voor professionals"

    def ready(self):
        from .setup import protect_professional_documents

        post_migrate.connect(
            protect_professional_documents, sender=self, dispatch_uid="resources.protect_professional_documents"
        )
