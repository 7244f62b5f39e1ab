"""The waiting list: joining, the order of the list, staying and leaving.

Offers of freed places are made by ``services.offers``; answering them is
``waitlist.offers``; the monthly check is ``waitlist.checks``; the expected
wait is ``waitlist.estimate``. The rules of the whole package, each stated
again on the function that applies it:

* There is one list per course, not per group. It is in the order of
  `WaitlistEntry.rank`: the moment of joining, unless a coordinator moved
  someone (with a reason, which is kept). People who are waiting, or who have
  an open offer, have a position: 1, 2, 3 …
* A free place in a group where signing up is open, and no registration stop
  applies, goes to the first waiting person whose wishes fit the group (the
  location, the part of the day) and who did not already turn down, or let
  expire, an offer for that same group.
* An offer keeps its place with a held enrollment until the offer expires
  (`GROEPSWIJZER_OFFER_HOURS`, 48 hours), so the one capacity rule
  (`takes_a_place`) counts an offered place as taken. Yes confirms the place.
  No, or no answer in time, gives the place to the next person at once; the
  person keeps their position on the list.
* Places come free when someone cancels or a hold runs out (``places``
  calls ``offers.offer_freed_places`` after those are saved), when a group opens or is
  added (the admin calls it), and in the periodic sweep, which catches up
  whatever was missed.
* Every month (`GROEPSWIJZER_WAITLIST_CHECK_DAYS`) everyone who is waiting
  is asked whether they still want to wait. Whoever does not answer within
  `GROEPSWIJZER_WAITLIST_ANSWER_DAYS` is taken off the list, and told so.

Every change to a list's entries or offers holds the course's lock
(``services.locks``, which keeps the one lock order), so two groups of one
course can never offer the same person a place at the same time.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import clock
from booking.models import (
    ConsentChannel,
    Location,
    Offer,
    PartOfDay,
    TrainingGroup,
    WaitlistEntry,
    WaitlistMove,
)
from booking.services import locks, participants
from booking.services.errors import AlreadyOnWaitlist, NotOnWaitlist
from booking.services.locks import lock_course
from booking.services.notifications import queue_email
from booking.services.offers import offer_freed_places_in
from booking.services.page_state import changed
from booking.waitlist.offers import decline_locked, locked_offer

ACTIVE = WaitlistEntry.ACTIVE
DEFAULT_CHECK_DAYS = 30
DEFAULT_ANSWER_DAYS = 14


# --- settings and small rules --------------------------------------------------------------------


def check_interval():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_WAITLIST_CHECK_DAYS", DEFAULT_CHECK_DAYS))


def answer_time():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_WAITLIST_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def check_pending(entry):
    """A "still waiting?" email was sent and not answered yet."""
    return entry.check_sent_at is not None and (
        entry.check_answered_at is None or entry.check_answered_at < entry.check_sent_at
    )


def answer_due(entry):
    """The last moment to answer the pending "still waiting?" email, or None."""
    return entry.check_sent_at + answer_time() if check_pending(entry) else None


# --- joining and the order of the list -----------------------------------------------------------


def join_waitlist(
    course,
    participant_data,
    *,
    preferred_locations=(),
    part_of_day=PartOfDay.ANY,
    consent_text_version,
    now=None,
    consent_channel=ConsentChannel.ONLINE,
    consent_taken_by=None,
):
    """Put someone on the course's waiting list, at the end. Returns the new WaitlistEntry.

    The person's data is checked by the same rules as a sign-up (name, email,
    year of birth and the course's minimum age, postcode), with Dutch messages
    per field in a ValidationError. One email address has at most one place on
    a course's list: a second try is refused (AlreadyOnWaitlist, a message
    that does not repeat the address) and the first entry's personal link is
    sent again to that address, at most once a day. Preferred locations must
    be among the course's locations; none means any location is fine. The
    consent text version and time are stored, and for a consent given to the
    office (by phone or at the desk) who took it. An email with the personal
    link to the list goes out after saving.
    """
    if not consent_text_version:
        raise ValueError("Joining the waiting list needs the version of the consent text agreed to.")
    now = now or timezone.now()
    consent = participants.consent_record(
        consent_text_version, now=now, channel=consent_channel, taken_by=consent_taken_by
    )
    participant, part_of_day, locations = _checked_wishes(
        course, participant_data, preferred_locations, part_of_day, now
    )

    with transaction.atomic():
        lock_course(course.pk)
        existing = _active_entry_for(course, participant.email)
        if existing is None:
            highest = WaitlistEntry.objects.filter(course=course).aggregate(highest=Max("rank"))["highest"]
            rank = now.timestamp() if highest is None else max(now.timestamp(), highest + 1)
            entry = _add_entry(
                course,
                participant,
                part_of_day=part_of_day,
                locations=locations,
                rank=rank,
                joined_at=now,
                **consent,
            )
            queue_email(
                "waitlist_joined", f"waitlist_joined:entry:{entry.pk}", participant=participant, entry_id=entry.pk
            )
            return entry
        day = clock.local_time(now).date().isoformat()
        queue_email(
            "waitlist_joined",
            f"waitlist_joined:entry:{existing.pk}:again:{day}",
            participant=existing.participant,
            entry_id=existing.pk,
        )
    raise AlreadyOnWaitlist()


def _checked_wishes(course, participant_data, preferred_locations, part_of_day, now):
    """The person (checked as at sign-up, unsaved), the part of the day and the locations; or ValidationError."""
    (participant,) = participants.validate_participants([participant_data], course=course, now=now)
    part_of_day = PartOfDay(part_of_day or PartOfDay.ANY)
    return participant, part_of_day, _checked_locations(course, preferred_locations)


def _checked_locations(course, preferred_locations):
    """The preferred locations, when all are among the course's (`waitlist_locations`); else ValidationError."""
    locations = list(preferred_locations)
    allowed = set(waitlist_locations(course).values_list("pk", flat=True))
    if any(location.pk not in allowed for location in locations):
        raise ValidationError({"preferred_locations": _("Kies alleen locaties waar deze training wordt gegeven.")})
    return locations


