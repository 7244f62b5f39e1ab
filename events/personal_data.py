"""Personal data of training days: who signed up, who came (see privacy.registry).

Loaded by EventsConfig.ready; listed in docs/privacy.md.
"""

from django.utils.translation import gettext_lazy as _

from privacy.registry import NULL, account, holds_none, on_request, register

from .models import TrainingDayBooking, TrainingDayPage, TrainingDaySpeaker

register(
    TrainingDayBooking,
    purpose=_(
        "Een aanmelding van een professional voor scholing of intervisie: wanneer, plek of wachtlijst, "
        "afgemeld, aanwezig of niet, en de controlecode van het certificaat."
    ),
    ties=[account("user")],
    fields={"certificate_code": NULL},
    clock=on_request(),
)
holds_none(
    TrainingDayPage,
    why=_("Een openbare pagina over een scholing: datum, plaats, plaatsen en prijs; geen deelnemers."),
)
holds_none(
    TrainingDaySpeaker,
    why=_("De naam van een spreker zoals een redacteur die op de openbare pagina zet."),
)
