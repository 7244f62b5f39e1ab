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

import datetime
import logging
import uuid
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import feeds, geo, links, notifications, services
from .exceptions import EnrollmentNotActive
from .models import (
    Enrollment,
    Offer,
    OutgoingEmail,
    Participant,
    Session,
    TrainingGroup,
    WaitlistEntry,
    takes_a_place,
)
from .payments import services as payment_services

logger = logging.getLogger(__name__)

ENROLLMENT_LINK = "enrollment"
WAITLIST_LINK = "waitlist"
OFFER_LINK = "offer"
TRAINER_FEED_LINK = "trainer-feed"

ACTIVE = (Enrollment.Status.HELD, Enrollment.Status.CONFIRMED)
# A session counts as moved when its calendar event changed this long after it was planned;
# adjusting a plan in the same minute is still planning, not moving.
MOVED_AFTER = datetime.timedelta(minutes=1)
MAX_ALTERNATIVES = 5


# --- links ---------------------------------------------------------------------------------------


def manage_url(enrollment):
    """The personal link to an enrollment's own page (absolute, for emails and calendar files)."""
    return links.personal_url("selfservice:manage", ENROLLMENT_LINK, enrollment.pk)


def manage_path(enrollment):
    """The same personal link as a path on this site (for pages, not emails)."""
    return reverse("selfservice:manage", kwargs={"token": links.make_token(ENROLLMENT_LINK, enrollment.pk)})


def waitlist_status_path(entry):
    return reverse("waitlist:status", kwargs={"token": links.make_token(WAITLIST_LINK, entry.pk)})


def trainer_feed_url(trainer):
    """The personal calendar feed of a trainer: every session of every group they lead.

    Whoever has the link can read the feed (it holds dates and places, no
    participants), so show it only to the trainer themselves.
    """
    return links.personal_url("feeds:trainer", TRAINER_FEED_LINK, trainer.pk)


def waitlist_status_url(entry):
    return links.personal_url("waitlist:status", WAITLIST_LINK, entry.pk)


def offer_url(offer):
    return links.personal_url("waitlist:offer", OFFER_LINK, offer.pk)


def signup_url(group):
    return links.absolute(reverse("signup:group", kwargs={"group_id": group.pk}))


def waitlist_join_url(course):
    return links.absolute(reverse("waitlist:join", kwargs={"course_id": course.pk}))


def course_url(course):
    url = course.url or "/"
    return url if url.startswith("http") else links.absolute(url)


# --- what a participant sees ---------------------------------------------------------------------


def enrollment_state(enrollment, now=None):
    """The enrollment's status as it is at `now`: a hold whose time ran out is "expired", swept or not."""
    now = now or timezone.now()
    if enrollment.status == Enrollment.Status.HELD and not enrollment.is_live_hold(now):
        return Enrollment.Status.EXPIRED
    return Enrollment.Status(enrollment.status)


def session_was_moved(session):
    """Whether a session was moved to another time after it was planned.

    Only ``services.move_session`` changes a planned session's calendar event
    (a cancellation is recorded as a cancelled occurrence instead), so an event
    changed well after it was made is a moved session.
    """
    event = session.event
    return event.updated_on - event.created_on > MOVED_AFTER


@dataclass(frozen=True)
class SessionLine:
    session: Session
    cancelled: bool
    moved: bool
    past: bool


