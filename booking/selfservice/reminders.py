"""Reminders before the first session and before each later one, each sent once."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.models import Enrollment, OutgoingEmail, Session, TrainingGroup
from booking.services.notifications import queue_emails

KEYS_PER_QUERY = 1000
EMAILS_PER_TRANSACTION = 200


def _key(session_id, enrollment_id):
    return f"reminder:session:{session_id}:enrollment:{enrollment_id}"


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
    coming = list(
        Session.objects.filter(
            status=Session.Status.SCHEDULED, start__gt=now, start__lte=now + max(first_window, session_window)
        )
        .exclude(group__status__in=[TrainingGroup.Status.CANCELLED, TrainingGroup.Status.COMPLETED])
        .order_by("start", "pk")
    )
    first_of_group = {}
    for group_id, session_id in (
        Session.objects.filter(group_id__in={s.group_id for s in coming}, status=Session.Status.SCHEDULED)
        .order_by("group_id", "start", "pk")
        .values_list("group_id", "pk")
    ):
        first_of_group.setdefault(group_id, session_id)

    due = [
        (session, first_of_group.get(session.group_id) == session.pk)
        for session in coming
        if session.start - (first_window if first_of_group.get(session.group_id) == session.pk else session_window)
        <= now
    ]
    # Who is confirmed in the groups with a session due, and which of their reminders went out before: a few
    # queries for the whole run however many sessions are due, so a run with nothing new stays cheap. Only ids
    # are read for that; the people are loaded for the reminders still to queue.
    confirmed = {}
    for enrollment_id, group_id in (
        Enrollment.objects.filter(
            group_id__in={session.group_id for session, _first in due}, status=Enrollment.Status.CONFIRMED
        )
        .order_by()
        .values_list("pk", "group_id")
    ):
        confirmed.setdefault(group_id, []).append(enrollment_id)
    wanted = [
        (session, first, enrollment_id, _key(session.pk, enrollment_id))
        for session, first in due
        for enrollment_id in confirmed.get(session.group_id, [])
    ]
    keys = [key for *_rest, key in wanted]
    sent_before = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        sent_before.update(OutgoingEmail.objects.filter(key__in=chunk).values_list("key", flat=True))
    queued = 0
    new = [item for item in wanted if item[-1] not in sent_before]
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
                    "params": {"session_id": session.pk, "enrollment_id": enrollment_id},
                }
                for session, first, enrollment_id, key in part
                if enrollment_id in enrollments
            )
        queued += len(rows)
    return queued
