"""Planning: a group's sessions on the location's calendar, its trainers, and its status over time.

This module is the only code that changes a session. Each session is one
event on its location's django-scheduler calendar (``locatie-<pk>``), at the
time it was first planned. Moving or cancelling a session is done the way
the library records it: the event's stored ``Occurrence`` gets the new time,
or is marked cancelled; the event itself never moves. The session's own
columns (start, end, status) change in the same transaction, and its
`revision` goes up, so every calendar file carries the change as a higher
SEQUENCE. The confirmed participants hear of each move or cancellation by
email, with the changed calendar entry (``session_moved``,
``session_cancelled``).

Times follow the Dutch clock: a group at 19:00 stays at 19:00 when summer time
ends. A plan that double-books the location (online locations excepted) or a
trainer is refused with a message naming every clash, and nothing is saved.
Planning takes its locks through ``locks.lock_for_planning`` (the one lock order).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar, Event, Occurrence
from wagtail.log_actions import log

from ..clock import LOCAL_TZ, local_time
from ..models import WEEKS_BETWEEN, Enrollment, Frequency, Session, TrainingGroup
from .locks import lock_for_planning, lock_group
from .notifications import queue_email
from .page_state import changed

# A group can be planned, opened, closed or cancelled only from these statuses.
PLANNABLE = (
    TrainingGroup.Status.PLANNED,
    TrainingGroup.Status.OPEN,
    TrainingGroup.Status.CLOSED,
    TrainingGroup.Status.RUNNING,
)
OPENABLE = (TrainingGroup.Status.PLANNED, TrainingGroup.Status.CLOSED)
CLOSABLE = (TrainingGroup.Status.PLANNED, TrainingGroup.Status.OPEN)
CANCELLABLE = (
    TrainingGroup.Status.PLANNED,
    TrainingGroup.Status.OPEN,
    TrainingGroup.Status.CLOSED,
    TrainingGroup.Status.RUNNING,
)


def describe_when(start, end):
    start, end = local_time(start), local_time(end)
    return _("%(day)s van %(start)s tot %(end)s") % {
        "day": date_format(start, "l j F Y"),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
    }


MAX_SESSIONS = 52


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
        end = (start.astimezone(datetime.UTC) + duration).astimezone(LOCAL_TZ)
        slots.append((start, end))
    return slots


def calendar_slug(location):
    return f"locatie-{location.pk}"


def calendar_for_location(location):
    """The location's calendar, made the first time a session is planned there."""
    calendar, created = Calendar.objects.get_or_create(
        slug=calendar_slug(location), defaults={"name": str(location)[:200]}
    )
    return calendar


def group_actions(group):
    """What the office may do with a group now, for the admin to show as buttons (it never restates these rules).

    `plan`: plan all sessions at once (only while none is scheduled); `add`:
    add or move sessions; `open`, `close`: sign-up, from the statuses the
    services accept; `cancel`: cancel the whole group (see
    ``booking.staff.actions.cancel_group``).
    """
    plannable = group.status in PLANNABLE
    scheduled = group.sessions.filter(status=Session.Status.SCHEDULED).exists()
    return {
        "plan": plannable and not scheduled,
        "add": plannable,
        "open": group.status in OPENABLE,
        "close": group.status in CLOSABLE,
        "cancel": group.status in CANCELLABLE,
    }


def _refuse_unless_plannable(group):
    if group.status == TrainingGroup.Status.CANCELLED:
        raise ValidationError(
            _("Deze groep gaat niet door. U kunt er geen bijeenkomsten voor plannen."), code="cancelled"
        )
    if group.status == TrainingGroup.Status.COMPLETED:
        raise ValidationError(
            _("Deze groep is afgerond. U kunt er geen bijeenkomsten meer voor plannen."), code="completed"
        )


def _clash_reasons(group, trainer_ids, other, *, check_location=True, check_own=True):
    """What a session of `group`, led by `trainer_ids`, shares with `other`, a session at an overlapping time.

    The one clash rule: the same group (``("group", group)``), the same
    location unless it is online (``("location", location)``), or a trainer of
    both (``("trainer", trainer)``, one for each). Nothing shared: no clash.
    """
    if other.group_id == group.pk:
        return [("group", group)] if check_own else []
    reasons = []
    if check_location and not group.location.is_online and other.group.location_id == group.location_id:
        reasons.append(("location", group.location))
    reasons.extend(("trainer", trainer) for trainer in other.group.trainers.all() if trainer.pk in trainer_ids)
    return reasons


