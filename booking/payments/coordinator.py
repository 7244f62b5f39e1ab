"""What a coordinator does with the own contribution: mark an offline payment paid, waive it, refund.

The admin shows what `payment_actions` allows and never restates these rules.
"""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.clock import LOCAL_TZ
from booking.models import Enrollment, Payment, Refund
from booking.payments.lifecycle import Actor, Status, apply_status, create_refund, move_refund
from booking.services.errors import PaymentRefused
from booking.services.locks import lock_payment
from booking.services.money import CENT, ZERO, euro, log_event
from booking.services.notifications import queue_email

logger = logging.getLogger(__name__)


ACTIONS = ("mark_paid", "waive", "refund")


def payment_actions(payment):
    """What a coordinator may do with this payment now; the admin shows these and never restates them.

    Mark paid and waive: an open offline payment. Refund: a paid payment
    (not an exemption) with something left to refund.
    """
    open_offline = payment.provider == Payment.Provider.OFFLINE and payment.status == Status.OPEN
    return {
        "mark_paid": open_offline,
        "waive": open_offline,
        "refund": payment.status == Status.PAID
        and payment.provider != Payment.Provider.EXEMPT
        and payment.refundable_amount() > 0,
    }


def can_mark_refund_done(refund):
    """An offline refund still to be transferred by hand (Mollie refunds are done by Mollie)."""
    return refund.status == Refund.Status.PENDING and refund.payment.provider != Payment.Provider.MOLLIE


def mark_offline_paid(payment, *, by, method, paid_on=None, note=""):
    """A coordinator records that an offline payment came in (cash or card at the first session, or a transfer).

    Only an open offline payment can be marked paid, and only while its
    places are still there (not all cancelled). Marking it again changes
    nothing. Returns the payment.
    """
    if payment.provider != Payment.Provider.OFFLINE:
        raise PaymentRefused(
            _("Alleen een betaling bij de eerste bijeenkomst of per overboeking kunt u zelf op betaald zetten.")
        )
    now = timezone.now()
    paid_at = now
    if paid_on is not None:
        paid_at = datetime.datetime.combine(paid_on, datetime.time(12, 0), tzinfo=LOCAL_TZ)
        if paid_at > now:
            raise PaymentRefused(_("De datum van betalen kan niet in de toekomst liggen."))
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        if locked.status == Status.PAID:
            return locked
        if locked.status != Status.OPEN:
            raise PaymentRefused(
                _("Deze betaling is %(status)s. Dan kunt u haar niet op betaald zetten.")
                % {"status": locked.get_status_display()}
            )
        live = [
            e
            for e in locked.enrollments.all()
            if e.status in (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED)
        ]
        if not live:
            raise PaymentRefused(_("De aanmelding bij deze betaling is geannuleerd. Er is niets meer te betalen."))
        locked, changed = apply_status(
            locked,
            Status.PAID,
            actor=Actor.USER,
            user=by,
            paid_at=paid_at,
            method=method,
            note=note or _("Ontvangen: %(method)s") % {"method": method},
        )
        first = live[0]
        queue_email(
            "payment_received",
            f"payment_received:payment:{locked.pk}",
            participant=first.participant,
            payment_id=locked.pk,
            enrollment_id=first.pk,
        )
    return locked


def waive(payment, *, by, reason):
    """A coordinator waives the contribution of a sign-up, with a reason that is kept. Returns the exempt payment.

    Only an open offline payment can be waived (a paid one is refunded
    instead). It is cancelled, and an "exempt" payment of EUR 0 with the
    reason takes its place. A reason is required.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Schrijf op waarom deze deelnemer de eigen bijdrage niet hoeft te betalen.")}
        )
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        if locked.provider == Payment.Provider.EXEMPT:
            return locked
        if locked.provider != Payment.Provider.OFFLINE or locked.status != Status.OPEN:
            raise PaymentRefused(
                _(
                    "Alleen een eigen bijdrage die nog open staat, kunt u kwijtschelden. Is er al betaald? Betaal dan "
                    "terug."
                )
            )
        apply_status(locked, Status.CANCELED, actor=Actor.USER, user=by, note=_("Vervangen door een vrijstelling"))
        exempt = Payment.objects.create(
            party=locked.party,
            group=locked.group,
            places=locked.places,
            amount=ZERO,
            provider=Payment.Provider.EXEMPT,
            status=Status.PAID,
            paid_at=timezone.now(),
            exemption_reason=reason,
        )
        exempt.enrollments.set(locked.enrollments.all())
        log_event(
            exempt,
            actor=Actor.USER,
            user=by,
            to_status=Status.PAID,
            note=_("Eigen bijdrage van %(amount)s kwijtgescholden: %(reason)s")
            % {"amount": euro(locked.amount), "reason": reason},
        )
    return exempt


def refund_by_coordinator(payment, amount, *, by, reason=""):
    """A coordinator refunds part or all of what is left of a paid payment. Returns the Refund.

    The amount must be more than EUR 0 and at most what is left after earlier
    refunds; each refusal has a Dutch message at the amount field.
    """
    amount = Decimal(amount).quantize(CENT)
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        if locked.status != Status.PAID or locked.provider == Payment.Provider.EXEMPT:
            raise ValidationError({"amount": _("Er is (nog) niets betaald. Daarom is er niets terug te betalen.")})
        left = locked.refundable_amount()
        if amount <= 0:
            raise ValidationError({"amount": _("Het bedrag moet meer zijn dan € 0,00.")})
        if amount > left:
            raise ValidationError(
                {
                    "amount": _("U kunt hoogstens %(left)s terugbetalen. Dat is wat er nog over is van deze betaling.")
                    % {"left": euro(left)}
                }
            )
        return create_refund(locked, amount, cause=Refund.Cause.COORDINATOR, actor=Actor.USER, user=by, reason=reason)


def mark_refund_done(refund, *, by):
    """A coordinator records that an offline refund (a bank transfer to the participant) has been made."""
    with transaction.atomic():
        lock_payment(refund.payment_id)
        current = Refund.objects.select_related("payment").get(pk=refund.pk)
        if current.payment.provider == Payment.Provider.MOLLIE:
            raise PaymentRefused(_("Deze terugbetaling loopt via Mollie. Mollie laat ons weten wanneer ze klaar is."))
        move_refund(current, Refund.Status.REFUNDED, actor=Actor.USER, user=by, note=_("Overgemaakt aan de deelnemer"))
    return current
