"""Courses and groups for the sign-up tests: live pages, and groups with sessions ahead of the real clock.

The sign-up views work with the real time, so groups here start some days from now.
"""

import datetime

from django.utils import timezone

from booking.services.planning import plan_sessions
from courses.models import SuitabilityQuestion
from tests.booking.factories import AMSTERDAM, EnrollmentFactory, TrainingGroupFactory
from tests.factories import CoursePageFactory, LocationFactory


def days_ahead(days, hour=19, minute=0):
    """A moment `days` from today at `hour` on the Dutch clock."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def signup_course(parent, *, questions=True, **kwargs):
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


def planned_group(course, location=None, *, days=21, hour=19, capacity=10, taken=0, status="open", **kwargs):
    """An open group whose 5 weekly sessions start `days` from today; `taken` places already confirmed."""
    location = location or LocationFactory()
    group = TrainingGroupFactory(
        course=course, location=location, capacity=capacity, min_participants=1, status=status, **kwargs
    )
    plan_sessions(group, first_start=days_ahead(days, hour), count=5, frequency="weekly")
    for _ in range(taken):
        EnrollmentFactory(group=group)
    return group
