"""The periodic run: what time makes true, in one command (``manage.py run_periodic``).

Each package contributes its step; every step returns a count. Safe to run
every minute and to overlap: every step is idempotent and takes the same
locks as the rest of the code.
"""

from django.utils import timezone

from booking.payments import periodic as payment_periodic
from booking.selfservice.reminders import send_reminders
from booking.services import access_log, notifications, planning
from booking.services.places import expire_holds_and_notify
from booking.waitlist import checks
from booking.waitlist import offers as waitlist_offers
from privacy import retention

# Steps of apps built on booking (the care path's letters and questionnaire invitations): each is
# ``step(now) -> {name: count}``, registered from the app's ready() with `register_step`, so booking
# needs to know nothing of them. They run before the retry of failed emails.
EXTRA_STEPS = []
# What the command prints for each of their counts: {name: Dutch label}.
EXTRA_LABELS = {}


def register_step(step, labels=None):
    if step not in EXTRA_STEPS:
        EXTRA_STEPS.append(step)
    EXTRA_LABELS.update(labels or {})
    return step


def _how_many(result):
    if result is None:
        return 0
    if isinstance(result, int):
        return result
    return len(result)


def run_periodic(now=None):
    """All periodic work, in order; returns a count per step. Safe to run every minute, and to overlap.

    1. expire holds that ran out and email those people (their places go
       to the waiting list);
    2. expire waiting-list offers (the place passes to the next person), and
       offer any free place the waiting list has not been offered yet;
    3. send the monthly "still waiting?" checks;
    4. take people off the waiting list who did not answer in time;
    5. send the reminders that are due;
    6. payments: look up online payments whose message never came, send
       refunds that are waiting (``booking.payments.services.run_periodic``);
    7. privacy: anonymise participants whose retention period ran out
       (``GROEPSWIJZER_RETENTION_MONTHS`` after their group ended or they
       left the waiting list), clear what bookkeeping kept once its years
       are over, and remove access log rows older than five years; each in
       batches, reading only rows that are due (``privacy.retention``);
    8. the steps other apps registered (`register_step`);
    9. send emails that failed before.

    Nothing depends on this running on time: a hold or offer past its
    expiry no longer counts anyway; the run only makes that visible and
    sends the emails.
    """

    now = now or timezone.now()
    counts = {}
    expired, counts["hold_expired_emails"] = expire_holds_and_notify(now)
    counts["expired_holds"] = len(expired)
    counts["expired_offers"] = _how_many(waitlist_offers.expire_offers(now=now))
    counts["free_places_offered"] = _how_many(waitlist_offers.offer_all_free_places(now=now))
    counts["waitlist_checks"] = _how_many(checks.send_waitlist_checks(now=now))
    counts["removed_from_waitlist"] = _how_many(checks.remove_unanswered(now=now))
    counts["reminders"] = send_reminders(now)
    counts["groups_started"], counts["groups_completed"] = planning.advance_group_statuses(now)
    counts.update(payment_periodic.run_periodic(now))  # payments: lost webhooks, unsent refunds
    counts["participants_anonymised"] = retention.anonymise_due_participants(now)
    counts["kept_data_cleared"] = sum(retention.anonymise_by_own_clocks(now).values())
    counts["access_log_removed"] = access_log.purge_expired(now)
    for step in EXTRA_STEPS:
        counts.update(step(now))
    counts["emails_retried"] = notifications.retry_unsent(now)
    return counts
