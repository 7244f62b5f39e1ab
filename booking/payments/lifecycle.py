"""A payment's and a refund's lifecycle: the valid steps, what happens when a payment is paid, refund records.

The payments package (``online``, ``refunds``, ``coordinator``, ``lost_place``,
``periodic``) and its views, the webhook, the admin and the tests all go
through these functions; nothing else changes a Payment's or a Refund's
status. The rules of the whole package, each stated again on the function
that applies it:

* A payment is for one sign-up (a party): amount = the group's contribution
  x the number of places. A couple pays once for both places.
* A payment only moves forward: created -> open -> pending -> paid, or to
  failed / expired / canceled from any status before paid. Paid, failed,
  expired and canceled are final. A status that is the same as ours, or one
  that would go backwards (a "canceled" after "paid", a late "open"), changes
  nothing. So a webhook that comes twice, or late, changes nothing twice.
* When a payment becomes paid, the places are confirmed and the confirmation
  email queued, in the same transaction (``services.places.confirm_party``).
  When the places cannot be confirmed any more (the hold ran out and the group
  filled up meanwhile, or the group was cancelled) the payment stays paid, the
  participant is told honestly and chooses: another group of the course, the
  waiting list, or their money back. Without a choice within
  ``NO_PLACE_REFUND_DAYS`` the money goes back by itself.
* A second paid payment for a sign-up that was already paid (two tabs) is
  refunded in full at once.
* A coordinator marks an offline payment paid, or waives the contribution
  with a reason (the open offline payment is then cancelled and an "exempt"
  payment of EUR 0 records the reason).
* Refunds: cancelling within the course's terms refunds that place in full;
  after the terms nothing is refunded (and the participant is told why); a
  group cancelled by the organisation refunds everyone in full; a
  coordinator may refund any part of what is left. Refunds made in the Mollie
  dashboard are recorded when Mollie tells us about them. Never more is
  refunded than was paid.
* Every change is logged in PaymentEvent with who or what caused it.

Locks come from ``services.locks`` (its one order ends: group, then payment).
A Mollie request never runs inside a transaction: the status is fetched
first, then applied under the lock, so a slow or absent Mollie never keeps a
lock.
"""

import functools
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from booking.models import PAY_LATER, Payment, PaymentEvent, Refund
from booking.payments.gateway import configured_gateway
from booking.services import statements
from booking.services.errors import BookingError
from booking.services.locks import lock_payment
from booking.services.money import CENT, euro, log_event, payment_event
from booking.services.notifications import queue_email
from booking.services.places import confirm_party_locked

logger = logging.getLogger(__name__)

Status = Payment.Status
Actor = PaymentEvent.Actor

