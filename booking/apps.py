from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Planning en aanmelding")

    def ready(self):
        # Each journey registers the builders of its emails (``services.notifications.email_kind``).
        # What each booking model holds of someone, and when it goes (privacy.registry).
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            personal_data,  # noqa: F401
        )
        from .payments import emails as payment_emails  # noqa: F401
        from .selfservice import emails as selfservice_emails  # noqa: F401
        from .services import page_state  # noqa: F401  (a changed place makes the page cache stale)
        from .signup import emails as signup_emails  # noqa: F401
        from .staff import emails as staff_emails  # noqa: F401
        from .waitlist import emails as waitlist_emails  # noqa: F401
