"""The access log (NEN 7513): who looked at which participant's data, when, and what they did.

Append-only: the application adds rows and never changes or deletes one.
The queryset and the model refuse updates and deletes; on PostgreSQL a
trigger refuses them too, except deleting rows older than five years (the one
deletion allowed: the retention run, see ``services.access_log.purge_expired``).
Every row carries `chain`, an HMAC over the row and the chain value of the
row before it, so a changed, removed or inserted row shows
(``manage.py verify_access_log``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The access log is never changed and never emptied by the application."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Access log rows are never changed.")

    def delete(self):
        raise AppendOnlyError("Access log rows are only removed by the retention run (purge_expired).")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Access log rows are never changed.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Access log rows are never changed.")


class AccessLogEntry(models.Model):
    """Who looked at which participant's data, when, and what they did. No personal data is copied in."""

    class Action(models.TextChoices):
        VIEW_LIST = "view_list", _("deelnemerslijst bekeken")
        VIEW = "view", _("gegevens bekeken")
        EDIT = "edit", _("gegevens gewijzigd")
        EXPORT = "export", _("geëxporteerd")
        PRINT = "print", _("lijst afgedrukt")
        ATTENDANCE = "attendance", _("aanwezigheid geregistreerd")
        VIEW_LOG = "view_log", _("inzagelog bekeken")
        ERASE = "erase", _("gegevens verwijderd op verzoek")
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
    # Set by log_access before the row is written: the chain covers it.
    at = models.DateTimeField(_("moment"), default=timezone.now, editable=False, db_index=True)
    participant = models.ForeignKey(
        "booking.Participant",
        verbose_name=_("deelnemer"),
        null=True,
        on_delete=models.PROTECT,
        related_name="access_log",
        help_text=_("Deelnemers worden nooit verwijderd, alleen geanonimiseerd."),
    )
    action = models.CharField(_("handeling"), max_length=20, choices=Action.choices)
    where = models.CharField(
        _("waar"), max_length=200, help_text=_("Welk scherm of welke groep, zonder persoonsgegevens.")
    )
    chain = models.CharField(
        _("controlewaarde"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("HMAC over deze regel en de controlewaarde van de regel ervoor."),
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("inzage in deelnemersgegevens")
        verbose_name_plural = _("inzage in deelnemersgegevens")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} ({self.where})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Access log rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access log rows are only removed by the retention run (purge_expired).")


class AccessLogPurge(models.Model):
    """Each time the retention run removed access log rows older than the period: how many, up to which row.

    `last_chain` is the chain value of the last row removed, so the rows that
    remain can still be verified from their first one on.
    """

    at = models.DateTimeField(_("moment"), default=timezone.now)
    before = models.DateTimeField(_("regels van voor"))
    removed = models.PositiveIntegerField(_("aantal verwijderd"))
    up_to_id = models.BigIntegerField(_("tot en met regel"))
    last_chain = models.CharField(_("controlewaarde laatste verwijderde regel"), max_length=64)

    class Meta:
        verbose_name = _("opschoning inzagelog")
        verbose_name_plural = _("opschoningen inzagelog")
        ordering = ["-up_to_id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M}: {self.removed} (t/m {self.up_to_id})"
