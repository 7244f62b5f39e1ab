"""A hold takes the group's lock once and reads what it decides on in one query, so sign-ups queue briefly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.services.errors import AlreadyEnrolled
from booking.services.places import hold_places
from tests.booking.factories import NOW, on_day, person, planned_group

pytestmark = pytest.mark.django_db

CONSENT = "2027-01"


def test_a_couple_is_held_with_one_lock_one_read_and_one_insert_per_table(course, location):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    with CaptureQueriesContext(connection) as queries:
        held = hold_places(group, [person(1), person(2)], consent_text_version=CONSENT, now=NOW)

    assert [enrollment.participant.email for enrollment in held] == [person(1)["email"], person(2)["email"]]
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert statements.count("INSERT") == 2
    # The first look before the lock, the lock, and the one read after it.
    assert statements.count("SELECT") <= 3


def test_an_address_with_a_place_is_refused_by_the_read_after_the_lock(course, location):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    hold_places(group, [person(1)], consent_text_version=CONSENT, now=NOW)
    with pytest.raises(AlreadyEnrolled):
        hold_places(group, [person(1)], consent_text_version=CONSENT, now=NOW)
