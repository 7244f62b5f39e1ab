"""Simultaneous sign-ups, in real threads with their own database connections.

These tests commit for real (no test transaction around them), so each thread
sees what the others committed, as separate web processes would.
"""

import time
from collections import Counter

import pytest
from django.db import connections

from booking.models import Enrollment, Participant, TrainingGroup
from booking.services.availability import places_left
from booking.services.errors import AlreadyEnrolled, GroupFull
from booking.services.places import hold_places
from tests.booking.factories import NOW, EnrollmentFactory, TrainingGroupFactory, person
from tests.helpers import run_together

# Real threads need committed data: these tests are transactional, with the
# Wagtail roots put back after each flush (see tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]

CONSENT = "2027-01"


def sign_up(group_pk, *people):
    def job():
        # Each thread loads the group itself, as its own request would.
        return hold_places(TrainingGroup.objects.get(pk=group_pk), list(people), consent_text_version=CONSENT, now=NOW)

    return job


def taken(group_pk):
    return TrainingGroup.objects.with_places_left(NOW).values_list("places_taken", flat=True).get(pk=group_pk)


def test_last_seat_goes_to_one_of_two_concurrent_bookings(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=3, min_participants=1)
    EnrollmentFactory.create_batch(2, group=group)

    outcomes = run_together([sign_up(group.pk, person(1)), sign_up(group.pk, person(2))])

    assert sorted(type(o).__name__ for o in outcomes) == ["GroupFull", "list"]
    assert places_left(group, NOW) == 0
    assert Enrollment.objects.filter(group=group, status="held").count() == 1


def test_many_concurrent_signups_never_overbook_and_give_out_exactly_the_free_places(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=30, min_participants=5)
    EnrollmentFactory.create_batch(10, group=group)
    free = places_left(group, NOW)
    singles = [sign_up(group.pk, person(n)) for n in range(36)]
    couples = [sign_up(group.pk, person(100 + 2 * n), person(101 + 2 * n)) for n in range(24)]
    jobs = [job for pair in zip(singles, couples, strict=False) for job in pair] + singles[len(couples) :]
    seen = []

    def watch(done):
        # Looks at the group over and over while the sign-ups run: it may never be over capacity.
        try:
            while not done.is_set():
                seen.append(taken(group.pk))
                time.sleep(0.005)
        finally:
            connections.close_all()

    outcomes = run_together(jobs, while_running=watch)

    kinds = Counter(type(o).__name__ for o in outcomes)
    assert set(kinds) <= {"list", "GroupFull"}, [o for o in outcomes if isinstance(o, Exception)][:3]
    given = sum(len(o) for o in outcomes if isinstance(o, list))
    assert given == free == 20
    assert taken(group.pk) == group.capacity
    assert max(seen, default=0) <= group.capacity
    held = Enrollment.objects.filter(group=group, status="held")
    assert held.count() == free
    # A couple is in with two places, or not at all; a refused sign-up left nothing behind.
    assert set(Counter(held.values_list("party", flat=True)).values()) <= {1, 2}
    assert all(len(o) in (1, 2) for o in outcomes if isinstance(o, list))
    assert Participant.objects.count() == 10 + free


def test_a_sign_up_sent_twice_at_once_gets_one_place(group):
    outcomes = run_together([sign_up(group.pk, person(1)) for _ in range(5)])

    assert Counter(type(o) for o in outcomes) == {list: 1, AlreadyEnrolled: 4}
    assert places_left(group, NOW) == group.capacity - 1


def test_full_group_refuses_everyone_at_once(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=2, min_participants=1)
    EnrollmentFactory.create_batch(2, group=group)

    outcomes = run_together([sign_up(group.pk, person(n)) for n in range(10)])

    assert all(isinstance(o, GroupFull) for o in outcomes)
    assert taken(group.pk) == 2
