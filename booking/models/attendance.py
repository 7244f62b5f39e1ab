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

    def __str__(self):
        return f"{self.get_status_display()}: {self.enrollment_id} / {self.session_id}"
