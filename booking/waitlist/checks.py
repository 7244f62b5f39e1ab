"""The monthly "still waiting?" check: who is asked, and who is taken off the list without an answer.

Every month (`GROEPSWIJZER_WAITLIST_CHECK_DAYS`) everyone who is waiting is
asked whether they still want to wait. Whoever does not answer within
`GROEPSWIJZER_WAITLIST_ANSWER_DAYS` is taken off the list, and told so.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from booking.models import WaitlistEntry
from booking.services.locks import lock_course
from booking.services.notifications import queue_emails
from booking.services.page_state import changed
from booking.waitlist.entries import answer_time, check_interval, check_pending

# Entries handled in one transaction, under the locks of their courses (lower id first).
ENTRIES_PER_TRANSACTION = 200


def _chunks(rows):
    for start in range(0, len(rows), ENTRIES_PER_TRANSACTION):
        yield rows[start : start + ENTRIES_PER_TRANSACTION]


def _lock_courses(rows):
    """Lock the courses of these (entry id, course id) rows, lower id first: whoever changes a list holds it."""
    for course_id in sorted({course_id for _entry, course_id in rows}):
        lock_course(course_id)


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
    for chunk in _chunks(list(due.order_by("pk").values_list("pk", "course_id"))):
        with transaction.atomic():
            _lock_courses(chunk)
            entries = WaitlistEntry.objects.select_related("participant").filter(pk__in=[pk for pk, _c in chunk])
            ready = [
                entry
                for entry in entries.order_by("pk")
                if entry.status == WaitlistEntry.Status.WAITING
                and not check_pending(entry)
                and _last_contact(entry) <= since
            ]
            if not ready:
                continue
            keys = {
                entry.pk: f"waitlist_check:entry:{entry.pk}:{_last_contact(entry).timestamp():.0f}" for entry in ready
            }
            WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in ready]).update(check_sent_at=now)
            queue_emails(
                {
                    "kind": "waitlist_check",
                    "key": keys[entry.pk],
                    "to": entry.participant.email,
                    "participant": entry.participant,
                    "params": {"entry_id": entry.pk},
                }
                for entry in ready
            )
            for entry in ready:
                entry.check_sent_at = now
            asked.extend(ready)
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
    for chunk in _chunks(list(due.order_by("pk").values_list("pk", "course_id"))):
        with transaction.atomic():
            _lock_courses(chunk)
            entries = WaitlistEntry.objects.select_related("participant").filter(pk__in=[pk for pk, _c in chunk])
            gone = [
                entry
                for entry in entries.order_by("pk")
                if entry.status == WaitlistEntry.Status.WAITING
                and check_pending(entry)
                and entry.check_sent_at <= deadline
            ]
            if not gone:
                continue
            WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in gone]).update(
                status=WaitlistEntry.Status.REMOVED, left_at=now
            )
            changed(course_ids={entry.course_id for entry in gone})
            queue_emails(
                {
                    "kind": "waitlist_removed",
                    "key": f"waitlist_removed:entry:{entry.pk}",
                    "to": entry.participant.email,
                    "participant": entry.participant,
                    "params": {"entry_id": entry.pk},
                }
                for entry in gone
            )
            for entry in gone:
                entry.status = WaitlistEntry.Status.REMOVED
                entry.left_at = now
            removed.extend(gone)
    return removed
