"""The waiting list's claim on freed places: a free place is offered to the next fitting person first.

This is part of the capacity rules (a cancellation or an expired hold calls
`offer_freed_places` after its commit), so it lives with them; the journeys
around the list (joining, answering offers, the monthly check) are in
``booking.waitlist``.

* A free place in a bookable group goes to the first waiting person whose
  wishes fit the group (`fits`: the location, the part of the day) and who did
  not already turn down, or let expire, an offer for that same group.
* An offer keeps its place with a held enrollment until the offer expires
  (`GROEPSWIJZER_OFFER_HOURS`), so the one capacity rule (`takes_a_place`)
  counts an offered place as taken. When it expires or is declined the place
  passes to the next person.

Locks (see ``locks``): the course first (its waiting list), then the group.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..clock import local_time
from ..models import Enrollment, Offer, PartOfDay, TrainingGroup, WaitlistEntry, takes_a_place
from .locks import lock_course, lock_group
from .notifications import queue_email

DEFAULT_OFFER_HOURS = 48


# Part of the day of a group, by the clock time of its first session.
MORNING_UNTIL = datetime.time(12, 0)


AFTERNOON_UNTIL = datetime.time(17, 0)


def offer_duration():
    return datetime.timedelta(hours=getattr(settings, "GROEPSWIJZER_OFFER_HOURS", DEFAULT_OFFER_HOURS))


def part_of_day_at(start):
    """Morning before 12:00, afternoon before 17:00, evening from 17:00 (on the Dutch clock). None: no date yet."""
    if start is None:
        return None
    clock = local_time(start).time()
    if clock < MORNING_UNTIL:
        return PartOfDay.MORNING
    if clock < AFTERNOON_UNTIL:
        return PartOfDay.AFTERNOON
    return PartOfDay.EVENING


def fits(entry, group, first_start):
    """Whether a group suits what the person asked for.

    The location: no preferred locations means every location is fine. The
    part of the day: "any" fits every group; otherwise the first session must
    start in that part of the day. A group without a date yet fits only people
    for whom any part of the day is fine.
    """
    location_ids = {location.pk for location in entry.preferred_locations.all()}
    if location_ids and group.location_id not in location_ids:
        return False
    if entry.part_of_day == PartOfDay.ANY:
        return True
    return part_of_day_at(first_start) == entry.part_of_day


def _group_id(group):
    return group.pk if isinstance(group, TrainingGroup) else int(group)


def _offer_expiry(group, now):
    """An offer runs `GROEPSWIJZER_OFFER_HOURS`, but never past the sign-up deadline or the first session."""
    ends = [now + offer_duration()]
    if group.signup_deadline is not None:
        ends.append(group.signup_deadline)
    if group.first_start is not None:
        ends.append(group.first_start)
    return min(ends)


def _emails_with_a_place(group, now):
    """Email addresses that already have a place in this group, or in another coming group of the course."""
    coming = TrainingGroup.objects.filter(course_id=group.course_id).exclude(
        status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED]
    )
    return (
        Enrollment.objects.filter(Q(group=group) | Q(group__in=coming))
        .filter(takes_a_place(now))
        .values("participant__email")
    )


def _turned_down(group):
    """Entries that declined, or let expire, an offer for this group: it is not offered to them again."""
    return Offer.objects.filter(group=group, status__in=[Offer.Status.DECLINED, Offer.Status.EXPIRED]).values(
        "entry_id"
    )


def make_offer(group, entry, now, *, by=None):
    """Hold one place for `entry` and tell them. Call with the course's and the group's locks held."""
    expires = _offer_expiry(group, now)
    enrollment = Enrollment.objects.create(
        group=group,
        participant=entry.participant,
        status=Enrollment.Status.HELD,
        hold_expires_at=expires,
        consent_text_version=entry.consent_text_version,
        consent_at=entry.consent_at,
    )
    offer = Offer.objects.create(entry=entry, group=group, enrollment=enrollment, expires_at=expires, offered_by=by)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.OFFERED)
    entry.status = WaitlistEntry.Status.OFFERED
    queue_email("offer", f"offer:offer:{offer.pk}", participant=entry.participant, offer_id=offer.pk)
    return offer


def lock_bookable_group(group_id, now):
    """Lock the group, then return it (with `places_left` and `first_start`) when it is bookable at `now`, else None.

    Bookable is the one rule (``TrainingGroup.objects.bookable``): open for
    sign-up, no registration stop, and a place left, counted after the lock.
    """
    lock_group(group_id)
    return TrainingGroup.objects.bookable(now).filter(pk=group_id).first()


def offer_freed_places(group, now=None):
    """Offer each free place in `group` to the next fitting person on the course's list. Returns the new offers.

    Only while the group is bookable (open, no registration stop, a place
    left). Free places are counted under the group's lock by the capacity
    rule (``TrainingGroup.objects.bookable``), and every offer holds its place at once, so
    there are never more offers than free places, however many of these run
    at the same time. For each free place: the first waiting person (in list
    order) whose wishes fit the group (`fits`), who has no place in this or
    another coming group of the course, and who did not decline or let expire
    an offer for this group before. Each gets an email with links to say yes
    or no. Safe to call any number of times: with no free place or nobody
    fitting, nothing happens. `group` may also be a group's id.
    """
    now = now or timezone.now()
    group_id = _group_id(group)
    course_id = TrainingGroup.objects.values_list("course_id", flat=True).get(pk=group_id)
    if not WaitlistEntry.objects.filter(course_id=course_id, status=WaitlistEntry.Status.WAITING).exists():
        return []
    offers = []
    with transaction.atomic():
        lock_course(course_id)
        locked = lock_bookable_group(group_id, now)
        if locked is None:
            return []
        free = locked.places_left
        candidates = (
            WaitlistEntry.objects.filter(course_id=course_id, status=WaitlistEntry.Status.WAITING)
            .exclude(pk__in=_turned_down(locked))
            .exclude(participant__email__in=_emails_with_a_place(locked, now))
            .select_related("participant")
            .prefetch_related("preferred_locations")
            .order_by("rank", "pk")
        )
        first_start = locked.first_start
        for entry in candidates:
            if len(offers) == free:
                break
            if fits(entry, locked, first_start):
                offers.append(make_offer(locked, entry, now))
    return offers


def expire_offer(offer, now):
    """Mark one open offer expired; its place passes on after saving. Call with the course's and group's locks held."""
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.EXPIRED)
    offer.status = Offer.Status.EXPIRED
    Enrollment.objects.filter(pk=offer.enrollment_id, status=Enrollment.Status.HELD).update(
        status=Enrollment.Status.EXPIRED
    )
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.WAITING
    )
    queue_email(
        "offer_expired", f"offer_expired:offer:{offer.pk}", participant=offer.entry.participant, offer_id=offer.pk
    )
    pass_on_after_commit(offer.group_id, now)


def pass_on_after_commit(group_id, now):
    transaction.on_commit(lambda: offer_freed_places(group_id, now=now), robust=True)
