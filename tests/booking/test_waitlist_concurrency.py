"""Offers of freed places under concurrency, in real threads with their own database connections.

Transactional tests: each thread sees what the others committed, as separate
web processes and sweeps would.
"""

import datetime
from collections import Counter

import pytest

from booking.models import Enrollment, Offer, TrainingGroup, WaitlistEntry
from booking.services.offers import offer_freed_places
from booking.services.places import cancel_enrollment, hold_places
from booking.waitlist import offers as waitlist_offers
from tests.booking.factories import (
    AMSTERDAM,
    NOW,
    EnrollmentFactory,
    WaitlistEntryFactory,
    on_day,
    person,
    planned_group,
)
from tests.factories import LocationFactory
from tests.helpers import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


def taken(group):
    return TrainingGroup.objects.with_places_left(NOW).values_list("places_taken", flat=True).get(pk=group.pk)


def cancel(enrollment_pk):
    return lambda: cancel_enrollment(Enrollment.objects.get(pk=enrollment_pk), now=NOW)


def offer_places(group_pk):
    return lambda: offer_freed_places(TrainingGroup.objects.get(pk=group_pk), now=NOW)


def sign_up(group_pk, number):
    return lambda: hold_places(
        TrainingGroup.objects.get(pk=group_pk), [person(number)], consent_text_version="2027-01", now=NOW
    )


def test_no_offer_beyond_the_free_places_under_concurrent_cancellations(course, location):
    group = planned_group(
        course,
        location,
        capacity=6,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    places = EnrollmentFactory.create_batch(6, group=group)
    entries = [WaitlistEntryFactory(course=course) for _ in range(10)]
    jobs = [cancel(enrollment.pk) for enrollment in places[:4]]
    jobs += [offer_places(group.pk) for _ in range(6)]
    jobs += [sign_up(group.pk, number) for number in range(2)]

    outcomes = run_together(jobs)

    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert set(kinds) <= {"list", "GroupFull"}, [o for o in outcomes if isinstance(o, Exception)][:3]
    signed_up = sum(1 for outcome in outcomes[-2:] if isinstance(outcome, list))
    offers = Offer.objects.filter(group=group, status=Offer.Status.OPEN)
    # Every freed place went to the list or to a new sign-up, and none twice.
    assert offers.count() + signed_up == 4
    assert taken(group) == group.capacity
    offered = list(offers.order_by("entry__rank").values_list("entry_id", flat=True))
    assert offered == [entry.pk for entry in entries[: len(offered)]]
    assert WaitlistEntry.objects.filter(status="offered").count() == len(offered)


def test_two_groups_offering_at_once_never_offer_one_person_twice(course, location):
    first = planned_group(
        course,
        location,
        capacity=3,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    second = planned_group(
        course,
        LocationFactory(),
        capacity=3,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    entries = [WaitlistEntryFactory(course=course) for _ in range(4)]

    outcomes = run_together([offer_places(first.pk), offer_places(second.pk)] * 4)

    assert all(isinstance(outcome, list) for outcome in outcomes), [o for o in outcomes if isinstance(o, Exception)][:3]
    offers = Offer.objects.filter(status=Offer.Status.OPEN)
    assert offers.count() == 4
    assert sorted(offers.values_list("entry_id", flat=True)) == sorted(entry.pk for entry in entries)
    assert taken(first) + taken(second) == 4 and taken(first) <= 3 and taken(second) <= 3


def test_concurrent_declines_pass_each_place_on_once(course, location):
    group = planned_group(
        course,
        location,
        capacity=3,
        min_participants=1,
        first_start=datetime.datetime.combine(on_day(14).date(), datetime.time(19, 0), tzinfo=AMSTERDAM),
    )
    entries = [WaitlistEntryFactory(course=course) for _ in range(6)]
    first_offers = offer_freed_places(group, now=NOW)
    assert len(first_offers) == 3

    outcomes = run_together(
        [lambda offer=offer: waitlist_offers.decline_offer(offer, now=NOW) for offer in first_offers]
    )

    assert all(isinstance(outcome, Offer) for outcome in outcomes), outcomes
    offers = Offer.objects.filter(group=group, status=Offer.Status.OPEN)
    assert sorted(offers.values_list("entry_id", flat=True)) == [entry.pk for entry in entries[3:]]
    assert taken(group) == 3
