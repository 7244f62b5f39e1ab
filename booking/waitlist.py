"""The waiting list: one list per course, and offers of places that come free.

The rules, each stated again on the function that applies it:

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
* Places come free when someone cancels or a hold runs out (`services`
  calls `offer_freed_places` after those are saved), when a group opens or is
  added (the admin calls it), and in the periodic sweep, which catches up
  whatever was missed.
* Every month (`GROEPSWIJZER_WAITLIST_CHECK_DAYS`) everyone who is waiting
  is asked whether they still want to wait. Whoever does not answer within
  `GROEPSWIJZER_WAITLIST_ANSWER_DAYS` is taken off the list, and told so.

Locks, always in this order so that two transactions never wait for each
other in a circle: the course (one waiting list), then the group
(`services._lock_group`, its places). Every change to a list's entries or
offers holds the course's lock, so two groups of one course can never offer
the same person a place at the same time.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import CoursePage

from . import links, services
from .exceptions import BookingError, GroupFull, SignupClosed
from .models import (
    Enrollment,
    Offer,
    PartOfDay,
    TrainingGroup,
    WaitlistEntry,
    WaitlistMove,
    takes_a_place,
)
from .notifications import BUILDERS, queue_email
from .stops import active_stop

ACTIVE = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)
DEFAULT_OFFER_HOURS = 48
DEFAULT_CHECK_DAYS = 30
DEFAULT_ANSWER_DAYS = 14
# Part of the day of a group, by the clock time of its first session.
MORNING_UNTIL = datetime.time(12, 0)
AFTERNOON_UNTIL = datetime.time(17, 0)


# --- refusals ------------------------------------------------------------------------------------


class AlreadyOnWaitlist(BookingError):
    """This email address already has a place on this course's list. Said without naming the address."""

    code = "already_on_waitlist"
    default_message = _(
        "Met dit e-mailadres staat al iemand op de wachtlijst voor deze training. "
        "In de e-mail die u toen kreeg, staat een link naar uw plaats op de wachtlijst. "
        "We hebben die link nog een keer gestuurd."
    )


class NotOnWaitlist(BookingError):
    """The person is no longer on the list (left, removed or placed), so this step is not possible."""

    code = "not_on_waitlist"
    default_message = _("U staat niet meer op de wachtlijst. Daarom kan dit niet meer.")


class OfferAnswered(BookingError):
    """The offer was already accepted or turned down."""

    code = "offer_answered"
    default_message = _("U heeft dit aanbod al beantwoord.")


class OfferExpired(BookingError):
    """The offer's time ran out; the place went to the next person."""

    code = "offer_expired"
    default_message = _(
        "Dit aanbod is verlopen. De plaats is aan de volgende persoon op de wachtlijst aangeboden. "
        "U staat nog op de wachtlijst en houdt uw plaats op de lijst."
    )


# --- settings and small rules --------------------------------------------------------------------


def offer_duration():
    return datetime.timedelta(hours=getattr(settings, "GROEPSWIJZER_OFFER_HOURS", DEFAULT_OFFER_HOURS))


def check_interval():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_WAITLIST_CHECK_DAYS", DEFAULT_CHECK_DAYS))


