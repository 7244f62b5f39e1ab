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
from booking.services.notifications import queue_email
from booking.services.page_state import changed
from booking.waitlist.entries import answer_time, check_interval, check_pending


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
            lock_course(course_id)
            entry = WaitlistEntry.objects.select_related("participant").get(pk=entry_id)
            if entry.status != WaitlistEntry.Status.WAITING or check_pending(entry) or _last_contact(entry) > since:
                continue
            key = f"waitlist_check:entry:{entry.pk}:{_last_contact(entry).timestamp():.0f}"
            WaitlistEntry.objects.filter(pk=entry.pk).update(check_sent_at=now)
            queue_email(
                "waitlist_check", key, participant=entry.participant, to=entry.participant.email, entry_id=entry.pk
            )
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
            lock_course(course_id)
            entry = WaitlistEntry.objects.select_related("participant").get(pk=entry_id)
            if (
                entry.status != WaitlistEntry.Status.WAITING
                or not check_pending(entry)
                or entry.check_sent_at > deadline
            ):
                continue
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.REMOVED, left_at=now)
            changed(course_ids=[entry.course_id])
            queue_email(
                "waitlist_removed",
                f"waitlist_removed:entry:{entry.pk}",
                participant=entry.participant,
                to=entry.participant.email,
                entry_id=entry.pk,
            )
            entry.status = WaitlistEntry.Status.REMOVED
            removed.append(entry)
    return removed
