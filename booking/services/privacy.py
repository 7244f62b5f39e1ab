"""When a participant's retention clock runs, and what makes erasure wait: the booking side of ``privacy``.

Registered with the privacy registry by ``booking.personal_data``.
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Enrollment, Payment, Refund, Session, WaitlistEntry, takes_a_place
from .money import euro

OPEN_PAYMENT = (Payment.Status.CREATED, Payment.Status.OPEN, Payment.Status.PENDING)
OPEN_REFUND = (Refund.Status.PENDING, Refund.Status.FAILED)


def _enrollment_still_counts(cutoff):
    """An enrollment whose part in someone's life ended on or after `cutoff`, or has not ended yet.

    A confirmed place goes on until its group completes; a completed place
    ends with the group's last session; a cancellation at its moment; a hold
    when it ran out.
    """
    group_ended_late = Exists(
        Session.objects.filter(group=OuterRef("group"), status=Session.Status.SCHEDULED, end__gte=cutoff)
    )
    return (
        Q(status=Enrollment.Status.CONFIRMED)
        | Q(status=Enrollment.Status.COMPLETED) & group_ended_late
        | Q(status__in=[Enrollment.Status.HELD, Enrollment.Status.EXPIRED])
        & (Q(hold_expires_at__gte=cutoff) | Q(hold_expires_at__isnull=True))
        | Q(status=Enrollment.Status.CANCELLED) & (Q(cancelled_at__gte=cutoff) | Q(cancelled_at__isnull=True))
    )


def has_a_place_after(cutoff):
    """On participants: a place (or a hold) that ended on or after `cutoff` or goes on (retention waits)."""
    return Exists(Enrollment.objects.filter(participant=OuterRef("pk")).filter(_enrollment_still_counts(cutoff)))


def on_a_waiting_list_after(cutoff):
    """On participants: still on a waiting list, or left it on or after `cutoff` (retention waits)."""
    return Exists(
        WaitlistEntry.objects.filter(participant=OuterRef("pk")).filter(
            Q(status__in=WaitlistEntry.ACTIVE) | Q(left_at__gte=cutoff) | Q(left_at__isnull=True)
        )
    )


def _open_payment_q(lookup, value):
    """Payments not settled: not paid yet, being processed, or paid for a lost place awaiting a choice."""
    return Q(**{f"enrollments__participant{lookup}": value}) & (
        Q(status__in=OPEN_PAYMENT) | Q(placement=Payment.Placement.LOST)
    )


def _open_refund_q(lookup, value):
    """Refunds on their way, or failed and waiting for a coordinator."""
    mine = Q(**{f"payment__enrollments__participant{lookup}": value}) | Q(**{f"enrollment__participant{lookup}": value})
    return mine & Q(status__in=OPEN_REFUND)


def has_an_open_payment(cutoff):
    """On participants: a payment not settled yet (retention waits until it is)."""
    return Exists(Payment.objects.filter(_open_payment_q("", OuterRef("pk"))))


def has_an_open_refund(cutoff):
    """On participants: a refund still on its way, or failed (retention waits until it is settled).

    Two conditions rather than one with OR: apart, each is a `NOT EXISTS` the database turns into an
    anti-join through the indexes, per person; joined with OR it read every open payment's places on
    each run (some 40 ms at national scale).
    """
    return Exists(Refund.objects.filter(_open_refund_q("", OuterRef("pk"))))


def erasure_refusals(person, now=None):
    """Why a person's data cannot be erased yet, in Dutch; empty when it can.

    Money first: an open payment (not paid yet, being processed, or paid for
    a place that was lost and waiting for a choice) or a refund on its way
    or failed must be settled, because the payment still needs the person.
    Then a place that is going on (confirmed, or a hold that has not run
    out) or a place on a waiting list: erasing would leave a place without a
    name, so that is cancelled first.
    """
    ids = sorted(person.participant_ids)
    if not ids:
        return []
    now = now or timezone.now()
    refusals = []
    payments = list(Payment.objects.filter(_open_payment_q("__in", ids)).distinct())
    if payments:
        total = sum((payment.amount for payment in payments), Decimal("0"))
        refusals.append(
            ngettext(
                "Er staat nog een betaling open (%(amount)s). Als die betaald of geannuleerd is, "
                "kunnen de gegevens worden verwijderd.",
                "Er staan nog %(count)s betalingen open (samen %(amount)s). Als die betaald of geannuleerd zijn, "
                "kunnen de gegevens worden verwijderd.",
                len(payments),
            )
            % {"count": len(payments), "amount": euro(total)}
        )
    if Refund.objects.filter(_open_refund_q("__in", ids)).exists():
        refusals.append(
            _(
                "Er loopt nog een terugbetaling. Als het geld is teruggestort, kunnen de gegevens worden verwijderd. "
                "Tot die tijd is de naam nodig om het geld terug te betalen."
            )
        )
    if Enrollment.objects.filter(participant__in=ids).filter(takes_a_place(now)).exists():
        refusals.append(
            _(
                "Er is nog een plaats in een groep die niet is afgelopen. Na afmelden voor die groep "
                "kunnen de gegevens worden verwijderd."
            )
        )
    if WaitlistEntry.objects.filter(participant__in=ids, status__in=WaitlistEntry.ACTIVE).exists():
        refusals.append(
            _(
                "Er is nog een plaats op een wachtlijst. Na afmelden van de wachtlijst kunnen de gegevens "
                "worden verwijderd."
            )
        )
    return refusals
