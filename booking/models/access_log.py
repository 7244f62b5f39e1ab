"""The access log: who looked at which participant's data, when, and what they did."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogEntry(models.Model):
    """Who looked at which participant's data, when, and what they did. No personal data is copied in."""

    class Action(models.TextChoices):
        VIEW_LIST = "view_list", _("deelnemerslijst bekeken")
        VIEW = "view", _("gegevens bekeken")
        EDIT = "edit", _("gegevens gewijzigd")
        EXPORT = "export", _("geëxporteerd")
        PRINT = "print", _("lijst afgedrukt")
        ATTENDANCE = "attendance", _("aanwezigheid geregistreerd")
        # What the office does for someone (booking.staff.office): who did it is the point of the log.
        SIGNUP = "signup", _("aangemeld namens de deelnemer")
        CONFIRM = "confirm", _("aanmelding bevestigd")
        CANCEL = "cancel", _("afgemeld namens de deelnemer")
        MOVE = "move", _("naar een andere groep verplaatst")
        LINK = "link", _("persoonlijke link opnieuw gestuurd")
        WAITLIST = "waitlist", _("wachtlijst bijgewerkt")
        IMPORT = "import", _("geïmporteerd")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("medewerker"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("moment"), auto_now_add=True, db_index=True)
    participant = models.ForeignKey(
        "booking.Participant",
        verbose_name=_("deelnemer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="access_log",
        help_text=_("Leeg als de deelnemer later is verwijderd."),
    )
    action = models.CharField(_("handeling"), max_length=20, choices=Action.choices)
    where = models.CharField(
        _("waar"), max_length=200, help_text=_("Welk scherm of welke groep, zonder persoonsgegevens.")
    )

    class Meta:
        verbose_name = _("inzage in deelnemersgegevens")
        verbose_name_plural = _("inzage in deelnemersgegevens")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} ({self.where})"
