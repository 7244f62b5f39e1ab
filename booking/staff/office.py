"""What the office does for someone: sign up by phone or at the desk, confirm, cancel, move, correct, resend a link.

Each action goes through the same rules as the public site (the services
named on each function) and is written to the access log with the member
of staff who did it; the log holds the group's number and what was done,
never the person's data.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import ConsentChannel, Enrollment, Offer, Payment
from booking.payments import coordinator
from booking.payments.offline import confirm_pay_later
from booking.selfservice import cancellation, personal
from booking.services import consent, places
from booking.services.access_log import Action, group_where, log_access
from booking.services.errors import EnrollmentNotActive
from booking.services.participants import correct_participant
from booking.waitlist import entries as waitlist
from booking.waitlist import offers as waitlist_offers

# How the office settles the contribution when it signs someone up.
PAY_LATER = "offline"
EXEMPT = "exempt"

# How the office cancels: as the course's terms say, or decided otherwise.
FEE_BY_TERMS = "terms"
FEE_WAIVED = "free"
FEE_CHARGED = "fee"


def _log(by, participants, action, group, what):
    log_access(by, participants, action, group_where(group, what))


# --- signing someone up ---------------------------------------------------------------------------


def sign_up_for(group, participants_data, *, by, channel, pay=PAY_LATER, exemption_reason="", now=None):
    """The office signs someone up (alone, or a couple where welcome) who phoned or came to the desk.

    The same steps as on the site: the places are held by
    ``places.hold_places`` (its checks: open, room, one place per email
    address, the participant rules), with the consent recorded as given by
    `channel` (phone or desk) to `by`, with the text version of the site.
    Then the contribution: `PAY_LATER` confirms now and leaves an open offline
    payment (as the offline way on the site); `EXEMPT` does the same and
    waives it with `exemption_reason` (``payments.coordinator.waive``). The
    participants get the site's confirmation emails. All or nothing: a refusal
    leaves nothing behind. Returns the confirmed enrollments.
    """
    channel = ConsentChannel(channel)
    if channel not in (ConsentChannel.PHONE, ConsentChannel.DESK):
        raise ValueError("The office signs people up by phone or at the desk.")
    now = now or timezone.now()
    with transaction.atomic():
        held = places.hold_places(
            group,
            participants_data,
            consent_text_version=consent.VERSION,
            consent_channel=channel,
            consent_taken_by=by,
            now=now,
        )
        payment = confirm_pay_later(held, payment=EXEMPT if pay == EXEMPT else PAY_LATER, now=now)
        if pay == EXEMPT and payment is not None:
            coordinator.waive(payment, by=by, reason=exemption_reason)
        _log(by, [e.participant for e in held], Action.SIGNUP, group, f"aanmelding ({channel.label})")
    return list(Enrollment.objects.filter(pk__in=[e.pk for e in held]).select_related("participant"))


# --- one enrollment --------------------------------------------------------------------------------


def confirm_for(enrollment, *, by, now=None):
    """The office confirms a sign-up that is still held (or whose hold ran out), to be paid later.

    As choosing "pay later" on the site (`confirm_pay_later`, with the
    confirmation emails); a hold whose place has gone meanwhile is refused
    (HoldExpired). Everyone of the sign-up is confirmed. A place offered from
    the waiting list is accepted as its offer (``waitlist.offers.accept_offer``),
    so the person leaves the list as placed. Returns the enrollments.
    """
    now = now or timezone.now()
    party = list(Enrollment.objects.filter(party=enrollment.party).select_related("group", "participant"))
    if enrollment.status not in (Enrollment.Status.HELD, Enrollment.Status.EXPIRED):
        raise EnrollmentNotActive(_("Alleen een aanmelding die nog niet bevestigd is, kunt u bevestigen."))
    offer = Offer.objects.filter(enrollment=enrollment, status=Offer.Status.OPEN).first()
    with transaction.atomic():
        if offer is not None:
            waitlist_offers.accept_offer(offer, now=now)
        else:
            confirm_pay_later(party, now=now)
        _log(by, [e.participant for e in party], Action.CONFIRM, enrollment.group, "aanmelding bevestigd")
    enrollment.refresh_from_db()
    return party


@dataclass(frozen=True)
class CancelChoice:
    """What cancelling now would mean: the course's terms applied, and whether the fee is refunded by them."""

    terms: cancellation.CancellationTerms
    partner: Enrollment | None


def cancel_choice(enrollment, now=None):
    now = now or timezone.now()
    return CancelChoice(
        terms=cancellation.cancellation_terms(enrollment, now), partner=personal.partner_of(enrollment, now)
    )