def _active_entry_for(course, email):
    return (
        WaitlistEntry.objects.filter(course=course, status__in=ACTIVE, participant__email=email)
        .select_related("participant")
        .first()
    )


def _add_entry(course, participant, *, part_of_day, locations, rank, joined_at, **consent):
    """Save the person and their entry. Call with the course's lock held."""
    participant.save()
    entry = WaitlistEntry.objects.create(
        course=course, participant=participant, part_of_day=part_of_day, rank=rank, **consent
    )
    WaitlistEntry.objects.filter(pk=entry.pk).update(joined_at=joined_at)
    entry.joined_at = joined_at
    if locations:
        entry.preferred_locations.set(locations)
    return entry


def import_waitlist_entry(
    course,
    participant_data,
    *,
    preferred_locations=(),
    part_of_day=PartOfDay.ANY,
    joined_at,
    consent_text_version,
    consent_at,
    taken_by,
    now=None,
):
    """Someone who waited on the list of an earlier system joins this one at the place their date gives them.

    The same checks as joining (`join_waitlist`: the person, the age rule,
    the locations, one place per email address on the list; AlreadyOnWaitlist
    without an email this time). The place in line follows `joined_at`: before
    everyone who joined later, after everyone who joined earlier. The consent
    keeps the earlier system's version and moment, marked as taken over by
    `taken_by`. No email is sent.
    """
    now = now or timezone.now()
    if joined_at > now:
        raise ValidationError({"joined_at": _("De datum van aanmelden voor de wachtlijst ligt in de toekomst.")})
    participant, part_of_day, locations = _checked_wishes(
        course, participant_data, preferred_locations, part_of_day, now
    )
    with transaction.atomic():
        lock_course(course.pk)
        if _active_entry_for(course, participant.email) is not None:
            raise AlreadyOnWaitlist(_("Met dit e-mailadres staat al iemand op de wachtlijst voor deze training."))
        return _add_entry(
            course,
            participant,
            part_of_day=part_of_day,
            locations=locations,
            rank=joined_at.timestamp(),
            joined_at=joined_at,
            consent_text_version=consent_text_version,
            consent_at=consent_at or joined_at,
            consent_channel=ConsentChannel.IMPORT,
            consent_taken_by=taken_by,
        )


