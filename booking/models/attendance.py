from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attendance(models.Model):
    """Whether a participant was at a session, as the trainer registered it."""

    class Status(models.TextChoices):
        PRESENT = "present", _("aanwezig")
        ABSENT_NOTIFIED = "absent_notified", _("afwezig, met afmelding")
        ABSENT = "absent", _("afwezig")

    session = models.ForeignKey("booking.Session", on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey("booking.Enrollment", on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("aanwezigheid"), max_length=20, choices=Status.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        constraints = [models.UniqueConstraint(fields=["session", "enrollment"], name="booking_attendance_once")]


class AccessLogEntry(models.Model):
    """Who looked at which participant's data, when, and what they did. No personal data is copied in."""

    class Action(models.TextChoices):
        VIEW_LIST = "view_list", _("deelnemerslijst bekeken")
        VIEW = "view", _("gegevens bekeken")
        EDIT = "edit", _("gegevens gewijzigd")
        EXPORT = "export", _("geëxporteerd")
        PRINT = "print", _("lijst afgedrukt")
        ATTENDANCE = "attendance", _("aanwezigheid geregistreerd")

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


class OutgoingEmail(models.Model):
    """Each email the site sends, keyed so it goes out once even when a task runs twice."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    params = models.JSONField(default=dict, help_text="Ids the email is built from at delivery time.")
    participant = models.ForeignKey(
        "booking.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("verzonden e-mail")
        verbose_name_plural = _("verzonden e-mails")
        ordering = ["-created_at"]
