"""Answers to offers: yes confirms the place, no or no answer passes it on; offers by hand; the catch-up sweep.

The offers themselves are made by ``services.offers`` (the capacity rule's
claim on freed places). Locks: the course, then the group.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Enrollment, Offer, PeriodicMark, WaitlistEntry, takes_a_place
from booking.services import availability, places, signals
from booking.services.errors import BookingError, GroupFull, NotOnWaitlist, OfferAnswered, OfferExpired, SignupClosed
from booking.services.locks import lock_course, lock_group, lock_group_rows
from booking.services.money import record_offline_payment
from booking.services.offers import (
    back_on_the_list,
    changed_since,
    expire_offer,
    make_offer,
    offer_freed_places_in,
    offer_to_people,
    sweep_runs,
)


def offer_place(entry, group, *, by=None, now=None):
    """A coordinator offers a place in `group` to one person by hand, out of the list's order. Returns the Offer.

    The same rules as an automatic offer, except order and wishes (that is
    the coordinator's choice): the person is waiting on this course's list
    (NotOnWaitlist otherwise), signing up for the group is open and no
    registration stop applies (SignupClosed), there is a free place
    (GroupFull), and the person has no place in the group yet. The offer
    holds the place for `GROEPSWIJZER_OFFER_HOURS`, the email goes out, and
    `offered_by` keeps who made it.
    """
    now = now or timezone.now()
    if entry.course_id != group.course_id:
        raise ValidationError(_("Deze groep hoort bij een andere training dan de wachtlijst van deze persoon."))
    with transaction.atomic():
        lock_course(entry.course_id)
        lock_group(group.pk)
        # Why the group is not bookable, if it is not (the one rule, with its reason).
        row = availability.group_row(group.pk, now)
        refusal = availability.refusal_for(row, now)
        if refusal is not None and refusal.code == "stop":
            raise BookingError(_("Voor deze groep geldt een aanmeldstop. Er kan nu geen plaats worden aangeboden."))
        if refusal is not None and refusal.code != "full":
            raise SignupClosed(row.group.signup_closed_reason(now))
        locked = row.group
        current = WaitlistEntry.objects.select_related("participant").get(pk=entry.pk)
        if current.status != WaitlistEntry.Status.WAITING:
            raise NotOnWaitlist(_("Deze persoon wacht niet (meer) op de wachtlijst, of heeft al een aanbod."))
        if (
            Enrollment.objects.filter(group=locked, participant__email=current.participant.email)
            .filter(takes_a_place(now))
            .exists()
        ):
            raise BookingError(_("Deze persoon heeft al een plaats in deze groep."))
        if row.places_left < 1:
            raise GroupFull(places_left=row.places_left, wanted=1)
        offer = make_offer(locked, current, now, by=by)
    entry.status = current.status
    return offer


def locked_offer(offer):
    return Offer.objects.select_for_update(of=("self",)).select_related("entry__participant", "group").get(pk=offer.pk)


def accept_offer(offer, now=None, *, consent_text_version=None):
    """The person says yes: the held place is confirmed and they leave the list as placed. Returns the Offer.

    Accepting twice changes nothing. An offer that was declined raises
    OfferAnswered; one whose time ran out raises OfferExpired (and, if the
    sweep had not done so yet, is expired now and its place passed on). The
    place is confirmed by ``places.confirm_party`` (with the sign-up's own
    confirmation email); the consent given on the offer page
    (`consent_text_version`) is stored with it.
    """
    now = now or timezone.now()
    course_id = Offer.objects.values_list("group__course_id", flat=True).get(pk=offer.pk)
    ran_out = False
    with transaction.atomic():
        lock_course(course_id)
        lock_group(offer.group_id)
        current = locked_offer(offer)
        if current.status == Offer.Status.ACCEPTED:
            return current
        if current.status == Offer.Status.EXPIRED:
            raise OfferExpired()
        if current.status != Offer.Status.OPEN:
            raise OfferAnswered()
        if current.expires_at <= now:
            expire_offer(current, now)
            ran_out = True
        else:
            if consent_text_version:
                Enrollment.objects.filter(pk=current.enrollment_id).update(
                    consent_text_version=consent_text_version, consent_at=now
                )
            # The same confirmation (and email) as any sign-up's; a place from the waiting list is paid at
            # the first session: an open offline payment the coordinator can mark paid or waive.
            places.confirm_party(current.enrollment.party, payment="offline", now=now)
            record_offline_payment([current.enrollment])
            Offer.objects.filter(pk=current.pk).update(status=Offer.Status.ACCEPTED, decided_at=now)
            WaitlistEntry.objects.filter(pk=current.entry_id).update(status=WaitlistEntry.Status.PLACED, left_at=now)
    if ran_out:
        raise OfferExpired()
    current.refresh_from_db()
    signals.offer_accepted.send(sender=accept_offer, offer=current)
    return current


def decline_offer(offer, now=None):
    """The person says no: the held place is cancelled and goes to the next fitting person at once.

    The person stays on the list, at their old position, and counts as having
    answered the monthly check. This group is not offered to them again.
    Declining twice changes nothing; an accepted offer raises OfferAnswered,
    an expired one OfferExpired. Returns the Offer.
    """
    now = now or timezone.now()
    course_id = Offer.objects.values_list("group__course_id", flat=True).get(pk=offer.pk)
    with transaction.atomic():
        lock_course(course_id)
        lock_group(offer.group_id)
        current = locked_offer(offer)
        if current.status == Offer.Status.DECLINED:
            return current
        _refuse_unless_open(current)
        decline_locked(current, now)
        WaitlistEntry.objects.filter(pk=current.entry_id, status=WaitlistEntry.Status.WAITING).update(
            check_answered_at=now
        )
    current.refresh_from_db()
    return current


def _refuse_unless_open(offer):
    if offer.status == Offer.Status.EXPIRED:
        raise OfferExpired()
    if offer.status != Offer.Status.OPEN:
        raise OfferAnswered()


def decline_locked(offer, now):
    # cancel_enrollment passes the freed place on to the next person once this is saved.
    places.cancel_enrollment(offer.enrollment, now=now)
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.DECLINED, decided_at=now)
    offer.status = Offer.Status.DECLINED
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.WAITING
    )


# Offers that ran out, expired in one transaction (their courses', then their groups' rows locked together).
OFFERS_PER_TRANSACTION = 50


def expire_offers(now=None):
    """Offers nobody answered in time become expired, and their places pass on. Returns the expired offers.

    For each open offer past its expiry: the offer is expired, its held
    enrollment is marked expired, the person goes back to waiting at their
    old position and gets an email ("aanbod verlopen"), and once that is
    saved the place is offered to the next fitting person. Up to
    `OFFERS_PER_TRANSACTION` offers in one short transaction, under the
    locks of their courses and then their groups (each kind lower id first,
    so the one lock order holds); the freed places are passed on after the
    commit, with one look for all their groups (``offers.offer_freed_places_in``).
    Safe to run as often as wanted: a second run finds nothing and sends nothing.
    """
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "group_id", "group__course_id")
    )
    expired = []
    for start in range(0, len(due), OFFERS_PER_TRANSACTION):
        chunk = due[start : start + OFFERS_PER_TRANSACTION]
        group_ids = sorted({group_id for _offer, group_id, _course in chunk})
        with transaction.atomic():
            for course_id in sorted({course_id for *_rest, course_id in chunk}):
                lock_course(course_id)
            lock_group_rows(group_ids)
            current = (
                Offer.objects.select_for_update(of=("self",))
                .select_related("entry__participant", "group")
                .filter(pk__in=[offer_id for offer_id, *_rest in chunk], status=Offer.Status.OPEN, expires_at__lte=now)
                .order_by("expires_at", "pk")
            )
            done = list(current)
            for offer in done:
                expire_offer(offer, now, pass_on=False)
            expired.extend(done)
            if done:
                passed = sorted({offer.group_id for offer in done})
                transaction.on_commit(lambda passed=passed: offer_freed_places_in(passed, now=now), robust=True)
    return expired


CATCH_UP_MARK = "offer_free_places"


def offer_all_free_places(now=None):
    """The sweep's catch-up: offer the free places that someone on a waiting list fits. Returns the new offers.

    Nothing depends on it running; it only makes sure that a place that came
    free while an offer could not be made (an error, a stop that ended, a
    group that opened) still reaches the list. It looks only at what may
    have changed since its last run: the groups of stops that ended and one
    slice of all groups, so every group is looked at once in
    ``GROEPSWIJZER_OFFER_SWEEP_RUNS`` runs (``offers.changed_since``); and
    the people who joined a list or came back to waiting (declined, or let
    an offer run out), each in the groups of their course where they could
    go (``offers.back_on_the_list``, ``offers.offer_to_people``). Its first
    run ever looks at every group. Which groups have work is found in SQL
    without a lock; only those groups are then locked, one at a time, and
    offered as a cancellation would.
    """
    now = now or timezone.now()
    mark = PeriodicMark.objects.filter(name=CATCH_UP_MARK).first()
    if mark is None or mark.at > now:
        offers = offer_freed_places_in(None, now=now)
    else:
        # The newcomers first, so that each gets the soonest group that fits them, not one the slice holds.
        offers = offer_to_people(back_on_the_list(mark.at, now), now=now)
        offers += offer_freed_places_in(changed_since(mark.at, now, sweep_slice=mark.runs % sweep_runs()), now=now)
    if mark is None:
        PeriodicMark.objects.get_or_create(name=CATCH_UP_MARK, defaults={"at": now, "runs": 1})
    else:
        PeriodicMark.objects.filter(pk=mark.pk).update(at=now, runs=F("runs") + 1)
    return offers
