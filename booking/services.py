"""The booking rules: planning sessions and giving out places.

Views, admin actions, tasks and tests all call these functions; none of them
change a session or an enrollment themselves.

How places stay correct under any number of simultaneous sign-ups:

* Capacity is computed from enrollments every time (confirmed, plus holds that
  have not run out), never kept in a counter.
* Whatever can be checked without the lock (the form data, and a first look
  at the places) is checked before the transaction starts; a full group then
  refuses without making anyone wait. Then, inside ``transaction.atomic()``,
  the group's row is locked once, and only after that are places counted
  again and the decision made.
* On PostgreSQL the row lock makes everyone who books into the same group
  wait their turn; because the count is a new statement after the lock, it
  sees what the previous holder of the lock committed. On SQLite the
  ``IMMEDIATE`` transaction mode (see settings) already makes every writer
  wait at ``BEGIN``, so the lock statement changes nothing there, and the
  busy timeout lets writers queue instead of failing.
* Locks are always taken in the same order (location, trainers, group), so two
  transactions can never wait for each other in a circle.
"""

import datetime
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar, Event, Occurrence

from courses.models import Frequency, Trainer

from .exceptions import AlreadyEnrolled, EnrollmentNotActive, GroupFull, HoldExpired, SignupClosed
from .models import Enrollment, Location, Participant, Session, SignupClosedReason, TrainingGroup, takes_a_place
from .models.enrollments import is_old_enough

# Groups meet in the Netherlands, so sessions follow the Dutch wall clock
# whatever time zone the server runs in.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
WEEKS_BETWEEN = {
    Frequency.WEEKLY: 1,
    Frequency.BIWEEKLY: 2,
    Frequency.THREE_WEEKS: 3,
    Frequency.FOUR_WEEKS: 4,
}
MAX_SESSIONS = 52
MAX_PARTY = 2
DEFAULT_HOLD_MINUTES = 15
PARTICIPANT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_year",
        "postcode",
        "gp_practice",
        "gp_letter_consent",
        "user",
    }
)


# --- time ----------------------------------------------------------------------------------------


def local_time(value):
    """`value` on the Dutch clock. A naive datetime is taken to be Dutch time already."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(LOCAL_TZ)


def repeating_slots(first_start, *, count, weeks_between, duration):
    """(start, end) of `count` sessions, `weeks_between` weeks apart, at the same time on the Dutch clock.

    Each date is counted in calendar days and only then made aware, so a group
    that meets at 19:00 still meets at 19:00 after the clocks change.
    """
    first = local_time(first_start)
    clock = first.time()
    slots = []
    for number in range(count):
        day = first.date() + datetime.timedelta(weeks=weeks_between * number)
        start = datetime.datetime.combine(day, clock, tzinfo=LOCAL_TZ)
        # The length is real elapsed time, even on the night the clocks change.
        end = (start.astimezone(datetime.timezone.utc) + duration).astimezone(LOCAL_TZ)
        slots.append((start, end))
    return slots


def _describe_when(start, end):
    start, end = local_time(start), local_time(end)
    return _("%(day)s van %(start)s tot %(end)s") % {
        "day": date_format(start, "l j F Y"),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
    }


# --- locks ---------------------------------------------------------------------------------------


def _lock_group(group_id):
    """Lock one group's row and return it fresh. Callers read availability only after this."""
    return TrainingGroup.objects.select_for_update(of=("self",)).get(pk=group_id)