def _clashes(group, slots, *, trainer_ids, check_location=True, check_own=True, ignore_session=None):
    """A Dutch message for every scheduled session that overlaps one of `slots` and clashes (`_clash_reasons`).

    Sessions of cancelled groups do not count. Online "locations" have room
    for every group at once.
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
        when = describe_when(other.start, other.end)
        for kind, what in _clash_reasons(group, trainer_ids, other, check_location=check_location, check_own=check_own):
            if kind == "group":
                messages.append(_("Deze groep heeft op %(when)s al een bijeenkomst.") % {"when": when})
            elif kind == "location":
                messages.append(
                    _("Locatie %(location)s is op %(when)s al bezet door de groep %(group)s.")
                    % {"location": what, "when": when, "group": other.group}
                )
            else:
                messages.append(
                    _("Trainer %(trainer)s heeft op %(when)s al een bijeenkomst met de groep %(group)s.")
                    % {"trainer": what, "when": when, "group": other.group}
                )
    return messages


@dataclass(frozen=True)
class Clash:
    """One session another one clashes with, and what they share (a Dutch text)."""

    other: Session
    reason: str


def clashes_between(start, end):
    """Every clash among the scheduled sessions that overlap [start, end): {session id: [Clash, ...]}.

    The same rule the planning refuses by (`_clash_reasons`), applied to what
    is already on the calendars, for the planning calendar to show. Planning
    refuses clashes, so this is normally empty; a clash can still come in
    from outside the planning (a location that was online before, say).
    """
    sessions = list(
        Session.objects.filter(status=Session.Status.SCHEDULED, start__lt=end, end__gt=start)
        .exclude(group__status=TrainingGroup.Status.CANCELLED)
        .select_related("group__course", "group__location")
        .prefetch_related("group__trainers")
        .order_by("start", "pk")
    )
    found = defaultdict(list)
    for index, first in enumerate(sessions):
        trainer_ids = {trainer.pk for trainer in first.group.trainers.all()}
        for second in sessions[index + 1 :]:
            if second.start >= first.end:
                break  # sorted by start: nothing later overlaps `first`
            for kind, what in _clash_reasons(first.group, trainer_ids, second):
                if kind == "group":
                    reason = _("twee bijeenkomsten van dezelfde groep")
                elif kind == "location":
                    reason = _("zelfde locatie")
                else:
                    reason = _("zelfde trainer: %(trainer)s") % {"trainer": what}
                found[first.pk].append(Clash(other=second, reason=reason))
                found[second.pk].append(Clash(other=first, reason=reason))
    return dict(found)


def _refuse_clashes(group, slots, **kwargs):
    kwargs.setdefault("trainer_ids", set(group.trainers.values_list("pk", flat=True)))
    messages = _clashes(group, slots, **kwargs)
    if messages:
        raise ValidationError(messages, code="clash")


def _create_session(group, calendar, start, end, sequence):
    event = Event.objects.create(calendar=calendar, title=group.course.title[:255], start=start, end=end)
    return Session.objects.create(group=group, event=event, sequence=sequence, start=start, end=end)


def _occurrence(session):
    """The session's stored occurrence on the scheduler, made the first time the session changes.

    It is keyed, as django-scheduler keys it, by the event's planned slot
    (`original_start`, `original_end`), which never changes.
    """
    event = session.event
    occurrence, created = Occurrence.objects.get_or_create(
        event=event,
        original_start=event.start,
        original_end=event.end,
        defaults={"start": event.start, "end": event.end},
    )
    return occurrence


def _put_session_at(session, start, end):
    """The one place where a session's time changes: its occurrence moves, its columns follow, its revision rises."""
    _occurrence(session).move(start, end)
    session.start, session.end = start, end
    session.revision += 1
    session.save(update_fields=["start", "end", "revision"])


def _cancel(session):
    """The one place where a session is cancelled: its occurrence is marked cancelled, its revision rises."""
    _occurrence(session).cancel()
    session.status = Session.Status.CANCELLED
    session.revision += 1
    session.save(update_fields=["status", "revision"])


