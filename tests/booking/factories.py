"""Factories for the booking tests. Pages, trainers and locations come from the suite's own factories."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from booking.models import Enrollment, Participant, TrainingGroup
from tests.factories import CoursePageFactory, LocationFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A fixed "now" for tests that pass `now` to the services: well before the sessions they plan.
NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=AMSTERDAM)


def person(number, **overrides):
    """The form data of one participant, as a sign-up view would pass it on."""
    data = {
        "first_name": "Sanne",
        "last_name": f"de Vries {number}",
        "email": f"deelnemer{number}@example.nl",
        "birth_year": 1985,
        "postcode": "5611ab",
    }
    data.update(overrides)
    return data


class TrainingGroupFactory(DjangoModelFactory):
    course = factory.SubFactory(CoursePageFactory)
    location = factory.SubFactory(LocationFactory)
    status = TrainingGroup.Status.OPEN

    class Meta:
        model = TrainingGroup
        skip_postgeneration_save = True

    @factory.post_generation
    def trainers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.trainers.set(extracted)


class ParticipantFactory(DjangoModelFactory):
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Jansen {n}")
    email = factory.Sequence(lambda n: f"anna{n}@example.nl")
    birth_year = 1979
    postcode = "5611 AB"

    class Meta:
        model = Participant


class EnrollmentFactory(DjangoModelFactory):
    """A place someone already has: confirmed unless told otherwise."""

    group = factory.SubFactory(TrainingGroupFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Enrollment.Status.CONFIRMED
    party = factory.LazyFunction(uuid.uuid4)
    consent_text_version = "2027-01"
    consent_at = NOW
    confirmed_at = factory.LazyAttribute(lambda o: NOW if o.status == Enrollment.Status.CONFIRMED else None)
    hold_expires_at = factory.LazyAttribute(
        lambda o: NOW + datetime.timedelta(minutes=15) if o.status == Enrollment.Status.HELD else None
    )

    class Meta:
        model = Enrollment
