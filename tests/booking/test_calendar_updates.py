"""Calendar files that change with the plan: a moved or cancelled session, a cancelled place, the trainer's feed.

Every file is parsed with the icalendar package and then put into a small
agenda that behaves as calendar programs do (RFC 5546): a known UID with a
higher SEQUENCE replaces the event, METHOD:CANCEL removes it, a lower
SEQUENCE changes nothing.
"""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from booking.clock import LOCAL_TZ
from booking.models import OutgoingEmail, Session
from booking.selfservice.cancellation import cancel_by_participant
from booking.services import calendars, links
from booking.services.links import manage_path
from booking.services.notifications import deliver
from booking.services.places import hold_places
from booking.services.planning import cancel_session, move_session
from booking.staff.actions import cancel_group
from tests.booking.factories import person, place_in, planned_group
from tests.factories import LocationFactory, TrainerFactory
from tests.helpers import emails_to

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TWO_HOURS = datetime.timedelta(hours=2)


def evening(days_from_now):
    day = timezone.localdate() + datetime.timedelta(days=days_from_now)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))


class Agenda:
    """A participant's calendar program: what it shows after importing files one after another."""

    def __init__(self):
        self.events = {}

    def take(self, body):
        calendar = Calendar.from_ical(body)
        method = str(calendar.get("method", "PUBLISH"))
        for event in calendar.walk("VEVENT"):
            uid, sequence = str(event["uid"]), int(event.get("sequence", 0))
            known = self.events.get(uid)
            if known is not None and sequence < known["sequence"]:
                continue  # an older version than the one we have
            if method == "CANCEL" or str(event.get("status")) == "CANCELLED":
                self.events.pop(uid, None)
            else:
                self.events[uid] = {"sequence": sequence, "start": event.decoded("dtstart")}

    def starts(self):
        return sorted(event["start"] for event in self.events.values())


def ics_of(message):
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    return attachment


def vevents(body):
    return Calendar.from_ical(body).walk("VEVENT")


@pytest.fixture
def linde(db):
    return LocationFactory(
        name="Gezondheidscentrum De Linde", address="Lindelaan 4", postcode="5611 AB", town="Eindhoven"
    )


@pytest.fixture
def soon(course, linde):
    return planned_group(course, linde, first_start=evening(30))


@pytest.fixture
def fleur(soon):
    return place_in(soon, first_name="Fleur", last_name="van den Berg", email="fleur@example.nl")


def first_file(enrollment):
    return calendars.enrollment_calendar(enrollment, manage_url=links.manage_url(enrollment)).body


# --- the file itself -----------------------------------------------------------------------------