# Where a payment may go from each status. Final statuses go nowhere.
TRANSITIONS = {
    Status.CREATED: {Status.OPEN, Status.PENDING, Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
    Status.OPEN: {Status.PENDING, Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
    Status.PENDING: {Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
}
# A refund only moves from pending to one of these.
REFUND_TRANSITIONS = {Refund.Status.PENDING: {Refund.Status.REFUNDED, Refund.Status.FAILED}}


def can_move(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, ())


# --- the log -------------------------------------------------------------------------------------


# --- finding and locking -------------------------------------------------------------------------


def party_enrollments(party, *, course_fields=None):
    """A sign-up's places by id, with their participants, groups and courses (a written-out statement).

    `course_fields`: only these fields of the course, the others deferred (``statements.party_places``)."""
    return statements.party_places(party, course_fields=course_fields)


def party_enrollments_and_latest_payment(party, provider, *, course_fields=None):
    """`party_enrollments` and `latest_payment` (of `provider`): the places and the newest payment's id in one
    statement, then that payment's row only when there is one."""
    places, newest = statements.party_places(party, course_fields=course_fields, newest_payment=provider)
    if not places:  # no row to carry the id
        return places, latest_payment(party, provider)
    return places, (statements.get(Payment, newest) if newest is not None else None)


def latest_payment(party, provider=None):
    """The sign-up's newest payment (of `provider`), or None; a written-out statement."""
    condition, params = f"{statements.column(Payment, 'party')} = %s", [statements.value(Payment, "party", party)]
    if provider:
        condition += f" AND {statements.column(Payment, 'provider')} = %s"
        params.append(statements.value(Payment, "provider", provider))
    newest = f"{statements.column(Payment, 'created_at')} DESC, {statements.column(Payment, 'id')} DESC"
    found = statements.select(Payment, condition, params, order=newest, limit=1)
    return found[0] if found else None


def payment_for_enrollment(enrollment):
    """The payment that counts for this enrollment: the paid one if there is one, else the newest."""
    payments = list(enrollment.payments.order_by("-created_at", "-pk"))
    for payment in payments:
        if payment.status == Status.PAID and payment.provider != Payment.Provider.EXEMPT:
            return payment
    for payment in payments:
        if payment.status == Status.PAID:
            return payment
    return payments[0] if payments else None


# --- creating ------------------------------------------------------------------------------------


# --- applying a status ---------------------------------------------------------------------------


def apply_status(
    payment, new_status, *, actor, user=None, paid_at=None, method="", mode="", note="", nowait=False, now=None
):
    """Bring our payment to `new_status` when that is a valid step; returns (payment, changed).

    Under the payment's lock. The same status again, or a step backwards or
    out of a final status, changes nothing (and is not logged twice). On
    paid, the places are confirmed and the confirmation email queued in the
    same transaction (see `_after_paid`).
    """
    with transaction.atomic():
        locked = lock_payment(payment.pk, nowait=nowait)
        return apply_locked_status(
            locked, new_status, actor=actor, user=user, paid_at=paid_at, method=method, mode=mode, note=note, now=now
        )


def apply_locked_status(
    locked, new_status, *, actor, user=None, paid_at=None, method="", mode="", note="", now=None, also=()
):
    """`apply_status` for a payment the caller locked (``lock_payment``) in its transaction; returns (payment, changed).

    `also`: fields the caller changed on `locked`, saved in the same update, whether the status moves or not.
    """
    now = now or timezone.now()
    new_status = Status(new_status)
    fields = list(also)
    moves = locked.status != new_status and can_move(locked.status, new_status)
    old = locked.status
    if moves:
        locked.status = new_status
        fields.append("status")
        if method and not locked.method:
            locked.method = method[:40]
            fields.append("method")
        if mode and not locked.mollie_mode:
            locked.mollie_mode = mode[:10]
            fields.append("mollie_mode")
        if new_status == Status.PAID:
            locked.paid_at = paid_at or now
            fields.append("paid_at")
    event = None
    if moves:
        event = payment_event(locked, actor=actor, user=user, from_status=old, to_status=new_status, note=note)
    if fields:
        # A written-out update with its log line (``statements.update_one``; on PostgreSQL one statement): this runs
        # under the group's lock.
        locked.updated_at = timezone.now()
        values = {name: getattr(locked, name) for name in [*fields, "updated_at"]}
        statements.update_one(Payment, locked.pk, then_insert=[event] if event else (), link="payment", **values)
    if not moves:
        return locked, False
    if new_status == Status.PAID:
        _after_paid(locked, actor=actor, user=user, now=now)
    return locked, True


def _other_payments_that_matter(payment):
    """The sign-up's other payments that were paid (an amount above zero), or that are to be paid later and still
    open: ``Payment.objects.filter(party=…).filter(Q(status=PAID, amount__gt=0) | Q(provider__in=PAY_LATER,
    status=OPEN)).exclude(pk=…)`` in the model's order, as a written-out statement (it runs under the lock)."""
    c = functools.partial(statements.column, Payment)
    later = ", ".join(["%s"] * len(PAY_LATER))
    condition = (
        f"{c('party')} = %s AND {c('id')} <> %s AND (({c('status')} = %s AND {c('amount')} > %s) "
        f"OR ({c('provider')} IN ({later}) AND {c('status')} = %s))"
    )
    params = [
        statements.value(Payment, "party", payment.party),
        payment.pk,
        Status.PAID.value,
        statements.value(Payment, "amount", Decimal("0")),
        *(str(provider) for provider in PAY_LATER),
        Status.OPEN.value,
    ]
    return statements.select(Payment, condition, params, order=f"{c('created_at')} DESC, {c('id')} DESC")


def _after_paid(payment, *, actor, user, now):
    """Confirm the places of a payment that just became paid; or, when they are gone, say so and let them choose.

    Runs inside the caller's transaction, under the payment's lock.
    """

    if payment.provider != Payment.Provider.MOLLIE:
        return  # offline sign-ups were confirmed when they chose to pay later
    # The sign-up's other payments that matter here, in one query: one paid before, or one to pay later.
    others = _other_payments_that_matter(payment)
    if payment.amount and any(other.status == Status.PAID for other in others):
        # Paid twice for one sign-up (two tabs, two tries that both went through): the second goes back.
        create_refund(
            payment,
            payment.amount,
            cause=Refund.Cause.DUPLICATE,
            actor=Actor.SYSTEM,
            key=f"duplicate:payment:{payment.pk}",
            reason=_("Deze aanmelding was al betaald."),
        )
        return
    # Chose to pay at the first session or by transfer after starting online, and then paid online after all:
    # nothing is left to pay.
    for offline in others:
        if offline.status == Status.OPEN:
            apply_status(offline, Status.CANCELED, actor=actor, user=user, note=_("Toch online betaald"), now=now)
    try:
        # The payment's lock took its group's and read its row: no savepoint, no second lock or look-up (a
        # refusal writes nothing).
        confirm_party_locked(
            payment.party,
            payment.group_id,
            payment=payment.provider,
            now=now,
            locked=getattr(payment, "locked_group", None),
        )
    except BookingError as refusal:
        payment.placement = Payment.Placement.LOST
        payment.save(update_fields=["placement", "updated_at"])
        log_event(
            payment,
            actor=actor,
            user=user,
            note=_("Betaald, maar de plaats kon niet worden bevestigd: %(why)s") % {"why": refusal.message},
        )
        first = party_enrollments(payment.party)[0]
        queue_email(
            "payment_no_place",
            f"payment_no_place:payment:{payment.pk}",
            participant=first.participant,
            payment_id=payment.pk,
            enrollment_id=first.pk,
        )


# --- online payments: starting, and what the provider says ---------------------------------------


def move_refund(refund, new_status, *, actor, user=None, note="", now=None):
    if new_status == refund.status or new_status not in REFUND_TRANSITIONS.get(refund.status, ()):
        return False
    old = refund.status
    refund.status = new_status
    fields = ["status"]
    if new_status == Refund.Status.REFUNDED:
        refund.refunded_at = now or timezone.now()
        fields.append("refunded_at")
    refund.save(update_fields=fields)
    log_event(refund.payment, actor=actor, user=user, refund=refund, from_status=old, to_status=new_status, note=note)
    return True


# --- coordinators: offline payments and waivers --------------------------------------------------


# --- refunds -------------------------------------------------------------------------------------


def create_refund(payment, amount, *, cause, actor, user=None, key=None, reason="", enrollment=None):
    """A pending refund on a locked, paid payment, never more than is left; the same key twice gives the first."""
    if key:
        existing = Refund.objects.filter(key=key).first()
        if existing is not None:
            return existing
    amount = min(Decimal(amount).quantize(CENT), payment.refundable_amount())
    if amount <= 0:
        return None
    refund = Refund.objects.create(
        payment=payment,
        enrollment=enrollment,
        amount=amount,
        cause=cause,
        reason=str(reason)[:300],
        key=key,
        created_by=user,
    )
    log_event(
        payment,
        actor=actor,
        user=user,
        refund=refund,
        to_status=refund.status,
        note=_("Terugbetaling van %(amount)s: %(cause)s")
        % {"amount": euro(amount), "cause": refund.get_cause_display()},
    )
    queue_refund_email(refund)
    if payment.provider == Payment.Provider.MOLLIE:
        transaction.on_commit(lambda: _enqueue_refund(refund.pk), robust=True)
    return refund


def _enqueue_refund(refund_id):
    send_refund_task.enqueue(refund_id)


def queue_refund_email(refund):
    enrollment = refund.enrollment or party_enrollments(refund.payment.party)[0]
    queue_email(
        "refund",
        f"refund:{refund.pk}",
        participant=enrollment.participant,
        refund_id=refund.pk,
        enrollment_id=enrollment.pk,
    )


def send_refund(refund_id, *, gateway=None):
    """Ask Mollie to pay a pending refund back; safe to call again (returns whether it was sent now).

    The request carries an idempotency key made from our refund's id and our
    id in its metadata, so a retry after a lost answer never pays twice. When
    Mollie cannot be reached the refund stays pending and the periodic run
    tries again. Offline refunds are paid by a coordinator and marked done
    by hand (`mark_refund_done`).
    """

    gateway = gateway or configured_gateway()
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    if refund.status != Refund.Status.PENDING or refund.mollie_refund_id or payment.provider != Payment.Provider.MOLLIE:
        return False
    if not payment.mollie_id or gateway is None:
        return False
    Refund.objects.filter(pk=refund.pk).update(attempts=refund.attempts + 1)
    try:
        answer = gateway.create_refund(refund)
    except gateway.Unreachable as error:
        Refund.objects.filter(pk=refund.pk).update(last_error=str(error)[:300])
        logger.warning("Refund %s could not be sent to Mollie: %s", refund.pk, error)
        return False
    except gateway.Refused as error:
        # Mollie said no (for example: less is left to refund than asked). Trying again will not help;
        # the coordinator sees it as failed, with Mollie's reason, and decides.
        with transaction.atomic():
            lock_payment(payment.pk)
            current = Refund.objects.get(pk=refund.pk)
            current.last_error = str(error)[:300]
            current.save(update_fields=["last_error"])
            move_refund(
                current,
                Refund.Status.FAILED,
                actor=Actor.SYSTEM,
                note=_("Mollie weigerde: %(error)s") % {"error": error},
            )
        logger.warning("Mollie refused refund %s: %s", refund.pk, error)
        return False
    with transaction.atomic():
        lock_payment(payment.pk)
        current = Refund.objects.get(pk=refund.pk)
        if not current.mollie_refund_id:
            current.mollie_refund_id = answer.id
            current.last_error = ""
            current.save(update_fields=["mollie_refund_id", "last_error"])
            log_event(payment, actor=Actor.SYSTEM, refund=current, note=_("Terugbetaling doorgegeven aan Mollie"))
        move_refund(current, answer.status, actor=Actor.SYSTEM)
    return True


# --- paid, but the place was gone ----------------------------------------------------------------


# --- periodic ------------------------------------------------------------------------------------


@task()
def send_refund_task(refund_id):
    """Ask Mollie to pay one refund back, in the background; nothing happens when it was sent already."""
    return send_refund(refund_id)
