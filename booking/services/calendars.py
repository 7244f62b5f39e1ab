"""Calendar files (iCalendar): one per enrollment, and a personal feed per trainer.

Every session has a stable UID, so a calendar that imports a newer file moves
or cancels the event it already has instead of adding a second one.
"""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from ..models import Enrollment, Session

PRODID = "-//Groepswijzer//Groepstrainingen//NL"


def session_uid(session):
    host = settings.WAGTAILADMIN_BASE_URL.split("//")[-1].split("/")[0].split(":")[0] or "groepswijzer"
    return f"bijeenkomst-{session.pk}@{host}"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _event(session, *, description="", url=""):
    group = session.group
    location = group.location
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("summary", f"{group.course.title} ({session.sequence}/{group.session_count_for_feed})")
    if location.is_online:
        event.add("location", "Online")
    else:
        event.add(
            "location",
            ", ".join(
                part
                for part in (location.name, location.address, f"{location.postcode} {location.town}".strip())
                if part
            ),
        )
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED")
    return event


def _sessions(groups):
    sessions = list(
        Session.objects.filter(group__in=groups).select_related("group__course", "group__location").order_by("start")
    )
    counts = {}
    for session in sessions:
        if session.status == Session.Status.SCHEDULED:
            counts[session.group_id] = counts.get(session.group_id, 0) + 1
    for session in sessions:
        session.group.session_count_for_feed = counts.get(session.group_id, 0)
    return sessions


def enrollment_calendar(enrollment, *, manage_url=""):
    """The .ics of all sessions of the enrollment's group."""
    group = enrollment.group
    calendar = _calendar(group.course.title)
    description = f"Kenmerk: {enrollment.reference}"
    if manage_url:
        description += f"\nUw aanmelding bekijken of afmelden: {manage_url}"
    for session in _sessions([group]):
        calendar.add_component(_event(session, description=description, url=manage_url))
    return calendar.to_ical()


def moved_calendar(enrollment, from_group, *, manage_url=""):
    """The .ics after a move to another group: the new group's sessions, and the old group's as cancelled.

    The old sessions keep their UIDs, so a calendar that has them drops or
    strikes them through, and the new ones are added.
    """
    calendar = Calendar.from_ical(enrollment_calendar(enrollment, manage_url=manage_url))
    for session in _sessions([from_group]):
        event = _event(session)
        event.pop("STATUS", None)
        event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def trainer_calendar(trainer):
    """A trainer's personal feed: the sessions of every group they lead that is not cancelled."""
    groups = trainer.groups.exclude(status="cancelled")
    calendar = _calendar(f"Groepen van {trainer.name}")
    for session in _sessions(groups):
        calendar.add_component(_event(session))
    return calendar.to_ical()


def calendar_for(enrollment, *, manage_url="", now=None):
    """The enrollment's calendar file. Once the place is gone, every session in it is marked cancelled.

    The UIDs stay the same, so a calendar that imported the file before
    drops or strikes through the sessions instead of keeping them.
    """
    body = enrollment_calendar(enrollment, manage_url=manage_url)
    if enrollment.state_at(now) in Enrollment.KEEPS_DATES:
        return body
    calendar = Calendar.from_ical(body)
    for event in calendar.walk("VEVENT"):
        event.pop("STATUS", None)
        event.add("status", "CANCELLED")
    return calendar.to_ical()