def cancel_for(enrollment, *, by, fee=FEE_BY_TERMS, with_partner=False, now=None):
    """The office cancels a place for someone, with or without the fee. Returns the cancelled enrollments.

    Only a place that counts now (confirmed, or held and not run out) can be
    cancelled (EnrollmentNotActive otherwise). `fee`: `FEE_BY_TERMS` refunds
    within the course's terms and not after them, as when the participant
    cancels; `FEE_WAIVED` refunds whatever the terms; `FEE_CHARGED` refunds
    nothing. The cancelling itself, the email and the refund are the
    participant's own (``selfservice.cancellation.cancel_places``).
    """
    now = now or timezone.now()
    if enrollment.state_at(now) not in Enrollment.ACTIVE:
        raise EnrollmentNotActive(_("Deze aanmelding is al geannuleerd, verlopen of afgerond."))
    if fee == FEE_BY_TERMS:
        refund = cancellation.is_within_cancellation_terms(enrollment, now)
    else:
        refund = fee == FEE_WAIVED
    with transaction.atomic():
        cancelled = cancellation.cancel_places(
            enrollment, with_partner=with_partner, refund=refund, by_office=True, now=now
        )
        _log(by, [e.participant for e in cancelled], Action.CANCEL, enrollment.group, "afgemeld door het bureau")
    return cancelled


def move_for(enrollment, to_group, *, by, reason, now=None):
    """The office moves a confirmed place (a couple together) to another group of the course (`places.move_places`).

    Returns the moves; each person gets an email with the new dates and a
    fresh calendar file.
    """
    old_group = enrollment.group
    with transaction.atomic():
        moves = places.move_places(enrollment, to_group, by=by, reason=reason, now=now)
        people = [move.enrollment.participant_id for move in moves]
        _log(by, people, Action.MOVE, old_group, f"verplaatst naar groep {to_group.pk}")
    return moves


def correct_for(enrollment, changes, *, by, now=None):
    """The office corrects someone's name, email address, phone number or practice (`correct_participant`).

    Returns the names of the fields that changed; nothing is logged when nothing changed.
    """
    with transaction.atomic():
        changed = correct_participant(enrollment.participant, changes, now=now)
        if changed:
            _log(by, [enrollment.participant], Action.EDIT, enrollment.group, "gegevens verbeterd")
    return changed


def resend_link(enrollment, *, by, now=None):
    """Email the person their personal links again (`personal.send_new_links`). Returns True when one was sent."""
    with transaction.atomic():
        sent = personal.send_new_links(enrollment.participant.email, now=now)
        _log(by, [enrollment.participant], Action.LINK, enrollment.group, "persoonlijke link gestuurd")
    return sent


def payments_of(enrollment):
    return list(Payment.objects.filter(enrollments=enrollment).order_by("-created_at", "-pk"))


# --- the waiting list ------------------------------------------------------------------------------


def _log_waitlist(by, entry, what):
    log_access(by, [entry.participant_id], Action.WAITLIST, f"wachtlijst training {entry.course_id}: {what}")


def add_to_waitlist(course, participant_data, *, by, channel, preferred_locations=(), part_of_day, now=None):
    """The office puts someone on a course's waiting list (`waitlist.join_waitlist`: the same checks and email).

    The consent is recorded as given by `channel` (phone or desk) to `by`.
    """
    with transaction.atomic():
        entry = waitlist.join_waitlist(
            course,
            participant_data,
            preferred_locations=preferred_locations,
            part_of_day=part_of_day,
            consent_text_version=consent.VERSION,
            consent_channel=channel,
            consent_taken_by=by,
            now=now,
        )
        _log_waitlist(by, entry, "op de lijst gezet")
    return entry


def change_wishes_for(entry, *, by, preferred_locations, part_of_day):
    """The office changes someone's wishes on the list (`waitlist.change_wishes`)."""
    with transaction.atomic():
        waitlist.change_wishes(entry, preferred_locations=preferred_locations, part_of_day=part_of_day)
        _log_waitlist(by, entry, "voorkeur gewijzigd")
    return entry


def take_off_for(entry, *, by, reason, now=None):
    """The office takes someone off the list with a reason that is kept (`waitlist.take_off_waitlist`)."""
    with transaction.atomic():
        waitlist.take_off_waitlist(entry, by=by, reason=reason, now=now)
        _log_waitlist(by, entry, "van de lijst gehaald")
    return entry


def enrollment_actions(enrollment, now=None):
    """What the office may do with one enrollment now, for the admin to show as buttons (it never restates these).

    `confirm`: a sign-up still held, or whose hold ran out; `cancel`: a place
    that counts now; `move`: a confirmed place; `correct` and `link`: always
    while the group has not been completed.
    """
    now = now or timezone.now()
    state = enrollment.state_at(now)
    return {
        "confirm": state in (Enrollment.Status.HELD, Enrollment.Status.EXPIRED),
        "cancel": state in Enrollment.ACTIVE,
        "move": state == Enrollment.Status.CONFIRMED,
        "correct": True,
        "link": True,
    }