def _tell_participants(session, kind, **params):
    """One email of `kind` to every confirmed participant of the session's group, once per change.

    The key carries the session's revision: the same change is told once,
    and a next change is a next email.
    """
    confirmed = Enrollment.objects.filter(group_id=session.group_id, status=Enrollment.Status.CONFIRMED)
    for enrollment in confirmed.select_related("participant"):
        queue_email(
            kind,
            f"{kind}:session:{session.pk}:{session.revision}:enrollment:{enrollment.pk}",
            participant=enrollment.participant,
            session_id=session.pk,
            enrollment_id=enrollment.pk,
            **params,
        )


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
        locked = lock_for_planning(group)
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
        locked = lock_for_planning(group)
        _refuse_unless_plannable(locked)
        _refuse_clashes(locked, [(start, end)])
        session = _create_session(locked, calendar_for_location(locked.location), start, end, sequence=0)
        _renumber(locked)
    group.forget_schedule()
    session.refresh_from_db()
    return session


def move_session(session, start, end):
    """Move a scheduled session to a new time. Clashes are refused.

    On the scheduler the session's occurrence moves (the event keeps the
    planned slot, so "moved" can always be read back). Every confirmed
    participant gets an email with the changed calendar entry: the same
    UID, a higher SEQUENCE. Moving it to the time it already has changes
    nothing and sends nothing.
    """
    start, end = _check_times(start, end)
    group = session.group
    with transaction.atomic():
        locked = lock_for_planning(group)
        current = Session.objects.select_related("event").get(pk=session.pk)
        if current.status == Session.Status.CANCELLED:
            raise ValidationError(
                _("Deze bijeenkomst is geannuleerd en kan niet meer verplaatst worden. Plan een nieuwe bijeenkomst."),
                code="cancelled",
            )
        _refuse_unless_plannable(locked)
        if (current.start, current.end) != (start, end):
            _refuse_clashes(locked, [(start, end)], ignore_session=current)
            previous_start, previous_end = current.start, current.end
            _put_session_at(current, start, end)
            _renumber(locked)
            _tell_participants(
                current,
                "session_moved",
                previous_start=previous_start.isoformat(),
                previous_end=previous_end.isoformat(),
            )
    group.forget_schedule()
    session.refresh_from_db()
    return session


def cancel_session(session, *, notify=True):
    """Cancel one session. It stays on record (with its number) and shows as cancelled in the calendar.

    The confirmed participants get an email with a calendar cancellation
    (METHOD:CANCEL, the same UID, a higher SEQUENCE), unless `notify` is
    False: a group cancelled as a whole sends one email of its own. Calling
    it again changes nothing and sends nothing. The other sessions are
    numbered again.
    """
    with transaction.atomic():
        locked = lock_group(session.group_id)
        current = Session.objects.select_related("event").get(pk=session.pk)
        if current.status != Session.Status.CANCELLED:
            _cancel(current)
            _renumber(locked)
            if notify:
                _tell_participants(current, "session_cancelled")
    session.group.forget_schedule()
    session.refresh_from_db()
    return session


def set_trainers(group, trainers):
    """Give a group its trainers, refusing a trainer who already has another group at one of its session times."""
    trainer_ids = {trainer.pk for trainer in trainers}
    with transaction.atomic():
        locked = lock_for_planning(group, trainer_ids)
        slots = list(locked.sessions.filter(status=Session.Status.SCHEDULED).values_list("start", "end"))
        _refuse_clashes(locked, slots, trainer_ids=trainer_ids, check_location=False, check_own=False)
        locked.trainers.set(trainer_ids)
    return group


def _log_status(group, action, by):
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
        locked = lock_group(group.pk)
        if locked.status != TrainingGroup.Status.OPEN:
            if locked.status not in OPENABLE:
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
        locked = lock_group(group.pk)
        if locked.status != TrainingGroup.Status.CLOSED:
            if locked.status not in CLOSABLE:
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
    started_ids = list(started)
    started_count = TrainingGroup.objects.filter(pk__in=started_ids).update(status=TrainingGroup.Status.RUNNING)
    if started_ids:
        changed(group_ids=started_ids)
    finished = list(groups.filter(status=TrainingGroup.Status.RUNNING, last_end__lte=now).values_list("pk", flat=True))
    for group_id in finished:
        with transaction.atomic():
            lock_group(group_id)
            TrainingGroup.objects.filter(pk=group_id, status=TrainingGroup.Status.RUNNING).update(
                status=TrainingGroup.Status.COMPLETED
            )
            Enrollment.objects.filter(group_id=group_id, status=Enrollment.Status.CONFIRMED).update(
                status=Enrollment.Status.COMPLETED
            )
            changed(group_ids=[group_id])
    return started_count, len(finished)
