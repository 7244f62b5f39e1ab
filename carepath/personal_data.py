"""Personal data in the care path: what each model holds, how it is anonymised, and when (see privacy.registry).

Loaded by CarepathConfig.ready; listed in docs/privacy.md.
"""

from django.utils.translation import gettext_lazy as _

from privacy.registry import CLEAR, EMAIL, account, address, after, holds_none, participant, register

from .models import Answer, Evaluation, Invitation, Letter, Practice, Referral, Screening

register(
    Referral,
    purpose=_(
        "Een verwijzing naar een training: door wie, naar welke training, een korte notitie voor de trainer, "
        "het e-mailadres als de verwijzing per e-mail ging, en of de patiënt de voortgang deelt."
    ),
    ties=[
        participant("enrollment__participant"),
        participant("waitlist_entry__participant"),
        address("patient_email"),
        account("referrer"),
    ],
    fields={"patient_email": EMAIL, "note": CLEAR},
    clock=after("created_at", setting="GROEPSWIJZER_RETENTION_MONTHS", months=24, marker="anonymised_at"),
)
register(
    Screening,
    purpose=_("Het telefoongesprek voor de start: wanneer, door wie, de uitkomst en een korte notitie."),
    ties=[participant("enrollment__participant")],
    fields={"note": CLEAR},
)
register(
    Letter,
    purpose=_(
        "Een brief aan de huisarts bij de start en het einde van de training, met toestemming van de deelnemer: "
        "aanwezigheid, afgerond of niet, verandering in score."
    ),
    ties=[participant("enrollment__participant")],
    fields={"practice_name": CLEAR, "outcome_text": CLEAR},
)
register(
    Invitation,
    purpose=_("Een uitnodiging voor een vragenlijst voor of na de training: wanneer, ingevuld of niet, de score."),
    ties=[participant("enrollment__participant")],
)
register(
    Answer,
    purpose=_("De antwoorden op een vragenlijst over hoe het met iemand gaat."),
    ties=[participant("invitation__enrollment__participant")],
)
register(
    Evaluation,
    purpose=_("Wat een deelnemer van de training vond: cijfer, aanraden, wat hielp, opmerkingen."),
    ties=[participant("invitation__enrollment__participant")],
    fields={"helped": CLEAR, "comments": CLEAR},
)
holds_none(
    Practice,
    why=_("Een huisartsenpraktijk: naam, AGB-code, adres en het e-mailadres voor brieven; geen persoon."),
)
