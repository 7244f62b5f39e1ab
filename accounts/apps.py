from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import emails, personal_data  # noqa: F401  (account emails through the outbox; the registry)
        from .permissions import create_role_groups_after_migrate

        # Once per migrate run: for this app's signal only, not for every app's.
        post_migrate.connect(
            create_role_groups_after_migrate,
            sender=self,
            dispatch_uid="accounts.create_role_groups_after_migrate",
        )
