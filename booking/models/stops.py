"""Registration stops (aanmeldstops): sign-up closed for a course, a location, or both, for a while."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegistrationStop(models.Model):
    """Aanmeldstop: registration closed for a course, a location, or one course at one location."""

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("training"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registration_stops",
        help_text=_("Leeg: voor alle trainingen op de locatie."),
    )
    location = models.ForeignKey(
        "booking.Location",
        verbose_name=_("locatie"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registration_stops",
        help_text=_("Leeg: voor de training op alle locaties."),
    )
    message = models.TextField(
        _("bericht voor bezoekers"),
        max_length=600,
        help_text=_("Waarom kan aanmelden nu niet, en tot wanneer? Schrijf in eenvoudige taal."),
    )
    starts_at = models.DateTimeField(_("geldt vanaf"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("geldt tot"), null=True, blank=True, help_text=_("Leeg: tot de stop wordt opgeheven.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aanmeldstop")
        verbose_name_plural = _("aanmeldstops")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False) | Q(location__isnull=False),
                name="booking_stop_has_course_or_location",
                violation_error_message=_("Kies een training, een locatie, of allebei."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="booking_stop_ends_after_start",
                violation_error_message=_("Het einde van de aanmeldstop moet na het begin liggen."),
            ),
        ]

    def __str__(self):
        parts = [str(part) for part in (self.course and self.course.title, self.location) if part]
        return _("Aanmeldstop: %(what)s") % {"what": ", ".join(parts)}

    @classmethod
    def active_q(cls, now):
        return Q(starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))

    @classmethod
    def covers_group_q(cls, now, prefix=""):
        """A filter for groups behind a stop in force at `now` (for TrainingGroup querysets; one query, no loop).

        A stop covers a group when it is for the group's course (any location),
        for its location (any course), or for both, and is in force.
        """
        stops = cls.objects.filter(cls.active_q(now)).filter(
            Q(course__isnull=True) | Q(course=OuterRef(f"{prefix}course")),
            Q(location__isnull=True) | Q(location=OuterRef(f"{prefix}location")),
        )
        return Exists(stops)