def answer_time():
    return datetime.timedelta(days=getattr(settings, "GROEPSWIJZER_WAITLIST_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def part_of_day_at(start):
    """Morning before 12:00, afternoon before 17:00, evening from 17:00 (on the Dutch clock). None: no date yet."""
    if start is None:
        return None
    clock = services.local_time(start).time()
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


def check_pending(entry):
    """A "still waiting?" email was sent and not answered yet."""
    return entry.check_sent_at is not None and (
        entry.check_answered_at is None or entry.check_answered_at < entry.check_sent_at
    )


def answer_due(entry):
    """The last moment to answer the pending "still waiting?" email, or None."""
    return entry.check_sent_at + answer_time() if check_pending(entry) else None


def _group_id(group):
    return group.pk if isinstance(group, TrainingGroup) else int(group)


def _lock_course(course_id):
    """The course's row stands for its waiting list: whoever changes the list holds it first."""
    list(CoursePage.objects.select_for_update(of=("self",)).filter(pk=course_id).values_list("pk", flat=True))


def _has_active_stop(group, now):
    """A registration stop for this course, this location, or both, is in force at `now` (the sign-up's rule)."""
    return active_stop(group.course, group.location, now) is not None


def status_url(entry):
    """The person's own link to their place on the list (in every email)."""
    return links.personal_url("waitlist:status", "waitlist", entry.pk)


def offer_url(offer):
    return links.personal_url("waitlist:offer", "offer", offer.pk)


# --- joining and the order of the list -----------------------------------------------------------


def join_waitlist(
    course, participant_data, *, preferred_locations=(), part_of_day=PartOfDay.ANY, consent_text_version, now=None
):
    """Put someone on the course's waiting list, at the end. Returns the new WaitlistEntry.

    The person's data is checked by the same rules as a sign-up (name, email,
    year of birth and the course's minimum age, postcode), with Dutch messages
    per field in a ValidationError. One email address has at most one place on
    a course's list: a second try is refused (AlreadyOnWaitlist, a message
    that does not repeat the address) and the first entry's personal link is
    sent again to that address, at most once a day. Preferred locations must
    be among the course's locations; none means any location is fine. The
    consent text version and time are stored. An email with the personal link
    to the list goes out after saving.
    """
    if not consent_text_version:
        raise ValueError("Joining the waiting list needs the version of the consent text agreed to.")
    now = now or timezone.now()
    (participant,) = services.validate_participants([participant_data], course=course, now=now)
    part_of_day = PartOfDay(part_of_day or PartOfDay.ANY)
    locations = list(preferred_locations)
    allowed = set(waitlist_locations(course).values_list("pk", flat=True))
    if any(location.pk not in allowed for location in locations):
        raise ValidationError({"preferred_locations": _("Kies alleen locaties waar deze training wordt gegeven.")})

    with transaction.atomic():
        _lock_course(course.pk)
        existing = (
            WaitlistEntry.objects.filter(course=course, status__in=ACTIVE, participant__email=participant.email)
            .select_related("participant")
            .first()
        )
        if existing is None:
            participant.save()
            highest = WaitlistEntry.objects.filter(course=course).aggregate(highest=Max("rank"))["highest"]
            rank = now.timestamp() if highest is None else max(now.timestamp(), highest + 1)
            entry = WaitlistEntry.objects.create(
                course=course,
                participant=participant,
                part_of_day=part_of_day,
                rank=rank,
                consent_text_version=consent_text_version,
                consent_at=now,
            )
            WaitlistEntry.objects.filter(pk=entry.pk).update(joined_at=now)
            entry.joined_at = now
            if locations:
                entry.preferred_locations.set(locations)
            queue_email(
                "waitlist_joined", f"waitlist_joined:entry:{entry.pk}", participant=participant, entry_id=entry.pk
            )
            return entry
        day = services.local_time(now).date().isoformat()
        queue_email(
            "waitlist_joined",
            f"waitlist_joined:entry:{existing.pk}:again:{day}",
            participant=existing.participant,
            entry_id=existing.pk,
        )
    raise AlreadyOnWaitlist()


def waitlist_locations(course):
    """Locations someone can choose on the course's list: the course's own, and those of its coming groups."""
    from .models import Location

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
    if entry.status not in ACTIVE:
        return None
    ahead = WaitlistEntry.objects.filter(course_id=entry.course_id, status__in=ACTIVE).filter(
        Q(rank__lt=entry.rank) | Q(rank=entry.rank, pk__lt=entry.pk)
    )
    return ahead.count() + 1


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
        _lock_course(entry.course_id)
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


@dataclass
class WaitEstimate:
    """What we expect for one person: `weeks` until they can start, in `group`; None when we cannot say."""

    weeks: int | None
    group: TrainingGroup | None = None
    starts: datetime.datetime | None = None

    @property
    def known(self):
        return self.weeks is not None

    def __str__(self):
        if not self.known:
            return str(
                _(
                    "We weten nog niet hoe lang u moet wachten. Er zijn nu niet genoeg plaatsen gepland "
                    "in groepen die bij u passen. Komt er een plaats vrij of een nieuwe groep bij, "
                    "dan krijgt u een e-mail."
                )
            )
        start = services.local_time(self.starts)
        where = self.group.location.place or self.group.location.name
        return ngettext(
            "We verwachten dat u over ongeveer %(weeks)d week kunt beginnen, in de groep in %(place)s "
            "die op %(date)s start. Het kan sneller gaan als iemand zich afmeldt.",
            "We verwachten dat u over ongeveer %(weeks)d weken kunt beginnen, in de groep in %(place)s "
            "die op %(date)s start. Het kan sneller gaan als iemand zich afmeldt.",
            self.weeks,
        ) % {"weeks": self.weeks, "place": where, "date": date_format(start, "j F Y")}


def expected_wait(entry, now=None):
    """An honest estimate of how long this person still waits, as a WaitEstimate.

    The rule: everyone ahead of this person on the list is taken to need one
    place before them (whatever their own wishes, so the estimate errs on the
    long side). The places we can count on are those in groups of this course
    that fit this person's wishes (`fits`), have a date, start after `now`,
    and are planned (all their places) or open for sign-up (their free places
    now), taken in order of their first session. The first group by which
    enough places have added up for everyone ahead and this person, is the
    group we expect them to start in; the wait is the time until its first
    session, rounded to whole weeks (at least 1). When those groups together do not
    have enough places, we cannot say, and say so. Places that come free
    through cancellations are not counted: they can only make the wait shorter.
    """
    now = now or timezone.now()
    place_in_line = position(entry)
    if place_in_line is None:
        return WaitEstimate(weeks=None)
    groups = (
        TrainingGroup.objects.with_places_left(now)
        .with_first_start()
        .filter(course_id=entry.course_id, first_start__gt=now)
        .filter(
            Q(status=TrainingGroup.Status.PLANNED)
            | Q(status=TrainingGroup.Status.OPEN) & (Q(signup_deadline__isnull=True) | Q(signup_deadline__gt=now))
        )
        .select_related("location")
        .order_by("first_start", "pk")
    )
    counted = 0
    for group in groups:
        if not fits(entry, group, group.first_start) or _has_active_stop(group, now):
            continue
        counted += group.capacity if group.status == TrainingGroup.Status.PLANNED else group.places_left
        if counted >= place_in_line:
            days = (group.first_start - now).total_seconds() / 86400
            return WaitEstimate(weeks=max(1, round(days / 7)), group=group, starts=group.first_start)
    return WaitEstimate(weeks=None)


# --- offers --------------------------------------------------------------------------------------


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


def _make_offer(group, entry, now, *, by=None):
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


def _locked_open_group(group_id, now):
    """Lock the group; return it (with its first start) when places may be given out now, else None."""
    locked = services._lock_group(group_id)
    if locked.signup_closed_reason(now) is not None or _has_active_stop(locked, now):
        return None
    return locked


def offer_freed_places(group, now=None):
    """Offer each free place in `group` to the next fitting person on the course's list. Returns the new offers.

    Only while signing up for the group is open and no registration stop
    applies. Free places are counted under the group's lock by the capacity
    rule (`services.places_left`), and every offer holds its place at once, so
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
        _lock_course(course_id)
        locked = _locked_open_group(group_id, now)
        if locked is None:
            return []
        free = services.places_left(locked, now)
        if free <= 0:
            return []
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
                offers.append(_make_offer(locked, entry, now))
    return offers


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
        _lock_course(entry.course_id)
        locked = services._lock_group(group.pk)
        reason = locked.signup_closed_reason(now)
        if reason is not None:
            raise SignupClosed(reason)
        if _has_active_stop(locked, now):
            raise BookingError(_("Voor deze groep geldt een aanmeldstop. Er kan nu geen plaats worden aangeboden."))
        current = WaitlistEntry.objects.select_related("participant").get(pk=entry.pk)
        if current.status != WaitlistEntry.Status.WAITING:
            raise NotOnWaitlist(_("Deze persoon wacht niet (meer) op de wachtlijst, of heeft al een aanbod."))
        if (
            Enrollment.objects.filter(group=locked, participant__email=current.participant.email)
            .filter(takes_a_place(now))
            .exists()
        ):
            raise BookingError(_("Deze persoon heeft al een plaats in deze groep."))
        free = services.places_left(locked, now)
        if free < 1:
            raise GroupFull(places_left=free, wanted=1)
        offer = _make_offer(locked, current, now, by=by)
    entry.status = current.status
    return offer


def _locked_offer(offer):
    return Offer.objects.select_for_update(of=("self",)).select_related("entry__participant", "group").get(pk=offer.pk)


def _expire_locked(offer, now):
    """Mark one open offer expired, under the course's and group's locks; its place passes on after saving."""
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
    _pass_on_after_commit(offer.group_id, now)


def _pass_on_after_commit(group_id, now):
    transaction.on_commit(lambda: offer_freed_places(group_id, now=now), robust=True)


def accept_offer(offer, now=None, *, consent_text_version=None):
    """The person says yes: the held place is confirmed and they leave the list as placed. Returns the Offer.

    Accepting twice changes nothing. An offer that was declined raises
    OfferAnswered; one whose time ran out raises OfferExpired (and, if the
    sweep had not done so yet, is expired now and its place passed on). The
    place is confirmed by `services.confirm_enrollment`; the consent given
    on the offer page (`consent_text_version`) is stored with it. A
    confirmation email follows.
    """
    now = now or timezone.now()
    course_id = Offer.objects.values_list("group__course_id", flat=True).get(pk=offer.pk)
    ran_out = False
    with transaction.atomic():
        _lock_course(course_id)
        services._lock_group(offer.group_id)
        current = _locked_offer(offer)
        if current.status == Offer.Status.ACCEPTED:
            return current
        if current.status == Offer.Status.EXPIRED:
            raise OfferExpired()
        if current.status != Offer.Status.OPEN:
            raise OfferAnswered()
        if current.expires_at <= now:
            _expire_locked(current, now)
            ran_out = True
        else:
            if consent_text_version:
                Enrollment.objects.filter(pk=current.enrollment_id).update(
                    consent_text_version=consent_text_version, consent_at=now
                )
            services.confirm_enrollment(current.enrollment, now=now)
            # A place from the waiting list is paid at the first session: an open offline payment
            # the coordinator can mark paid or waive, like any other sign-up's.
            from .payments.services import record_offline_payment

            record_offline_payment([current.enrollment])
            Offer.objects.filter(pk=current.pk).update(status=Offer.Status.ACCEPTED, decided_at=now)
            WaitlistEntry.objects.filter(pk=current.entry_id).update(status=WaitlistEntry.Status.PLACED, left_at=now)
            _queue_confirmation(current)
    if ran_out:
        raise OfferExpired()
    current.refresh_from_db()
    return current


def _queue_confirmation(offer):
    """The sign-up's own confirmation email when there is one (the same text, calendar file and links)."""
    participant = offer.entry.participant
    if "confirmation" in BUILDERS:
        queue_email(
            "confirmation",
            f"confirmation:enrollment:{offer.enrollment_id}",
            participant=participant,
            enrollment_id=offer.enrollment_id,
            # For now a place from the list is paid at the first session, as on the offer page.
            payment="offline",
        )
    else:
        queue_email("offer_accepted", f"offer_accepted:offer:{offer.pk}", participant=participant, offer_id=offer.pk)


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
        _lock_course(course_id)
        services._lock_group(offer.group_id)
        current = _locked_offer(offer)
        if current.status == Offer.Status.DECLINED:
            return current
        _refuse_unless_open(current)
        _decline_locked(current, now)
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


def _decline_locked(offer, now):
    # cancel_enrollment passes the freed place on to the next person once this is saved.
    services.cancel_enrollment(offer.enrollment, now=now)
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.DECLINED, decided_at=now)
    offer.status = Offer.Status.DECLINED
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.WAITING
    )


