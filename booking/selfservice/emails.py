"""Emails about a place someone has: cancellation, expired hold, reminders, new links.

Each builder gets ids (see ``services.notifications``) and reads the rest at the
moment it runs, so an email never carries stale facts or stored text.
Every email carries the participant's personal link.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.models import Enrollment, Participant, Session
from booking.selfservice import personal
from booking.selfservice.cancellation import cancellation_terms
from booking.services import calendars, links, money
from booking.services.notifications import Email, email_kind


def enrollment_for_email(enrollment_id):
    return Enrollment.objects.select_related("participant", "group__course", "group__location").get(pk=enrollment_id)


def _day(value):
    return date_format(timezone.localtime(value), "l j F")


def place_context(enrollment, now):
    group = enrollment.group
    return {
        "enrollment": enrollment,
        "participant": enrollment.participant,
        "group": group,
        "course": group.course,
        "location": group.location,
        "manage_url": links.manage_url(enrollment),
        "course_url": links.page_url(group.course),
        "first_start": group.first_start,
        "sessions": personal.session_lines(group, now),
    }


def calendar_cancellation(enrollment):
    """The attachment that takes a cancelled place's dates out of the participant's agenda.

    Only for a place that was confirmed: that is when the dates went out
    (the confirmation's calendar file). A hold never had them.
    """
    if enrollment.confirmed_at is None:
        return []
    calendar = calendars.enrollment_calendar(enrollment, manage_url=links.manage_url(enrollment))
    return [calendar.attachment("afmelding.ics")]


@email_kind("cancellation")
def cancellation(enrollment_id, within_terms, by_partner=False, by_office=False):
    enrollment = enrollment_for_email(enrollment_id)
    now = enrollment.cancelled_at or timezone.now()
    context = place_context(enrollment, now)
    partner = (
        Enrollment.objects.filter(party=enrollment.party)
        .exclude(pk=enrollment.pk)
        .select_related("participant")
        .first()
        if by_partner
        else None
    )
    context.update(
        {
            "terms": cancellation_terms(enrollment, now),
            "within_terms": within_terms,
            "has_paid": money.has_paid(enrollment),
            "by_office": by_office,
            "partner": partner,
            "waitlist_url": links.waitlist_join_url(enrollment.group.course),
        }
    )
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("U bent afgemeld voor %(course)s") % {"course": enrollment.group.course.title},
        template="selfservice/cancellation",
        context=context,
        attachments=calendar_cancellation(enrollment),
    )


@email_kind("hold_expired")
def hold_expired(enrollment_id):
    enrollment = enrollment_for_email(enrollment_id)
    now = timezone.now()
    group = enrollment.group
    context = place_context(enrollment, now)
    still_open = group.is_bookable(now)
    context.update(
        {
            "again_url": links.signup_url(group) if still_open else links.page_url(group.course),
            "group_still_open": still_open,
        }
    )
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("Uw reservering voor %(course)s is verlopen") % {"course": group.course.title},
        template="selfservice/hold_expired",
        context=context,
    )


def _reminder(session_id, enrollment_id, *, first):
    enrollment = enrollment_for_email(enrollment_id)
    session = Session.objects.select_related("group").get(pk=session_id)
    context = place_context(enrollment, timezone.now())
    context.update(
        {
            "session": session,
            "first": first,
            "online_url": enrollment.group.online_meeting_url if personal.shows_online_link(enrollment) else "",
        }
    )
    course = enrollment.group.course
    if first:
        subject = _("Herinnering: %(course)s begint op %(day)s") % {"course": course.title, "day": _day(session.start)}
    else:
        subject = _("Herinnering: %(course)s, bijeenkomst %(number)s op %(day)s") % {
            "course": course.title,
            "number": session.sequence,
            "day": _day(session.start),
        }
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=subject,
        template="selfservice/reminder_first" if first else "selfservice/reminder_session",
        context=context,
    )


@email_kind("reminder_first")
def reminder_first(session_id, enrollment_id):
    return _reminder(session_id, enrollment_id, first=True)


@email_kind("reminder_session")
def reminder_session(session_id, enrollment_id):
    return _reminder(session_id, enrollment_id, first=False)


def _session_change(session_id, enrollment_id):
    enrollment = enrollment_for_email(enrollment_id)
    session = Session.objects.select_related("group__course", "group__location").get(pk=session_id)
    context = place_context(enrollment, timezone.now())
    context["session"] = session
    calendar = calendars.session_change_calendar(enrollment, session, manage_url=context["manage_url"])
    return enrollment, session, context, [calendar.attachment("bijeenkomst.ics")]


@email_kind("session_moved")
def session_moved(session_id, enrollment_id, previous_start, previous_end):
    """A session moved: the old and the new time, every date, and the changed calendar entry (same UID)."""
    enrollment, session, context, attachments = _session_change(session_id, enrollment_id)
    previous = parse_datetime(previous_start)
    context.update(previous_start=previous, previous_end=parse_datetime(previous_end))
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("%(course)s: de bijeenkomst van %(day)s is verplaatst")
        % {"course": session.group.course.title, "day": _day(previous)},
        template="selfservice/session_moved",
        context=context,
        attachments=attachments,
    )


@email_kind("session_cancelled")
def session_cancelled(session_id, enrollment_id):
    """A session cancelled: which one, the dates that remain, and a calendar cancellation (METHOD:CANCEL)."""
    enrollment, session, context, attachments = _session_change(session_id, enrollment_id)
    return Email(
        language=enrollment.language,
        to=enrollment.participant.email,
        subject=_("%(course)s: de bijeenkomst van %(day)s gaat niet door")
        % {"course": session.group.course.title, "day": _day(session.start)},
        template="selfservice/session_cancelled",
        context=context,
        attachments=attachments,
    )


@email_kind("new_links")
def new_links(email):
    now = timezone.now()
    items = personal.items_for_email(email, now)
    enrollments = [
        {"enrollment": e, "group": e.group, "course": e.group.course, "url": links.manage_url(e)}
        for e in items.enrollments
    ]
    entries = []
    for entry in items.waitlist_entries:
        offer = personal.open_offer(entry)
        entries.append(
            {
                "entry": entry,
                "course": entry.course,
                "url": links.waitlist_status_url(entry),
                "offer": offer,
                "offer_url": links.offer_url(offer) if offer else "",
            }
        )
    first = (
        items.enrollments[0].participant
        if items.enrollments
        else (items.waitlist_entries[0].participant if items.waitlist_entries else None)
    )
    return Email(
        language=(items.enrollments or items.waitlist_entries)[0].language if first else None,
        to=first.email if first else email,
        subject=_("Uw persoonlijke links"),
        template="selfservice/new_links",
        context={
            "participant": first,
            "enrollments": enrollments,
            "entries": entries,
            "new_link_url": links.absolute(reverse("selfservice:new_link")),
            "link_days": settings.GROEPSWIJZER_PERSONAL_LINK_DAYS,
        },
    )


@email_kind("erasure_confirm")
def erasure_confirm(participant_id):
    participant = Participant.objects.get(pk=participant_id)
    return Email(
        to=participant.email,
        subject=_("Bevestig: uw gegevens verwijderen"),
        template="selfservice/erasure_confirm",
        context={
            "participant": participant,
            "email": participant.email,
            "confirm_url": links.erasure_confirm_url(participant),
            "link_days": links.erasure_link_days(),
        },
    )
