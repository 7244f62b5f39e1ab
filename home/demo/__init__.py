"""Demo content for Groepswijzer: a believable region to develop, test and show the site with.

Everything here is invented (people, addresses, phone numbers, email
addresses), except the towns, their four-digit postcodes and public crisis
numbers. It may only be loaded where ``demo_allowed()`` says so.
"""

from django.conf import settings
from django.core.management.base import CommandError


def demo_allowed():
    return bool(settings.DEBUG or getattr(settings, "GROEPSWIJZER_ALLOW_DEMO", False))


def refuse_unless_demo_allowed():
    """Demo accounts have known passwords: never on a site that real people use."""
    if not demo_allowed():
        raise CommandError(
            "Demo-gegevens zijn alleen voor ontwikkeling: zet DEBUG aan of GROEPSWIJZER_ALLOW_DEMO = True.\n"
            "Demo data is for development only: it needs DEBUG or GROEPSWIJZER_ALLOW_DEMO = True."
        )
