"""Personal data in booking: what each model holds, how it is anonymised, and when (see privacy.registry).

Loaded by BookingConfig.ready. A new booking model with personal data is
declared here; docs/privacy.md explains how.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.models import (
    AccessLogEntry,
    Attendance,
    Enrollment,
    EnrollmentMove,
    ExportFile,
    Location,
    Offer,
    OutgoingEmail,
    Participant,
    Payment,
    PaymentEvent,
    PeriodicMark,
    Refund,
    RegistrationStop,
    TrainingGroup,
    WaitlistEntry,
    WaitlistMove,
)
from booking.services import privacy as rules
from privacy.registry import (
    BIRTH_YEAR,
    CLEAR,
    EMAIL,
    EMPTY_JSON,
    NAME,
    NULL,
    POSTCODE,
    Anchor,
    Kept,
    account,
    address,
    after,
    blocks_erasure,
    holds_none,
    keeps_person,
    participant,
    register,
)

register(
    Participant,
    purpose=_("Wie zich aanmeldt voor een groep of de wachtlijst: om de plaats te geven, te mailen en te bellen."),
    ties=[participant(), account("user")],
    identifies=True,
    fields={
        "first_name": CLEAR,
        "last_name": NAME,
        "email": EMAIL,
        "phone": CLEAR,
        "postcode": POSTCODE,
        "gp_practice": CLEAR,
        "birth_year": BIRTH_YEAR,
        "user": NULL,
    },
    anchor=Anchor(since="created_at", marker="anonymised_at"),
)
register(
    Enrollment,
    purpose=_("De plaats in een groep, de toestemming en de data; blijft zonder naam bestaan voor de cijfers."),
    ties=[participant("participant")],
)
register(
    WaitlistEntry,
    purpose=_("De plaats op de wachtlijst en de voorkeuren; blijft zonder naam bestaan voor de cijfers."),
    ties=[participant("participant")],
    fields={"removal_reason": CLEAR},
)
register(
    WaitlistMove,
    purpose=_("Waarom een coördinator iemand op de wachtlijst verplaatste."),
    ties=[participant("entry__participant")],
    fields={"reason": CLEAR},
)
register(
    EnrollmentMove,
    purpose=_("Waarom een coördinator een plaats naar een andere groep verplaatste."),
    ties=[participant("enrollment__participant")],
    fields={"reason": CLEAR},
)
register(
    Offer,
    purpose=_("Een aangeboden plaats uit de wachtlijst en het antwoord."),
    ties=[participant("entry__participant")],
)
register(
    Attendance,
    purpose=_("Aanwezigheid per bijeenkomst, zoals de trainer die noteerde."),
    ties=[participant("enrollment__participant")],
)
register(
    OutgoingEmail,
    purpose=_("Welke e-mail wanneer naar wie ging; de tekst wordt niet bewaard."),
    ties=[participant("participant"), address("to")],
    fields={"to": EMAIL, "subject": CLEAR, "params": EMPTY_JSON, "last_error": CLEAR},
    inzage=("kind", "subject", "created_at", "sent_at"),
)
register(
    ExportFile,
    purpose=_(
        "Een grote export die op de achtergrond wordt gemaakt: het bestand bevat gegevens van deelnemers, "
        "alleen de coördinator die erom vroeg kan het 24 uur downloaden; daarna verwijdert de periodieke "
        "taak het bestand en deze regel."
    ),
    ties=[account("user")],
    fields={"path": CLEAR},
    clock=after("expires_at", pending=~Q(path="")),
)
BOOKKEEPING = _("De boekhouding moet betalingen 7 jaar kunnen aantonen (fiscale bewaarplicht).")
register(
    Payment,
    purpose=_("De eigen bijdrage: bedrag, manier en moment van betalen."),
    ties=[participant("enrollments__participant")],
    fields={"exemption_reason": CLEAR, "last_error": CLEAR},
    kept=Kept(
        fields={"mollie_id": CLEAR, "checkout_url": CLEAR},
        clock=after("created_at", setting="GROEPSWIJZER_BOOKKEEPING_YEARS", years=7, pending=~Q(mollie_id="")),
        why=BOOKKEEPING,
    ),
)
register(
    Refund,
    purpose=_("Geld dat terugging: bedrag, reden en moment."),
    ties=[participant("payment__enrollments__participant"), participant("enrollment__participant")],
    fields={"reason": CLEAR, "last_error": CLEAR},
    kept=Kept(
        fields={"mollie_refund_id": CLEAR},
        clock=after("created_at", setting="GROEPSWIJZER_BOOKKEEPING_YEARS", years=7, pending=~Q(mollie_refund_id="")),
        why=BOOKKEEPING,
    ),
)
register(
    PaymentEvent,
    purpose=_("Elke verandering van een betaling, met een toelichting."),
    ties=[participant("payment__enrollments__participant")],
    fields={"note": CLEAR},
)

holds_none(
    AccessLogEntry,
    why=_(
        "Wie welke deelnemer bekeek (NEN 7513): verwijst naar de deelnemer zonder gegevens te kopiëren, "
        "wordt 5 jaar bewaard en op verzoek door een coördinator geëxporteerd."
    ),
)
holds_none(RegistrationStop, why=_("Een openbaar bericht over een aanmeldstop, door een coördinator geschreven."))
holds_none(
    TrainingGroup,
    why=_("Een groep met zijn data en plaatsen; wie besloot door te gaan is een medewerker, geen deelnemer."),
)
holds_none(Location, why=_("Het adres van een gezondheidscentrum of wijkgebouw, geen persoon."))
holds_none(PeriodicMark, why=_("Tot wanneer de periodieke run een stap deed: een tijdstip en een teller."))

keeps_person(rules.has_a_place_after)
keeps_person(rules.on_a_waiting_list_after)
keeps_person(rules.has_an_open_payment)
keeps_person(rules.has_an_open_refund)
blocks_erasure(rules.erasure_refusals)
