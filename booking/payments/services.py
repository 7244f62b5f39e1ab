"""The rules for the own contribution: paying, confirming on payment, waiving, refunding.

Views, the webhook, the admin, the periodic run and the tests all call these
functions; nothing else changes a Payment or a Refund.

The rules, each stated again on the function that applies it:

* A payment is for one sign-up (a party): amount = the group's contribution
  x the number of places. A couple pays once for both places.
* A payment only moves forward: created -> open -> pending -> paid, or to
  failed / expired / canceled from any status before paid. Paid, failed,
  expired and canceled are final. A status that is the same as ours, or one
  that would go backwards (a "canceled" after "paid", a late "open"), changes
  nothing. So a webhook that comes twice, or late, changes nothing twice.
* When a payment becomes paid, the places are confirmed and the confirmation
  email queued, in the same transaction (``booking.signup.confirm_signup``).
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

Locks, always in this order (the same as the booking services): the group,
then the payment. A Mollie request never runs inside a transaction: the
status is fetched first, then applied under the lock, so a slow or absent
Mollie never keeps a lock.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services as booking_services
from ..exceptions import BookingError
from ..models import Enrollment, Payment, PaymentEvent, Refund
from ..notifications import queue_email

logger = logging.getLogger(__name__)

Status = Payment.Status
Actor = PaymentEvent.Actor
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NO_PLACE_REFUND_DAYS = 14

# Where a payment may go from each status. Final statuses go nowhere.
TRANSITIONS = {
    Status.CREATED: {Status.OPEN, Status.PENDING, Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
    Status.OPEN: {Status.PENDING, Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
    Status.PENDING: {Status.PAID, Status.FAILED, Status.EXPIRED, Status.CANCELED},
}
# A refund only moves from pending to one of these.
REFUND_TRANSITIONS = {Refund.Status.PENDING: {Refund.Status.REFUNDED, Refund.Status.FAILED}}


class PaymentRefused(BookingError):
    """A payment action that the rules do not allow; the message says why, in Dutch."""

    code = "payment_refused"


class ProviderUnavailable(BookingError):
    """The payment provider could not be reached or answered with an error. Nothing was lost; try again."""

    code = "provider_unavailable"
    default_message = gettext_lazy(
        "Online betalen lukt op dit moment niet. Dat ligt niet aan u. "
        "Probeer het over een paar minuten opnieuw, of kies een andere manier van betalen."
    )


def euro(amount):
    """EUR 35,00 in Dutch notation, for messages and event notes."""
    return "€\u00a0" + number_format(Decimal(amount).quantize(CENT), 2, use_l10n=True, force_grouping=True)


def can_move(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, ())


# --- the log -------------------------------------------------------------------------------------


def log_event(payment, *, actor, user=None, from_status="", to_status="", note="", refund=None):
    """Write one line of the payment's history. `actor` is a PaymentEvent.Actor; `user` when staff did it."""
    return PaymentEvent.objects.create(
        payment=payment,
        refund=refund,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=Actor.USER if user is not None else actor,
        user=user,
        note=str(note)[:300],
    )


# --- finding and locking -------------------------------------------------------------------------


def party_enrollments(party):
    return list(Enrollment.objects.filter(party=party).select_related("participant", "group__course").order_by("pk"))


def lock_payment(payment_id, *, nowait=False):
    """Lock the payment's row and return it fresh (inside a transaction).

    Callers lock the payment's group first (see the module docstring). With
    `nowait` a payment locked by someone else raises at once (on PostgreSQL;
    SQLite serialises whole transactions instead) so the webhook can answer
    503 and let Mollie try again.
    """
    group_id = Payment.objects.values_list("group_id", flat=True).get(pk=payment_id)
    booking_services._lock_group(group_id)
    locked = Payment.objects.select_for_update(nowait=nowait, of=("self",)).get(pk=payment_id)
    if locked.group_id != group_id:  # moved to another group while we waited
        booking_services._lock_group(locked.group_id)
    return locked


