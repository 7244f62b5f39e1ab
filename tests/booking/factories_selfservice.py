"""Helpers for the self-service tests: groups with planned sessions, and reading the emails sent."""

import datetime

from booking.services.links import make_token
from booking.services.planning import plan_sessions
from tests.booking.factories import (
    AMSTERDAM,
    EnrollmentFactory,
    ParticipantFactory,
    TrainingGroupFactory,
)
from tests.factories import LocationFactory

TWO_HOURS = datetime.timedelta(hours=2)


def at(year, month, day, hour=19, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def planned_group(course, location=None, *, first_start, count=3, **fields):
    """An open group with `count` weekly sessions from `first_start`."""
    group = TrainingGroupFactory(course=course, location=location or LocationFactory(), **fields)
    plan_sessions(group, first_start=first_start, count=count, frequency="weekly", duration=TWO_HOURS)
    return group


def place_in(group, *, status="confirmed", **participant_fields):
    """An enrollment in `group` for a new participant."""
    return EnrollmentFactory(group=group, status=status, participant=ParticipantFactory(**participant_fields))


def manage_path(enrollment):
    return f"/mijn-aanmelding/{make_token('enrollment', enrollment.pk)}/"


def emails_to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]