def test_a_calendar_file_is_on_the_dutch_clock_with_its_timezone(fleur, soon):
    calendar = Calendar.from_ical(first_file(fleur))

    (timezone_component,) = calendar.walk("VTIMEZONE")
    assert str(timezone_component["tzid"]) == "Europe/Amsterdam"
    first = vevents(first_file(fleur))[0]
    assert first["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert first.decoded("dtstart").strftime("%H:%M") == "19:00"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(first["organizer"]).startswith("mailto:")
    assert "attendee" not in first  # a published file names no attendees (RFC 5546)


def test_summer_and_winter_time_both_stay_at_seven_in_the_evening(course, linde):
    # Weekly from mid October: the clocks go back in between.
    october = datetime.datetime(timezone.localdate().year + 1, 10, 15, 19, 0)
    group = planned_group(course, linde, first_start=october.replace(tzinfo=LOCAL_TZ), count=4)
    enrollment = place_in(group)
    hours = {event.decoded("dtstart").strftime("%H:%M") for event in vevents(first_file(enrollment))}
    assert hours == {"19:00"}


def test_two_enrollments_of_one_person_in_one_group_never_share_a_uid(soon):
    first = place_in(soon, first_name="Fleur", email="fleur@example.nl")
    cancel_by_participant(first)
    again = place_in(soon, first_name="Fleur", email="fleur@example.nl")

    before = {str(event["uid"]) for event in vevents(first_file(first))}
    after = {str(event["uid"]) for event in vevents(first_file(again))}
    assert len(before) == len(after) == 3
    assert not before & after


def test_the_trainer_feed_has_uids_of_its_own(course, linde):
    trainer = TrainerFactory(name="Anouk Bakker")
    group = planned_group(course, linde, first_start=evening(30), trainers=[trainer])
    enrollment = place_in(group)

    feed = {str(event["uid"]) for event in vevents(calendars.trainer_calendar(trainer).body)}
    participant = {str(event["uid"]) for event in vevents(first_file(enrollment))}
    assert len(feed) == 3 and not feed & participant
    assert feed == {str(e["uid"]) for e in vevents(calendars.trainer_calendar(trainer).body)}  # stable


def test_the_trainer_feed_raises_the_sequence_of_a_moved_session(course, linde):
    trainer = TrainerFactory(name="Anouk Bakker")
    group = planned_group(course, linde, first_start=evening(30), trainers=[trainer])
    agenda = Agenda()
    agenda.take(calendars.trainer_calendar(trainer).body)
    session = Session.objects.filter(group=group).order_by("start").last()
    new_start = session.start + DAY

    move_session(session, new_start, new_start + TWO_HOURS)
    agenda.take(calendars.trainer_calendar(trainer).body)

    assert len(agenda.events) == 3
    assert agenda.starts()[-1] == new_start


# --- moving and cancelling a session -------------------------------------------------------------


def test_a_moved_session_reaches_each_confirmed_participant_once_as_a_changed_event(
    soon, fleur, mailoutbox, django_capture_on_commit_callbacks
):
    bram = place_in(soon, first_name="Bram", email="bram@example.nl")
    (held,) = hold_places(soon, [person(7)], consent_text_version="2027-01")
    agenda = Agenda()
    agenda.take(first_file(fleur))
    session = Session.objects.filter(group=soon).order_by("start")[1]
    old_start = session.start
    new_start = session.start + DAY + datetime.timedelta(hours=-1)

    with django_capture_on_commit_callbacks(execute=True):
        move_session(session, new_start, new_start + TWO_HOURS)

    assert sorted(m.to[0] for m in mailoutbox) == ["bram@example.nl", "fleur@example.nl"]
    assert emails_to(mailoutbox, held.participant.email) == []  # a hold has no dates in an agenda yet
    (message,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "is verplaatst" in message.subject
    assert "om 19:00 uur is verplaatst" in message.body and "18:00 - 20:00 uur" in message.body

    filename, body, mimetype = ics_of(message)
    assert mimetype == "text/calendar; method=PUBLISH"
    (event,) = vevents(body)
    assert str(event["uid"]) in {str(e["uid"]) for e in vevents(first_file(fleur))}
    assert str(event["uid"]) not in {str(e["uid"]) for e in vevents(first_file(bram))}
    assert int(event["sequence"]) == 1

    agenda.take(body)
    assert len(agenda.events) == 3  # changed, not added
    assert new_start in agenda.starts() and old_start not in agenda.starts()

    # Sending again (a retry of the task) sends nothing more; a second move is a second email.
    for row in OutgoingEmail.objects.filter(kind="session_moved"):
        assert deliver(row.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        move_session(session, new_start + DAY, new_start + DAY + TWO_HOURS)
    moves = emails_to(mailoutbox, "fleur@example.nl")
    assert len(moves) == 2
    (second,) = vevents(ics_of(moves[1])[1])
    assert int(second["sequence"]) > int(event["sequence"])


def test_a_cancelled_session_sends_a_calendar_cancellation(soon, fleur, mailoutbox, django_capture_on_commit_callbacks):
    agenda = Agenda()
    agenda.take(first_file(fleur))
    session = Session.objects.filter(group=soon).order_by("start")[2]

    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session)
        cancel_session(session)

    (message,) = emails_to(mailoutbox, "fleur@example.nl")  # cancelled twice, told once
    assert "gaat niet door" in message.subject
    filename, body, mimetype = ics_of(message)
    assert mimetype == "text/calendar; method=CANCEL"
    calendar = Calendar.from_ical(body)
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert str(event["attendee"]) == "mailto:fleur@example.nl"
    assert int(event["sequence"]) == 1

    agenda.take(body)
    assert len(agenda.events) == 2 and session.start not in agenda.starts()


def test_the_download_after_a_move_carries_the_new_time_under_the_same_uid(client, soon, fleur):
    before = {str(e["uid"]): e for e in vevents(client.get(manage_path(fleur) + "agenda.ics").content)}
    session = Session.objects.filter(group=soon).order_by("start")[0]
    new_start = session.start + DAY
    move_session(session, new_start, new_start + TWO_HOURS)

    after = {str(e["uid"]): e for e in vevents(client.get(manage_path(fleur) + "agenda.ics").content)}
    assert after.keys() == before.keys()
    changed = [uid for uid in after if int(after[uid]["sequence"]) > int(before[uid]["sequence"])]
    assert len(changed) == 1
    assert after[changed[0]].decoded("dtstart") == new_start


# --- a cancelled place ---------------------------------------------------------------------------


def test_cancelling_a_place_sends_a_cancellation_of_every_date(
    soon, fleur, mailoutbox, django_capture_on_commit_callbacks
):
    agenda = Agenda()
    agenda.take(first_file(fleur))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_participant(fleur)

    (message,) = emails_to(mailoutbox, "fleur@example.nl")
    assert "In de bijlage staat de afzegging voor uw agenda" in message.body
    filename, body, mimetype = ics_of(message)
    assert mimetype == "text/calendar; method=CANCEL"
    assert {str(e["status"]) for e in vevents(body)} == {"CANCELLED"}
    agenda.take(body)
    assert agenda.events == {}


def test_a_hold_given_up_gets_no_calendar_file(soon, mailoutbox, django_capture_on_commit_callbacks):
    (held,) = hold_places(soon, [person(3)], consent_text_version="2027-01")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_participant(held)
    (message,) = emails_to(mailoutbox, held.participant.email)
    assert not [a for a in message.attachments if a[0].endswith(".ics")]
    assert "afzegging voor uw agenda" not in message.body


def test_a_cancelled_group_sends_one_email_each_with_the_cancellation_of_every_date(
    soon, fleur, mailoutbox, django_capture_on_commit_callbacks
):
    agenda = Agenda()
    agenda.take(first_file(fleur))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_group(soon, reason="Te weinig aanmeldingen.")

    (message,) = emails_to(mailoutbox, "fleur@example.nl")  # no email per session
    assert "gaat niet door" in message.subject
    agenda.take(ics_of(message)[1])
    assert agenda.events == {}
