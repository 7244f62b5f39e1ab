"""Reminders before the first session and before each later one, each sent once."""

import datetime
import functools

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from booking.models import Enrollment, OutgoingEmail, Session, TrainingGroup
from booking.services import statements
from booking.services.notifications import queue_emails

EMAILS_PER_TRANSACTION = 200


def _key(session_id, enrollment_id):
    return f"reminder:session:{session_id}:enrollment:{enrollment_id}"


@functools.cache
def _due_sql():
    """(session id, whether it is its group's first, enrollment id) of the reminders due and not sent yet.

    Scheduled sessions that start within the longer window, of groups not cancelled or completed, that are
    within their own window (the first session's or a later one's); the confirmed places of their groups;
    less those whose reminder (its key, through the unique index) was queued before. Parameters: scheduled
    twice, now, now + the longer window, the two group statuses left out, confirmed, now + the first
    session's window, now + a later session's window.
    """
    q = connection.ops.quote_name
    sessions, groups, places, emails = (
        q(model._meta.db_table) for model in (Session, TrainingGroup, Enrollment, OutgoingEmail)
    )
    start, status, group, key = q("start"), q("status"), q("group_id"), q("key")
    return (
        f"SELECT c.id, c.first_id = c.id, e.id FROM ("
        f"SELECT s.id, s.{group}, s.{start}, (SELECT f.id FROM {sessions} f WHERE f.{group} = s.{group} "
        f"AND f.{status} = %s ORDER BY f.{start}, f.id LIMIT 1) AS first_id "
        f"FROM {sessions} s INNER JOIN {groups} g ON g.id = s.{group} "
        f"WHERE s.{status} = %s AND s.{start} > %s AND s.{start} <= %s AND g.{status} NOT IN (%s, %s)"
        f") c INNER JOIN {places} e ON e.{group} = c.{group} AND e.{status} = %s "
        f"WHERE c.{start} <= CASE WHEN c.first_id = c.id THEN %s ELSE %s END "
        f"AND NOT EXISTS (SELECT 1 FROM {emails} o WHERE o.{key} = "
        f"'reminder:session:' || c.id || ':enrollment:' || e.id) "
        f"ORDER BY c.{start}, c.id, e.id"
    )


def reminder_key(session, enrollment):
    return _key(session.pk, enrollment.pk)


def send_reminders(now=None):
    """Queue the reminders that are due at `now`. Returns how many were queued.

    Confirmed participants get an email `GROEPSWIJZER_FIRST_REMINDER_DAYS`
    before the first session (what to bring, where, the online link), and
    `GROEPSWIJZER_SESSION_REMINDER_HOURS` before each later session. Only
    for scheduled sessions that have not started, of groups that are not
    cancelled or completed. Each reminder has its own key, so running this
    again (or at the same time) never sends one twice; a run that comes late
    still sends what is due before the session starts.
    """
    now = now or timezone.now()
    first_window = datetime.timedelta(days=settings.GROEPSWIJZER_FIRST_REMINDER_DAYS)
    session_window = datetime.timedelta(hours=settings.GROEPSWIJZER_SESSION_REMINDER_HOURS)
    at = functools.partial(statements.value, Session, "start")
    params = [
        Session.Status.SCHEDULED.value,
        Session.Status.SCHEDULED.value,
        at(now),
        at(now + max(first_window, session_window)),
        TrainingGroup.Status.CANCELLED.value,
        TrainingGroup.Status.COMPLETED.value,
        Enrollment.Status.CONFIRMED.value,
        at(now + first_window),
        at(now + session_window),
    ]
    # Only what is still to be sent comes back: a run with nothing new reads the coming days' sessions and their
    # places through the indexes, and nothing else.
    with connection.cursor() as cursor:
        cursor.execute(_due_sql(), params)
        new = [
            (session_id, bool(first), enrollment_id, _key(session_id, enrollment_id))
            for session_id, first, enrollment_id in cursor.fetchall()
        ]
    queued = 0
    # A few hundred rows per transaction: one commit for many emails (each is only a row; nothing is built).
    for start in range(0, len(new), EMAILS_PER_TRANSACTION):
        part = new[start : start + EMAILS_PER_TRANSACTION]
        people = Enrollment.objects.filter(pk__in={item[2] for item in part}).select_related("participant")
        enrollments = {enrollment.pk: enrollment for enrollment in people}
        with transaction.atomic():
            # Built when sent, not in the periodic run.
            rows = queue_emails(
                {
                    "kind": "reminder_first" if first else "reminder_session",
                    "key": key,
                    "to": enrollments[enrollment_id].participant.email,
                    "participant": enrollments[enrollment_id].participant,
                    "params": {"session_id": session_id, "enrollment_id": enrollment_id},
                }
                for session_id, first, enrollment_id, key in part
                if enrollment_id in enrollments
            )
        queued += len(rows)
    return queued
