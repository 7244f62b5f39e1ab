"""Personal data in accounts: the user account and a professional's profile (see privacy.registry).

Accounts are kept while their owner uses them: they go on request (erasure),
not after a period. Staff accounts are not erased this way; they leave with
the organisation's own procedure.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.registry import CLEAR, EMAIL, FALSE, NAME, UNUSABLE_PASSWORD, account, blocks_erasure, on_request, register

from . import roles
from .models import ProfessionalProfile, User

register(
    User,
    purpose=gettext_lazy("Het account waarmee iemand inlogt: e-mailadres, naam en wachtwoord."),
    ties=[account()],
    identifies=True,
    fields={
        "email": EMAIL,
        "first_name": CLEAR,
        "last_name": NAME,
        "password": UNUSABLE_PASSWORD,
        "is_active": FALSE,
    },
    clock=on_request(),
    inzage=("email", "first_name", "last_name", "date_joined", "last_login", "is_active"),
)
register(
    ProfessionalProfile,
    purpose=gettext_lazy("Wat een professional opgeeft om toegang te krijgen tot toolkits: organisatie en praktijk."),
    ties=[account("user")],
    fields={"organisation": CLEAR, "practice": CLEAR, "note": CLEAR},
    clock=on_request(),
)


@blocks_erasure
def staff_accounts(person):
    """A member of staff is not erased on request: their work (attendance, payments, the access log) names them."""
    if any(roles.is_staff_member(user) for user in User.objects.filter(pk__in=person.account_ids)):
        return [
            _(
                "Dit e-mailadres hoort bij een account van een medewerker. Zo'n account wordt niet op deze manier "
                "verwijderd. Neem contact op met de beheerder van de site."
            )
        ]
    return []
