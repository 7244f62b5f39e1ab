"""Paid, but the place was gone: the participant chooses another group, the waiting list, or the money back.

Without a choice within ``NO_PLACE_REFUND_DAYS`` the money goes back by itself
(the periodic run).
"""

import contextlib
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Payment, Refund
from booking.payments.lifecycle import Actor, Status, create_refund, party_enrollments
from booking.services.availability import alternatives as open_alternatives
from booking.services.errors import AlreadyOnWaitlist, PaymentRefused
from booking.services.locks import lock_group, lock_payment
from booking.services.money import amount_for, log_event
from booking.services.participants import participant_data
from booking.services.places import confirm_party, hold_places
from booking.waitlist import entries as waitlist

logger = logging.getLogger(__name__)


NO_PLACE_REFUND_DAYS = 14


def alternatives(payment, now=None):
    """Groups of the same course that can take this sign-up now: room for all its places, no dearer than paid.

    Nearest in time first (see ``booking.signup.alternatives``).
    """

    now = now or timezone.now()
    rows = open_alternatives(payment.group.course, wanted=payment.places, exclude_group=payment.group, now=now)
    return [row for row in rows if amount_for(row.group, 1) <= payment.per_place]


def _refuse_unless_lost(payment):
    if payment.status != Status.PAID or payment.placement != Payment.Placement.LOST:
        raise PaymentRefused(_("U heeft hierover al een keuze gemaakt."))


def move_to_group(payment, group, *, now=None):
    """The participant takes a place in another group of the course with the money already paid.

    New places are held and confirmed at once (the same capacity rule as any
    sign-up), the confirmation email follows; when the new group is cheaper
    the difference is refunded. Refused (BookingError or ValidationError)
    when the group cannot take them; then nothing changes.
    """

    now = now or timezone.now()
    if group.course_id != payment.group.course_id:
        raise PaymentRefused(_("Kies een groep van dezelfde training."))
    if amount_for(group, 1) > payment.per_place:
        raise PaymentRefused(
            _("Deze groep kost meer dan u heeft betaald. Kies een andere groep, of neem contact met ons op.")
        )
    with transaction.atomic():
        lock_group(group.pk)
        locked = lock_payment(payment.pk)
        _refuse_unless_lost(locked)
        old = party_enrollments(locked.party)
        people = [participant_data(e.participant) for e in old]
        new = hold_places(
            group, people, consent_text_version=old[0].consent_text_version, now=now, language=old[0].language
        )
        locked.party = new[0].party
        locked.group = group
        locked.placement = Payment.Placement.MOVED
        locked.save(update_fields=["party", "group", "placement", "updated_at"])
        locked.enrollments.add(*new)
        log_event(locked, actor=Actor.PARTICIPANT, note=_("Verplaatst naar groep %(group)s") % {"group": group.pk})
        confirm_party(locked.party, payment=locked.provider, now=now)
        difference = locked.amount - amount_for(group, len(new))
        if difference > 0:
            create_refund(
                locked, difference, cause=Refund.Cause.MOVED, actor=Actor.SYSTEM, key=f"moved:payment:{locked.pk}"
            )
    return locked


def waitlist_instead(payment, *, consent_text_version, now=None):
    """The participant joins the course's waiting list and gets the money back (a place from the list is paid later).

    Everyone of the sign-up joins, with the group's location as their wish.
    Someone who is on the list already keeps their place there.
    """

    now = now or timezone.now()
    _refuse_unless_lost(Payment.objects.get(pk=payment.pk))
    # Joining takes the waiting list's lock (the course), which comes before a group's lock:
    # so it happens first, on its own; the choice itself is then made under the payment's lock.
    for enrollment in party_enrollments(payment.party):
        data = participant_data(enrollment.participant)
        with contextlib.suppress(AlreadyOnWaitlist):
            waitlist.join_waitlist(
                payment.group.course,
                data,
                preferred_locations=[payment.group.location],
                consent_text_version=consent_text_version,
                now=now,
            )
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        _refuse_unless_lost(locked)
        locked.placement = Payment.Placement.WAITLIST
        locked.save(update_fields=["placement", "updated_at"])
        log_event(locked, actor=Actor.PARTICIPANT, note=_("Op de wachtlijst gezet; het geld gaat terug"))
        create_refund(
            locked,
            locked.refundable_amount(),
            cause=Refund.Cause.NO_PLACE,
            actor=Actor.PARTICIPANT,
            key=f"noplace:payment:{locked.pk}",
        )
    return locked


def refund_instead(payment, *, actor=Actor.PARTICIPANT, now=None):
    """The participant wants the money back instead of another group or the waiting list."""
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        _refuse_unless_lost(locked)
        locked.placement = Payment.Placement.REFUND
        locked.save(update_fields=["placement", "updated_at"])
        log_event(locked, actor=actor, note=_("Geld terug gevraagd"))
        create_refund(
            locked,
            locked.refundable_amount(),
            cause=Refund.Cause.NO_PLACE,
            actor=actor,
            key=f"noplace:payment:{locked.pk}",
        )
    return locked
