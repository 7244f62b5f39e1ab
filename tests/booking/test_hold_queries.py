"""A hold takes the group's lock once and reads what it decides on in one query, so sign-ups queue briefly."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Enrollment, TrainingGroup
from booking.services.errors import AlreadyEnrolled, GroupFull
from booking.services.places import (
    _read_for_signup,
    cancel_enrollment,
    confirm_enrollment,
    confirm_party,
    hold_places,
)
from groepswijzer import prepared
from tests.booking.factories import NOW, on_day, person, place_in, planned_group

pytestmark = pytest.mark.django_db

CONSENT = "2027-01"
SIGNUP = {"consent_text_version": CONSENT, "now": NOW}


def _written(queries):
    return [prepared.as_written(query["sql"]).split()[0].upper() for query in queries.captured_queries]


@pytest.mark.parametrize("people", [1, 2])
def test_a_hold_takes_one_lock_one_read_and_one_write_per_person_or_per_table(course, location, people):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    signing_up = [person(number) for number in range(1, people + 1)]
    with CaptureQueriesContext(connection) as queries:
        held = hold_places(group, signing_up, consent_text_version=CONSENT, now=NOW)

    stored = Enrollment.objects.filter(pk__in=[enrollment.pk for enrollment in held]).select_related("participant")
    assert sorted((e.participant.email, e.participant_id) for e in stored) == sorted(
        (e.participant.email, e.participant.pk) for e in held
    )
    assert [enrollment.participant.email for enrollment in held] == [someone["email"] for someone in signing_up]
    statements = _written(queries)
    if connection.vendor == "postgresql":  # a person and their place in one statement
        assert statements.count("WITH") == people and "INSERT" not in statements
    else:  # the people in one statement, their places in another
        assert statements.count("INSERT") == 2
    # The first look before the lock, the lock, and the one read after it.
    assert statements.count("SELECT") <= 3


def test_an_address_with_a_place_is_refused_by_the_read_after_the_lock(course, location):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    hold_places(group, [person(1)], consent_text_version=CONSENT, now=NOW)
    with pytest.raises(AlreadyEnrolled):
        hold_places(group, [person(1)], consent_text_version=CONSENT, now=NOW)


def _count_queries(group, first):
    """Queries of a couple's hold, of its confirmation, and of a confirmation with its email (`confirm_party`)."""
    with CaptureQueriesContext(connection) as hold:
        held = hold_places(group, [person(first), person(first + 1)], **SIGNUP)
    with CaptureQueriesContext(connection) as confirm:
        confirmed = confirm_enrollment(held[0].party, now=NOW)
    assert [e.status for e in confirmed] == ["confirmed", "confirmed"]
    single = hold_places(group, [person(first + 2)], **SIGNUP)
    with CaptureQueriesContext(connection) as confirm_with_email:
        confirm_party(single[0].party, payment="offline", now=NOW)
    return len(hold), len(confirm), len(confirm_with_email)


def test_a_hold_and_its_confirmation_take_as_many_queries_in_a_crowded_group_as_in_an_empty_one(course, location):
    empty = planned_group(course, location, capacity=40, first_start=on_day(14))
    crowded = planned_group(course, capacity=40, first_start=on_day(14), count=8)
    for _ in range(3):  # other groups of the course, with places of their own
        planned_group(course, capacity=20, first_start=on_day(21), taken=5)
    for number in range(12):
        place_in(crowded, status=["confirmed", "held", "cancelled", "expired"][number % 4], email=f"ander{number}@x.nl")

    _count_queries(planned_group(course, capacity=40, first_start=on_day(14)), 201)  # what is kept once per process
    in_empty = _count_queries(empty, 1)

    assert _count_queries(crowded, 101) == in_empty
    hold, confirm, confirm_with_email = in_empty
    # The first look, the lock, the read after it, two inserts (and the savepoint around them, in a test).
    assert hold == 7
    # The lock that finds the sign-up's group, the places, one update (and the savepoint).
    assert confirm == 5
    # The same, and one insert into the outbox.
    assert confirm_with_email == 6


