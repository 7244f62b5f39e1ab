"""Paying online: starting a payment at the provider, and bringing ours in line with what it says.

The provider is always asked; what a webhook or a browser says is never taken
as the truth. A Mollie request never runs inside a transaction: the status is
fetched first, then applied under the lock, so a slow or absent Mollie never
keeps a lock.
"""

import functools
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Enrollment, Payment, Refund
from booking.payments.lifecycle import (
    Actor,
    Status,
    apply_locked_status,
    apply_status,
    can_move,
    move_refund,
    party_enrollments_and_latest_payment,
    queue_refund_email,
)
from booking.services import statements
from booking.services.errors import PaymentRefused, ProviderUnavailable
from booking.services.locks import lock_payment
from booking.services.money import create_payment, euro, log_event, payment_event

logger = logging.getLogger(__name__)


def start_online_payment(enrollments, *, gateway, redirect_url_for, webhook_url, now=None):
    """Start (or pick up) paying one sign-up online; returns our Payment with its checkout URL.

    * Already paid: the paid payment is returned (the caller shows the result).
    * An open or pending attempt: that one is returned, so nobody pays twice.
    * An attempt whose creation may or may not have reached the provider
      (the connection broke): tried again with the same idempotency key, so
      the provider gives back the same payment instead of a second one.
    * Otherwise a new attempt.

    The places must still be held: a hold that ran out is refused (the caller
    shows the alternatives). When the provider cannot be reached or answers
    with an error, ProviderUnavailable is raised; the hold and everything
    typed are kept, and trying again is possible.
    """
    now = now or timezone.now()
    enrollments = list(enrollments)
    party = enrollments[0].party
    # Of the course only its title (Mollie's description) and contribution (the amount, when the group has none
    # of its own): the page's other columns are most of the row.
    # The newest online payment comes with them; its row is read only when there is one.
    fresh, latest = party_enrollments_and_latest_payment(
        party, Payment.Provider.MOLLIE, course_fields=("title", "contribution")
    )
    statuses = {enrollment.status for enrollment in fresh}
    if latest is not None and latest.status == Status.PAID:
        return latest
    if statuses == {Enrollment.Status.CONFIRMED}:
        raise PaymentRefused(_("Uw plaats is al bevestigd. U hoeft niet meer te betalen."))
    if not fresh or any(not enrollment.is_live_hold(now) for enrollment in fresh):
        raise PaymentRefused(_("Uw reservering is verlopen. Daarom kunt u nu niet meer betalen voor deze plaats."))
    if latest is not None and latest.status in (Status.OPEN, Status.PENDING) and latest.mollie_id:
        # Still going at Mollie? Then that one, so nobody pays twice. Its checkout may have expired meanwhile.
        latest, changed = sync_payment(latest, gateway=gateway, actor=Actor.PARTICIPANT, now=now)
        if latest.status in (Status.OPEN, Status.PENDING, Status.PAID):
            return latest
    if latest is not None and latest.status == Status.CREATED:
        payment = latest
    else:
        payment = create_payment(fresh, provider=Payment.Provider.MOLLIE)
    try:
        answer = gateway.create_payment(
            payment, redirect_url=redirect_url_for(payment), webhook_url=webhook_url, reference=fresh[0].reference
        )
    except gateway.Refused as error:
        # A clear "no" from the provider: this attempt is over, the next one starts afresh.
        _note_error(payment, error)
        apply_status(
            payment,
            Status.FAILED,
            actor=Actor.SYSTEM,
            note=_("Mollie weigerde de betaling: %(error)s") % {"error": error},
        )
        raise ProviderUnavailable() from error
    except gateway.Unreachable as error:
        _note_error(payment, error)
        raise ProviderUnavailable() from error
    # Mollie's answer and the status it gives, in one update.
    return _record_answer(payment, answer)


def _record_answer(payment, answer):
    """Save what Mollie answered to a new payment (its id, checkout, mode, and the status it gives); returns ours.

    Mostly our payment is still created and Mollie says open: then one update that applies only while
    the payment is still created (the payment's row lock for that one statement, no group lock: nothing
    is confirmed on this step), with its log line (on PostgreSQL in the same statement, so without a
    transaction of its own); the row comes back as saved. Otherwise (paid at once, which confirms the
    places; or the payment moved on meanwhile, say a second tab): under the group's and the payment's
    lock, as every other status change.
    """
    found = {
        "mollie_id": answer.id,
        "checkout_url": answer.checkout_url or "",
        "mollie_mode": answer.mode or "",
        "last_error": "",
    }
    new_status = Status(answer.status)
    if new_status != Status.PAID:
        moves = can_move(Status.CREATED, new_status)
        values = {**found, **({"status": new_status} if moves else {}), "updated_at": timezone.now()}
        logged = []
        if moves:
            logged.append(
                payment_event(
                    payment,
                    actor=Actor.PARTICIPANT,
                    from_status=Status.CREATED,
                    to_status=new_status,
                    note=_("Betaling gestart bij Mollie"),
                )
            )
        with statements.together():
            saved = statements.update_one(
                Payment, payment.pk, only_if={"status": Status.CREATED}, then_insert=logged, link="payment", **values
            )
        if saved is not None:
            return saved
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        for name, value in found.items():
            setattr(locked, name, value)
        payment, _changed = apply_locked_status(
            locked, new_status, actor=Actor.PARTICIPANT, note=_("Betaling gestart bij Mollie"), also=list(found)
        )
    return payment


