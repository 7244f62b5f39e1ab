"""Places: holding, confirming, cancelling and expiring them. The capacity rule lives here.

How places stay correct under any number of simultaneous sign-ups:

* Capacity is computed from enrollments every time (confirmed, plus holds that
  have not run out: ``takes_a_place``), never kept in a counter.
* Whatever can be checked without the lock (the form data, and a first look
  at the places) is checked before the transaction starts; a full group then
  refuses without making anyone wait. Then, inside ``transaction.atomic()``,
  the group's row is locked once (``locks.lock_group_row``), and only after that
  are places counted again and the decision made.
* A freed place goes to the waiting list first (``offers.offer_freed_places``,
  after the commit).
* Nothing is ever deleted: cancelled and expired enrollments stay on record.
"""

import dataclasses
import datetime
import functools
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from groepswijzer.languages import current_language
from groepswijzer.prepared import statement_cursor

from ..models import (
    ConsentChannel,
    Enrollment,
    EnrollmentMove,
    Offer,
    Participant,
    Payment,
    PaymentEvent,
    Session,
    SignupClosedReason,
    TrainingGroup,
    signup_closed_reason,
    takes_a_place,
)
from ..models.enrollments import same_inbox
from . import statements
from .availability import places_left
from .errors import AlreadyEnrolled, BookingError, EnrollmentNotActive, GroupFull, HoldExpired, SignupClosed
from .locks import lock_group, lock_group_row, lock_group_rows, lock_groups, lock_party_group_row
from .money import log_event
from .notifications import queue_email, queue_emails
from .offers import offer_freed_places, offer_freed_places_in
from .page_state import changed
from .participants import consent_record, validate_participants

DEFAULT_HOLD_MINUTES = 15
# Expired holds whose emails are queued in one transaction (each email is one outbox row).
EMAILS_PER_TRANSACTION = 200
# Groups whose lapsed holds the sweep marks in one transaction (their rows locked together, lower id first).
GROUPS_PER_TRANSACTION = 100


def hold_duration():
    return datetime.timedelta(minutes=getattr(settings, "GROEPSWIJZER_HOLD_MINUTES", DEFAULT_HOLD_MINUTES))


def _offer_freed_places_after_commit(group_ids, now):
    """Once freed places are saved, they go to the waiting list first (``offers.offer_freed_places``).

    `robust`: a failure there is logged and does not undo or hide what was
    already saved; the periodic sweep offers the place later.
    """
    for group_id in set(group_ids):
        transaction.on_commit(lambda group_id=group_id: offer_freed_places(group_id, now=now), robust=True)


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


