"""Groups (one run of a course) and their sessions.

A group stores its lifecycle status; whether it is full is never stored but
derived from its enrollments, so the two can never disagree.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from schedule.models import Occurrence

from booking.models.enrollments import Enrollment, takes_a_place

from .stops import RegistrationStop


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("elke week")
    BIWEEKLY = "biweekly", _("om de week")
    THREE_WEEKS = "every_3_weeks", _("elke 3 weken")
    FOUR_WEEKS = "every_4_weeks", _("elke 4 weken")


WEEKS_BETWEEN = {
    Frequency.WEEKLY: 1,
    Frequency.BIWEEKLY: 2,
    Frequency.THREE_WEEKS: 3,
    Frequency.FOUR_WEEKS: 4,
}


class SignupClosedReason(models.TextChoices):
    NOT_OPEN_YET = "not_open_yet", _("U kunt zich nog niet aanmelden voor deze groep.")
    CLOSED = "closed", _("De aanmelding voor deze groep is gesloten.")
    DEADLINE_PASSED = "deadline_passed", _("De aanmeldtermijn voor deze groep is voorbij.")
    STARTED = "started", _("Deze groep is al begonnen. U kunt zich niet meer aanmelden.")
    CANCELLED = "cancelled", _("Deze groep gaat niet door.")


class CancelCause(models.TextChoices):
    """Why the office cancelled a group: asked when cancelling, counted in the figures (reports)."""

    TOO_FEW = "too_few", _("te weinig aanmeldingen")
    MERGED = "merged", _("samengevoegd met een andere groep")
    TRAINER = "trainer", _("trainer niet beschikbaar")
    LOCATION = "location", _("locatie niet beschikbaar")
    OTHER = "other", _("andere reden")


class TrainingGroupQuerySet(models.QuerySet):
    def with_places_left(self, now=None):
        """Annotate `places_taken`, `places_left` and `places_held` (live holds) at `now`, in the same query.

        A subquery per group instead of a join, so that other annotations
        (or filters through enrollments) cannot multiply the count.
        """
        now = now or timezone.now()
        taken = (
            Enrollment.objects.filter(group=OuterRef("pk"))
            .filter(takes_a_place(now))
            .order_by()
            .values("group")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        held = (
            Enrollment.objects.filter(group=OuterRef("pk"), status=Enrollment.Status.HELD, hold_expires_at__gt=now)
            .order_by()
            .values("group")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            places_taken=Coalesce(Subquery(taken, output_field=models.IntegerField()), 0),
            places_held=Coalesce(Subquery(held, output_field=models.IntegerField()), 0),
        ).annotate(places_left=Greatest(F("capacity") - F("places_taken"), 0))

    def with_first_start(self):
        """Annotate `first_start`: the start of the first scheduled session (None before planning)."""
        first = (
            Session.objects.filter(group=OuterRef("pk"), status=Session.Status.SCHEDULED)
            .order_by()
            .values("group")
            .annotate(first=Min("start"))
            .values("first")
        )
        return self.annotate(first_start=Subquery(first, output_field=models.DateTimeField()))

    @staticmethod
    def _open_for_signup_q(now):
        """On querysets with `first_start`: signing up is open (the SQL side of `signup_closed_reason`)."""
        return (
            Q(status=TrainingGroup.Status.OPEN)
            & (Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=now))
            & (Q(first_start__isnull=True) | Q(first_start__gt=now))
        )

    def open_for_signup(self, now=None):
        """Groups someone may sign up for at `now`, full or not (the same rule as `signup_closed_reason`)."""
        now = now or timezone.now()
        return self.with_first_start().filter(self._open_for_signup_q(now))

    def with_bookable(self, now=None):
        """Annotate `places_left`, `first_start` and `bookable`: whether someone can sign up for the group at `now`.

        The one definition of "bookable", used by the finder, the course page,
        the sign-up, alternatives, the waiting list and its offers: signing up
        is open (status open, the deadline and the first session still ahead),
        no registration stop is in force for the course, the location or both,
        and at least one place is left.
        """
        now = now or timezone.now()
        rule = self._open_for_signup_q(now) & Q(places_left__gt=0) & ~RegistrationStop.covers_group_q(now)
        return (
            self.with_places_left(now)
            .with_first_start()
            .annotate(bookable=ExpressionWrapper(rule, output_field=models.BooleanField()))
        )

    def bookable(self, now=None):
        """The groups someone can sign up for at `now` (see `with_bookable`), with their places left."""
        return self.with_bookable(now).filter(bookable=True)


def signup_closed_reason(status, first_start, signup_deadline, now):
    """Why nobody can sign up at `now` for a group with this status, first session and deadline (a
    SignupClosedReason), or None while signing up is possible (``TrainingGroup.signup_closed_reason``)."""
    statuses = TrainingGroup.Status
    if status == statuses.PLANNED:
        return SignupClosedReason.NOT_OPEN_YET
    if status == statuses.CLOSED:
        return SignupClosedReason.CLOSED
    if status == statuses.CANCELLED:
        return SignupClosedReason.CANCELLED
    if status in (statuses.RUNNING, statuses.COMPLETED):
        return SignupClosedReason.STARTED
    if first_start is not None and first_start <= now:
        return SignupClosedReason.STARTED
    if signup_deadline is not None and signup_deadline <= now:
        return SignupClosedReason.DEADLINE_PASSED
    return None


def group_name(course_title, where, first_start):
    """A group as people name it: "Mentaal Fit, Eindhoven, 12 januari 2027" (also for rows read with values())."""
    when = date_format(timezone.localtime(first_start), "j F Y") if first_start else _("nog geen datum")
    return f"{course_title}, {where}, {when}"


class TrainingGroup(models.Model):
    """One run of a course at one location, with its trainers, capacity and sessions."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("gepland, nog niet open")
        OPEN = "open", _("open voor aanmelding")
        CLOSED = "closed", _("aanmelding gesloten")
        RUNNING = "running", _("loopt")
        COMPLETED = "completed", _("afgerond")
        CANCELLED = "cancelled", _("gaat niet door")

    class DisplayStatus(models.TextChoices):
        """What a visitor sees: the stored status, with "full" and "closed" derived at the moment of asking."""

        PLANNED = "planned", _("binnenkort")
        OPEN = "open", _("plaats vrij")
        FULL = "full", _("vol")
        CLOSED = "closed", _("aanmelding gesloten")
        RUNNING = "running", _("gestart")
        COMPLETED = "completed", _("afgerond")
        CANCELLED = "cancelled", _("gaat niet door")

    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("training"), on_delete=models.PROTECT, related_name="groups"
    )
    location = models.ForeignKey(
        "booking.Location", verbose_name=_("locatie"), on_delete=models.PROTECT, related_name="groups"
    )
    trainers = models.ManyToManyField("courses.Trainer", verbose_name=_("trainers"), blank=True, related_name="groups")
    capacity = models.PositiveSmallIntegerField(
        _("aantal plaatsen"),
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leeg laten: dan geldt de grootste groep van de training."),
    )
    min_participants = models.PositiveSmallIntegerField(
        _("minimaal aantal deelnemers"),
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leeg laten: dan geldt de kleinste groep van de training."),
    )
    contribution = models.DecimalField(
        _("eigen bijdrage (euro)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leeg laten: dan geldt de eigen bijdrage van de training."),
    )
    signup_deadline = models.DateTimeField(_("aanmelden kan tot"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    online_meeting_url = models.URLField(
        _("link naar online bijeenkomst"), blank=True, help_text=_("Alleen voor groepen die online bij elkaar komen.")
    )
    # The office decided that a group under its minimum goes ahead anyway (see services.fill).
    go_ahead_at = models.DateTimeField(_("doorgaan besloten op"), null=True, blank=True)
    go_ahead_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("doorgaan besloten door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    go_ahead_note = models.CharField(_("toelichting bij doorgaan"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("samengevoegd met"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text=_("De groep waar de deelnemers naartoe gingen toen deze groep niet doorging."),
    )
    # Set when the office cancels the group (staff.actions.cancel_group); empty for groups cancelled before.
    cancel_cause = models.CharField(
        _("waarom afgezegd"), max_length=10, choices=CancelCause.choices, blank=True, editable=False
    )
    cancelled_at = models.DateTimeField(_("afgezegd op"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    objects = TrainingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("groep")
        verbose_name_plural = _("groepen")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="booking_group_capacity_at_least_one",
                violation_error_message=_("Een groep heeft minstens 1 plaats."),
            ),
            models.CheckConstraint(
                condition=Q(min_participants__lte=F("capacity")),
                name="booking_group_minimum_within_capacity",
                violation_error_message=_(
                    "Het minimum aantal deelnemers kan niet groter zijn dan het aantal plaatsen."
                ),
            ),
        ]

    def __str__(self):
        return group_name(self.course.title, self.location.town or self.location.name, self.first_start)

    def save(self, *args, **kwargs):
        self.apply_course_defaults()
        super().save(*args, **kwargs)

    def apply_course_defaults(self):
        """Fill what was left empty from the course page."""
        if self.course_id is None:
            return
        if self.capacity is None:
            self.capacity = self.course.group_max
        if self.min_participants is None:
            self.min_participants = min(self.course.group_min, self.capacity)

    def clean(self):
        super().clean()
        self.apply_course_defaults()
        if self.capacity is not None and self.min_participants is not None and self.min_participants > self.capacity:
            raise ValidationError(
                {"min_participants": _("Het minimum aantal deelnemers kan niet groter zijn dan het aantal plaatsen.")}
            )
        if self.pk and self.capacity is not None:
            taken = TrainingGroup.objects.with_places_left().values_list("places_taken", flat=True).get(pk=self.pk)
            if self.capacity < taken:
                raise ValidationError(
                    {
                        "capacity": _(
                            "Er zijn al %(taken)s plaatsen bezet. Kies minstens %(taken)s plaatsen, "
                            "of annuleer eerst aanmeldingen."
                        )
                        % {"taken": taken}
                    }
                )

    @property
    def amount(self):
        """What a participant pays: this group's own contribution, or else the course's."""
        return self.contribution if self.contribution is not None else self.course.contribution

    @cached_property
    def first_start(self):
        """Start of the first scheduled session; `with_first_start()` fills this without a query."""
        return self.sessions.filter(status=Session.Status.SCHEDULED).aggregate(first=Min("start"))["first"]

    def forget_schedule(self):
        """Drop the remembered first date after the sessions changed."""
        self.__dict__.pop("first_start", None)

    def current_places_left(self, now=None):
        """`places_left` from `with_places_left()` when annotated, else one query."""
        if "places_left" in self.__dict__:
            return self.__dict__["places_left"]
        return TrainingGroup.objects.with_places_left(now).values_list("places_left", flat=True).get(pk=self.pk)

    def is_bookable(self, now=None):
        """Whether someone can sign up for this group at `now` (the one rule: `TrainingGroup.objects.bookable`)."""
        return TrainingGroup.objects.bookable(now).filter(pk=self.pk).exists()

    @property
    def is_full(self):
        return self.current_places_left() == 0

    def signup_closed_reason(self, now=None):
        """Why nobody can sign up at `now` (a SignupClosedReason), or None while signing up is possible."""
        return signup_closed_reason(self.status, self.first_start, self.signup_deadline, now or timezone.now())

    def display_status_at(self, now=None):
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return self.DisplayStatus(self.status)
        reason = self.signup_closed_reason(now)
        if reason == SignupClosedReason.STARTED:
            return self.DisplayStatus.RUNNING
        if reason is not None:
            return self.DisplayStatus.CLOSED
        if self.current_places_left(now) == 0:
            return self.DisplayStatus.FULL
        return self.DisplayStatus.OPEN

    @property
    def display_status(self):
        return self.display_status_at()


class SessionQuerySet(models.QuerySet):
    def with_moved(self):
        """Annotate `moved`: whether the session's occurrence on the scheduler is no longer where it was planned.

        Read from django-scheduler, never from timestamps: the event keeps the
        slot as first planned, and a move is its occurrence with another
        start or end (``Occurrence.moved``). A session moved back to its
        planned time is not moved.
        """
        elsewhere = Occurrence.objects.filter(event_id=OuterRef("event_id")).exclude(
            start=F("original_start"), end=F("original_end")
        )
        return self.annotate(moved=Exists(elsewhere))


class Session(models.Model):
    """One meeting of a group: the record that attendance, reminders and calendar files point to.

    Its slot lives on the location's django-scheduler calendar: the `event`
    holds the time as first planned, and a move or a cancellation is that
    event's stored `Occurrence` (the library's way). `start`, `end` and
    `status` are the same facts as columns, so that clash checks and
    listings stay one SQL query; ``booking.services.planning`` is the only
    code that writes them, always together with the occurrence, in one
    transaction. `revision` counts the changes people must hear about (a
    move, a cancellation): it is the SEQUENCE of the session in every
    calendar file.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("gepland")
        CANCELLED = "cancelled", _("geannuleerd")

    group = models.ForeignKey(TrainingGroup, verbose_name=_("groep"), on_delete=models.PROTECT, related_name="sessions")
    event = models.OneToOneField(
        "schedule.Event", verbose_name=_("agenda-item"), on_delete=models.PROTECT, related_name="session"
    )
    sequence = models.PositiveSmallIntegerField(
        _("nummer"), help_text=_("Welke bijeenkomst van de groep dit is: 1, 2, 3 …")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    start = models.DateTimeField(_("begint om"), db_index=True)
    end = models.DateTimeField(_("eindigt om"))
    revision = models.PositiveIntegerField(
        _("versie"),
        default=0,
        editable=False,
        help_text=_("Gaat omhoog bij elke verplaatsing of annulering, zodat agenda's de wijziging overnemen."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("bijeenkomst")
        verbose_name_plural = _("bijeenkomsten")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["status", "start", "end"], name="booking_session_when"),
            # A group's first session (`with_first_start`), the admin's sort on it, and bookable(now).
            models.Index(fields=["group", "status", "start"], name="booking_session_group_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="booking_session_ends_after_start",
                violation_error_message=_("Een bijeenkomst moet eindigen na het begin."),
            ),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.start), "j F Y H:i")
        return _("Bijeenkomst %(number)s, %(when)s") % {"number": self.sequence, "when": when}
