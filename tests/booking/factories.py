"""Factories and helpers for the booking tests; pages, trainers and locations come from tests.factories.

Time: `NOW` is a fixed moment some months after the day the suite runs (a Monday at noon on the
Dutch clock), so tests that pass `now` to the services and tests that go through the views (which
read the real clock) agree, today and in a year. Holds made by the factories expire relative to the
real clock. Build dates from `NOW` (`on_day`) or from today (`days_ahead`), never from a calendar date.
"""

import datetime
import uuid

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import roles
from accounts.permissions import ensure_role_groups
from booking.clock import LOCAL_TZ
from booking.models import Enrollment, Participant, PartOfDay, TrainingGroup, WaitlistEntry
from booking.services.planning import plan_sessions
from courses.models import SuitabilityQuestion
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory, UserFactory

AMSTERDAM = LOCAL_TZ
TWO_HOURS = datetime.timedelta(hours=2)
HOLD = datetime.timedelta(minutes=15)
CONSENT_VERSION = "2027-01"


def _monday_noon_after(days):
    day = timezone.localdate() + datetime.timedelta(days=days)
    day += datetime.timedelta(days=(7 - day.weekday()) % 7)
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=AMSTERDAM)


# A fixed "now" for tests that pass `now` to the services: a Monday at noon, about three months ahead.
NOW = _monday_noon_after(90)


def on_day(days, hour=19, minute=0):
    """A moment `days` after NOW's date at `hour` on the Dutch clock (negative: before)."""
    day = NOW.date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def days_ahead(days, hour=19, minute=0):
    """A moment `days` from today (the real clock) at `hour` on the Dutch clock."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)


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


# --- factories ---------------------------------------------------------------------------------------


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
    """A place someone already has: confirmed unless told otherwise. A hold runs 15 minutes from now."""

    group = factory.SubFactory(TrainingGroupFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Enrollment.Status.CONFIRMED
    party = factory.LazyFunction(uuid.uuid4)
    consent_text_version = CONSENT_VERSION
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(lambda o: o.consent_at if o.status == Enrollment.Status.CONFIRMED else None)
    hold_expires_at = factory.LazyAttribute(
        lambda o: timezone.now() + HOLD if o.status == Enrollment.Status.HELD else None
    )

    class Meta:
        model = Enrollment


class WaitlistEntryFactory(DjangoModelFactory):
    """Someone waiting, behind everyone made before them."""

    course = factory.SubFactory(CoursePageFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = WaitlistEntry.Status.WAITING
    part_of_day = PartOfDay.ANY
    rank = factory.Sequence(lambda n: 1_000.0 + n)
    consent_text_version = CONSENT_VERSION
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


# --- groups, courses and people ----------------------------------------------------------------------


def planned_group(
    course,
    location=None,
    *,
    first_start=None,
    days=21,
    hour=19,
    count=3,
    capacity=10,
    min_participants=1,
    taken=0,
    trainers=(),
    duration=TWO_HOURS,
    **fields,
):
    """A group of `course` with `count` weekly sessions, from `first_start` or `days` from today at `hour`.

    Open unless `status` says otherwise; `taken` places already confirmed.
    """
    group = TrainingGroupFactory(
        course=course,
        location=location or LocationFactory(),
        capacity=capacity,
        min_participants=min_participants,
        trainers=list(trainers),
        **fields,
    )
    start = first_start or days_ahead(days, hour)
    plan_sessions(group, first_start=start, count=count, frequency="weekly", duration=duration)
    group.forget_schedule()
    for _ in range(taken):
        EnrollmentFactory(group=group)
    return group


def place_in(group, *, status="confirmed", **participant_fields):
    """An enrollment in `group` for a new participant."""
    return EnrollmentFactory(group=group, status=status, participant=ParticipantFactory(**participant_fields))


def signup_course(parent, *, questions=True, **kwargs):
    """A live course page with the two suitability questions the sign-up asks."""
    kwargs.setdefault("title", "Mentaal Fit")
    course = CoursePageFactory(parent=parent, **kwargs)
    if questions:
        SuitabilityQuestion.objects.create(
            page=course,
            sort_order=0,
            question="Kunt u bij alle bijeenkomsten zijn?",
            fitting_answer="yes",
            advice="Kies een groep met data die u beter passen, of praat met uw POH-GGZ.",
        )
        SuitabilityQuestion.objects.create(
            page=course,
            sort_order=1,
            question="Heeft u nu zware klachten?",
            fitting_answer="no",
            advice="Praat vandaag nog met uw huisarts of POH-GGZ over hulp die beter past.",
        )
    return course


def staff_user(role, *, mfa=True, **fields):
    """A user in the role's group, with an authenticator app switched on unless `mfa=False`."""
    ensure_role_groups()
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role))
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def coordinator(**fields):
    fields.setdefault("first_name", "Ilse")
    fields.setdefault("last_name", "Verhoeven")
    return staff_user(roles.COORDINATORS, **fields)


def trainer_account(name="Marieke van den Heuvel", **fields):
    """A Trainer with a login in the Trainers group; returns (trainer, user)."""
    user = staff_user(roles.TRAINERS, **fields)
    trainer = TrainerFactory(name=name, user=user)
    return trainer, user