def _sql_moment(value):
    """A moment as the database gives it back (SQLite: text in UTC), as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


@functools.cache
def _signup_read_sql(email_count):
    """The statement of `_read_for_signup`, for a sign-up of `email_count` people (built once per process)."""
    group, enrollment = TrainingGroup._meta.db_table, Enrollment._meta.db_table
    session, participant = Session._meta.db_table, Participant._meta.db_table
    # `takes_a_place`, in SQL: confirmed, or held and not run out at the moment given.
    takes = "(e.status = %s OR (e.status = %s AND e.hold_expires_at > %s))"
    emails = ", ".join(["%s"] * email_count)
    return (
        f"SELECT g.status, g.signup_deadline, g.capacity, g.course_id, "
        f"(SELECT COUNT(*) FROM {enrollment} e WHERE e.group_id = g.id AND {takes}), "
        f"(SELECT MIN(s.start) FROM {session} s WHERE s.group_id = g.id AND s.status = %s), "
        f"(SELECT p.email FROM {enrollment} e JOIN {participant} p ON p.id = e.participant_id "
        f"WHERE e.group_id = g.id AND p.email IN ({emails}) AND {takes} LIMIT 1) "
        f"FROM {group} g WHERE g.id = %s"
    )


def _read_for_signup(group_id, now, emails):
    """All a sign-up decides on, in one statement: the group as read (a `SignupRead`) and an address already in it.

    Returns (group, email): the group carries `status`, `signup_deadline`,
    `capacity`, `course_id`, and `places_taken`, `places_left` and
    `first_start` as `with_places_left().with_first_start()` gives them;
    `email` is one of `emails` that already has a place in the group
    (`takes_a_place` at `now`), or None. Plain SQL, because the ORM takes
    longer to build these subqueries than the database takes to run them;
    the same rule is read by the ORM everywhere else (tests/booking compare
    the two). Read once without the lock (the first look) and once after it.
    """
    moment = Enrollment._meta.get_field("hold_expires_at").get_db_prep_value(now, connection)
    takes = [Enrollment.Status.CONFIRMED.value, Enrollment.Status.HELD.value, moment]
    params = [*takes, Session.Status.SCHEDULED.value, *emails, *takes, group_id]
    with statement_cursor(connection) as cursor:
        cursor.execute(_signup_read_sql(len(emails)), params)
        row = cursor.fetchone()
    if row is None:
        raise TrainingGroup.DoesNotExist(f"No group {group_id}.")
    status, deadline, capacity, course_id, taken, first_start, email = row
    read = SignupRead(
        pk=group_id,
        status=status,
        signup_deadline=_sql_moment(deadline),
        capacity=capacity,
        course_id=course_id,
        first_start=_sql_moment(first_start),
        places_taken=taken,
        places_left=max(capacity - taken, 0),
    )
    return read, email


@dataclasses.dataclass(frozen=True, slots=True)
class SignupRead:
    """A group as `_read_for_signup` reads it: what a sign-up decides on (no model: it is read on every try)."""

    pk: int
    status: str
    signup_deadline: datetime.datetime | None
    capacity: int
    course_id: int
    first_start: datetime.datetime | None
    places_taken: int
    places_left: int

    def signup_closed_reason(self, now):
        return signup_closed_reason(self.status, self.first_start, self.signup_deadline, now)


def _refuse_unless_open(group, now):
    reason = group.signup_closed_reason(now)
    if reason is not None:
        raise SignupClosed(reason)


def _refuse_unless_room(left, wanted):
    if left < wanted:
        raise GroupFull(places_left=left, wanted=wanted)


def _refuse_unless_possible(group, already_enrolled, wanted, now):
    """The refusals of a sign-up, in the order the person hears them: closed, already in, full."""
    _refuse_unless_open(group, now)
    if already_enrolled:
        raise AlreadyEnrolled(already_enrolled)
    _refuse_unless_room(group.places_left, wanted)


def hold_places(
    group,
    participants_data,
    *,
    consent_text_version,
    now=None,
    party=None,
    consent_channel=ConsentChannel.ONLINE,
    consent_taken_by=None,
    language=None,
):
    """Hold a place for each participant while they pay; returns the new held enrollments.

    `participants_data` is one or two dicts of Participant fields: two only
    when the course welcomes couples, and a couple gets two places together or
    none at all. Refused with a BookingError when signing up is closed
    (SignupClosed), when an email address already has a place in the group
    (AlreadyEnrolled), or when there are not enough places left (GroupFull).
    A hold counts as a taken place until `GROEPSWIJZER_HOLD_MINUTES` have
    passed, then stops counting by itself. `party` is the UUID the new
    enrollments share (a new one when left out). A consent given to the
    office (`consent_channel` phone or desk) records who took it
    (`consent_taken_by`); one given online records nobody. `language`: the one their emails are written in
    (the language of the page they are on when left out).
    """
    if not consent_text_version:
        raise ValueError("A sign-up needs the version of the consent text the participant agreed to.")
    now = now or timezone.now()
    consent = consent_record(consent_text_version, now=now, channel=consent_channel, taken_by=consent_taken_by)
    participants_data = list(participants_data)
    # A first look without the lock, in one query (the same as under the lock): a closed or full group,
    # or an address already in it, says no at once, without making everyone else wait, and before the
    # people's details are checked (most tries for a group in demand end here). It decides nothing in
    # favour; that happens under the lock below, with the checked details.
    first_look = [same_inbox(row.get("email")) for row in participants_data]
    _refuse_unless_possible(*_read_for_signup(group.pk, now, first_look), len(participants_data), now)
    participants = validate_participants(participants_data, course=group.course, now=now)
    emails = [participant.email for participant in participants]

    with transaction.atomic():
        # Two statements, never one: on PostgreSQL a ``SELECT … FOR UPDATE`` that had to wait for the
        # lock still counts with the snapshot from before it waited, so the places are counted after it.
        lock_group_row(group.pk)
        locked, already_enrolled = _read_for_signup(group.pk, now, emails)
        _refuse_unless_possible(locked, already_enrolled, len(participants), now)
        party = party or uuid.uuid4()  # a sign-up may choose its own, to recognise a repeated submit
        expires = now + hold_duration()
        # The reference has 31^8 possible values; a clash would only make this one sign-up fail.
        enrollments = [
            Enrollment(
                group=group,
                participant=participant,
                status=Enrollment.Status.HELD,
                hold_expires_at=expires,
                party=party,
                language=language or current_language(),
                **consent,
            )
            for participant in participants
        ]
        _insert_held(participants, enrollments)
        changed(course_ids=[locked.course_id])
    return enrollments


def _insert_held(participants, enrollments):
    """Insert each participant with their held place: on PostgreSQL a person and their place in one statement
    (the place takes the person's new key), elsewhere one statement for the people and one for their places."""
    if statements.in_one_statement():
        for participant, enrollment in zip(participants, enrollments, strict=True):
            statements.insert_with(participant, [enrollment], link="participant")
        return
    statements.insert(participants)
    for participant, enrollment in zip(participants, enrollments, strict=True):
        enrollment.participant = participant  # its key is known now
    statements.insert(enrollments)


def _select(enrollment_or_party):
    """(group id, selection) for one Enrollment; (None, selection) for every enrollment of a party (its UUID).

    The selection is (column, value), as ``statements.enrollments_with_participants`` takes it. A
    party's group is found while it is locked (``locks.lock_party_group_row``).
    """
    if isinstance(enrollment_or_party, Enrollment):
        return enrollment_or_party.group_id, ("pk", enrollment_or_party.pk)
    return None, ("party", uuid.UUID(str(enrollment_or_party)))


def _as_saved(enrollment_or_party, enrollments):
    """Return `enrollments` (read under the lock, changed as saved); a passed Enrollment takes their values.

    Instead of reading them once more after the commit: what was saved is known.
    """
    if isinstance(enrollment_or_party, Enrollment):
        for enrollment in enrollments:
            if enrollment.pk == enrollment_or_party.pk:
                for field in Enrollment._meta.concrete_fields:
                    setattr(enrollment_or_party, field.attname, getattr(enrollment, field.attname))
    return enrollments


def _set_status(enrollments, ids, **values):
    """Save `values` on the enrollments with these ids, in one statement, and on the objects too."""
    statements.update(Enrollment, ids, **values)
    for enrollment in enrollments:
        if enrollment.pk in ids:
            for name, value in values.items():
                setattr(enrollment, name, value)


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
        return _as_saved(enrollment_or_party, _confirm_locked(group_id, selection, now))


def _locked_enrollments(group_id, selection, *columns, locked=None):
    """Lock the group and read the selected enrollments (with their participants); returns (columns, enrollments).

    `columns`: of the group's row, read with the lock. `group_id` None: the group of the party
    selected, found by the lock. `locked`: the group's row as the caller's lock of it read it
    (``locks.LockedGroup``); then it is not locked again. Should the enrollments turn out to be in
    another group (moved while the caller looked), that group is locked too and they are read again.
    """
    if locked is not None and group_id is not None and locked.id == group_id:  # the caller holds this lock
        row = tuple(getattr(locked, column) for column in columns)
    elif group_id is None:  # a party's places: their group is found by the lock
        group_id, *row = lock_party_group_row(selection[1], *columns)
    else:
        row = lock_group_row(group_id, *columns)
    enrollments = statements.enrollments_with_participants(*selection)
    groups = {e.group_id for e in enrollments}
    if len(groups) == 1 and group_id not in groups:
        return _locked_enrollments(groups.pop(), selection, *columns)
    return row, enrollments


def _confirm_locked(group_id, selection, now, locked=None):
    """`confirm_enrollment` inside the caller's transaction: lock, check, save. Returns the enrollments.

    Every refusal comes before anything is written, so a caller inside its own transaction may catch
    a BookingError from here and go on without a savepoint. `locked`: as `_locked_enrollments` takes it.
    """
    (status, course_id), enrollments = _locked_enrollments(group_id, selection, "status", "course_id", locked=locked)
    group_id = enrollments[0].group_id if enrollments else group_id
    pending = [e for e in enrollments if e.status in (Enrollment.Status.HELD, Enrollment.Status.EXPIRED)]
    if not pending:
        if any(e.status in (Enrollment.Status.CONFIRMED, Enrollment.Status.COMPLETED) for e in enrollments):
            return enrollments
        raise EnrollmentNotActive()
    if status == TrainingGroup.Status.CANCELLED:
        raise SignupClosed(SignupClosedReason.CANCELLED)
    lapsed = [e for e in pending if not e.is_live_hold(now)]
    if lapsed:
        group = TrainingGroup(pk=group_id, course_id=course_id)
        _refuse_if_already_enrolled(group, [e.participant.email for e in lapsed], now, ignore=[e.pk for e in pending])
        if places_left(group, now) < len(lapsed):
            raise HoldExpired()
    _set_status(enrollments, {e.pk for e in pending}, status=Enrollment.Status.CONFIRMED, confirmed_at=now)
    if lapsed:
        # A live hold already counted as a taken place, so confirming it changes no page; a hold that had
        # run out had given its place back, and takes it again.
        changed(course_ids=[course_id])
    return enrollments


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
        (course_id,), enrollments = _locked_enrollments(group_id, selection, "course_id")
        group_id = enrollments[0].group_id if enrollments else group_id
        if any(e.status == Enrollment.Status.COMPLETED for e in enrollments):
            raise EnrollmentNotActive()
        active = {e.pk for e in enrollments if e.status in (Enrollment.Status.HELD, Enrollment.Status.CONFIRMED)}
        if active:
            _set_status(enrollments, active, status=Enrollment.Status.CANCELLED, cancelled_at=now)
            changed(course_ids=[course_id])
            _offer_freed_places_after_commit([group_id], now)
    return _as_saved(enrollment_or_party, enrollments)


def expire_holds(now=None):
    """Mark holds that ran out as expired, and return them (for messages to the people concerned).

    Safe to run as often as wanted: a second run finds nothing. Places do not
    depend on it, because a hold stops counting at its expiry time anyway.
    The holds are found without a lock; then, up to `GROUPS_PER_TRANSACTION`
    groups at a time, one short transaction locks only those groups (lower
    id first, the order of ``locks.lock_groups``) and marks their lapsed
    holds in one statement, so a late payment confirming a hold and this
    sweep never both win. The freed places go to the waiting list after the
    commit (`offer_freed_places_in`: one look for all of them, then only the
    groups where someone fits are locked, one at a time).
    """
    now = now or timezone.now()
    lapsed = Enrollment.objects.filter(status=Enrollment.Status.HELD, hold_expires_at__lte=now)
    group_ids = sorted(set(lapsed.order_by().values_list("group_id", flat=True)))
    expired = []
    for start in range(0, len(group_ids), GROUPS_PER_TRANSACTION):
        chunk = group_ids[start : start + GROUPS_PER_TRANSACTION]
        with transaction.atomic():
            lock_group_rows(chunk)
            ids = list(lapsed.filter(group_id__in=chunk).values_list("pk", flat=True))
            if not ids:
                continue
            Enrollment.objects.filter(pk__in=ids).update(status=Enrollment.Status.EXPIRED)
            expired.extend(ids)
            changed(group_ids=chunk)
            transaction.on_commit(lambda chunk=chunk: offer_freed_places_in(chunk, now=now), robust=True)
    if not expired:
        return []
    return list(Enrollment.objects.filter(pk__in=expired).select_related("participant", "group"))


def notify_expired_holds(enrollments):
    """Email each person whose hold ran out: "uw reservering is verlopen", with a way back. Returns the count.

    Pass what `expire_holds` returned. A hold that belonged to a
    waiting-list offer is left out (the waiting list sends its own message),
    and so is a hold that was confirmed after all. One email per enrollment,
    however often this runs.
    """
    enrollments = list(enrollments)
    offered = set(
        Offer.objects.filter(enrollment_id__in=[e.pk for e in enrollments]).values_list("enrollment_id", flat=True)
    )
    current = dict(Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).values_list("pk", "status"))
    due = [e for e in enrollments if e.pk not in offered and current.get(e.pk) == Enrollment.Status.EXPIRED]
    queued = 0
    # A few hundred rows per transaction: one commit for many emails (each is only a row; nothing is built).
    for start in range(0, len(due), EMAILS_PER_TRANSACTION):
        with transaction.atomic():
            # Built when sent, not in the periodic run.
            rows = queue_emails(
                {
                    "kind": "hold_expired",
                    "key": f"hold_expired:enrollment:{enrollment.pk}",
                    "to": enrollment.participant.email,
                    "participant": enrollment.participant,
                    "params": {"enrollment_id": enrollment.pk},
                }
                for enrollment in due[start : start + EMAILS_PER_TRANSACTION]
            )
        queued += len(rows)
    return queued


