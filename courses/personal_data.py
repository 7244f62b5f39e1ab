"""Personal data in courses: trainers are people, shown on course pages by name (see privacy.registry)."""

from django.utils.translation import gettext_lazy as _

from privacy.registry import CLEAR, NAME, NULL, account, on_request, register

from .catalogue import Trainer

register(
    Trainer,
    purpose=_("Trainers op de trainingspagina's: naam, beroep, korte introductie en foto, met hun toestemming."),
    ties=[account("user")],
    fields={"name": NAME, "bio": CLEAR, "photo": NULL},
    clock=on_request(),
)
