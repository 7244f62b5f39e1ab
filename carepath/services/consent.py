"""The text a patient agrees to when they share their progress with the professional who referred them.

Stored by version with every consent; change the text only together with a new version.
"""

from django.utils.translation import gettext_lazy as _

SHARE_VERSION = "2026-12-v1"

SHARE_TEXT = _(
    "Ik vind het goed dat de verwijzer (en de collega's in zijn of haar praktijk) ziet hoe het gaat: "
    "of ik ben aangemeld of op de wachtlijst sta, of ik ben begonnen en of ik de training heb afgerond. "
    "Mijn antwoorden op vragenlijsten en wat ik in de groep vertel, worden niet gedeeld. "
    "Ik kan deze toestemming altijd weer intrekken."
)
