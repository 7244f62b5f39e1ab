"""Personal data in the packages we use: allauth's addresses and authenticators, Wagtail, the calendar.

Our own apps declare their models in their own ``personal_data.py``.
"""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _
from schedule.models import Event
from wagtail.admin.models import EditingSession, FormState
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import (
    APIToken,
    Comment,
    CommentReply,
    ModelLogEntry,
    Page,
    PageLogEntry,
    PageSubscription,
    Revision,
    TaskState,
    UploadedFile,
    WorkflowState,
)
from wagtail.users.models import UserProfile

from .models import ErasureRecord, RetentionScan
from .registry import (
    CLEAR,
    EMAIL,
    EMPTY_JSON,
    NAME,
    account,
    address,
    holds_none,
    on_request,
    register,
)

register(
    EmailAddress,
    purpose=_("E-mailadressen van een account, om in te loggen en het adres te bevestigen."),
    ties=[account("user")],
    identifies=True,
    fields={"email": EMAIL},
    clock=on_request(),
)
register(
    Authenticator,
    purpose=_("De tweestapsverificatie van een account (medewerkers)."),
    ties=[account("user")],
    fields={"data": EMPTY_JSON},
    clock=on_request(),
    inzage=("type", "created_at", "last_used_at"),
)
register(
    UserProfile,
    purpose=_("Voorkeuren in het beheer (taal, tijdzone) en een profielfoto."),
    ties=[account("user")],
    fields={"avatar": CLEAR},
    clock=on_request(),
    inzage=("preferred_language", "current_time_zone"),
)
# Wagtail writes the name of what was changed in its history; for a user account that is its address.
register(
    ModelLogEntry,
    purpose=_("De geschiedenis van wijzigingen in het beheer."),
    ties=[address("label")],
    fields={"label": NAME},
    clock=on_request(),
    inzage=("label", "action", "timestamp"),
)

EDITORS_ONLY = _(
    "Verwijst naar een medewerker als auteur of redacteur van inhoud; deelnemers werken niet in het beheer."
)
for model in (
    Page,
    Revision,
    PageLogEntry,
    PageSubscription,
    Comment,
    CommentReply,
    WorkflowState,
    TaskState,
    UploadedFile,
    Document,
    Image,
    EditingSession,
    FormState,
    APIToken,
):
    holds_none(model, why=EDITORS_ONLY)

holds_none(
    EmailConfirmation,
    why=_("Bevestigingssleutels in de database; de site gebruikt ondertekende sleutels, dus deze tabel blijft leeg."),
)
holds_none(Event, why=_("Agenda-items van bijeenkomsten: datum, tijd en locatie, zonder deelnemers."))
holds_none(
    ErasureRecord,
    why=_("Het bewijs van een verwijdering: wie, wanneer en waarom, met nummers van geanonimiseerde regels."),
)
holds_none(RetentionScan, why=_("Tot waar de bewaartermijncontrole kwam: een datum en een regelnummer."))