def change_wishes(entry, *, preferred_locations, part_of_day):
    """The office changes what someone on the list wishes for: the locations and the part of the day. Returns the entry.

    The same rules as joining: locations only among the course's; none means
    every location is fine. Only for someone still on the list
    (NotOnWaitlist otherwise). The person keeps their place in line; a free
    place that now fits them is offered once this is saved (the course's
    groups are looked at, as the periodic catch-up would).
    """
    part_of_day = PartOfDay(part_of_day or PartOfDay.ANY)
    locations = _checked_locations(entry.course, preferred_locations)
    with transaction.atomic():
        lock_course(entry.course_id)
        current = WaitlistEntry.objects.get(pk=entry.pk)
        if current.status not in ACTIVE:
            raise NotOnWaitlist(_("Deze persoon staat niet meer op de wachtlijst."))
        WaitlistEntry.objects.filter(pk=current.pk).update(part_of_day=part_of_day)
        changed(course_ids=[current.course_id])
        current.preferred_locations.set(locations)
        course_groups = TrainingGroup.objects.filter(course_id=current.course_id)
        transaction.on_commit(lambda: offer_freed_places_in(course_groups), robust=True)
    entry.refresh_from_db()
    return entry


def take_off_waitlist(entry, *, by, reason, now=None):
    """The office takes someone off the list, with a reason that is kept. Returns the entry.

    An open offer is declined with it, so its place goes to the next person
    at once. Someone no longer on the list gets NotOnWaitlist; a reason is
    required (ValidationError at "reason").
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Schrijf op waarom deze persoon van de wachtlijst gaat. Dat wordt bewaard.")}
        )
    now = now or timezone.now()
    with transaction.atomic():
        lock_course(entry.course_id)
        current = WaitlistEntry.objects.get(pk=entry.pk)
        if current.status not in ACTIVE:
            raise NotOnWaitlist(_("Deze persoon staat niet meer op de wachtlijst."))
        open_offer = current.offers.filter(status=Offer.Status.OPEN).first()
        if open_offer is not None:
            locks.lock_group(open_offer.group_id)
            decline_locked(locked_offer(open_offer), now)
        WaitlistEntry.objects.filter(pk=current.pk).update(
            status=WaitlistEntry.Status.TAKEN_OFF, left_at=now, removed_by=by, removal_reason=reason[:300]
        )
        changed(course_ids=[current.course_id])
    entry.refresh_from_db()
    return entry


def waitlist_locations(course):
    """Locations someone can choose on the course's list: the course's own, and those of its coming groups."""
    upcoming = TrainingGroup.objects.filter(
        course=course, status__in=[TrainingGroup.Status.PLANNED, TrainingGroup.Status.OPEN, TrainingGroup.Status.CLOSED]
    )
    return Location.objects.filter(Q(courses=course) | Q(groups__in=upcoming)).distinct()


def active_entries(course):
    """The course's list as it stands: waiting people and people with an open offer, in order."""
    return WaitlistEntry.objects.filter(course=course, status__in=ACTIVE).order_by("rank", "pk")


def position(entry):
    """1 for the first person on the list, and so on, counting only active entries (waiting or offered).

    None when the person is no longer on the list.
    """
    return WaitlistEntry.objects.with_position().values_list("position", flat=True).get(pk=entry.pk)