def expire_holds_and_notify(now=None):
    """Sweep expired holds and tell the people concerned. Returns (expired enrollments, emails queued).

    `expire_holds` passes the freed places on to the waiting list.
    """
    expired = expire_holds(now or timezone.now())
    return expired, notify_expired_holds(expired)


def confirm_party(party, *, payment="", now=None):
    """Confirm everyone of one sign-up (a party UUID) and queue one confirmation email per person.

    The one way a place becomes confirmed for the participant: after an online
    payment, on choosing to pay later, on accepting a waiting-list offer, or by
    the office.

    Both happen in one transaction: when confirming fails (the hold ran out
    and its place is gone: HoldExpired), no email is queued; when it
    succeeds, each email goes out once after the commit, also when this is
    called again (a repeated payment message). `payment` names the payment
    provider, so the email can say how the contribution is paid.
    """
    group_id, selection = _select(party)
    with transaction.atomic():
        return _confirm_and_tell(group_id, selection, payment, now or timezone.now())


def confirm_party_locked(party, group_id, *, payment="", now=None, locked=None):
    """`confirm_party` inside the caller's transaction, which holds the lock of `group_id`, the party's group.

    For a payment that just became paid (``payments.lifecycle``): its lock already took the group's,
    so this takes no savepoint and looks nothing up before it. `locked`: the group's row as that lock
    read it (``locks.LockedGroup``, the payment's ``locked_group``): then the group's row is not locked
    and read a second time. A refusal (BookingError) comes before anything is written: the caller may
    catch it and go on in the same transaction.
    """
    return _confirm_and_tell(group_id, ("party", uuid.UUID(str(party))), payment, now or timezone.now(), locked)