def expire_offers(now=None):
    """Offers nobody answered in time become expired, and their places pass on. Returns the expired offers.

    For each open offer past its expiry: the offer is expired, its held
    enrollment is marked expired, the person goes back to waiting at their
    old position and gets an email ("aanbod verlopen"), and once that is
    saved the place is offered to the next fitting person. Each offer in its
    own short transaction under the course's and group's locks. Safe to run
    as often as wanted: a second run finds nothing and sends nothing.
    """
    now = now or timezone.now()
    due = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).order_by("expires_at", "pk")
    expired = []
    for offer_id, group_id, course_id in due.values_list("pk", "group_id", "group__course_id"):
        with transaction.atomic():
            _lock_course(course_id)
            services._lock_group(group_id)
            current = (
                Offer.objects.select_for_update(of=("self",))
                .select_related("entry__participant", "group")
                .filter(pk=offer_id, status=Offer.Status.OPEN, expires_at__lte=now)
                .first()
            )
            if current is None:
                continue
            _expire_locked(current, now)
            expired.append(current)
    return expired


def offer_all_free_places(now=None):
    """The sweep's catch-up: offer free places in every open group of every course that has people waiting.

    Nothing depends on it running; it only makes sure that a place that came
    free while an offer could not be made (an error, a stop that ended) still
    reaches the list. Returns the new offers.
    """
    now = now or timezone.now()
    courses = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).values("course_id")
    groups = (
        TrainingGroup.objects.open_for_signup(now)
        .with_places_left(now)
        .filter(course_id__in=courses, places_left__gt=0)
    )
    offers = []
    for group_id in groups.order_by("first_start", "pk").values_list("pk", flat=True):
        offers.extend(offer_freed_places(group_id, now=now))
    return offers


