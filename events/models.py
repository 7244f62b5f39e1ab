"""Training days for professionals: the pages that announce them, and who comes.

A training day (scholing), a return meeting (terugkombijeenkomst) or an
intervisie is a Wagtail page under "Voor professionals". Signing up makes a
TrainingDayBooking for the professional's own account. Places are computed
from bookings every time (``TrainingDayQuerySet.with_places_left``), never
kept in a counter; the rules are in ``events.services``.

These are not patient trainings: they have no TrainingGroup, no Enrollment and
no Participant, so the finder, the course pages and the figures never count them.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from accounts.services import is_verified_professional
from booking.clock import LOCAL_TZ, local_time
from home.blocks import BodyBlock


def local_today(now=None):
    return local_time(now or timezone.now()).date()


class TrainingDayIndexPage(Page):
    """'Scholing en intervisie': the training days for professionals, the next first."""

    intro = models.TextField(_("introductie"), max_length=600)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["resources.ProfessionalsIndexPage"]
    subpage_types = ["events.TrainingDayPage"]
    max_count = 1

    class Meta:
        verbose_name = _("overzicht scholing voor professionals")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = local_today()
        days = TrainingDayPage.objects.child_of(self).live().public().with_places_left()
        context["upcoming"] = days.filter(date__gte=today).select_related("location").order_by("date", "start_time")
        context["past"] = days.filter(date__lt=today).select_related("location").order_by("-date")[:10]
        return context


class TrainingDayQuerySet(PageQuerySet):
    def with_places_left(self):
        """Annotate `places_taken` and `places_left`, counted from the bookings that hold a place, in one query.

        A subquery per day, so that other annotations cannot multiply the count.
        """
        taken = (
            TrainingDayBooking.objects.filter(event=OuterRef("pk"), status=TrainingDayBooking.Status.BOOKED)
            .order_by()
            .values("event")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            places_taken=Coalesce(Subquery(taken, output_field=models.IntegerField()), 0),
        ).annotate(places_left=Greatest(F("capacity") - F("places_taken"), 0))


TrainingDayManager = PageManager.from_queryset(TrainingDayQuerySet)


class TrainingDayPage(Page):
    """One training day, return meeting or intervisie for professionals, with its places."""

    class Kind(models.TextChoices):
        TRAINING_DAY = "scholing", _("Scholingsdag")
        RETURN_MEETING = "terugkom", _("Terugkombijeenkomst")
        INTERVISION = "intervisie", _("Intervisie")

    kind = models.CharField(_("soort bijeenkomst"), max_length=12, choices=Kind.choices, default=Kind.TRAINING_DAY)
    summary = models.TextField(
        _("samenvatting"), max_length=400, help_text=_("Twee of drie zinnen voor het overzicht.")
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("begintijd"))
    end_time = models.TimeField(_("eindtijd"))
    location = models.ForeignKey(
        "booking.Location",
        verbose_name=_("locatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Laat leeg als de bijeenkomst alleen online is."),
    )
    online_link = models.URLField(
        _("link voor online meedoen"),
        blank=True,
        help_text=_("Alleen wie een plek heeft ziet deze link, in de bevestiging en bij de eigen aanmeldingen."),
    )
    accreditation = models.CharField(
        _("accreditatie"), max_length=120, blank=True, help_text=_("Bijvoorbeeld: 2 punten ADV/V&VN.")
    )
    capacity = models.PositiveSmallIntegerField(
        _("aantal plaatsen"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    price = models.DecimalField(
        _("prijs in euro"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 is gratis. Betalen gaat buiten de site om, bijvoorbeeld met een factuur aan de praktijk."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("beschrijving"))

    objects = TrainingDayManager()

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")])],
            heading=_("Wanneer"),
        ),
        MultiFieldPanel([FieldPanel("location"), FieldPanel("online_link")], heading=_("Waar")),
        InlinePanel("speakers", label=_("Spreker")),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("price"), FieldPanel("accreditation")]),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["events.TrainingDayIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("scholing voor professionals")
        verbose_name_plural = _("scholing voor professionals")

    @property
    def start(self):
        return datetime.datetime.combine(self.date, self.start_time, tzinfo=LOCAL_TZ)

    @property
    def end(self):
        return datetime.datetime.combine(self.date, self.end_time, tzinfo=LOCAL_TZ)

    @property
    def is_online(self):
        return self.location_id is None or self.location.is_online

    @property
    def is_free(self):
        return not self.price

    def has_started(self, now=None):
        return (now or timezone.now()) >= self.start

    def clean(self):
        super().clean()
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("De eindtijd moet na de begintijd liggen.")
        if self.location_id is None and not self.online_link:
            errors["location"] = _("Kies een locatie, of vul een link in voor online meedoen.")
        if errors:
            raise ValidationError(errors)

    def places_left(self):
        """Free places now, counted from the bookings (the same count as `with_places_left`)."""
        return TrainingDayPage.objects.with_places_left().values_list("places_left", flat=True).get(pk=self.pk)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["places_left"] = self.places_left()
        context["started"] = self.has_started()
        context["speakers_list"] = list(self.speakers.all())
        context["own_booking"] = (
            self.bookings.filter(user=user, status__in=TrainingDayBooking.ACTIVE).first()
            if user.is_authenticated
            else None
        )
        context["may_book"] = is_verified_professional(user)
        return context


class TrainingDaySpeaker(Orderable):
    """Who speaks or leads the day, as the page shows it (public content that an editor writes)."""

    page = ParentalKey(TrainingDayPage, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("naam"), max_length=150)
    about = models.CharField(
        _("over de spreker"), max_length=250, blank=True, help_text=_("Bijvoorbeeld: GZ-psycholoog.")
    )

    panels = [FieldPanel("name"), FieldPanel("about")]

    class Meta(Orderable.Meta):
        verbose_name = _("spreker")
        verbose_name_plural = _("sprekers")

    def __str__(self):
        return self.name


class TrainingDayBooking(models.Model):
    """A professional's place at a training day, or their place in line for one.

    booked → cancelled, waiting → booked (a place came free) or cancelled.
    Nothing is deleted. Attendance is marked by the office after the start;
    a certificate exists only for someone marked present.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("aangemeld")
        WAITING = "waiting", _("op de wachtlijst")
        CANCELLED = "cancelled", _("afgemeld")

    ACTIVE = (Status.BOOKED, Status.WAITING)

    event = models.ForeignKey(
        TrainingDayPage, verbose_name=_("scholing"), on_delete=models.PROTECT, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("professional"),
        on_delete=models.PROTECT,
        related_name="training_day_bookings",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("aangemeld op"), default=timezone.now)
    placed_at = models.DateTimeField(_("plek gekregen op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("afgemeld op"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("herinnering gestuurd op"), null=True, blank=True)
    attended = models.BooleanField(_("aanwezig"), null=True, blank=True)
    attendance_marked_at = models.DateTimeField(_("aanwezigheid geregistreerd op"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aanwezigheid geregistreerd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate_code = models.CharField(
        _("controlecode certificaat"), max_length=12, null=True, blank=True, unique=True
    )

    class Meta:
        verbose_name = _("aanmelding voor scholing")
        verbose_name_plural = _("aanmeldingen voor scholing")
        ordering = ["created_at", "pk"]
        constraints = [
            # One place (or one place in line) per professional per day; a cancelled one may be followed by another.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["booked", "waiting"]),
                name="events_one_active_booking_per_professional",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="events_booking_line")]

    def __str__(self):
        return f"{self.user} – {self.event} ({self.get_status_display()})"

    @property
    def has_certificate(self):
        return self.status == self.Status.BOOKED and self.attended is True and bool(self.certificate_code)