def latest_payment(party, provider=None):
    payments = Payment.objects.filter(party=party)
    if provider:
        payments = payments.filter(provider=provider)
    return payments.order_by("-created_at", "-pk").first()


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


def amount_for(group, places):
    """The rule for what a sign-up pays: the group's contribution (or the course's) times the places."""
    return (Decimal(group.amount or 0) * places).quantize(CENT)


def create_payment(enrollments, *, provider, actor=Actor.PARTICIPANT, user=None, note=""):
    """A new payment for one party's enrollments: status created (online) or open (offline, waiting to be paid).

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
    status = Status.OPEN if provider == Payment.Provider.OFFLINE else Status.CREATED
    with transaction.atomic():
        payment = Payment.objects.create(
            party=enrollments[0].party,
            group=group,
            places=len(enrollments),
            amount=amount_for(group, len(enrollments)),
            provider=provider,
            status=status,
        )
        payment.enrollments.set(enrollments)
        log_event(payment, actor=actor, user=user, to_status=status, note=note or _("Betaling aangemaakt"))
    return payment


def record_offline_payment(enrollments):
    """The sign-up chose to pay at the first session or by bank transfer: an open offline payment.

    Nothing is recorded when there is nothing to pay, or when the sign-up
    already has an offline payment (calling it again changes nothing).
    """
    enrollments = list(enrollments)
    if not enrollments or not amount_for(enrollments[0].group, len(enrollments)):
        return None
    existing = Payment.objects.filter(party=enrollments[0].party, provider=Payment.Provider.OFFLINE).first()
    if existing is not None:
        return existing
    return create_payment(
        enrollments, provider=Payment.Provider.OFFLINE, note=_("Betalen bij de eerste bijeenkomst of per overboeking")
    )


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
    now = now or timezone.now()
    new_status = Status(new_status)
    with transaction.atomic():
        locked = lock_payment(payment.pk, nowait=nowait)
        if locked.status == new_status or not can_move(locked.status, new_status):
            return locked, False
        old = locked.status
        locked.status = new_status
        fields = ["status", "updated_at"]
        if method and not locked.method:
            locked.method = method[:40]
            fields.append("method")
        if mode and not locked.mollie_mode:
            locked.mollie_mode = mode[:10]
            fields.append("mollie_mode")
        if new_status == Status.PAID:
            locked.paid_at = paid_at or now
            fields.append("paid_at")
        locked.save(update_fields=fields)
        log_event(locked, actor=actor, user=user, from_status=old, to_status=new_status, note=note)
        if new_status == Status.PAID:
            _after_paid(locked, actor=actor, user=user, now=now)
    return locked, True


def _after_paid(payment, *, actor, user, now):
    """Confirm the places of a payment that just became paid; or, when they are gone, say so and let them choose.

    Runs inside the caller's transaction, under the payment's lock.
    """
    from ..signup import confirm_signup

    if payment.provider != Payment.Provider.MOLLIE:
        return  # offline sign-ups were confirmed when they chose to pay later
    if payment.amount and (
        Payment.objects.filter(party=payment.party, status=Status.PAID, amount__gt=0).exclude(pk=payment.pk).exists()
    ):
        # Paid twice for one sign-up (two tabs, two tries that both went through): the second goes back.
        _create_refund(
            payment,
            payment.amount,
            cause=Refund.Cause.DUPLICATE,
            actor=Actor.SYSTEM,
            key=f"duplicate:payment:{payment.pk}",
            reason=_("Deze aanmelding was al betaald."),
        )
        return
    # Chose "pay at the first session" after starting online, and then paid online after all: nothing is left to pay.
    for offline in Payment.objects.filter(party=payment.party, provider=Payment.Provider.OFFLINE, status=Status.OPEN):
        apply_status(offline, Status.CANCELED, actor=actor, user=user, note=_("Toch online betaald"), now=now)
    try:
        with transaction.atomic():
            confirm_signup(payment.party, payment=payment.provider, now=now)
    except BookingError as refusal:
        payment.place = Payment.Place.LOST
        payment.save(update_fields=["place", "updated_at"])
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
    fresh = party_enrollments(party)
    statuses = {enrollment.status for enrollment in fresh}
    latest = latest_payment(party, Payment.Provider.MOLLIE)
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
        answer = gateway.create_payment(payment, redirect_url=redirect_url_for(payment), webhook_url=webhook_url)
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
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        locked.mollie_id = answer.id
        locked.checkout_url = answer.checkout_url or ""
        locked.mollie_mode = answer.mode or ""
        locked.last_error = ""
        locked.save(update_fields=["mollie_id", "checkout_url", "mollie_mode", "last_error", "updated_at"])
    payment, changed = apply_status(
        payment, answer.status, actor=Actor.PARTICIPANT, note=_("Betaling gestart bij Mollie")
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
    ProviderUnavailable when the provider cannot be asked.
    """
    now = now or timezone.now()
    if not payment.mollie_id:
        return payment, False
    try:
        answer = gateway.fetch_payment(payment.mollie_id)
        refunds = (
            gateway.fetch_refunds(payment.mollie_id) if answer.amount_refunded or _has_pending_refunds(payment) else []
        )
    except gateway.Unreachable as error:
        raise ProviderUnavailable() from error
    except gateway.Refused as error:
        raise ProviderUnavailable() from error
    with transaction.atomic():
        payment, changed = apply_status(
            payment,
            answer.status,
            actor=actor,
            paid_at=answer.paid_at,
            method=answer.method or "",
            mode=answer.mode or "",
            nowait=nowait,
            now=now,
        )
        refunds_changed = _apply_provider_refunds(payment, refunds, actor=actor, nowait=nowait, now=now)
    return payment, changed or refunds_changed


