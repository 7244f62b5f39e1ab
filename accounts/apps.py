from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import emails  # noqa: F401  (registers the email to professionals)
        from .permissions import create_role_groups_after_migrate

        # Once per migrate run: for this app's signal only, not for every app's.
        post_migrate.connect(
            create_role_groups_after_migrate,
            sender=self,
            dispatch_uid="accounts.create_role_groups_after_migrate",
        )