def move_entry(entry, new_position, *, by, reason):
    """A coordinator puts someone at another position on the list; the reason is required and kept.

    The new position is counted like `position` (1 is first) and kept within
    the list. The person's rank becomes a value between their new neighbours,
    so nobody else's rank changes (unless ranks have come too close together,
    then the list is numbered again in its current order). Each move is kept
    as a WaitlistMove: who, when, from where to where, and why.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Schrijf op waarom u deze persoon verplaatst. Dat wordt bewaard.")})
    if by is None:
        raise ValueError("A move needs the coordinator who made it.")
    with transaction.atomic():
        lock_course(entry.course_id)
        order = list(active_entries(entry.course_id))
        current = next((other for other in order if other.pk == entry.pk), None)
        if current is None:
            raise NotOnWaitlist()
        from_position = order.index(current) + 1
        others = [other for other in order if other.pk != entry.pk]
        to_position = min(max(int(new_position), 1), len(order))
        rank = _rank_between(others, to_position - 1)
        if rank is None:
            for number, other in enumerate(others, start=1):
                WaitlistEntry.objects.filter(pk=other.pk).update(rank=float(number))
                other.rank = float(number)
            rank = _rank_between(others, to_position - 1)
        WaitlistEntry.objects.filter(pk=current.pk).update(rank=rank)
        WaitlistMove.objects.create(
            entry=current, moved_by=by, from_position=from_position, to_position=to_position, reason=reason[:300]
        )
    entry.rank = rank
    return entry


def _rank_between(others, index):
    """A rank that puts someone at `index` among `others` (in order), or None when there is no room left."""
    before = others[index - 1].rank if index > 0 else None
    after = others[index].rank if index < len(others) else None
    if before is None and after is None:
        return timezone.now().timestamp()
    if before is None:
        return after - 1
    if after is None:
        return before + 1
    middle = (before + after) / 2
    return middle if before < middle < after else None


# --- the expected wait ---------------------------------------------------------------------------


# --- offers --------------------------------------------------------------------------------------


# --- staying, leaving, and the monthly check -----------------------------------------------------


def stay_on_waitlist(entry, now=None):
    """The person answers "yes, I want to keep waiting": the answer is noted and the place on the list kept.

    Answering again changes only the time of the answer. Someone no longer on
    the list gets NotOnWaitlist, with a message that says why.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_course(entry.course_id)
        current = WaitlistEntry.objects.get(pk=entry.pk)
        if current.status not in ACTIVE:
            raise NotOnWaitlist(gone_message(current))
        WaitlistEntry.objects.filter(pk=current.pk).update(check_answered_at=now)
    entry.refresh_from_db()
    return entry


def leave_waitlist(entry, now=None):
    """The person takes themselves off the list. Returns the entry.

    An open offer is declined with it, so its place goes to the next person
    at once. Leaving twice changes nothing; someone who was placed or removed
    stays so.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_course(entry.course_id)
        current = WaitlistEntry.objects.get(pk=entry.pk)
        if current.status in ACTIVE:
            open_offer = current.offers.filter(status=Offer.Status.OPEN).first()
            if open_offer is not None:
                locks.lock_group(open_offer.group_id)
                decline_locked(locked_offer(open_offer), now)
            WaitlistEntry.objects.filter(pk=current.pk).update(status=WaitlistEntry.Status.LEFT, left_at=now)
            changed(course_ids=[current.course_id])
    entry.refresh_from_db()
    return entry


def gone_message(entry):
    """Why someone is not on the list any more, for the person themselves."""
    if entry.status == WaitlistEntry.Status.PLACED:
        return _("U heeft al een plaats in een groep van deze training. U staat daarom niet meer op de wachtlijst.")
    if entry.status == WaitlistEntry.Status.TAKEN_OFF:
        return _(
            "U staat niet meer op de wachtlijst. Wij hebben u van de lijst gehaald. "
            "Wilt u toch een plaats? Neem dan contact met ons op, of meld u opnieuw aan."
        )
    if entry.status == WaitlistEntry.Status.REMOVED:
        return _(
            "U bent van de wachtlijst gehaald, omdat wij geen antwoord kregen op onze vraag of u nog wilde wachten. "
            "Wilt u toch een plaats? Meld u dan opnieuw aan voor de wachtlijst."
        )
    return _("U heeft zich van de wachtlijst afgemeld. Wilt u toch een plaats? Meld u dan opnieuw aan.")