def _note_error(payment, error):
    text = str(error)[:300]
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(last_error=text, updated_at=timezone.now())
        log_event(
            payment, actor=Actor.SYSTEM, note=_("Mollie niet bereikbaar of gaf een fout: %(error)s") % {"error": text}
        )
    logger.warning("Mollie request for payment %s failed: %s", payment.pk, text)


def sync_payment(payment, *, gateway, actor, nowait=False, now=None):
    """Fetch the payment's state from the provider, then apply it under the lock; returns (payment, changed).

    The provider is always asked; what a webhook or a browser says is never
    taken as the truth. The status is applied by `apply_status`; refunds the
    provider knows of are brought in line by `_apply_provider_refunds`
    (refunds made in the Mollie dashboard are recorded here). Raises
    ProviderUnavailable when the provider cannot be asked. When the provider
    says what we have already (a webhook that comes twice, or late) and no
    refund is to be brought in line, one read without the lock shows that
    nothing would change, and nothing is locked.
    """
    now = now or timezone.now()
    if not payment.mollie_id:
        return payment, False
    try:
        answer = gateway.fetch_payment(payment.mollie_id)
    except (gateway.Unreachable, gateway.Refused) as error:
        raise ProviderUnavailable() from error
    new_status = Status(answer.status)
    # Refunds are asked for when Mollie says some went back, or ours is paid and a refund of ours is on its way.
    wanted = bool(answer.amount_refunded)
    if not _moves(payment.status, new_status):
        # The copy at hand says nothing changes (Mollie tells us twice, or late): ours as it is now, and
        # whether a refund of ours is on its way, in one statement without a lock. (When the copy says the
        # status moves, it is not paid, and the lock decides as always.)
        current, refund_pending = _current_with_pending_refunds(payment.pk)
        wanted = wanted or (payment.status == Status.PAID and refund_pending)
        if not wanted and not _moves(current.status, new_status):
            # The lock would find this status or a later one, which this answer cannot move either (statuses
            # only move forward), and no refund to bring in line: it would change nothing.
            return current, False
    try:
        refunds = gateway.fetch_refunds(payment.mollie_id) if wanted else []
    except (gateway.Unreachable, gateway.Refused) as error:
        raise ProviderUnavailable() from error
    with transaction.atomic():
        payment, changed = apply_locked_status(
            lock_payment(payment.pk, nowait=nowait),
            answer.status,
            actor=actor,
            paid_at=answer.paid_at,
            method=answer.method or "",
            mode=answer.mode or "",
            now=now,
        )
        refunds_changed = _apply_provider_refunds(payment, refunds, actor=actor, nowait=nowait, now=now)
    return payment, changed or refunds_changed


def _moves(from_status, to_status):
    """Whether `apply_locked_status` would move a payment in `from_status` to `to_status`."""
    return from_status != to_status and can_move(from_status, to_status)


@functools.cache
def _pending_refund_sql():
    refunds = Refund._meta.db_table
    payment, status = Refund._meta.get_field("payment").column, Refund._meta.get_field("status").column
    return (
        f"EXISTS (SELECT 1 FROM {refunds} r WHERE r.{payment} = {statements.column(Payment, 'id')} "
        f"AND r.{status} = '{Refund.Status.PENDING.value}')",
    )


def _current_with_pending_refunds(payment_id):
    """The payment as it is now (not locked), and whether a refund of ours is still on its way: one statement."""
    condition = f"{statements.column(Payment, 'id')} = %s"
    ((current, pending),) = statements.select(Payment, condition, [payment_id], also=_pending_refund_sql())
    return current, bool(pending)


def _apply_provider_refunds(payment, refunds, *, actor, nowait=False, now=None):
    """Bring our refunds in line with the provider's list; returns whether anything changed.

    A refund we asked for is found by its provider id, or by our id in its
    metadata (when the answer to our request was lost). One we do not know was
    made in the provider's dashboard: it is recorded as such. Statuses only
    move forward (pending -> refunded or failed).
    """
    if not refunds:
        return False
    changed = False
    with transaction.atomic():
        locked = lock_payment(payment.pk, nowait=nowait)
        for answer in refunds:
            ours = Refund.objects.filter(payment=locked, mollie_refund_id=answer.id).first()
            if ours is None and answer.our_id:
                ours = Refund.objects.filter(payment=locked, pk=answer.our_id, mollie_refund_id="").first()
                if ours is not None:
                    ours.mollie_refund_id = answer.id
                    ours.save(update_fields=["mollie_refund_id"])
            if ours is None:
                ours = Refund.objects.create(
                    payment=locked,
                    amount=answer.amount,
                    status=answer.status,
                    cause=Refund.Cause.DASHBOARD,
                    reason=(answer.description or "")[:300],
                    mollie_refund_id=answer.id,
                    refunded_at=(now or timezone.now()) if answer.status == Refund.Status.REFUNDED else None,
                )
                log_event(
                    locked,
                    actor=actor,
                    refund=ours,
                    to_status=ours.status,
                    note=_("Terugbetaling van %(amount)s gevonden die in het Mollie-dashboard is gedaan")
                    % {"amount": euro(answer.amount)},
                )
                queue_refund_email(ours)
                changed = True
                continue
            changed |= move_refund(ours, answer.status, actor=actor, now=now)
    return changed
