"""Participants and their places in groups.

An enrollment's lifecycle: held -> confirmed -> completed, or cancelled /
expired. Only the services in ``booking.services`` move an enrollment from
one status to the next.
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import geo
from groepswijzer.languages import language_field

from ..clock import local_year

ADULT_AGE = 18
# No 0/O, 1/I/L: a reference is read aloud on the phone and typed over from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def age_refusal(birth_year, *, now, min_age=ADULT_AGE):
    """Why someone born in `birth_year` cannot join a training for `min_age` and older at `now`, or None.

    The one age rule, used by the model, the sign-up, the waiting list and
    every form. Age is judged by year of birth only, on the Dutch calendar:
    whoever turns `min_age` this year may join. Every training is for adults,
    so `min_age` is never below 18. A year in the future is a typing error.
    """
    min_age = max(min_age or ADULT_AGE, ADULT_AGE)
    year = local_year(now)
    if birth_year > year:
        return _("Vul het jaar in waarin u geboren bent, bijvoorbeeld 1980.")
    if year - birth_year < min_age:
        return _("Deze training is voor mensen van %(age)s jaar en ouder.") % {"age": min_age}
    return None


class ConsentChannel(models.TextChoices):
    """How a consent reached us: online by the person themselves, or through the office (which records who took it)."""

    ONLINE = "online", _("online, door de deelnemer zelf")
    PHONE = "phone", _("per telefoon")
    DESK = "desk", _("aan de balie")
    IMPORT = "import", _("overgenomen uit het vorige systeem")


CONSENT_TAKEN = {
    ConsentChannel.PHONE: _("per telefoon gegeven aan %(name)s"),
    ConsentChannel.DESK: _("aan de balie gegeven aan %(name)s"),
    ConsentChannel.IMPORT: _("overgenomen uit het vorige systeem door %(name)s"),
}


class ConsentRecord(models.Model):
    """The fields every consent keeps: the text version, the moment, how it was given and to whom.

    Abstract: enrollments and waiting-list entries each carry it. A consent
    given to the office (by phone or at the desk) names the member of staff
    who took it; one given online names nobody.
    """

    consent_text_version = models.CharField(_("versie toestemmingstekst"), max_length=40)
    consent_at = models.DateTimeField(_("toestemming gegeven op"))
    consent_channel = models.CharField(
        _("toestemming gegeven"), max_length=10, choices=ConsentChannel.choices, default=ConsentChannel.ONLINE
    )
    consent_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("toestemming aangenomen door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def consent_description(self):
        """ "per telefoon gegeven aan Ilse Verhoeven", or "online gegeven door de deelnemer zelf"."""
        wording = CONSENT_TAKEN.get(self.consent_channel)
        if wording is None or self.consent_taken_by_id is None:
            return str(_("online gegeven door de deelnemer zelf"))
        taker = self.consent_taken_by
        return wording % {"name": taker.get_full_name() or taker.email}


def takes_a_place(now, prefix=""):
    """The rule for what uses up a place at `now`, as a filter.

    Confirmed enrollments, and holds whose time has not run out. A hold past
    its expiry stops counting at once, whether or not the sweep has marked it
    expired. `prefix` lets a query reach enrollments through a relation.
    """
    return Q(**{f"{prefix}status": Enrollment.Status.CONFIRMED}) | Q(
        **{f"{prefix}status": Enrollment.Status.HELD, f"{prefix}hold_expires_at__gt": now}
    )


def same_inbox(email):
    """An email address as it is stored: one person, one address (Sanne@Example.nl and sanne@example.nl are the
    same inbox)."""
    return str(email or "").strip().lower()


class Participant(models.Model):
    """Someone who signs up for a group. Only what the training needs: no BSN, no diagnosis."""

    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(
        _("achternaam"), max_length=150, help_text=_("Met tussenvoegsel, bijvoorbeeld: van der Berg.")
    )
    email = models.EmailField(_("e-mailadres"), db_index=True)
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("geboortejaar"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    postcode = models.CharField(_("postcode"), max_length=7, help_text=_("Bijvoorbeeld 5611 AB."))
    gp_practice = models.CharField(_("huisartsenpraktijk"), max_length=200, blank=True)
    gp_letter_consent = models.BooleanField(
        _("toestemming voor brief aan huisarts"),
        default=False,
        help_text=_("De deelnemer vindt het goed dat de huisarts een brief krijgt over de training."),
    )
    gp_letter_consent_at = models.DateTimeField(_("toestemming brief gegeven op"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    anonymised_at = models.DateTimeField(
        _("geanonimiseerd op"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Na de bewaartermijn of op verzoek: naam, e-mailadres, telefoon en volledige postcode zijn weg."),
    )

    class Meta:
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        ordering = ["last_name", "first_name"]
        indexes = [
            # The retention run reads only participants not anonymised yet, oldest first (privacy.retention).
            models.Index(
                fields=["created_at"], condition=Q(anonymised_at__isnull=True), name="booking_participant_retention"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        errors = {}
        self.first_name = (self.first_name or "").strip()
        self.last_name = (self.last_name or "").strip()
        self.phone = (self.phone or "").strip()
        self.gp_practice = (self.gp_practice or "").strip()
        self.email = same_inbox(self.email)
        if self.postcode:
            try:
                self.postcode = str(geo.parse_postcode(self.postcode))
            except ValidationError as error:
                errors["postcode"] = error.messages
        if self.gp_letter_consent and not self.gp_practice:
            errors["gp_practice"] = [_("Vul de naam van uw huisartsenpraktijk in. Dan kunnen wij de brief sturen.")]
        if errors:
            raise ValidationError(errors)


class Enrollment(ConsentRecord):
    """A participant's place in a group."""

    # Not in Wagtail's reference index (its "usage" of a group, which the admin never shows): the index
    # would otherwise be rewritten on every save, inside the transactions that hold a group's lock.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        HELD = "held", _("gereserveerd")
        CONFIRMED = "confirmed", _("bevestigd")
        COMPLETED = "completed", _("afgerond")
        CANCELLED = "cancelled", _("geannuleerd")
        EXPIRED = "expired", _("verlopen")

    # A place that is going on (held or confirmed), and one whose dates stay in the calendar.
    ACTIVE = (Status.HELD, Status.CONFIRMED)
    KEEPS_DATES = (Status.HELD, Status.CONFIRMED, Status.COMPLETED)

    group = models.ForeignKey(
        "booking.TrainingGroup", verbose_name=_("groep"), on_delete=models.PROTECT, related_name="enrollments"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("deelnemer"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField(_("reservering geldig tot"), null=True, blank=True)
    party = models.UUIDField(
        _("samen aangemeld"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Aanmeldingen die samen zijn gedaan (bijvoorbeeld door een stel) hebben dezelfde code."),
    )
    reference = models.CharField(_("kenmerk"), max_length=12, unique=True, default=new_reference, editable=False)
    language = language_field()
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["group", "status", "hold_expires_at"], name="booking_enrollment_places"),
            # The admin's listing, newest first: its first page reads the index's start, not a million rows.
            models.Index(F("created_at").desc(), F("id").desc(), name="booking_enrollment_newest"),
            # Holds still running, by their end: the first hold to run out anywhere (the page cache,
            # booking.services.page_state.next_change) and the hold sweep read few rows of a million.
            models.Index(fields=["hold_expires_at"], condition=Q(status="held"), name="booking_enrollment_holds"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="booking_enrollment_hold_has_expiry",
                violation_error_message=_("Een reservering heeft een einddatum nodig."),
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.participant} ({self.get_status_display()})"

    def state_at(self, now=None):
        """The status as it is at `now`: a hold whose time ran out is "expired", whether or not the sweep ran."""
        if self.status == self.Status.HELD and not self.is_live_hold(now):
            return self.Status.EXPIRED
        return self.Status(self.status)

    def is_live_hold(self, now=None):
        """A hold that still keeps its place."""
        now = now or timezone.now()
        return self.status == self.Status.HELD and self.hold_expires_at is not None and self.hold_expires_at > now


class EnrollmentMove(models.Model):
    """The office moved a place from one group to another (one by one, or by merging two groups); kept for good."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("aanmelding"), on_delete=models.PROTECT, related_name="moves"
    )
    from_group = models.ForeignKey(
        "booking.TrainingGroup", verbose_name=_("van groep"), on_delete=models.PROTECT, related_name="+"
    )
    to_group = models.ForeignKey(
        "booking.TrainingGroup", verbose_name=_("naar groep"), on_delete=models.PROTECT, related_name="+"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verplaatst door"), on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(_("verplaatst op"))
    reason = models.CharField(_("reden"), max_length=300)
    merged = models.BooleanField(_("bij het samenvoegen van groepen"), default=False)

    class Meta:
        verbose_name = _("verplaatsing naar een andere groep")
        verbose_name_plural = _("verplaatsingen naar een andere groep")
        ordering = ["-moved_at", "-pk"]

    def __str__(self):
        return f"{self.enrollment.reference}: {self.from_group_id} → {self.to_group_id}"
