"""Self-service by personal link, the organisation cancelling a group, and the periodic work.

A participant manages their place without an account, through the personal
link in every email (see ``booking.links``): they see their enrollment,
download the calendar file, and cancel under the course's terms. The
organisation can cancel a whole group; everyone in it hears about the
alternatives. The periodic run (``manage.py run_periodic``, every minute)
sweeps what time has made true: expired holds and offers, waiting-list checks,
reminders, and emails that could not be sent before.

Everything here may run twice, or at the same time in two processes: state
changes go through ``booking.services`` under the group's lock, and every
email has a key that is sent only once (``booking.notifications``).
"""

import logging
import uuid
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from booking.models import (
    Enrollment,
    Offer,
    Participant,
    Session,
    TrainingGroup,
    WaitlistEntry,
    takes_a_place,
)
from booking.services import links, notifications

logger = logging.getLogger(__name__)


ACTIVE = (Enrollment.Status.HELD, Enrollment.Status.CONFIRMED)


# --- what a participant sees ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLine:
    session: Session
    cancelled: bool
    moved: bool
    past: bool


def session_lines(group, now=None):
    """Every session of the group in date order, cancelled ones included, each marked for the participant.

    "Moved" is what the scheduler says (``Session.objects.with_moved``): the
    session's occurrence is no longer at the time it was planned.
    """
    now = now or timezone.now()
    sessions = Session.objects.filter(group=group).with_moved().order_by("start", "pk")
    return [
        SessionLine(
            session=session,
            cancelled=session.status == Session.Status.CANCELLED,
            moved=session.status == Session.Status.SCHEDULED and session.moved,
            past=session.end <= now,
        )
        for session in sessions
    ]


def shows_online_link(enrollment):
    """The meeting link of an online group is for confirmed participants only."""
    group = enrollment.group
    return bool(
        group.online_meeting_url
        and enrollment.status == Enrollment.Status.CONFIRMED
        and group.status != TrainingGroup.Status.CANCELLED
    )


def partner_of(enrollment, now=None):
    """The other person of a couple who still has a place (or a hold) with this one, or None."""
    return (
        Enrollment.objects.filter(party=enrollment.party)
        .filter(takes_a_place(now or timezone.now()))
        .exclude(pk=enrollment.pk)
        .select_related("participant")
        .first()
    )


# --- cancellation terms --------------------------------------------------------------------------


# --- the organisation cancels a group ------------------------------------------------------------


# --- reminders and expired holds -----------------------------------------------------------------


# --- finding someone's places --------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalItems:
    enrollments: list
    waitlist_entries: list

    def __bool__(self):
        return bool(self.enrollments or self.waitlist_entries)


def _items(participants, now, *, include_past):
    found = (
        Enrollment.objects.filter(participant__in=participants)
        # A place offered from the waiting list shows with the waiting list, through its offer.
        .exclude(offer__status=Offer.Status.OPEN)
        .select_related("participant", "group__course", "group__location")
        .order_by("-created_at", "-pk")
    )
    if include_past:
        enrollments = [e for e in found if e.state_at(now) != Enrollment.Status.EXPIRED]
    else:
        enrollments = list(found.filter(takes_a_place(now)))
    entries = list(
        WaitlistEntry.objects.filter(
            participant__in=participants, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
        )
        .select_related("course", "participant")
        .order_by("joined_at", "pk")
    )
    return PersonalItems(enrollments, entries)


def items_for_email(email, now=None):
    """The places and waiting-list entries that belong to an email address and are still going on."""
    now = now or timezone.now()
    participants = Participant.objects.filter(email__iexact=(email or "").strip())
    return _items(participants, now, include_past=False)


def items_for_user(user, now=None):
    """Everything of a logged-in person, cancelled and completed places included (not lapsed holds).

    Theirs are the participants linked to their account, and those signed up
    with one of their verified email addresses.
    """
    now = now or timezone.now()
    verified = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    participants = Participant.objects.filter(user=user)
    for address in verified:
        participants = participants | Participant.objects.filter(email__iexact=address)
    return _items(participants.distinct(), now, include_past=True)


def dashboard_items(user, now=None):
    """What "Mijn account" lists: the person's places (going on first, then earlier) and waiting lists.

    Each with the path of its personal page, so everything of one person is
    in one place, also for a place they signed up for before they had an account.
    """
    now = now or timezone.now()
    items = items_for_user(user, now)
    places = []
    for enrollment in items.enrollments:
        state = enrollment.state_at(now)
        places.append(
            {
                "enrollment": enrollment,
                "group": enrollment.group,
                "state": state,
                "state_label": Enrollment.Status(state).label,
                "current": state in ACTIVE and enrollment.group.status != TrainingGroup.Status.CANCELLED,
                "url": links.manage_path(enrollment),
            }
        )
    places.sort(key=lambda place: not place["current"])
    entries = [
        {"entry": entry, "offer": open_offer(entry), "url": links.waitlist_status_path(entry)}
        for entry in items.waitlist_entries
    ]
    return {"places": places, "waitlist": entries, "any": bool(places or entries)}


def open_offer(entry):
    return entry.offers.filter(status=Offer.Status.OPEN).first()


def send_new_links(email, now=None):
    """Email the personal links of everything still going on for this address. Returns True when sent.

    Nothing is sent to an address we do not know, or that has nothing going
    on; the person asking never learns which was the case (the screen says
    the same either way).
    """
    now = now or timezone.now()
    items = items_for_email(email, now)
    if not items:
        return False
    participant = items.enrollments[0].participant if items.enrollments else items.waitlist_entries[0].participant
    with transaction.atomic():
        notifications.queue_email(
            "new_links",
            f"new_links:{uuid.uuid4()}",
            participant=participant,
            email=participant.email,
        )
    return True