def _lock_for_planning(group, trainer_ids=()):
    """Lock what a plan can clash on: the location, the trainers (by id), then the group itself."""
    list(Location.objects.select_for_update().filter(pk=group.location_id).values_list("pk", flat=True))
    ids = set(trainer_ids) | set(group.trainers.values_list("pk", flat=True))
    list(Trainer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    return _lock_group(group.pk)


# --- sessions ------------------------------------------------------------------------------------


def calendar_for_location(location):
    """The location's calendar, made the first time a session is planned there."""
    calendar, created = Calendar.objects.get_or_create(
        slug=f"locatie-{location.pk}", defaults={"name": str(location)[:200]}
    )
    return calendar


def _refuse_unless_plannable(group):
    if group.status == TrainingGroup.Status.CANCELLED:
        raise ValidationError(
            _("Deze groep gaat niet door. U kunt er geen bijeenkomsten voor plannen."), code="cancelled"
        )
    if group.status == TrainingGroup.Status.COMPLETED:
        raise ValidationError(
            _("Deze groep is afgerond. U kunt er geen bijeenkomsten meer voor plannen."), code="completed"
        )


def _clashes(group, slots, *, trainer_ids, check_location=True, check_own=True, ignore_session=None):
    """A Dutch message for every scheduled session that overlaps one of `slots`.

    It clashes when it belongs to another group (not cancelled) at the same
    location, or to another group with one of the same trainers, or to this
    group itself. Online "locations" have room for every group at once.
    """
    if not slots:
        return []
    window_start = min(start for start, end in slots)
    window_end = max(end for start, end in slots)
    shares = Q(group__trainers__in=trainer_ids) if trainer_ids else Q(pk__in=[])
    location_shared = check_location and not group.location.is_online
    if location_shared:
        shares |= Q(group__location_id=group.location_id)
    if check_own:
        shares |= Q(group=group)
    candidates = (
        Session.objects.filter(status=Session.Status.SCHEDULED, start__lt=window_end, end__gt=window_start)
        .filter(shares)
        .exclude(group__status=TrainingGroup.Status.CANCELLED)
        .select_related("group__course", "group__location")
        .prefetch_related("group__trainers")
        .distinct()
        .order_by("start", "pk")
    )
    if ignore_session is not None:
        candidates = candidates.exclude(pk=ignore_session.pk)
    if not check_own:
        candidates = candidates.exclude(group=group)

    messages = []
    for other in candidates:
        if not any(other.start < end and other.end > start for start, end in slots):
            continue
        when = _describe_when(other.start, other.end)
        if other.group_id == group.pk:
            messages.append(_("Deze groep heeft op %(when)s al een bijeenkomst.") % {"when": when})
            continue
        if location_shared and other.group.location_id == group.location_id:
            messages.append(
                _("Locatie %(location)s is op %(when)s al bezet door de groep %(group)s.")
                % {"location": group.location, "when": when, "group": other.group}
            )
        for trainer in other.group.trainers.all():
            if trainer.pk in trainer_ids:
                messages.append(
                    _("Trainer %(trainer)s heeft op %(when)s al een bijeenkomst met de groep %(group)s.")
                    % {"trainer": trainer, "when": when, "group": other.group}
                )
    return messages


def _refuse_clashes(group, slots, **kwargs):
    kwargs.setdefault("trainer_ids", set(group.trainers.values_list("pk", flat=True)))
    messages = _clashes(group, slots, **kwargs)
    if messages:
        raise ValidationError(messages, code="clash")


def _create_session(group, calendar, start, end, sequence):
    event = Event.objects.create(calendar=calendar, title=group.course.title[:255], start=start, end=end)
    return Session.objects.create(group=group, event=event, sequence=sequence, start=start, end=end)


def _put_session_at(session, start, end):
    """The one place where a session's time changes: the session and its calendar event move together."""
    session.start, session.end = start, end
    session.save(update_fields=["start", "end"])
    event = session.event
    event.start, event.end = start, end
    event.save(update_fields=["start", "end", "updated_on"])


def _renumber(group):
    """Number the scheduled sessions 1, 2, 3… in date order; a cancelled session keeps its old number."""
    scheduled = Session.objects.filter(group=group, status=Session.Status.SCHEDULED).order_by("start", "pk")
    for number, session in enumerate(scheduled, start=1):
        if session.sequence != number:
            session.sequence = number
            session.save(update_fields=["sequence"])


def _check_times(start, end):
    start, end = local_time(start), local_time(end)
    if end <= start:
        raise ValidationError({"end": _("De bijeenkomst moet eindigen na het begin. Controleer de tijden.")})
    return start, end


def plan_sessions(group, *, first_start, count=None, frequency=None, duration=None):
    """Plan all sessions of a group at once, every week or every 2, 3 or 4 weeks.

    Left out, `count`, `frequency` and `duration` (a timedelta) come from the
    course. Every session starts at the same time on the Dutch clock, also
    after the clocks change. A plan that double-books the location or one of
    the group's trainers is refused with a message that names each clash, and
    then nothing is saved. A group that already has sessions gets new ones
    through `add_session`, so a plan is never made twice by accident.
    """
    course = group.course
    count = course.session_count if count is None else count
    frequency = Frequency(frequency or course.frequency)
    if duration is None:
        duration = datetime.timedelta(minutes=int(course.hours_per_session * 60))
    if not 1 <= count <= MAX_SESSIONS:
        raise ValidationError({"count": _("Kies tussen 1 en %(max)s bijeenkomsten.") % {"max": MAX_SESSIONS}})
    if not datetime.timedelta(0) < duration < datetime.timedelta(days=1):
        raise ValidationError({"duration": _("Een bijeenkomst duurt langer dan 0 minuten en korter dan een dag.")})
    slots = repeating_slots(first_start, count=count, weeks_between=WEEKS_BETWEEN[frequency], duration=duration)

    with transaction.atomic():
        locked = _lock_for_planning(group)
        _refuse_unless_plannable(locked)
        if locked.sessions.filter(status=Session.Status.SCHEDULED).exists():
            raise ValidationError(
                _("Deze groep heeft al bijeenkomsten. Voeg losse bijeenkomsten toe, of verplaats of annuleer ze."),
                code="already_planned",
            )
        _refuse_clashes(locked, slots)
        calendar = calendar_for_location(locked.location)
        sessions = [
            _create_session(locked, calendar, start, end, number) for number, (start, end) in enumerate(slots, start=1)
        ]
    group.forget_schedule()
    return sessions


def add_session(group, start, end):
    """Add one session to a group, for planning session by session.

    The same rules as `plan_sessions`: no double booking of the location or a
    trainer, and not at the same time as another session of this group. The
    sessions are numbered again in date order.
    """
    start, end = _check_times(start, end)
    with transaction.atomic():
        locked = _lock_for_planning(group)
        _refuse_unless_plannable(locked)
        _refuse_clashes(locked, [(start, end)])
        session = _create_session(locked, calendar_for_location(locked.location), start, end, sequence=0)
        _renumber(locked)
    group.forget_schedule()
    session.refresh_from_db()
    return session


def move_session(session, start, end):
    """Move a scheduled session to a new time; its calendar event moves with it. Clashes are refused."""
    start, end = _check_times(start, end)
    group = session.group
    with transaction.atomic():
        locked = _lock_for_planning(group)
        current = Session.objects.select_related("event").get(pk=session.pk)
        if current.status == Session.Status.CANCELLED:
            raise ValidationError(
                _("Deze bijeenkomst is geannuleerd en kan niet meer verplaatst worden. Plan een nieuwe bijeenkomst."),
                code="cancelled",
            )
        _refuse_unless_plannable(locked)
        _refuse_clashes(locked, [(start, end)], ignore_session=current)
        _put_session_at(current, start, end)
        _renumber(locked)
    group.forget_schedule()
    session.refresh_from_db()
    return session


def cancel_session(session):
    """Cancel one session. It stays on record (with its number) and shows as cancelled in the calendar.

    Calling it again changes nothing. The other sessions are numbered again.
    """
    with transaction.atomic():
        locked = _lock_group(session.group_id)
        current = Session.objects.select_related("event").get(pk=session.pk)
        if current.status != Session.Status.CANCELLED:
            current.status = Session.Status.CANCELLED
            current.save(update_fields=["status"])
            event = current.event
            Occurrence.objects.update_or_create(
                event=event,
                original_start=event.start,
                original_end=event.end,
                defaults={"start": event.start, "end": event.end, "cancelled": True},
            )
            _renumber(locked)
    session.group.forget_schedule()
    session.refresh_from_db()
    return session


def set_trainers(group, trainers):
    """Give a group its trainers, refusing a trainer who already has another group at one of its session times."""
    trainer_ids = {trainer.pk for trainer in trainers}
    with transaction.atomic():
        locked = _lock_for_planning(group, trainer_ids)
        slots = list(locked.sessions.filter(status=Session.Status.SCHEDULED).values_list("start", "end"))
        _refuse_clashes(locked, slots, trainer_ids=trainer_ids, check_location=False, check_own=False)
        locked.trainers.set(trainer_ids)
    return group


# --- places --------------------------------------------------------------------------------------


def hold_duration():
    return datetime.timedelta(minutes=getattr(settings, "GROEPSWIJZER_HOLD_MINUTES", DEFAULT_HOLD_MINUTES))


def places_left(group, now=None):
    """Free places at `now`: the capacity minus confirmed enrollments and holds that have not run out.

    Never below 0, also when a coordinator made the group smaller than the
    number of people in it. For lists of groups use
    `TrainingGroup.objects.with_places_left(now)`: one query for all of them.
    """
    return TrainingGroup.objects.with_places_left(now).values_list("places_left", flat=True).get(pk=group.pk)


def _participants_from(participants_data, *, course, now):
    """Unsaved, validated Participants. Raises ValidationError with Dutch messages."""
    rows = list(participants_data)
    if not rows:
        raise ValueError("A sign-up needs at least one participant.")
    if len(rows) > MAX_PARTY:
        raise ValidationError(
            _("U kunt zich alleen aanmelden, of samen met één andere persoon."), code="party_too_large"
        )
    if len(rows) > 1 and not course.couples_welcome:
        raise ValidationError(
            _("Voor deze training meldt iedereen zich apart aan. Samen aanmelden kan niet."), code="no_couples"
        )
    participants = []
    year = timezone.localtime(now, LOCAL_TZ).year
    for row in rows:
        unknown = set(row) - PARTICIPANT_FIELDS
        if unknown:
            raise TypeError(f"Unknown participant fields: {', '.join(sorted(unknown))}")
        participant = Participant(
            **{key: value.strip() if isinstance(value, str) else value for key, value in row.items()}
        )
        participant.full_clean(exclude=["gp_letter_consent_at"])
        if not is_old_enough(participant.birth_year, course.min_age, year):
            raise ValidationError(
                {"birth_year": _("Deze training is voor mensen van %(age)s jaar en ouder.") % {"age": course.min_age}}
            )
        if participant.gp_letter_consent:
            participant.gp_letter_consent_at = now
        participants.append(participant)
    emails = [participant.email for participant in participants]
    if len(set(emails)) != len(emails):
        raise ValidationError({"email": _("Vul voor iedere deelnemer een eigen e-mailadres in.")})
    return participants


def validate_participants(participants_data, *, course, now=None):
    """The sign-up's rules for participant data, for other ways in (the waiting list): unsaved Participants."""
    return _participants_from(participants_data, course=course, now=now or timezone.now())


def _offer_freed_places_after_commit(group_ids, now):
    """Once freed places are saved, they go to the waiting list first (see booking/waitlist.py).

    `robust`: a failure there is logged and does not undo or hide what was
    already saved; the periodic sweep offers the place later.
    """
    from . import waitlist  # waitlist builds on these services

    for group_id in set(group_ids):
        transaction.on_commit(lambda group_id=group_id: waitlist.offer_freed_places(group_id, now=now), robust=True)


def _refuse_if_already_enrolled(group, emails, now, *, ignore=()):
    """One email address, one place per group: a confirmed one or a hold that has not run out."""
    taken = (
        Enrollment.objects.filter(group=group, participant__email__in=emails)
        .filter(takes_a_place(now))
        .exclude(pk__in=ignore)
        .values_list("participant__email", flat=True)
        .first()
    )
    if taken:
        raise AlreadyEnrolled(taken)


def _refuse_unless_open(group, now):
    reason = group.signup_closed_reason(now)
    if reason is not None:
        raise SignupClosed(reason)


def _refuse_unless_room(left, wanted):
    if left < wanted:
        raise GroupFull(places_left=left, wanted=wanted)


def hold_places(group, participants_data, *, consent_text_version, now=None, party=None):
    """Hold a place for each participant while they pay; returns the new held enrollments.

    `participants_data` is one or two dicts of Participant fields: two only
    when the course welcomes couples, and a couple gets two places together or
    none at all. Refused with a BookingError when signing up is closed
    (SignupClosed), when an email address already has a place in the group
    (AlreadyEnrolled), or when there are not enough places left (GroupFull).
    A hold counts as a taken place until `GROEPSWIJZER_HOLD_MINUTES` have
    passed, then stops counting by itself. `party` is the UUID the new
    enrollments share (a new one when left out).
    """
    if not consent_text_version:
        raise ValueError("A sign-up needs the version of the consent text the participant agreed to.")
    now = now or timezone.now()
    participants = _participants_from(participants_data, course=group.course, now=now)
    emails = [participant.email for participant in participants]
    # A first look without the lock, in one query: a closed or full group says no at once, without
    # making everyone else wait. It decides nothing in favour; that happens under the lock below.
    first_look = TrainingGroup.objects.with_places_left(now).with_first_start().get(pk=group.pk)
    _refuse_unless_open(first_look, now)
    _refuse_unless_room(first_look.places_left, len(participants))

    with transaction.atomic():
        locked = _lock_group(group.pk)
        _refuse_unless_open(locked, now)
        _refuse_if_already_enrolled(locked, emails, now)
        _refuse_unless_room(places_left(locked, now), len(participants))
        party = party or uuid.uuid4()  # a sign-up may choose its own, to recognise a repeated submit
        expires = now + hold_duration()
        enrollments = []
        for participant in participants:
            participant.save()
            # The reference has 31^8 possible values; a clash would only make this one sign-up fail.
            enrollments.append(
                Enrollment.objects.create(
                    group=locked,
                    participant=participant,
                    status=Enrollment.Status.HELD,
                    hold_expires_at=expires,
                    party=party,
                    consent_text_version=consent_text_version,
                    consent_at=now,
                )
            )
    return enrollments


def _select(enrollment_or_party):
    """(group id, filter) for one Enrollment, or for every enrollment of a party (its UUID)."""
    if isinstance(enrollment_or_party, Enrollment):
        return enrollment_or_party.group_id, Q(pk=enrollment_or_party.pk)
    party = uuid.UUID(str(enrollment_or_party))
    group_id = Enrollment.objects.filter(party=party).values_list("group_id", flat=True).first()
    if group_id is None:
        raise Enrollment.DoesNotExist(f"No enrollments for party {party}.")
    return group_id, Q(party=party)


def _refreshed(enrollment_or_party, selection):
    if isinstance(enrollment_or_party, Enrollment):
        enrollment_or_party.refresh_from_db()
    return list(Enrollment.objects.filter(selection).select_related("participant"))


def confirm_enrollment(enrollment_or_party, *, now=None):
    """Confirm a hold: after payment, or when a coordinator accepts the sign-up. Returns the enrollments.

    Pass an Enrollment to confirm that one, or a party UUID to confirm everyone
    who signed up together. Confirming twice changes nothing (a payment
    message may arrive more than once). A hold that has run out is confirmed
    only when its places are still free and the email address has no other
    place in the group; else HoldExpired, and nothing changes. A cancelled
    group or a cancelled enrollment cannot be confirmed.
    """
    now = now or timezone.now()
    group_id, selection = _select(enrollment_or_party)
    with transaction.atomic():
        group = _lock_group(group_id)
        enrollments = list(Enrollment.objects.filter(selection).select_related("participant"))
        pending = [e for e in enrollments if e.status in (Enrollment.Status.HELD, Enrollment.Status.EXPIRED)]
        if not pending:
            if any(e.status in (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED) for e in enrollments):
                return _refreshed(enrollment_or_party, selection)
            raise EnrollmentNotActive()
        if group.status == TrainingGroup.Status.CANCELLED:
            raise SignupClosed(SignupClosedReason.CANCELLED)
        lapsed = [e for e in pending if not e.is_live_hold(now)]
        if lapsed:
            _refuse_if_already_enrolled(
                group, [e.participant.email for e in lapsed], now, ignore=[e.pk for e in pending]
            )
            if places_left(group, now) < len(lapsed):
                raise HoldExpired()
        Enrollment.objects.filter(pk__in=[e.pk for e in pending]).update(
            status=Enrollment.Status.CONFIRMED, confirmed_at=now
        )
    return _refreshed(enrollment_or_party, selection)


def cancel_enrollment(enrollment_or_party, *, now=None):
    """Cancel a hold or a confirmed place, which frees it at once. Returns the enrollments.

    Pass an Enrollment to cancel that one, or a party UUID to cancel everyone
    who signed up together. Cancelling twice changes nothing; an expired hold
    stays expired. A completed enrollment cannot be cancelled
    (EnrollmentNotActive), and then nothing changes.
    """
    now = now or timezone.now()
    group_id, selection = _select(enrollment_or_party)
    with transaction.atomic():
        _lock_group(group_id)
        enrollments = list(Enrollment.objects.filter(selection))
        if any(e.status == Enrollment.Status.COMPLETED for e in enrollments):
            raise EnrollmentNotActive()
        active = [e.pk for e in enrollments if e.status in (Enrollment.Status.HELD, Enrollment.Status.CONFIRMED)]
        Enrollment.objects.filter(pk__in=active).update(status=Enrollment.Status.CANCELLED, cancelled_at=now)
        if active:
            _offer_freed_places_after_commit([group_id], now)
    return _refreshed(enrollment_or_party, selection)


def expire_holds(now=None):
    """Mark holds that ran out as expired, and return them (for messages to the people concerned).

    Safe to run as often as wanted: a second run finds nothing. Places do not
    depend on it, because a hold stops counting at its expiry time anyway.
    Each group is done in its own short transaction under the group's lock,
    so a late payment confirming a hold and this sweep never both win.
    """
    now = now or timezone.now()
    lapsed = Enrollment.objects.filter(status=Enrollment.Status.HELD, hold_expires_at__lte=now)
    expired = []
    for group_id in lapsed.order_by().values_list("group_id", flat=True).distinct():
        with transaction.atomic():
            _lock_group(group_id)
            ids = list(lapsed.filter(group_id=group_id).values_list("pk", flat=True))
            Enrollment.objects.filter(pk__in=ids).update(status=Enrollment.Status.EXPIRED)
            expired.extend(ids)
            _offer_freed_places_after_commit([group_id], now)
    return list(Enrollment.objects.filter(pk__in=expired).select_related("participant", "group"))


# --- group status --------------------------------------------------------------------------------


def _log_status(group, action, by):
    from wagtail.log_actions import log

    log(group, action, user=by, data={"status": group.status})


def open_group(group, *, by=None):
    """Open a planned or closed group for sign-up. Returns the group.

    A group opens only once its sessions are planned, so that people see the
    dates they sign up for; a cancelled, running or completed group stays as
    it is. Opening an open group changes nothing. The free places then go to
    the waiting list first: the caller offers them (`waitlist.offer_freed_places`)
    after this returns.
    """
    with transaction.atomic():
        locked = _lock_group(group.pk)
        if locked.status != TrainingGroup.Status.OPEN:
            if locked.status not in (TrainingGroup.Status.PLANNED, TrainingGroup.Status.CLOSED):
                raise ValidationError(
                    _("Een groep met de status '%(status)s' kan niet open voor aanmelding.")
                    % {"status": locked.get_status_display()},
                    code="not_openable",
                )
            if not locked.sessions.filter(status=Session.Status.SCHEDULED).exists():
                raise ValidationError(
                    _("Plan eerst de bijeenkomsten. Pas dan kan de groep open voor aanmelding."),
                    code="no_sessions",
                )
            locked.status = TrainingGroup.Status.OPEN
            locked.save(update_fields=["status"])
            _log_status(locked, "booking.group.open", by)
    group.status = locked.status
    return group


def close_group(group, *, by=None):
    """Close sign-up for an open group (planned groups close too). Places already taken stay taken.

    Closing a closed group changes nothing; a cancelled, running or completed
    group cannot be closed.
    """
    with transaction.atomic():
        locked = _lock_group(group.pk)
        if locked.status != TrainingGroup.Status.CLOSED:
            if locked.status not in (TrainingGroup.Status.PLANNED, TrainingGroup.Status.OPEN):
                raise ValidationError(
                    _("Een groep met de status '%(status)s' kan niet gesloten worden.")
                    % {"status": locked.get_status_display()},
                    code="not_closable",
                )
            locked.status = TrainingGroup.Status.CLOSED
            locked.save(update_fields=["status"])
            _log_status(locked, "booking.group.close", by)
    group.status = locked.status
    return group


def advance_group_statuses(now=None):
    """Groups move on with time; returns (started, completed) counts. Safe to run as often as wanted.

    An open or closed group is running from the start of its first session. A
    running group is completed after the end of its last session, and then
    its confirmed places become completed places. Holds still open at the start
    are left to the hold sweep. Cancelled groups and groups still being
    planned are left alone.
    """
    now = now or timezone.now()
    last_end = (
        Session.objects.filter(group=OuterRef("pk"), status=Session.Status.SCHEDULED)
        .order_by()
        .values("group")
        .annotate(last=Max("end"))
        .values("last")
    )
    groups = TrainingGroup.objects.with_first_start().annotate(
        last_end=Subquery(last_end, output_field=DateTimeField())
    )
    started = groups.filter(
        status__in=[TrainingGroup.Status.OPEN, TrainingGroup.Status.CLOSED], first_start__lte=now
    ).values_list("pk", flat=True)
    started_count = TrainingGroup.objects.filter(pk__in=list(started)).update(status=TrainingGroup.Status.RUNNING)
    finished = list(groups.filter(status=TrainingGroup.Status.RUNNING, last_end__lte=now).values_list("pk", flat=True))
    for group_id in finished:
        with transaction.atomic():
            _lock_group(group_id)
            TrainingGroup.objects.filter(pk=group_id, status=TrainingGroup.Status.RUNNING).update(
                status=TrainingGroup.Status.COMPLETED
            )
            Enrollment.objects.filter(group_id=group_id, status=Enrollment.Status.CONFIRMED).update(
                status=Enrollment.Status.COMPLETED
            )
    return started_count, len(finished)
