from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("Voor professionals")

    def ready(self):
        from .setup import protect_professional_documents

        post_migrate.connect(
            protect_professional_documents, sender=self, dispatch_uid="resources.protect_professional_documents"
        )
