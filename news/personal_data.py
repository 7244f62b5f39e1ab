"""Personal data in the newsletter: what each model holds, how it is anonymised, and when (see privacy.registry).

Loaded by NewsConfig.ready; listed in docs/privacy.md. The emails themselves
are rows of booking's outbox: newsletter emails forget their address once sent.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from privacy.registry import EMAIL, address, after, holds_none, register

from .models import Mailing, Subscriber

register(
    Subscriber,
    purpose=_(
        "Wie een nieuwsbrief wil ontvangen: het e-mailadres, welke nieuwsbrief, de versie van de "
        "toestemmingstekst en wanneer iemand zich aan- en afmeldde."
    ),
    ties=[address("email")],
    fields={"email": EMAIL},
    # forget_at: 7 days after a sign-up nobody confirmed, 30 days after unsubscribing; empty while subscribed.
    clock=after("forget_at", pending=Q(anonymised_at__isnull=True, forget_at__isnull=False), marker="anonymised_at"),
)
holds_none(
    Mailing,
    why=_("Een nieuwsbrief zoals een redacteur hem schreef; wie hem verstuurde is een medewerker, geen abonnee."),
)