def session_lines(group, now=None):
    """Every session of the group in date order, cancelled ones included, each marked for the participant."""
    now = now or timezone.now()
    sessions = Session.objects.filter(group=group).select_related("event").order_by("start", "pk")
    return [
        SessionLine(
            session=session,
            cancelled=session.status == Session.Status.CANCELLED,
            moved=session.status == Session.Status.SCHEDULED and session_was_moved(session),
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


def calendar_for(enrollment, *, manage_url="", now=None):
    """The enrollment's calendar file. Once the place is gone, every session in it is marked cancelled.

    The UIDs stay the same, so a calendar that imported the file before
    drops or strikes through the sessions instead of keeping them.
    """
    body = feeds.enrollment_calendar(enrollment, manage_url=manage_url)
    if enrollment_state(enrollment, now) in ACTIVE or enrollment.status == Enrollment.Status.COMPLETED:
        return body
    calendar = icalendar.Calendar.from_ical(body)
    for event in calendar.walk("VEVENT"):
        event.pop("STATUS", None)
        event.add("status", "CANCELLED")
    return calendar.to_ical()


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


def standard_cancellation_text(days):
    """The terms used when a course has none of its own, built from its number of days."""
    if days == 0:
        return _(
            "Afmelden kost niets tot de eerste bijeenkomst begint. "
            "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug."
        )
    return ngettext(
        "Afmelden kost niets tot %(days)s dag voor de eerste bijeenkomst. "
        "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug.",
        "Afmelden kost niets tot %(days)s dagen voor de eerste bijeenkomst. "
        "Meldt u zich later af? Dan krijgt u de eigen bijdrage niet terug.",
        days,
    ) % {"days": days}


def cancellation_terms_text(course):
    """The course's own cancellation terms, or the standard text with its number of days."""
    return course.cancellation_terms.strip() or standard_cancellation_text(course.cancellation_days)


def cancellation_deadline(enrollment):
    """The last moment to cancel without cost: `cancellation_days` before the first session.

    Counted in days on the Dutch clock, at the time the first session starts
    (a group on Tuesday 19:00 with 7 days: the Tuesday before, 19:00). None
    while no session is planned: until then, cancelling is always free.
    """
    first = enrollment.group.first_start
    if first is None:
        return None
    start = services.local_time(first)
    day = start.date() - datetime.timedelta(days=enrollment.group.course.cancellation_days)
    return datetime.datetime.combine(day, start.time(), tzinfo=services.LOCAL_TZ)


def is_within_cancellation_terms(enrollment, now=None):
    """Whether cancelling at `now` costs nothing under the course's terms.

    A place that was never confirmed (only held) can always be given up for
    free; a confirmed place until `cancellation_deadline`.
    """
    now = now or timezone.now()
    if enrollment.confirmed_at is None and enrollment.status != Enrollment.Status.CONFIRMED:
        return True
    deadline = cancellation_deadline(enrollment)
    return deadline is None or now < deadline


@dataclass(frozen=True)
class CancellationTerms:
    """The terms of one enrollment, applied to one moment."""

    text: str
    deadline: datetime.datetime | None
    within: bool


def cancellation_terms(enrollment, now=None):
    """The course's terms for this enrollment, and whether cancelling at `now` falls within them."""
    now = now or timezone.now()
    return CancellationTerms(
        text=cancellation_terms_text(enrollment.group.course),
        deadline=cancellation_deadline(enrollment),
        within=is_within_cancellation_terms(enrollment, now),
    )


def cancel_refusal(enrollment, now=None):
    """Why this participant cannot cancel this enrollment themselves at `now` (a Dutch text), or None."""
    now = now or timezone.now()
    state = enrollment_state(enrollment, now)
    if enrollment.group.status == TrainingGroup.Status.CANCELLED:
        return _("Deze groep gaat niet door. U hoeft zich niet af te melden.")
    if state == Enrollment.Status.CANCELLED:
        return _("U bent al afgemeld voor deze groep.")
    if state == Enrollment.Status.EXPIRED:
        return _("Uw reservering is verlopen. U hoeft zich niet af te melden.")
    if state == Enrollment.Status.COMPLETED:
        return _("U heeft deze training afgerond. Afmelden kan niet meer.")
    last_end = (
        Session.objects.filter(group=enrollment.group, status=Session.Status.SCHEDULED)
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    if last_end is not None and last_end <= now:
        return _("De laatste bijeenkomst van deze groep is voorbij. Afmelden kan niet meer.")
    return None


def cancel_by_participant(enrollment, *, with_partner=False, now=None):
    """The participant cancels through their personal link. Returns (cancelled enrollments, terms).

    One person cancels their own place; a partner of a couple keeps theirs
    unless `with_partner` is chosen, then both places go. Everyone whose
    place is cancelled gets one cancellation email that says what the terms
    mean for them. The freed places go to the waiting list
    (``services.cancel_enrollment`` sees to that).
    Refused with EnrollmentNotActive when cancelling is not possible (see
    `cancel_refusal`), and then nothing changes.
    """
    now = now or timezone.now()
    refusal = cancel_refusal(enrollment, now)
    if refusal:
        raise EnrollmentNotActive(refusal)
    terms = cancellation_terms(enrollment, now)
    target = enrollment.party if with_partner and partner_of(enrollment, now) else enrollment
    with transaction.atomic():
        result = services.cancel_enrollment(target, now=now)
        # Only the places this call cancelled: an earlier cancellation has another moment.
        cancelled = [e for e in result if e.status == Enrollment.Status.CANCELLED and e.cancelled_at == now]
        for cancelled_one in cancelled:
            notifications.queue_email(
                "cancellation",
                f"cancellation:enrollment:{cancelled_one.pk}",
                participant=cancelled_one.participant,
                enrollment_id=cancelled_one.pk,
                within_terms=terms.within,
                by_partner=cancelled_one.pk != enrollment.pk,
            )
        # The own contribution: refunded within the terms, kept after (booking.payments).
        payment_services.refund_for_cancellation(cancelled, within_terms=terms.within, now=now)
    enrollment.refresh_from_db()
    return cancelled, terms


# --- the organisation cancels a group ------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    group: TrainingGroup
    distance_km: float | None
    places_left: int


def alternatives_for(enrollment, now=None, limit=MAX_ALTERNATIVES):
    """Other groups of the same course someone can sign up for now, with places left, nearest first.

    Distances are from the participant's postcode; online groups and groups
    whose distance is unknown come after the ones nearby. A group behind a
    registration stop is left out.
    """
    from .stops import active_stop

    now = now or timezone.now()
    group = enrollment.group
    candidates = (
        TrainingGroup.objects.open_for_signup(now)
        .with_places_left(now)
        .filter(course_id=group.course_id, places_left__gt=0)
        .exclude(pk=group.pk)
        .select_related("location", "course")
    )
    home = geo.find_place(enrollment.participant.postcode)
    found = []
    for candidate in candidates:
        if active_stop(candidate.course, candidate.location, now=now) is not None:
            continue
        found.append(Alternative(candidate, candidate.location.distance_to(home), candidate.places_left))
    far = float("inf")
    found.sort(key=lambda a: (a.distance_km is None, a.distance_km or far, a.group.first_start or now, a.group.pk))
    return found[:limit]


def cancel_group(group, *, by=None, reason="", now=None):
    """The organisation cancels a group (for instance: too few sign-ups). Returns the cancelled enrollments.

    The group gets the status cancelled; every scheduled session is cancelled,
    also on the location's calendar; every place that still counts (confirmed,
    or a hold that has not run out) is cancelled, and each of those
    participants gets one email with the alternatives: other groups of the
    course with places, nearest first, and the waiting list. An open offer of
    a place in this group is withdrawn, and that person keeps their place on
    the waiting list. `reason` is told to the participants. Calling it again
    changes nothing and sends nothing.
    """
    from . import waitlist

    now = now or timezone.now()
    with transaction.atomic():
        # The waiting list's lock before the group's, the order every change to offers keeps.
        waitlist._lock_course(group.course_id)
        locked = services._lock_group(group.pk)
        if locked.status != TrainingGroup.Status.CANCELLED:
            locked.status = TrainingGroup.Status.CANCELLED
            locked.save(update_fields=["status"])
        for session in Session.objects.filter(group=locked, status=Session.Status.SCHEDULED):
            services.cancel_session(session)
        active = list(Enrollment.objects.filter(group=locked).filter(takes_a_place(now)).select_related("participant"))
        offers = Offer.objects.filter(enrollment__in=active, status=Offer.Status.OPEN)
        entry_ids = list(offers.values_list("entry_id", flat=True))
        offers.update(status=Offer.Status.WITHDRAWN, decided_at=now)
        WaitlistEntry.objects.filter(pk__in=entry_ids, status=WaitlistEntry.Status.OFFERED).update(
            status=WaitlistEntry.Status.WAITING
        )
        offered = set(Offer.objects.filter(enrollment__in=active).values_list("enrollment_id", flat=True))
        for enrollment in active:
            services.cancel_enrollment(enrollment, now=now)
            notifications.queue_email(
                "group_cancelled",
                f"group_cancelled:enrollment:{enrollment.pk}",
                participant=enrollment.participant,
                enrollment_id=enrollment.pk,
                reason=str(reason or ""),
                offered=enrollment.pk in offered,
            )
        # Everyone who paid gets it back in full (booking.payments).
        payment_services.refund_for_group_cancellation(active, now=now)
    logger.info("Group %s cancelled by user %s; %s places cancelled", group.pk, getattr(by, "pk", None), len(active))
    group.refresh_from_db()
    group.forget_schedule()
    return active


# --- reminders and expired holds -----------------------------------------------------------------


def reminder_key(session, enrollment):
    return f"reminder:session:{session.pk}:enrollment:{enrollment.pk}"


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

    queued = 0
    for session in coming:
        is_first = first_of_group.get(session.group_id) == session.pk
        if session.start - (first_window if is_first else session_window) > now:
            continue
        enrollments = list(
            Enrollment.objects.filter(group_id=session.group_id, status=Enrollment.Status.CONFIRMED).select_related(
                "participant"
            )
        )
        keys = {enrollment.pk: reminder_key(session, enrollment) for enrollment in enrollments}
        sent_before = set(OutgoingEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        with transaction.atomic():
            for enrollment in enrollments:
                if keys[enrollment.pk] in sent_before:
                    continue
                row = notifications.queue_email(
                    "reminder_first" if is_first else "reminder_session",
                    keys[enrollment.pk],
                    participant=enrollment.participant,
                    session_id=session.pk,
                    enrollment_id=enrollment.pk,
                )
                queued += row is not None
    return queued


def notify_expired_holds(enrollments):
    """Email each person whose hold ran out: "uw reservering is verlopen", with a way back. Returns the count.

    Pass what ``services.expire_holds`` returned. A hold that belonged to a
    waiting-list offer is left out (the waiting list sends its own message),
    and so is a hold that was confirmed after all. One email per enrollment,
    however often this runs.
    """
    enrollments = list(enrollments)
    offered = set(
        Offer.objects.filter(enrollment_id__in=[e.pk for e in enrollments]).values_list("enrollment_id", flat=True)
    )
    current = dict(Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).values_list("pk", "status"))
    queued = 0
    for enrollment in enrollments:
        if enrollment.pk in offered or current.get(enrollment.pk) != Enrollment.Status.EXPIRED:
            continue
        with transaction.atomic():
            row = notifications.queue_email(
                "hold_expired",
                f"hold_expired:enrollment:{enrollment.pk}",
                participant=enrollment.participant,
                enrollment_id=enrollment.pk,
            )
        queued += row is not None
    return queued


def expire_holds_and_notify(now=None):
    """Sweep expired holds and tell the people concerned. Returns (expired enrollments, emails queued).

    ``services.expire_holds`` passes the freed places on to the waiting list.
    """
    expired = services.expire_holds(now or timezone.now())
    return expired, notify_expired_holds(expired)


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
    7. send emails that failed before.

    Nothing depends on this running on time: a hold or offer past its
    expiry no longer counts anyway; the run only makes that visible and
    sends the emails.
    """
    from . import waitlist

    now = now or timezone.now()
    counts = {}
    expired, counts["hold_expired_emails"] = expire_holds_and_notify(now)
    counts["expired_holds"] = len(expired)
    counts["expired_offers"] = _how_many(waitlist.expire_offers(now=now))
    counts["free_places_offered"] = _how_many(waitlist.offer_all_free_places(now=now))
    counts["waitlist_checks"] = _how_many(waitlist.send_waitlist_checks(now=now))
    counts["removed_from_waitlist"] = _how_many(waitlist.remove_unanswered(now=now))
    counts["reminders"] = send_reminders(now)
    counts["groups_started"], counts["groups_completed"] = services.advance_group_statuses(now)
    counts.update(payment_services.run_periodic(now))  # payments: lost webhooks, unsent refunds
    counts["emails_retried"] = notifications.retry_unsent(now)
    return counts


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
        enrollments = [e for e in found if enrollment_state(e, now) != Enrollment.Status.EXPIRED]
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
    from allauth.account.models import EmailAddress

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
        state = enrollment_state(enrollment, now)
        places.append(
            {
                "enrollment": enrollment,
                "group": enrollment.group,
                "state": state,
                "state_label": Enrollment.Status(state).label,
                "current": state in ACTIVE and enrollment.group.status != TrainingGroup.Status.CANCELLED,
                "url": manage_path(enrollment),
            }
        )
    places.sort(key=lambda place: not place["current"])
    entries = [
        {"entry": entry, "offer": open_offer(entry), "url": waitlist_status_path(entry)}
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