def _confirm_and_tell(group_id, selection, payment, now, locked=None):
    enrollments = _confirm_locked(group_id, selection, now, locked)
    for enrollment in enrollments:
        if enrollment.status != enrollment.Status.CONFIRMED:
            continue
        # The address given: the email is built by the worker that sends it, not here under the lock.
        queue_email(
            "confirmation",
            f"confirmation:enrollment:{enrollment.pk}",
            participant=enrollment.participant,
            to=enrollment.participant.email,
            enrollment_id=enrollment.pk,
            payment=payment,
        )
    return enrollments


# --- the office: moving places between groups ----------------------------------------------------

# A place can move into a group whose sign-up is open, not open yet, or closed (the office may fill
# a closed group), as long as its first session is still ahead.
MOVE_TARGET_STATUSES = (TrainingGroup.Status.PLANNED, TrainingGroup.Status.OPEN, TrainingGroup.Status.CLOSED)


def _refuse_unless_move_target(group, target, now):
    if target.pk == group.pk:
        raise BookingError(_("Kies een andere groep dan de groep waar de deelnemer nu in zit."))
    if target.course_id != group.course_id:
        raise BookingError(_("Kies een groep van dezelfde training."))
    if target.status not in MOVE_TARGET_STATUSES:
        raise SignupClosed(target.signup_closed_reason(now) or SignupClosedReason.CLOSED)
    if target.first_start is not None and target.first_start <= now:
        raise SignupClosed(SignupClosedReason.STARTED)


