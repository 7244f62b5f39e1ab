"""The booking code the benchmarks call, in one place.

Bench scripts import booking functions and models only from here, so that
when modules in booking/ move, this is the one file to change. Import it
after `bench.django_setup`.
"""

from booking import periodic
from booking.models import (
    AccessLogEntry,
    Enrollment,
    Location,
    OutgoingEmail,
    Participant,
    Payment,
    TrainingGroup,
)
from booking.payments import online
from booking.payments import periodic as payment_periodic
from booking.payments.gateway import configured_gateway
from booking.services import access_log, consent, notifications, places, planning
from booking.services.errors import BookingError, GroupFull
from booking.waitlist import checks, entries
from booking.waitlist import offers as waitlist_offers
from carepath.services import letters, questionnaires
from events import services as training_days
from home import publishing
from news.services import mailings
from privacy import retention

CONSENT_VERSION = consent.VERSION

# Giving out places (bench/signup.py, the day's changes in bench/periodic.py).
hold_places = places.hold_places
confirm_enrollment = places.confirm_enrollment
cancel_enrollment = places.cancel_enrollment
plan_sessions = planning.plan_sessions
join_waitlist = entries.join_waitlist

# Paying (bench/signup.py).
start_online_payment = online.start_online_payment
sync_payment = online.sync_payment
mollie_gateway = configured_gateway

# The periodic run, and the steps it takes: (module, function name, label). bench/periodic.py times each
# step by wrapping these functions while `run_periodic` runs; time outside them shows as "other".
run_periodic = periodic.run_periodic
# The periodic run calls these through the names it imported, so they are wrapped where it looks them up.
PERIODIC_STEPS = [
    (periodic, "expire_holds_and_notify", "expire holds and email"),
    (waitlist_offers, "expire_offers", "expire offers"),
    (waitlist_offers, "offer_all_free_places", "offer free places"),
    (checks, "send_waitlist_checks", "waiting-list checks"),
    (checks, "remove_unanswered", "remove unanswered"),
    (periodic, "send_reminders", "reminders"),
    (planning, "advance_group_statuses", "start and complete groups"),
    (payment_periodic, "run_periodic", "payments"),
    (retention, "participants_step", "privacy: anonymise (done+still due)"),
    (retention, "anonymise_by_own_clocks", "privacy: kept data"),
    (access_log, "purge_expired", "access log purge"),
    # The steps other apps register (booking.periodic.register_step), through the functions they call.
    (questionnaires, "invite_due", "care path: questionnaires"),
    (letters, "create_due_letters", "care path: letters"),
    (training_days, "give_free_places", "training days: places"),
    (training_days, "send_reminders", "training days: reminders"),
    (mailings, "continue_sending", "newsletter"),
    (notifications, "retry_unsent", "retry emails"),
    (publishing, "publish_scheduled", "publish pages"),
]

# The two steps that work off a backlog within a time budget (bench/periodic.py catches up with what the
# generated data leaves them before the first timed run): {participants_anonymised, participants_still_due}
# and {questionnaires_invited, …}.
anonymise_due_in_walk = retention.participants_step
invite_to_questionnaires = questionnaires.invite_due

# Admin listings (bench/scale.py): URL paths under /admin/.
ENROLLMENTS_ADMIN_PATH = "/admin/aanmeldingen/"
GROUPS_ADMIN_PATH = "/admin/groepen/"

__all__ = [
    "AccessLogEntry",
    "BookingError",
    "Enrollment",
    "GroupFull",
    "Location",
    "OutgoingEmail",
    "Participant",
    "Payment",
    "TrainingGroup",
]
