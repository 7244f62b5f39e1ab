"""Calendar files (iCalendar): a participant's dates, the changes to them, and a personal feed per trainer.

How a calendar recognises a date it already has:

* UID. A participant's event is tied to their enrollment and the session
  (``aanmelding-<enrollment>-bijeenkomst-<session>@<host>``), so two
  enrollments of one person in one group never collide. A trainer's feed has
  UIDs of its own (``bijeenkomst-<session>@<host>``).
* SEQUENCE. The session's `revision`: every move or cancellation raises it
  (``services.planning``), so a calendar that imports the newer file updates
  the event it has instead of adding a second one. When the enrollment no
  longer keeps its dates (cancelled, expired), one more.
* METHOD. ``PUBLISH`` for dates that stand; ``CANCEL`` when they are gone (a
  cancelled session, a cancelled enrollment), with the participant as
  ATTENDEE, as RFC 5546 asks of a cancellation. Both carry the organisation
  as ORGANIZER.

Times are written on the Dutch clock (``TZID=Europe/Amsterdam``) with the
VTIMEZONE that describes it, so a group at 19:00 is at 19:00 in every
calendar, also after the clocks change.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from home.organisation import OrganisationSettings

from ..clock import local_time
from ..models import Enrollment, Session

PRODID = "-//Groepswijzer//Groepstrainingen//NL"
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarFile:
    """An .ics file and its iTIP method (PUBLISH or CANCEL)."""

    body: bytes
    method: str

    @property
    def content_type(self):
        return f"text/calendar; method={self.method}; charset=utf-8"

    def attachment(self, filename):
        """(filename, content, mimetype) for ``notifications.Email(attachments=...)``."""
        return (filename, self.body, f"text/calendar; method={self.method}")


def _host():
    return settings.WAGTAILADMIN_BASE_URL.split("//")[-1].split("/")[0].split(":")[0] or "groepswijzer"


def session_uid(session):
    """The UID of a session in a trainer's feed."""
    return f"bijeenkomst-{session.pk}@{_host()}"


def enrollment_uid(enrollment, session):
    """The UID of a session in a participant's files: theirs alone, the same in every file they get."""
    return f"aanmelding-{enrollment.pk}-bijeenkomst-{session.pk}@{_host()}"


def _organizer():
    organisation = OrganisationSettings.load()
    address = organisation.email or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(organisation.name)
    return organizer


def _calendar(name, method, events):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    starts = [event.decoded("dtstart") for event in events]
    if starts:
        # The clock's rules for the years the dates fall in, and no more.
        first = min(starts).date() - datetime.timedelta(days=366)
        last = max(starts).date() + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def _location_text(location):
    if location.is_online:
        return "Online"
    town = f"{location.postcode} {location.town}".strip()
    return ", ".join(part for part in (location.name, location.address, town) if part)


def _event(session, *, uid, sequence, cancelled, organizer, description="", url="", attendee=None):
    group = session.group
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", local_time(session.start))
    event.add("dtend", local_time(session.end))
    event.add("summary", f"{group.course.title} ({session.sequence}/{group.session_count_for_feed})")
    event.add("location", _location_text(group.location))
    event.add("organizer", organizer)
    if attendee:
        event.add("attendee", attendee)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _sessions(groups):
    sessions = list(
        Session.objects.filter(group__in=groups)
        .select_related("group__course", "group__location")
        .order_by("start", "pk")
    )
    counts = {}
    for session in sessions:
        if session.status == Session.Status.SCHEDULED:
            counts[session.group_id] = counts.get(session.group_id, 0) + 1
    for session in sessions:
        session.group.session_count_for_feed = counts.get(session.group_id, 0)
    return sessions


