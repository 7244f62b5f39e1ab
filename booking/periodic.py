"""The periodic run: what time makes true, in one command (``manage.py run_periodic``).

Each package contributes its step; every step returns a count, and the run
reports each step's counts and time. Every step is idempotent and takes the
same locks as the rest of the code, and its cost follows the work due, not
the size of the data. Only one run at a time: the command skips when another
is busy (``locks.only_one_at_a_time``), on however many machines.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from booking.payments import periodic as payment_periodic
from booking.selfservice.reminders import send_reminders
from booking.services import access_log, export_files, notifications, planning
from booking.services.locks import only_one_at_a_time
from booking.services.places import expire_holds_and_notify
from booking.waitlist import checks
from booking.waitlist import offers as waitlist_offers
from home import publishing
from privacy import budget, retention

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


def _expire_holds(now):
    expired, emails = expire_holds_and_notify(now)
    return {"expired_holds": len(expired), "hold_expired_emails": emails}


def _advance_groups(now):
    started, completed = planning.advance_group_statuses(now)
    return {"groups_started": started, "groups_completed": completed}


# (name, what it does with `now` -> {count name: number}). Names are looked up when the step runs.
STEPS = [
    ("expire_holds", _expire_holds),
    ("expire_offers", lambda now: {"expired_offers": _how_many(waitlist_offers.expire_offers(now=now))}),
    (
        "offer_free_places",
        lambda now: {"free_places_offered": _how_many(waitlist_offers.offer_all_free_places(now=now))},
    ),
    ("waitlist_checks", lambda now: {"waitlist_checks": _how_many(checks.send_waitlist_checks(now=now))}),
    ("remove_unanswered", lambda now: {"removed_from_waitlist": _how_many(checks.remove_unanswered(now=now))}),
    ("reminders", lambda now: {"reminders": send_reminders(now)}),
    ("group_statuses", _advance_groups),
    ("payments", lambda now: payment_periodic.run_periodic(now)),  # lost webhooks, unsent refunds
    # Before the retention run, which clears an expired export's file name (its own clock).
    ("export_files", lambda now: {"export_files_removed": export_files.delete_expired(now)}),
    # Within a time budget each (GROEPSWIJZER_RETENTION_RUN_MS): a backlog is worked off over several runs.
    ("anonymise", lambda now: retention.participants_step(now)),
    (
        "kept_data",
        lambda now: {
            "kept_data_cleared": sum(retention.anonymise_by_own_clocks(now, budget=retention.Budget()).values())
        },
    ),
    ("access_log", lambda now: {"access_log_removed": access_log.purge_expired(now)}),
    ("retry_emails", lambda now: {"emails_retried": notifications.retry_unsent(now)}),
    ("publish_pages", lambda now: {"pages_published": publishing.publish_scheduled(now)}),
]


@dataclass
class StepReport:
    name: str
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


def _steps_in_order():
    """Booking's steps, with those other apps registered just before failed emails are sent again."""
    for name, step in STEPS:
        if name == "retry_emails":
            yield from ((extra.__name__, extra) for extra in EXTRA_STEPS)
        yield name, step


def run_steps(now=None):
    """Take every step in order; returns a StepReport (what it did, how long it took) per step."""
    now = now or timezone.now()
    reports = []
    with budget.whole_run(run_seconds()):
        for name, step in _steps_in_order():
            started = time.perf_counter()
            counts = step(now)
            reports.append(StepReport(name, counts, time.perf_counter() - started))
    return reports


def run_seconds():
    """What a whole run aims at (`GROEPSWIJZER_PERIODIC_RUN_MS`): the steps that work off a backlog in batches
    start no new batch after it (``privacy.budget``); each still does its first, so every backlog moves."""
    return int(getattr(settings, "GROEPSWIJZER_PERIODIC_RUN_MS", 700)) / 1000


def run_periodic(now=None):
    """All periodic work, in order; returns a count per step. Safe to run every minute, and to overlap.

    1. expire holds that ran out and email those people (their places go
       to the waiting list);
    2. expire waiting-list offers (the place passes to the next person), and
       offer the free places that someone waiting fits, found in SQL without
       a lock (``services.offers.groups_to_offer``) among the groups of stops
       that ended and one slice of all groups (``services.offers.changed_since``),
       and for the people who joined a list or came back to waiting since
       the last run (``services.offers.back_on_the_list``);
    3. send the monthly "still waiting?" checks;
    4. take people off the waiting list who did not answer in time;
    5. send the reminders that are due;
    6. payments: look up online payments whose message never came, send
       refunds that are waiting (``booking.payments.services.run_periodic``);
    7. privacy: anonymise participants whose retention period ran out
       (``GROEPSWIJZER_RETENTION_MONTHS`` after their group ended or they
       left the waiting list), clear what bookkeeping kept once its years
       are over, and remove access log rows older than five years; each in
       batches, reading only rows that are due (``privacy.retention``),
       and starting no batch after ``GROEPSWIJZER_RETENTION_RUN_MS``, or
       once the run as a whole took ``GROEPSWIJZER_PERIODIC_RUN_MS``: a
       backlog is worked off over several runs;
    8. the steps other apps registered (`register_step`);
    9. send emails that failed before;
    10. publish the pages an editor scheduled, and unpublish those that
        expired (``home.publishing``).

    Nothing depends on this running on time: a hold or offer past its
    expiry no longer counts anyway; the run only makes that visible and
    sends the emails. `run_steps` gives the same with each step's time;
    `run_once` skips when another process is running.
    """
    counts = {}
    for report in run_steps(now):
        counts.update(report.counts)
    return counts


def run_once(now=None):
    """`run_steps`, unless another process is running the periodic work right now: then None, and nothing is done."""
    with only_one_at_a_time() as mine:
        if not mine:
            return None
        return run_steps(now)