def moving_together(enrollment, now=None):
    """The places that move with this one: its own, and a partner's confirmed place in the same group."""
    now = now or timezone.now()
    return [
        e
        for e in Enrollment.objects.filter(party=enrollment.party, group_id=enrollment.group_id)
        .select_related("participant")
        .order_by("pk")
        if e.state_at(now) == Enrollment.Status.CONFIRMED
    ]


def move_places(enrollment, to_group, *, by, reason, now=None, merged=False):
    """Move a confirmed place to another group of the same course; returns the EnrollmentMoves made.

    A couple who signed up together moves together (`moving_together`), so a
    shared payment stays with one group. The rule: only a confirmed place
    moves; the new group is of the same course, planned, open or closed
    (the office may fill a closed group), and its first session is still
    ahead; nobody moved already has a place there; and there is room for
    everyone moved, counted after the locks of both groups (lower id first).
    The enrollment keeps its reference and personal link, and its payments
    go with it. Each move is kept (who, when, why) and each person gets one
    email with the new dates and a fresh calendar file. The places freed in
    the old group go to the waiting list after the commit. Refused with a
    BookingError (Dutch message), and then nothing changes.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Schrijf op waarom deze deelnemer naar een andere groep gaat.")})
    with transaction.atomic():
        groups = lock_groups(enrollment.group_id, to_group.pk)
        group, target = groups[enrollment.group_id], groups[to_group.pk]
        group.forget_schedule()
        target.forget_schedule()
        _refuse_unless_move_target(group, target, now)
        moving = moving_together(enrollment, now)
        if not any(e.pk == enrollment.pk for e in moving):
            raise EnrollmentNotActive(_("Alleen een bevestigde aanmelding kan naar een andere groep."))
        _refuse_if_already_enrolled(target, [e.participant.email for e in moving], now)
        _refuse_unless_room(places_left(target, now), len(moving))
        ids = [e.pk for e in moving]
        Enrollment.objects.filter(pk__in=ids).update(group=target)
        changed(group_ids=[group.pk, target.pk])
        for payment in Payment.objects.filter(enrollments__in=ids, group=group).distinct():
            Payment.objects.filter(pk=payment.pk).update(group=target)
            log_event(
                payment,
                actor=PaymentEvent.Actor.USER,
                user=by,
                note=_("Verplaatst van groep %(old)s naar groep %(new)s") % {"old": group.pk, "new": target.pk},
            )
        moves = []
        for moved in moving:
            move = EnrollmentMove.objects.create(
                enrollment=moved,
                from_group=group,
                to_group=target,
                moved_by=by,
                moved_at=now,
                reason=reason[:300],
                merged=merged,
            )
            moves.append(move)
            queue_email(
                "moved",
                f"moved:enrollment:{moved.pk}:move:{move.pk}",
                participant=moved.participant,
                move_id=move.pk,
            )
        _offer_freed_places_after_commit([group.pk], now)
    enrollment.refresh_from_db()
    return moves


# --- the office: places taken over from an earlier system ---------------------------------------


def place_directly(group, participant_data, *, consent_text_version, consent_at, taken_by, now=None):
    """A confirmed place for someone who already had one before the region moved here (the import). Returns it.

    The same checks as a sign-up, except that sign-up need not be open: the
    participant's data (`validate_participants`, the age rule), one place per
    email address in the group, and room in the group counted after its lock.
    A cancelled or completed group takes nobody. The consent keeps the version
    and moment the earlier system had, marked as taken over by `taken_by`.
    No email is sent: these people heard from the earlier system.
    """
    now = now or timezone.now()
    (participant,) = validate_participants([participant_data], course=group.course, now=now)
    with transaction.atomic():
        locked = lock_group(group.pk)
        if locked.status in (TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED):
            raise SignupClosed(
                SignupClosedReason.CANCELLED
                if locked.status == TrainingGroup.Status.CANCELLED
                else SignupClosedReason.STARTED
            )
        _refuse_if_already_enrolled(locked, [participant.email], now)
        _refuse_unless_room(places_left(locked, now), 1)
        participant.save()
        return Enrollment.objects.create(
            group=locked,
            participant=participant,
            status=Enrollment.Status.CONFIRMED,
            confirmed_at=now,
            consent_text_version=consent_text_version,
            consent_at=consent_at or now,
            consent_channel=ConsentChannel.IMPORT,
            consent_taken_by=taken_by,
        )
