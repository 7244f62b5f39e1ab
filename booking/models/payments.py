"""The own contribution (eigen bijdrage): payments, refunds, and the log of every change to them.

A payment belongs to one sign-up (a party: one person, or a couple who pay
once for both places). It has its own lifecycle, separate from the places:

    created -> open -> pending -> paid
                  \\-> failed / expired / canceled

"created" is our record before the payment provider knows it; "open" is
waiting for the participant (an offline payment stays open until a
coordinator marks it paid). Paid, failed, expired and canceled are final. A
refund is its own record with its own lifecycle (pending -> refunded, or
failed); a paid payment stays paid, however much of it is refunded.

Nothing here is ever deleted, amounts are Decimal euros, and every change is
written to `PaymentEvent` with who or what caused it. Only the functions in
``booking.payments.services`` change a payment or a refund.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


class Payment(models.Model):
    # Not in Wagtail's reference index (its "usage" of a group, which the admin never shows): the index
    # would otherwise be rewritten on every save, inside the transactions that hold a group's lock.
    wagtail_reference_index_ignore = True

    class Provider(models.TextChoices):
        MOLLIE = "mollie", _("online (Mollie)")
        OFFLINE = "offline", _("bij de eerste bijeenkomst")
        TRANSFER = "transfer", _("per overboeking")
        EXEMPT = "exempt", _("vrijgesteld")

    class Status(models.TextChoices):
        CREATED = "created", _("aangemaakt")
        OPEN = "open", _("nog niet betaald")
        PENDING = "pending", _("wordt verwerkt")
        PAID = "paid", _("betaald")
        FAILED = "failed", _("mislukt")
        EXPIRED = "expired", _("verlopen")
        CANCELED = "canceled", _("geannuleerd")

    class Placement(models.TextChoices):
        """What became of the places this payment was for, when that is not simply "confirmed"."""

        CONFIRMED = "", _("plaats bevestigd of nog niet aan de orde")
        LOST = "lost", _("betaald, maar de plaats was weg: deelnemer kiest")
        MOVED = "moved", _("verplaatst naar een andere groep")
        WAITLIST = "waitlist", _("op de wachtlijst gezet, geld terug")
        REFUND = "refund", _("geld terug gevraagd")

    party = models.UUIDField(_("aanmelding (samen)"), db_index=True)
    enrollments = models.ManyToManyField("booking.Enrollment", verbose_name=_("aanmeldingen"), related_name="payments")
    group = models.ForeignKey(
        "booking.TrainingGroup", verbose_name=_("groep"), on_delete=models.PROTECT, related_name="payments"
    )
    places = models.PositiveSmallIntegerField(_("aantal plaatsen"), default=1)
    amount = models.DecimalField(
        _("bedrag (euro)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    provider = models.CharField(_("manier van betalen"), max_length=10, choices=Provider.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED, db_index=True)
    # What became of the places (the column keeps its first name).
    placement = models.CharField(
        _("plaats"),
        max_length=10,
        choices=Placement.choices,
        default=Placement.CONFIRMED,
        blank=True,
        db_column="place",
    )
    mollie_id = models.CharField(_("Mollie-betalingsnummer"), max_length=40, blank=True)
    mollie_mode = models.CharField(_("Mollie-modus"), max_length=10, blank=True, help_text=_("test of live"))
    checkout_url = models.URLField(_("betaalpagina"), max_length=500, blank=True)
    method = models.CharField(
        _("betaalmethode"),
        max_length=40,
        blank=True,
        help_text=_("Bijvoorbeeld iDEAL, of contant bij de eerste bijeenkomst."),
    )
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    due_on = models.DateField(
        _("uiterlijk betalen op"),
        null=True,
        blank=True,
        help_text=_("Bij een overboeking: de datum die de deelnemer kreeg om te betalen."),
    )
    exemption_reason = models.TextField(_("reden vrijstelling"), blank=True)
    last_error = models.CharField(_("laatste foutmelding"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("betaling")
        verbose_name_plural = _("betalingen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mollie_id"], condition=~Q(mollie_id=""), name="booking_payment_mollie_id_once"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="booking_payment_amount_not_negative"),
        ]
        indexes = [
            # Bookkeeping keeps the Mollie id for years, then the retention run clears it (booking.personal_data).
            models.Index(fields=["created_at"], condition=~Q(mollie_id=""), name="booking_payment_bookkeeping"),
            # Payments not settled (booking.services.privacy.has_an_open_payment): a few of 200,000 at national
            # scale, which the retention run asks about for every participant it looks at.
            models.Index(
                fields=["id"],
                condition=Q(status__in=["created", "open", "pending"]) | Q(placement="lost"),
                name="booking_payment_unsettled",
            ),
        ]

    def __str__(self):
        amount = f"{self.amount:.2f}".replace(".", ",")
        return f"€ {amount}, {self.get_provider_display()}, {self.get_status_display()}"

    @property
    def pays_later(self):
        """Paid at the first session or by transfer: open until a coordinator marks it paid."""
        return self.provider in PAY_LATER

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES

    @property
    def per_place(self):
        """What one place cost: the amount shared by the places it paid for."""
        return (self.amount / self.places).quantize(Decimal("0.01")) if self.places else self.amount

    def refunded_amount(self):
        """Refunds that went through, or are on their way (failed ones do not count)."""
        total = self.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount"))["total"]
        return total or ZERO

    def refundable_amount(self):
        """What can still be paid back: nothing unless paid, never more than is left of the amount."""
        if self.status != self.Status.PAID:
            return ZERO
        return max(self.amount - self.refunded_amount(), ZERO)


# Ways where the place is confirmed at once and the money comes later: open until a coordinator marks it paid.
PAY_LATER = frozenset({Payment.Provider.OFFLINE, Payment.Provider.TRANSFER})

FINAL_STATUSES = frozenset(
    {Payment.Status.PAID, Payment.Status.FAILED, Payment.Status.EXPIRED, Payment.Status.CANCELED}
)


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wordt terugbetaald")
        REFUNDED = "refunded", _("terugbetaald")
        FAILED = "failed", _("mislukt")

    class Cause(models.TextChoices):
        CANCELLED = "cancelled", _("afgemeld binnen de voorwaarden")
        GROUP_CANCELLED = "group_cancelled", _("groep gaat niet door")
        NO_PLACE = "no_place", _("betaald, maar geen plaats")
        MOVED = "moved", _("verschil na verplaatsing")
        DUPLICATE = "duplicate", _("dubbel betaald")
        COORDINATOR = "coordinator", _("door een coördinator")
        DASHBOARD = "dashboard", _("in het Mollie-dashboard")

    payment = models.ForeignKey(Payment, verbose_name=_("betaling"), on_delete=models.PROTECT, related_name="refunds")
    enrollment = models.ForeignKey(
        "booking.Enrollment",
        verbose_name=_("aanmelding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        help_text=_("De aanmelding waarvoor terugbetaald wordt, als het om één plaats gaat."),
    )
    amount = models.DecimalField(
        _("bedrag (euro)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    cause = models.CharField(_("aanleiding"), max_length=20, choices=Cause.choices)
    reason = models.CharField(_("toelichting"), max_length=300, blank=True)
    # One refund per cause and enrollment: asking twice (a repeated cancellation) finds the first.
    key = models.CharField(max_length=100, unique=True, null=True, blank=True, editable=False)
    mollie_refund_id = models.CharField(_("Mollie-terugbetalingsnummer"), max_length=40, blank=True)
    last_error = models.CharField(_("laatste foutmelding"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    refunded_at = models.DateTimeField(_("terugbetaald op"), null=True, blank=True)

    class Meta:
        verbose_name = _("terugbetaling")
        verbose_name_plural = _("terugbetalingen")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mollie_refund_id"], condition=~Q(mollie_refund_id=""), name="booking_refund_mollie_id_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="booking_refund_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=~Q(mollie_refund_id=""), name="booking_refund_bookkeeping"),
        ]

    def __str__(self):
        amount = f"{self.amount:.2f}".replace(".", ",")
        return f"€ {amount}, {self.get_status_display()}"


class PaymentEvent(models.Model):
    """One change to a payment or a refund: from which status to which, when, and caused by whom or what."""

    class Actor(models.TextChoices):
        USER = "user", _("medewerker")
        WEBHOOK = "webhook", _("bericht van Mollie")
        SYSTEM = "system", _("systeem")
        PARTICIPANT = "participant", _("deelnemer")

    payment = models.ForeignKey(Payment, verbose_name=_("betaling"), on_delete=models.PROTECT, related_name="events")
    refund = models.ForeignKey(
        Refund, verbose_name=_("terugbetaling"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("moment"), auto_now_add=True, db_index=True)
    from_status = models.CharField(_("van"), max_length=10, blank=True)
    to_status = models.CharField(_("naar"), max_length=10, blank=True)
    actor = models.CharField(_("door"), max_length=12, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medewerker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("betaalgebeurtenis")
        verbose_name_plural = _("betaalgebeurtenissen")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status} -> {self.to_status}"