# --- staying, leaving, and the monthly check -----------------------------------------------------


def stay_on_waitlist(entry, now=None):
    """The person answers "yes, I want to keep waiting": the answer is noted and the place on the list kept.

    Answering again changes only the time of the answer. Someone no longer on
    the list gets NotOnWaitlist, with a message that says why.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_course(entry.course_id)
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
        _lock_course(entry.course_id)
        current = WaitlistEntry.objects.get(pk=entry.pk)
        if current.status in ACTIVE:
            open_offer = current.offers.filter(status=Offer.Status.OPEN).first()
            if open_offer is not None:
                services._lock_group(open_offer.group_id)
                _decline_locked(_locked_offer(open_offer), now)
            WaitlistEntry.objects.filter(pk=current.pk).update(status=WaitlistEntry.Status.LEFT, left_at=now)
    entry.refresh_from_db()
    return entry


def gone_message(entry):
    """Why someone is not on the list any more, for the person themselves."""
    if entry.status == WaitlistEntry.Status.PLACED:
        return _("U heeft al een plaats in een groep van deze training. U staat daarom niet meer op de wachtlijst.")
    if entry.status == WaitlistEntry.Status.REMOVED:
        return _(
            "U bent van de wachtlijst gehaald, omdat wij geen antwoord kregen op onze vraag of u nog wilde wachten. "
            "Wilt u toch een plaats? Meld u dan opnieuw aan voor de wachtlijst."
        )
    return _("U heeft zich van de wachtlijst afgemeld. Wilt u toch een plaats? Meld u dan opnieuw aan.")


def _last_contact(entry):
    return max(moment for moment in (entry.joined_at, entry.check_sent_at, entry.check_answered_at) if moment)


def send_waitlist_checks(now=None):
    """Ask everyone who is waiting, once a month, whether they still want to wait. Returns the entries asked.

    Due: waiting people whose last contact (joining, the last check, or their
    last answer) was `GROEPSWIJZER_WAITLIST_CHECK_DAYS` or more ago, and who
    have no unanswered check open (that one leads to `remove_unanswered`).
    The email has two links: "Ja, ik wil blijven wachten" and "Nee, haal mij
    van de lijst". The email's key names the contact it follows, so each check
    goes out once, also when two sweeps run at the same time. People with an
    open offer are not asked: the offer is the question.
    """
    now = now or timezone.now()
    since = now - check_interval()
    due = (
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, joined_at__lte=since)
        .filter(Q(check_sent_at__isnull=True) | Q(check_answered_at__gte=F("check_sent_at")))
        .filter(Q(check_answered_at__isnull=True) | Q(check_answered_at__lte=since))
    )
    asked = []
    for entry_id, course_id in due.values_list("pk", "course_id"):
        with transaction.atomic():
            _lock_course(course_id)
            entry = WaitlistEntry.objects.select_related("participant").get(pk=entry_id)
            if entry.status != WaitlistEntry.Status.WAITING or check_pending(entry) or _last_contact(entry) > since:
                continue
            key = f"waitlist_check:entry:{entry.pk}:{_last_contact(entry).timestamp():.0f}"
            WaitlistEntry.objects.filter(pk=entry.pk).update(check_sent_at=now)
            queue_email("waitlist_check", key, participant=entry.participant, entry_id=entry.pk)
            entry.check_sent_at = now
            asked.append(entry)
    return asked


def remove_unanswered(now=None):
    """Take people off the list who did not answer the check in time, and tell them. Returns those removed.

    Removed: waiting people whose "still waiting?" email is unanswered
    `GROEPSWIJZER_WAITLIST_ANSWER_DAYS` or more after it was sent. They get an
    email that says so and how to join the list again. Running it twice
    removes and sends nothing more.
    """
    now = now or timezone.now()
    deadline = now - answer_time()
    due = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, check_sent_at__lte=deadline).filter(
        Q(check_answered_at__isnull=True) | Q(check_answered_at__lt=F("check_sent_at"))
    )
    removed = []
    for entry_id, course_id in due.values_list("pk", "course_id"):
        with transaction.atomic():
            _lock_course(course_id)
            entry = WaitlistEntry.objects.select_related("participant").get(pk=entry_id)
            if (
                entry.status != WaitlistEntry.Status.WAITING
                or not check_pending(entry)
                or entry.check_sent_at > deadline
            ):
                continue
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.REMOVED, left_at=now)
            queue_email(
                "waitlist_removed",
                f"waitlist_removed:entry:{entry.pk}",
                participant=entry.participant,
                entry_id=entry.pk,
            )
            entry.status = WaitlistEntry.Status.REMOVED
            removed.append(entry)
    return removed
