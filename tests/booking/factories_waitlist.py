"""Factories and helpers for the waiting-list tests."""

import datetime

import factory
from factory.django import DjangoModelFactory

from booking.models import PartOfDay, WaitlistEntry
from booking.services.planning import plan_sessions
from tests.booking.factories import (
    AMSTERDAM,
    NOW,
    ParticipantFactory,
    TrainingGroupFactory,
)
from tests.factories import CoursePageFactory


class WaitlistEntryFactory(DjangoModelFactory):
    """Someone waiting, behind everyone made before them."""

    course = factory.SubFactory(CoursePageFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = WaitlistEntry.Status.WAITING
    part_of_day = PartOfDay.ANY
    rank = factory.Sequence(lambda n: 1_000.0 + n)
    consent_text_version = "2027-01"
    consent_at = NOW

    class Meta:
        model = WaitlistEntry
        skip_postgeneration_save = True

    @factory.post_generation
    def preferred_locations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.preferred_locations.set(extracted)

    @factory.post_generation
    def joined(obj, create, extracted, **kwargs):
        # joined_at is set by the database on creation; tests about the monthly check need it in the past.
        when = extracted or NOW
        if create:
            WaitlistEntry.objects.filter(pk=obj.pk).update(joined_at=when)
            obj.joined_at = when


def planned_group(course, location, *, at=datetime.time(19, 0), days_ahead=14, on=None, **fields):
    """An open group with 3 sessions planned, the first `days_ahead` days after NOW (or `on` that day) at `at`."""
    group = TrainingGroupFactory(course=course, location=location, **fields)
    day = on or (NOW + datetime.timedelta(days=days_ahead)).date()
    plan_sessions(group, first_start=datetime.datetime.combine(day, at, tzinfo=AMSTERDAM), count=3)
    group.forget_schedule()
    return group