def test_a_cancellation_with_nobody_waiting_asks_once_after_the_commit(
    course, location, django_capture_on_commit_callbacks
):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    held = hold_places(group, [person(1), person(2)], **SIGNUP)
    with CaptureQueriesContext(connection) as cancel, django_capture_on_commit_callbacks(execute=True):
        cancel_enrollment(held[0].party, now=NOW)

    assert set(Enrollment.objects.filter(party=held[0].party).values_list("status", flat=True)) == {"cancelled"}
    # The lock that finds the group, the places, one update (and the savepoint); after the commit,
    # whether anyone waits on the course's list.
    assert len(cancel) == 6


def test_a_confirmation_returns_the_places_as_saved(course, location):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    held = hold_places(group, [person(1), person(2)], **SIGNUP)
    enrollment = held[0]

    confirmed = confirm_enrollment(enrollment, now=NOW)

    assert enrollment.status == "confirmed" and enrollment.confirmed_at == NOW
    assert [e.status for e in confirmed] == ["confirmed"]
    assert Enrollment.objects.get(pk=held[1].pk).status == "held"
    cancelled = cancel_enrollment(held[0].party, now=NOW)
    assert [(e.status, e.cancelled_at) for e in cancelled] == [("cancelled", NOW), ("cancelled", NOW)]
    assert set(Enrollment.objects.filter(party=enrollment.party).values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.parametrize("when", ["open", "deadline passed", "started"])
def test_the_hold_reads_places_and_dates_as_the_listings_do(course, location, when):
    """The hold's one statement counts places and reads dates as `with_places_left` and `with_first_start` do."""
    deadline = {"deadline passed": on_day(-1)}.get(when)
    first_start = on_day(-1) if when == "started" else on_day(14)
    group = planned_group(course, location, capacity=9, first_start=first_start, signup_deadline=deadline)
    for number, status in enumerate(["confirmed", "held", "cancelled", "expired", "confirmed"]):
        place_in(group, status=status, email=f"ander{number}@example.nl")
    Enrollment.objects.filter(status="held").update(hold_expires_at=NOW + datetime.timedelta(minutes=1))
    ran_out = place_in(group, status="held", email="verlopen@example.nl")
    Enrollment.objects.filter(pk=ran_out.pk).update(hold_expires_at=NOW - datetime.timedelta(minutes=1))

    read, already = _read_for_signup(group.pk, NOW, ["ander1@example.nl", "verlopen@example.nl"])
    listed = TrainingGroup.objects.with_places_left(NOW).with_first_start().get(pk=group.pk)

    assert (read.places_left, read.places_taken) == (listed.places_left, listed.places_taken) == (6, 3)
    assert read.first_start == listed.first_start
    assert read.signup_closed_reason(NOW) == listed.signup_closed_reason(NOW)
    assert already == "ander1@example.nl"
    assert _read_for_signup(group.pk, NOW, ["verlopen@example.nl"])[1] is None


def test_a_full_group_says_so_in_one_look_before_the_details_are_checked(course, location):
    group = planned_group(course, location, capacity=1, first_start=on_day(14))
    hold_places(group, [person(1)], **SIGNUP)

    with CaptureQueriesContext(connection) as queries, pytest.raises(GroupFull):
        hold_places(group, [person(2, postcode="12")], **SIGNUP)  # a wrong postcode, and no place anyway

    assert len(queries) == 1  # the first look, without the lock


def test_an_address_with_a_place_is_refused_at_the_first_look_in_other_letters_too(course, location):
    group = planned_group(course, location, capacity=4, first_start=on_day(14))
    hold_places(group, [person(1, email="Sanne.de.Vries@Example.nl")], **SIGNUP)

    with CaptureQueriesContext(connection) as queries, pytest.raises(AlreadyEnrolled):
        hold_places(group, [person(2, email="  sanne.de.vries@example.NL ")], **SIGNUP)

    assert len(queries) == 1
    assert Enrollment.objects.filter(group=group).count() == 1
