"""The waiting list: one per course, in order, with offers of freed places.

An offer keeps its place by holding it: the offered group gets a held
enrollment whose hold runs until the offer expires, so the one capacity rule
(`takes_a_place`) covers offers too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groepswijzer.languages import language_field

from .enrollments import ConsentRecord


class PartOfDay(models.TextChoices):
    ANY = "any", _("maakt niet uit")
    MORNING = "morning", _("ochtend")
    AFTERNOON = "afternoon", _("middag")
    EVENING = "evening", _("avond")


def new_rank():
    # Later joiners stand further back; moves by hand put a rank between two others.
    return timezone.now().timestamp()


class WaitlistEntryQuerySet(models.QuerySet):
    def active(self):
        """People who are on the list: waiting, or with an open offer."""
        return self.filter(status__in=WaitlistEntry.ACTIVE)

    def with_position(self):
        """Annotate `position`: 1 for the first person on the course's list, and so on; None when not on it.

        The one definition of a place in line, used by the person's own page,
        the expected wait, the office's listing and moves by hand. Only active
        entries (waiting, or with an open offer) count, in the order of `rank`
        (ties by id). One subquery, so a listing of many entries is one query.
        """
        ahead = (
            WaitlistEntry.objects.filter(course=OuterRef("course"), status__in=WaitlistEntry.ACTIVE)
            .filter(Q(rank__lt=OuterRef("rank")) | Q(rank=OuterRef("rank"), pk__lt=OuterRef("pk")))
            .order_by()
            .values("course")
            .annotate(count=Count("pk"))
            .values("count")
        )
        counted = Coalesce(Subquery(ahead, output_field=models.IntegerField()), 0) + 1
        return self.annotate(
            position=Case(
                When(status__in=WaitlistEntry.ACTIVE, then=counted),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class WaitlistEntry(ConsentRecord):
    class Status(models.TextChoices):
        WAITING = "waiting", _("wacht")
        OFFERED = "offered", _("plaats aangeboden")
        PLACED = "placed", _("geplaatst")
        LEFT = "left", _("afgemeld")
        REMOVED = "removed", _("verwijderd (geen reactie)")
        TAKEN_OFF = "taken_off", _("van de lijst gehaald door het bureau")

    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("training"), on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    participant = models.ForeignKey(
        "booking.Participant", verbose_name=_("deelnemer"), on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    preferred_locations = models.ManyToManyField(
        "booking.Location",
        verbose_name=_("voorkeurslocaties"),
        blank=True,
        related_name="+",
        help_text=_("Leeg: elke locatie is goed."),
    )
    part_of_day = models.CharField(_("dagdeel"), max_length=10, choices=PartOfDay.choices, default=PartOfDay.ANY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    rank = models.FloatField(_("volgorde"), default=new_rank, db_index=True)
    joined_at = models.DateTimeField(_("op de wachtlijst sinds"), auto_now_add=True)
    language = language_field()
    left_at = models.DateTimeField(_("van de wachtlijst af op"), null=True, blank=True)
    check_sent_at = models.DateTimeField(_("laatste 'wacht u nog?'-mail"), null=True, blank=True)
    check_answered_at = models.DateTimeField(_("laatste antwoord op 'wacht u nog?'"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("van de lijst gehaald door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removal_reason = models.CharField(_("reden van de lijst halen"), max_length=300, blank=True)

    ACTIVE = (Status.WAITING, Status.OFFERED)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("plek op de wachtlijst")
        verbose_name_plural = _("wachtlijst")
        ordering = ["course", "rank", "pk"]
        indexes = [
            # A course's list in order, for offers of freed places (`services.offers.waiting_who_fit`).
            models.Index(fields=["course", "status", "rank"], name="booking_waitlist_line"),
        ]

    def __str__(self):
        return f"{self.participant} – {self.course.title}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE


class WaitlistMove(models.Model):
    """A coordinator changed someone's place in the list; the reason is kept."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="moves")
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)
    from_position = models.PositiveIntegerField()
    to_position = models.PositiveIntegerField()
    reason = models.CharField(_("reden"), max_length=300)

    class Meta:
        verbose_name = _("verplaatsing op de wachtlijst")
        verbose_name_plural = _("verplaatsingen op de wachtlijst")
        ordering = ["-moved_at"]

    def __str__(self):
        return f"{self.from_position} -> {self.to_position}: {self.reason}"


class Offer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("wacht op antwoord")
        ACCEPTED = "accepted", _("aangenomen")
        DECLINED = "declined", _("afgeslagen")
        EXPIRED = "expired", _("verlopen")
        WITHDRAWN = "withdrawn", _("ingetrokken")

    entry = models.ForeignKey(
        WaitlistEntry, verbose_name=_("wachtende"), on_delete=models.PROTECT, related_name="offers"
    )
    group = models.ForeignKey(
        "booking.TrainingGroup", verbose_name=_("groep"), on_delete=models.PROTECT, related_name="offers"
    )
    enrollment = models.OneToOneField(
        "booking.Enrollment", verbose_name=_("gereserveerde plaats"), on_delete=models.PROTECT, related_name="offer"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(_("aangeboden op"), auto_now_add=True)
    expires_at = models.DateTimeField(_("geldig tot"))
    decided_at = models.DateTimeField(_("beantwoord op"), null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("met de hand aangeboden door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("aanbod van een plaats")
        verbose_name_plural = _("aanbiedingen van een plaats")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="open"), name="booking_offer_one_open_per_entry"
            )
        ]

    def __str__(self):
        return f"{self.entry} → {self.group}"
