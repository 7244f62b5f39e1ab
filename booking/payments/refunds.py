"""Refunds after a cancellation: within the course's terms the place is refunded, after them not.

A group cancelled by the organisation refunds everyone in full. Open offline
payments are lowered or cancelled instead. Never more is refunded than was paid.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from booking.models import Enrollment, Payment, Refund
from booking.payments.lifecycle import Actor, Status, apply_status, create_refund
from booking.services.locks import lock_payment
from booking.services.money import CENT, euro, log_event

logger = logging.getLogger(__name__)


def refund_for_cancellation(enrollments, *, within_terms, now=None):
    """The participant cancelled these enrollments: refund each place in full when within the terms.

    Called inside the cancellation's transaction (``booking.selfservice``).
    Within the course's terms, each cancelled place gets its share of the
    payment back (a couple's payment: half per person). After the terms
    nothing is refunded; that is written in the payment's history. An offline
    payment that is not paid yet is lowered by the cancelled places, or
    cancelled when no place is left. Returns the refunds made.
    """
    return _refund_cancelled(
        enrollments,
        refund=within_terms,
        cause=Refund.Cause.CANCELLED,
        key_prefix="cancel",
        refused_note=_("Afgemeld na de afmeldtermijn: geen terugbetaling volgens de voorwaarden"),
        actor=Actor.PARTICIPANT,
    )


def refund_for_group_cancellation(enrollments, *, now=None):
    """The organisation cancelled the group: every cancelled place is refunded in full, whatever the terms.

    Called inside ``booking.selfservice.cancel_group``'s transaction. Open
    offline payments are cancelled. Calling it again refunds nothing twice.
    """
    return _refund_cancelled(
        enrollments,
        refund=True,
        cause=Refund.Cause.GROUP_CANCELLED,
        key_prefix="group",
        refused_note="",
        actor=Actor.SYSTEM,
    )


def _refund_cancelled(enrollments, *, refund, cause, key_prefix, refused_note, actor):
    made = []
    for enrollment in enrollments:
        for payment in Payment.objects.filter(enrollments=enrollment).order_by("pk"):
            with transaction.atomic():
                locked = lock_payment(payment.pk)
                if locked.status == Status.PAID and locked.provider != Payment.Provider.EXEMPT:
                    if refund:
                        made_refund = create_refund(
                            locked,
                            locked.per_place,
                            cause=cause,
                            actor=actor,
                            key=f"{key_prefix}:enrollment:{enrollment.pk}:payment:{locked.pk}",
                            enrollment=enrollment,
                        )
                        if made_refund is not None:
                            made.append(made_refund)
                    elif refused_note:
                        log_event(locked, actor=actor, note=refused_note)
                elif locked.pays_later and locked.status == Status.OPEN:
                    _lower_open_payment(locked, enrollment, actor=actor, refund=refund)
    return made


def _lower_open_payment(payment, enrollment, *, actor, refund):
    """An unpaid payment at the first session or by transfer after a cancellation: less to pay, or nothing at all."""
    if not refund:
        log_event(payment, actor=actor, note=_("Afgemeld na de afmeldtermijn; de eigen bijdrage blijft open"))
        return
    still = [
        e
        for e in payment.enrollments.all()
        if e.status in (Enrollment.Status.CONFIRMED, Enrollment.Status.HELD, Enrollment.Status.COMPLETED)
    ]
    if not still:
        apply_status(payment, Status.CANCELED, actor=actor, note=_("Afgemeld: er is niets meer te betalen"))
        return
    if payment.places > len(still):
        old_amount = payment.amount
        payment.amount = (payment.per_place * len(still)).quantize(CENT)
        payment.places = len(still)
        payment.save(update_fields=["amount", "places", "updated_at"])
        log_event(
            payment,
            actor=actor,
            note=_("Eén plaats afgemeld: te betalen van %(old)s naar %(new)s")
            % {"old": euro(old_amount), "new": euro(payment.amount)},
        )
