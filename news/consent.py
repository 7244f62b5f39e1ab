"""What a subscriber agrees to when signing up for a newsletter. Its version is stored with every subscriber.

Change a text only together with a new version, and keep the old version
here, so that what someone agreed to can always be looked up.
"""

from django.utils.translation import gettext_lazy as _

from .models import SubscriberList

VERSION = "2026-12-news-v1"

TEXTS = {
    "2026-12-news-v1": {
        SubscriberList.PATIENTS: _(
            "Ik wil de nieuwsbrief voor deelnemers en belangstellenden ontvangen. De organisatie bewaart "
            "daarvoor alleen mijn e-mailadres. Ik kan mij altijd afmelden met de link onder elke nieuwsbrief. "
            "Daarna wordt mijn e-mailadres binnen 30 dagen verwijderd."
        ),
        SubscriberList.PROFESSIONALS: _(
            "Ik wil de nieuwsbrief voor professionals ontvangen. De organisatie bewaart daarvoor alleen mijn "
            "e-mailadres. Ik kan mij altijd afmelden met de link onder elke nieuwsbrief. Daarna wordt mijn "
            "e-mailadres binnen 30 dagen verwijderd."
        ),
    },
}


def text(newsletter, version=VERSION):
    return TEXTS[version][newsletter]
