"""A group: defaults from its course, what it costs, and a status that is never out of date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking.models import Enrollment, SignupClosedReason, TrainingGroup
from booking.services import planning
from booking.services.places import cancel_enrollment
from booking.services.planning import plan_sessions
from tests.booking.factories import AMSTERDAM, NOW, EnrollmentFactory, TrainingGroupFactory

pytestmark = pytest.mark.django_db

Display = TrainingGroup.DisplayStatus


def test_group_takes_capacity_and_minimum_from_its_course(group):
    assert (group.capacity, group.min_participants) == (10, 5)


def test_group_may_have_its_own_capacity_and_minimum(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=6, min_participants=3)
    group.refresh_from_db()
    assert (group.capacity, group.min_participants) == (6, 3)


def test_amount_is_the_groups_own_contribution_or_else_the_courses(group):
    assert group.amount == Decimal("35.00")
    group.contribution = Decimal("0.00")  # a free group is a real amount, not "use the course's"
    assert group.amount == Decimal("0.00")


def test_group_reads_as_course_place_and_first_date(group):
    assert str(group) == "Mentaal Fit, Eindhoven, nog geen datum"
    plan_sessions(group, first_start=datetime.datetime(2027, 4, 6, 19, 0, tzinfo=AMSTERDAM), count=2)
    assert str(group) == "Mentaal Fit, Eindhoven, 6 april 2027"


def test_minimum_above_capacity_gets_a_dutch_message(group):
    group.capacity, group.min_participants = 4, 5
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    assert caught.value.message_dict["min_participants"] == [
        "Het minimum aantal deelnemers kan niet groter zijn dan het aantal plaatsen."
    ]


def test_capacity_cannot_drop_below_the_places_already_taken(group):
    EnrollmentFactory.create_batch(3, group=group)
    group.capacity, group.min_participants = 2, 1
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    assert caught.value.message_dict["capacity"][0].startswith("Er zijn al 3 plaatsen bezet.")


def test_full_is_derived_from_enrollments_and_never_stored(course, location):
    group = TrainingGroupFactory(course=course, location=location, capacity=2, min_participants=1)
    first, second = EnrollmentFactory.create_batch(2, group=group)

    assert TrainingGroup.objects.get(pk=group.pk).display_status_at(NOW) == Display.FULL
    assert group.is_full

    cancel_enrollment(second, now=NOW)
    group = TrainingGroup.objects.get(pk=group.pk)
    assert group.display_status_at(NOW) == Display.OPEN
    assert group.status == TrainingGroup.Status.OPEN


def test_open_group_shows_closed_after_its_deadline_and_started_after_its_first_session(group):
    group.signup_deadline = NOW - datetime.timedelta(minutes=1)
    assert group.display_status_at(NOW) == Display.CLOSED

    group.signup_deadline = None
    plan_sessions(group, first_start=NOW - datetime.timedelta(days=1), count=3)
    assert group.display_status_at(NOW) == Display.RUNNING


def test_places_for_many_groups_come_in_one_query(course, location, django_assert_num_queries):
    roomy = TrainingGroupFactory(course=course, location=location)
    full = TrainingGroupFactory(course=course, location=location, capacity=2, min_participants=1)
    half = TrainingGroupFactory(course=course, location=location, capacity=4, min_participants=1)
    EnrollmentFactory.create_batch(2, group=full)
    EnrollmentFactory(group=half)
    EnrollmentFactory(group=half, status="held", hold_expires_at=NOW + datetime.timedelta(minutes=5))
    EnrollmentFactory(group=half, status="held", hold_expires_at=NOW - datetime.timedelta(minutes=5))
    EnrollmentFactory(group=half, status="cancelled")

    with django_assert_num_queries(1):
        groups = (
            TrainingGroup.objects.with_places_left(NOW).with_first_start().filter(pk__in=[roomy.pk, full.pk, half.pk])
        )
        seen = {g.pk: (g.places_left, g.display_status_at(NOW)) for g in groups}

    assert seen == {roomy.pk: (10, Display.OPEN), full.pk: (0, Display.FULL), half.pk: (2, Display.OPEN)}


@pytest.mark.parametrize(
    "status, deadline_in, first_session_in, reason",
    [
        ("open", None, None, None),
        ("open", datetime.timedelta(days=1), datetime.timedelta(days=7), None),
        ("open", -datetime.timedelta(seconds=1), None, SignupClosedReason.DEADLINE_PASSED),
        ("open", None, -datetime.timedelta(hours=1), SignupClosedReason.STARTED),
        ("planned", None, None, SignupClosedReason.NOT_OPEN_YET),
        ("closed", None, None, SignupClosedReason.CLOSED),
        ("running", None, None, SignupClosedReason.STARTED),
        ("completed", None, None, SignupClosedReason.STARTED),
        ("cancelled", None, None, SignupClosedReason.CANCELLED),
    ],
)
def test_open_for_signup_lists_exactly_the_groups_that_take_signups(
    course, location, status, deadline_in, first_session_in, reason
):
    group = TrainingGroupFactory(
        course=course,
        location=location,
        status=status,
        signup_deadline=NOW + deadline_in if deadline_in is not None else None,
    )
    if first_session_in is not None:
        plan_sessions(group, first_start=NOW + first_session_in, count=2)

    assert group.signup_closed_reason(NOW) == reason
    listed = TrainingGroup.objects.open_for_signup(NOW).filter(pk=group.pk).exists()
    assert listed == (reason is None)


def test_groups_start_and_complete_with_time_and_places_complete_with_them(db):
    """Open → running at the first session; running → completed after the last, places completed too."""
    enrollment = EnrollmentFactory(status=Enrollment.Status.CONFIRMED)
    group = enrollment.group
    if not group.sessions.exists():
        planning.plan_sessions(group, first_start=timezone.now() + datetime.timedelta(days=7), count=2)
    TrainingGroup.objects.filter(pk=group.pk).update(status=TrainingGroup.Status.OPEN)
    sessions = list(group.sessions.order_by("start"))
    before = sessions[0].start - datetime.timedelta(minutes=1)

    assert planning.advance_group_statuses(before) == (0, 0)
    assert planning.advance_group_statuses(sessions[0].start) == (1, 0)
    group.refresh_from_db()
    assert group.status == TrainingGroup.Status.RUNNING

    after = sessions[-1].end
    assert planning.advance_group_statuses(after) == (0, 1)
    assert planning.advance_group_statuses(after) == (0, 0)
    group.refresh_from_db()
    enrollment.refresh_from_db()
    assert group.status == TrainingGroup.Status.COMPLETED
    assert enrollment.status == Enrollment.Status.COMPLETED
