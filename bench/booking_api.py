"""The booking code the benchmarks call, in one place.

Bench scripts import booking functions and models only from here, so that
when modules in booking/ move, this is the one file to change. Import it
after `bench.django_setup`.
"""

from booking import consent, notifications, selfservice, services, waitlist
from booking.exceptions import BookingError, GroupFull
from booking.models import (
    AccessLogEntry,
    Enrollment,
    Location,
    OutgoingEmail,
    Participant,
    Payment,
    TrainingGroup,
)
from booking.payments import mollie
from booking.payments import services as payment_services

CONSENT_VERSION = consent.VERSION

# Giving out places (bench/signup.py, the day's changes in bench/periodic.py).
hold_places = services.hold_places
confirm_enrollment = services.confirm_enrollment
cancel_enrollment = services.cancel_enrollment
plan_sessions = services.plan_sessions
join_waitlist = waitlist.join_waitlist

# Paying (bench/signup.py).
start_online_payment = payment_services.start_online_payment
sync_payment = payment_services.sync_payment
mollie_gateway = mollie.gateway

# The periodic run, and the steps it takes: (module, function name, label). bench/periodic.py times each
# step by wrapping these functions while `run_periodic` runs; time outside them shows as "other".
run_periodic = selfservice.run_periodic
PERIODIC_STEPS = [
    (selfservice, "expire_holds_and_notify", "expire holds and email"),
    (waitlist, "expire_offers", "expire offers"),
    (waitlist, "offer_all_free_places", "offer free places"),
    (waitlist, "send_waitlist_checks", "waiting-list checks"),
    (waitlist, "remove_unanswered", "remove unanswered"),
    (selfservice, "send_reminders", "reminders"),
    (services, "advance_group_statuses", "start and complete groups"),
    (payment_services, "run_periodic", "payments"),
    (notifications, "retry_unsent", "retry emails"),
]

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
