"""The consent text participants agree to. Its version is stored with every consent.

Change the text only together with a new version, so that what someone agreed
to can always be looked up.
"""

from django.utils.translation import gettext_lazy as _

VERSION = "2026-11-v1"

TEXT = _(
    "Ik geef toestemming dat de organisatie van de training mijn gegevens gebruikt "
    "om mijn aanmelding te regelen: mijn naam, e-mailadres, telefoonnummer (als ik dat invul), "
    "geboortejaar, postcode en huisartsenpraktijk (als ik dat invul). De trainers van mijn groep "
    "zien mijn naam en telefoonnummer. Mijn gegevens worden niet gebruikt voor iets anders "
    "en niet aan anderen gegeven. Ik kan mijn gegevens laten verwijderen."
)

WAITLIST_TEXT = _(
    "Ik geef toestemming dat de organisatie mijn gegevens bewaart zolang ik op de wachtlijst sta, "
    "om mij een plaats aan te bieden en om mij elke maand te vragen of ik nog wil wachten."
)