def _participant_events(enrollment, sessions, *, manage_url, gone, method):
    """The enrollment's VEVENTs for `sessions`; `gone`: the place no longer keeps its dates.

    A cancellation names the participant as ATTENDEE; a published file never
    does (RFC 5546).
    """
    description = _("Kenmerk: %(reference)s") % {"reference": enrollment.reference}
    if manage_url:
        description += "\n" + _("Uw aanmelding bekijken of afmelden: %(url)s") % {"url": manage_url}
    organizer = _organizer()
    attendee = None
    if method == CANCEL:
        attendee = vCalAddress(f"mailto:{enrollment.participant.email}")
        attendee.params["cn"] = vText(enrollment.participant.first_name)
    events = []
    for session in sessions:
        cancelled = gone or session.status == Session.Status.CANCELLED
        events.append(
            _event(
                session,
                uid=enrollment_uid(enrollment, session),
                sequence=session.revision + (1 if gone else 0),
                cancelled=cancelled,
                organizer=organizer,
                description=description,
                url=manage_url,
                attendee=attendee,
            )
        )
    return events


def enrollment_calendar(enrollment, *, manage_url="", now=None):
    """Every session of the enrollment's group, as the participant should have them at `now`.

    While the place keeps its dates (held, confirmed, completed) the file
    publishes them, cancelled sessions marked cancelled. Once the place is
    gone it is a cancellation (METHOD:CANCEL) of every date, one SEQUENCE
    higher, so the dates leave the participant's agenda.
    """
    gone = enrollment.state_at(now or timezone.now()) not in Enrollment.KEEPS_DATES
    method = CANCEL if gone else PUBLISH
    sessions = _sessions([enrollment.group])
    events = _participant_events(enrollment, sessions, manage_url=manage_url, gone=gone, method=method)
    return CalendarFile(_calendar(enrollment.group.course.title, method, events), method)


def session_change_calendar(enrollment, session, *, manage_url=""):
    """One changed session for one participant: its new time (PUBLISH), or its cancellation (CANCEL).

    The same UID as in every earlier file of this enrollment, and the
    session's new revision as SEQUENCE.
    """
    (session,) = [each for each in _sessions([session.group]) if each.pk == session.pk]
    method = CANCEL if session.status == Session.Status.CANCELLED else PUBLISH
    events = _participant_events(enrollment, [session], manage_url=manage_url, gone=False, method=method)
    return CalendarFile(_calendar(session.group.course.title, method, events), method)


def moved_calendars(enrollment, from_group, *, manage_url=""):
    """The files after a move to another group: the old group's dates cancelled, the new group's published.

    Two files, because a file has one METHOD: a CANCEL with the UIDs the
    participant's agenda already holds for the old group (one SEQUENCE
    higher), so those dates leave it, and a PUBLISH of the new group's dates.
    """
    old_sessions = _sessions([from_group])
    cancelled = _participant_events(enrollment, old_sessions, manage_url=manage_url, gone=True, method=CANCEL)
    return [
        CalendarFile(_calendar(from_group.course.title, CANCEL, cancelled), CANCEL),
        enrollment_calendar(enrollment, manage_url=manage_url),
    ]


def appointment_calendar(
    *, name, uid_stem, summary, start, end, location=None, description="", url="", cancelled=False, attendee=None
):
    """One appointment that is not a session (a training day for professionals): PUBLISH, or CANCEL when gone.

    `uid_stem` names the appointment for its owner alone (the host is added);
    a cancellation is one SEQUENCE higher and names `attendee` (email, name).
    `location` None: online.
    """
    method = CANCEL if cancelled else PUBLISH
    event = Event()
    event.add("uid", f"{uid_stem}@{_host()}")
    event.add("sequence", 1 if cancelled else 0)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", local_time(start))
    event.add("dtend", local_time(end))
    event.add("summary", summary)
    event.add("location", _location_text(location) if location is not None else "Online")
    event.add("organizer", _organizer())
    if cancelled and attendee:
        address = vCalAddress(f"mailto:{attendee[0]}")
        address.params["cn"] = vText(attendee[1])
        event.add("attendee", address)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return CalendarFile(_calendar(name, method, [event]), method)


def trainer_calendar(trainer):
    """A trainer's personal feed: the sessions of every group they lead that is not cancelled."""
    groups = trainer.groups.exclude(status="cancelled")
    organizer = _organizer()
    events = [
        _event(
            session,
            uid=session_uid(session),
            sequence=session.revision,
            cancelled=session.status == Session.Status.CANCELLED,
            organizer=organizer,
        )
        for session in _sessions(groups)
    ]
    return CalendarFile(_calendar(_("Groepen van %(name)s") % {"name": trainer.name}, PUBLISH, events), PUBLISH)