def _has_pending_refunds(payment):
    return payment.refunds.filter(status=Refund.Status.PENDING).exists()


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
                _queue_refund_email(ours)
                changed = True
                continue
            changed |= _move_refund(ours, answer.status, actor=actor, now=now)
    return changed


def _move_refund(refund, new_status, *, actor, user=None, note="", now=None):
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
        paid_at = datetime.datetime.combine(paid_on, datetime.time(12, 0), tzinfo=booking_services.LOCAL_TZ)
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
                    "Alleen een eigen bijdrage die nog open staat, kunt u kwijtschelden. Is er al betaald? Betaal dan terug."
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


# --- refunds -------------------------------------------------------------------------------------


def _create_refund(payment, amount, *, cause, actor, user=None, key=None, reason="", enrollment=None):
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
    _queue_refund_email(refund)
    if payment.provider == Payment.Provider.MOLLIE:
        transaction.on_commit(lambda: _enqueue_refund(refund.pk), robust=True)
    return refund


def _enqueue_refund(refund_id):
    from .tasks import send_refund_task

    send_refund_task.enqueue(refund_id)


def _queue_refund_email(refund):
    enrollment = refund.enrollment or party_enrollments(refund.payment.party)[0]
    queue_email(
        "refund",
        f"refund:{refund.pk}",
        participant=enrollment.participant,
        refund_id=refund.pk,
        enrollment_id=enrollment.pk,
    )


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
        return _create_refund(locked, amount, cause=Refund.Cause.COORDINATOR, actor=Actor.USER, user=by, reason=reason)


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
                        made_refund = _create_refund(
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
                elif locked.provider == Payment.Provider.OFFLINE and locked.status == Status.OPEN:
                    _lower_open_payment(locked, enrollment, actor=actor, refund=refund)
    return made


def _lower_open_payment(payment, enrollment, *, actor, refund):
    """An unpaid offline payment after a cancellation: less to pay, or nothing at all."""
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


def send_refund(refund_id, *, gateway=None):
    """Ask Mollie to pay a pending refund back; safe to call again (returns whether it was sent now).

    The request carries an idempotency key made from our refund's id and our
    id in its metadata, so a retry after a lost answer never pays twice. When
    Mollie cannot be reached the refund stays pending and the periodic run
    tries again. Offline refunds are paid by a coordinator and marked done
    by hand (`mark_refund_done`).
    """
    from . import mollie

    gateway = gateway or mollie.gateway()
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
            _move_refund(
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
        _move_refund(current, answer.status, actor=Actor.SYSTEM)
    return True


def mark_refund_done(refund, *, by):
    """A coordinator records that an offline refund (a bank transfer to the participant) has been made."""
    with transaction.atomic():
        lock_payment(refund.payment_id)
        current = Refund.objects.select_related("payment").get(pk=refund.pk)
        if current.payment.provider == Payment.Provider.MOLLIE:
            raise PaymentRefused(_("Deze terugbetaling loopt via Mollie. Mollie laat ons weten wanneer ze klaar is."))
        _move_refund(current, Refund.Status.REFUNDED, actor=Actor.USER, user=by, note=_("Overgemaakt aan de deelnemer"))
    return current


# --- paid, but the place was gone ----------------------------------------------------------------


def alternatives(payment, now=None):
    """Groups of the same course that can take this sign-up now: room for all its places, no dearer than paid.

    Nearest in time first (see ``booking.signup.alternatives``).
    """
    from ..signup import alternatives as open_alternatives

    now = now or timezone.now()
    rows = open_alternatives(payment.group.course, wanted=payment.places, exclude_group=payment.group, now=now)
    return [row for row in rows if amount_for(row.group, 1) <= payment.per_place]


def _refuse_unless_lost(payment):
    if payment.status != Status.PAID or payment.place != Payment.Place.LOST:
        raise PaymentRefused(_("U heeft hierover al een keuze gemaakt."))


def move_to_group(payment, group, *, now=None):
    """The participant takes a place in another group of the course with the money already paid.

    New places are held and confirmed at once (the same capacity rule as any
    sign-up), the confirmation email follows; when the new group is cheaper
    the difference is refunded. Refused (BookingError or ValidationError)
    when the group cannot take them; then nothing changes.
    """
    from ..signup import confirm_signup

    now = now or timezone.now()
    if group.course_id != payment.group.course_id:
        raise PaymentRefused(_("Kies een groep van dezelfde training."))
    if amount_for(group, 1) > payment.per_place:
        raise PaymentRefused(
            _("Deze groep kost meer dan u heeft betaald. Kies een andere groep, of neem contact met ons op.")
        )
    with transaction.atomic():
        booking_services._lock_group(group.pk)
        locked = lock_payment(payment.pk)
        _refuse_unless_lost(locked)
        old = party_enrollments(locked.party)
        people = [{name: getattr(e.participant, name) for name in booking_services.PARTICIPANT_FIELDS} for e in old]
        new = booking_services.hold_places(group, people, consent_text_version=old[0].consent_text_version, now=now)
        locked.party = new[0].party
        locked.group = group
        locked.place = Payment.Place.MOVED
        locked.save(update_fields=["party", "group", "place", "updated_at"])
        locked.enrollments.add(*new)
        log_event(locked, actor=Actor.PARTICIPANT, note=_("Verplaatst naar groep %(group)s") % {"group": group.pk})
        confirm_signup(locked.party, payment=locked.provider, now=now)
        difference = locked.amount - amount_for(group, len(new))
        if difference > 0:
            _create_refund(
                locked, difference, cause=Refund.Cause.MOVED, actor=Actor.SYSTEM, key=f"moved:payment:{locked.pk}"
            )
    return locked


def waitlist_instead(payment, *, consent_text_version, now=None):
    """The participant joins the course's waiting list and gets the money back (a place from the list is paid later).

    Everyone of the sign-up joins, with the group's location as their wish.
    Someone who is on the list already keeps their place there.
    """
    from .. import waitlist

    now = now or timezone.now()
    _refuse_unless_lost(Payment.objects.get(pk=payment.pk))
    # Joining takes the waiting list's lock (the course), which comes before a group's lock:
    # so it happens first, on its own; the choice itself is then made under the payment's lock.
    for enrollment in party_enrollments(payment.party):
        data = {name: getattr(enrollment.participant, name) for name in booking_services.PARTICIPANT_FIELDS}
        try:
            waitlist.join_waitlist(
                payment.group.course,
                data,
                preferred_locations=[payment.group.location],
                consent_text_version=consent_text_version,
                now=now,
            )
        except waitlist.AlreadyOnWaitlist:
            pass
    with transaction.atomic():
        locked = lock_payment(payment.pk)
        _refuse_unless_lost(locked)
        locked.place = Payment.Place.WAITLIST
        locked.save(update_fields=["place", "updated_at"])
        log_event(locked, actor=Actor.PARTICIPANT, note=_("Op de wachtlijst gezet; het geld gaat terug"))
        _create_refund(
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
        locked.place = Payment.Place.REFUND
        locked.save(update_fields=["place", "updated_at"])
        log_event(locked, actor=actor, note=_("Geld terug gevraagd"))
        _create_refund(
            locked,
            locked.refundable_amount(),
            cause=Refund.Cause.NO_PLACE,
            actor=actor,
            key=f"noplace:payment:{locked.pk}",
        )
    return locked


# --- periodic ------------------------------------------------------------------------------------


STALE_AFTER = datetime.timedelta(minutes=10)
STALE_UNTIL = datetime.timedelta(days=3)


def run_periodic(now=None, *, gateway=None):
    """What time makes true, safe to run every minute and twice at once. Returns a count per step.

    1. Online payments still open or pending after 10 minutes are looked up
       at Mollie (in case a webhook got lost), for up to three days; and paid
       ones whose refund is still on its way, for up to 60 days.
    2. Refunds that could not be sent to Mollie are sent again.
    3. A paid sign-up without a place whose participant did not choose within
       NO_PLACE_REFUND_DAYS gets the money back.
    """
    from . import mollie

    now = now or timezone.now()
    gateway = gateway or mollie.gateway()
    counts = {"payments_checked": 0, "refunds_sent": 0, "no_place_refunded": 0}
    if gateway is not None:
        stale = Payment.objects.filter(
            provider=Payment.Provider.MOLLIE,
            status__in=[Status.OPEN, Status.PENDING],
            created_at__lte=now - STALE_AFTER,
            created_at__gte=now - STALE_UNTIL,
        ).exclude(mollie_id="")
        # And paid ones with a refund still on its way at Mollie, for up to 60 days.
        on_its_way = Refund.objects.filter(
            payment=OuterRef("pk"),
            status=Refund.Status.PENDING,
            created_at__lte=now - STALE_AFTER,
            created_at__gte=now - datetime.timedelta(days=60),
        ).exclude(mollie_refund_id="")
        refunding = Payment.objects.filter(provider=Payment.Provider.MOLLIE, status=Status.PAID).filter(
            Exists(on_its_way)
        )
        for payment in list(stale) + list(refunding):
            try:
                sync_payment(payment, gateway=gateway, actor=Actor.SYSTEM, now=now)
            except ProviderUnavailable:
                break
            counts["payments_checked"] += 1
        for refund_id in Refund.objects.filter(
            status=Refund.Status.PENDING,
            mollie_refund_id="",
            payment__provider=Payment.Provider.MOLLIE,
            attempts__lt=20,
        ).values_list("pk", flat=True):
            counts["refunds_sent"] += send_refund(refund_id, gateway=gateway)
    for payment in Payment.objects.filter(
        status=Status.PAID, place=Payment.Place.LOST, paid_at__lte=now - datetime.timedelta(days=NO_PLACE_REFUND_DAYS)
    ):
        try:
            refund_instead(payment, actor=Actor.SYSTEM, now=now)
        except PaymentRefused:
            continue
        counts["no_place_refunded"] += 1
    return counts
