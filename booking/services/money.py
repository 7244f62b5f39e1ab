"""Money: what a sign-up owes, how amounts are written, and the records that keep it.

Amounts are Decimal euro, never floats. A payment is for one sign-up (a
party): the group's contribution times the number of places. Every change to
a payment is written down as a PaymentEvent with who or what caused it.
Paying itself (online, offline, refunds) is ``booking.payments``.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..models import PAY_LATER, Payment, PaymentEvent
from . import statements

Status = Payment.Status
Actor = PaymentEvent.Actor

CENT = Decimal("0.01")


ZERO = Decimal("0.00")


def has_paid(enrollment):
    """Whether the own contribution for this place was paid (not exempt, not zero): then it comes back on cancelling."""
    return (
        enrollment.payments.filter(status=Status.PAID, amount__gt=0).exclude(provider=Payment.Provider.EXEMPT).exists()
    )


def euro(amount):
    """EUR 35,00 in Dutch notation ("€ 35,00"): the one way the site writes an amount."""
    return "€\u00a0" + number_format(Decimal(amount).quantize(CENT), 2, use_l10n=True, force_grouping=True)


def log_event(payment, *, actor, user=None, from_status="", to_status="", note="", refund=None):
    """Write one line of the payment's history. `actor` is a PaymentEvent.Actor; `user` when staff did it.

    A written-out insert (``statements.insert``): a payment's history is written under its group's lock.
    """
    event = payment_event(
        payment, actor=actor, user=user, from_status=from_status, to_status=to_status, note=note, refund=refund
    )
    statements.insert([event])
    return event


def payment_event(payment, *, actor, user=None, from_status="", to_status="", note="", refund=None):
    """One line of the payment's history, not saved yet: for a caller that writes it together with the payment's
    own row (``statements.insert_with``, ``statements.update_one``). As `log_event` takes it."""
    return PaymentEvent(
        payment=payment,
        refund=refund,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=Actor.USER if user is not None else actor,
        user=user,
        note=str(note)[:300],
    )


def amount_for(group, places):
    """The rule for what a sign-up pays: the group's contribution (or the course's) times the places."""
    return (Decimal(group.amount or 0) * places).quantize(CENT)


def create_payment(enrollments, *, provider, actor=Actor.PARTICIPANT, user=None, note=""):
    """A new payment for one party's enrollments: created (online), or open (paid later: at the first session or
    by transfer, waiting for a coordinator to mark it paid).

    The amount is fixed now from the group's contribution and the number of
    places. Each attempt to pay online is its own payment; earlier ones stay.
    """
    enrollments = list(enrollments)
    if not enrollments:
        raise ValueError("A payment needs at least one enrollment.")
    parties = {enrollment.party for enrollment in enrollments}
    if len(parties) != 1:
        raise ValueError("A payment is for one sign-up (one party).")
    group = enrollments[0].group
    status = Status.OPEN if provider in PAY_LATER else Status.CREATED
    payment = Payment(
        party=enrollments[0].party,
        group=group,
        places=len(enrollments),
        amount=amount_for(group, len(enrollments)),
        provider=provider,
        status=status,
    )
    links = Payment.enrollments.through
    event = payment_event(payment, actor=actor, user=user, to_status=status, note=note or _("Betaling aangemaakt"))
    with statements.together():
        # The payment, its links and its log line written out together (``statements.insert_with``: on
        # PostgreSQL one statement, without a transaction of its own), as ``create`` and ``bulk_create`` would
        # write them but built once: every online payment starts here. No signals, as with ``bulk_create``:
        # nothing listens for a payment's save.
        statements.insert_with(
            payment,
            [*(links(payment=payment, enrollment=enrollment) for enrollment in enrollments), event],
            link="payment",
        )
    return payment


def record_offline_payment(enrollments):
    """The sign-up chose to pay at the first session: an open offline payment.

    Nothing is recorded when there is nothing to pay, or when the sign-up
    already has an offline payment (calling it again changes nothing).
    """
    enrollments = list(enrollments)
    if not enrollments or not amount_for(enrollments[0].group, len(enrollments)):
        return None
    existing = Payment.objects.filter(party=enrollments[0].party, provider=Payment.Provider.OFFLINE).first()
    if existing is not None:
        return existing
    return create_payment(enrollments, provider=Payment.Provider.OFFLINE, note=_("Betalen bij de eerste bijeenkomst"))


def parse_amount(value):
    """A euro amount typed by a person ("12,50", "€ 12.50", "12") as Decimal; ValidationError in Dutch otherwise."""
    text = str(value or "").replace("€", "").replace("EUR", "").replace("\u00a0", " ").strip()
    if not text:
        raise ValidationError(_("Vul een bedrag in, bijvoorbeeld 17,50."), code="required")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        raise ValidationError(_("Vul een bedrag in euro in, bijvoorbeeld 17,50."), code="invalid") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(_("Vul een bedrag in met hoogstens twee cijfers achter de komma."), code="invalid")
    return amount
