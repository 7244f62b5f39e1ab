"""Planning sessions: on the Dutch clock, on the location's calendar, and never double-booked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from schedule.models import Calendar, Event

from booking.models import Frequency, Location, Session, TrainingGroup
from booking.services.planning import add_session, cancel_session, move_session, plan_sessions, set_trainers
from tests.booking.factories import AMSTERDAM, TrainingGroupFactory
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory

pytestmark = pytest.mark.django_db

HOURS_2 = datetime.timedelta(hours=2)


def at(year, month, day, hour=19, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def local_starts(group):
    return [s.start.astimezone(AMSTERDAM) for s in Session.objects.filter(group=group, status="scheduled")]


@pytest.fixture
def other_course(db):
    return CoursePageFactory(title="Mindfulness")


def test_weekly_group_stays_at_19_after_dst_ends(group):
    plan_sessions(group, first_start=at(2026, 10, 20), count=3, frequency=Frequency.WEEKLY, duration=HOURS_2)

    starts = local_starts(group)
    assert [s.date() for s in starts] == [
        datetime.date(2026, 10, 20),
        datetime.date(2026, 10, 27),
        datetime.date(2026, 11, 3),
    ]
    assert all(s.time() == datetime.time(19, 0) for s in starts)
    # Summer time on 20 October, winter time from 25 October: the clock says 19:00 both times.
    third = Session.objects.get(group=group, sequence=3)
    assert third.start.astimezone(datetime.UTC).hour == 18
    assert third.event.start == third.start and third.event.end == third.start + HOURS_2


def test_fortnightly_group_stays_at_19_after_dst_starts(group):
    plan_sessions(group, first_start=at(2027, 3, 16), count=2, frequency=Frequency.BIWEEKLY, duration=HOURS_2)
    assert local_starts(group) == [at(2027, 3, 16), at(2027, 3, 30)]


@pytest.mark.parametrize(
    "frequency, days",
    [(Frequency.WEEKLY, 7), (Frequency.BIWEEKLY, 14), (Frequency.THREE_WEEKS, 21), (Frequency.FOUR_WEEKS, 28)],
)
def test_sessions_follow_the_chosen_frequency(group, frequency, days):
    plan_sessions(group, first_start=at(2027, 4, 6), count=3, frequency=frequency, duration=HOURS_2)
    assert local_starts(group) == [at(2027, 4, 6) + datetime.timedelta(days=days * n) for n in range(3)]


def test_plan_takes_count_frequency_and_length_from_the_course(group):
    sessions = plan_sessions(group, first_start=at(2027, 4, 6))
    assert [s.sequence for s in sessions] == [1, 2, 3, 4, 5]
    assert all(s.end - s.start == HOURS_2 for s in sessions)
    assert local_starts(group)[-1] == at(2027, 5, 4)


def test_a_naive_time_is_read_as_dutch_time(group):
    plan_sessions(group, first_start=datetime.datetime(2027, 4, 6, 19, 0), count=1)
    assert local_starts(group) == [at(2027, 4, 6)]


def test_plan_refused_when_location_double_booked_names_the_clash(group, other_course, location):
    other = TrainingGroupFactory(course=other_course, location=location)
    plan_sessions(other, first_start=at(2027, 4, 6), count=5, frequency=Frequency.WEEKLY, duration=HOURS_2)
    events_before = Event.objects.count()

    with pytest.raises(ValidationError) as caught:
        plan_sessions(group, first_start=at(2027, 4, 27, 20, 30), count=3, duration=HOURS_2)

    assert caught.value.messages == [
        "Locatie Gezondheidscentrum De Linde, Eindhoven is op dinsdag 27 april 2027 van 19:00 tot 21:00 "
        "al bezet door de groep Mindfulness, Eindhoven, 6 april 2027.",
        "Locatie Gezondheidscentrum De Linde, Eindhoven is op dinsdag 4 mei 2027 van 19:00 tot 21:00 "
        "al bezet door de groep Mindfulness, Eindhoven, 6 april 2027.",
    ]
    assert not group.sessions.exists()
    assert Event.objects.count() == events_before


def test_plan_refused_when_trainer_double_booked_names_the_clash(group, other_course, trainer):
    elsewhere = LocationFactory(name="Wijkcentrum 't Hofke", town="Helmond", postcode="5701 AA")
    other = TrainingGroupFactory(course=other_course, location=elsewhere, trainers=[trainer])
    plan_sessions(other, first_start=at(2027, 4, 6), count=1, duration=HOURS_2)
    group.trainers.set([trainer, TrainerFactory()])

    with pytest.raises(ValidationError) as caught:
        plan_sessions(group, first_start=at(2027, 4, 6, 18, 0), count=4, duration=HOURS_2)

    assert caught.value.messages == [
        "Trainer Anouk Bakker heeft op dinsdag 6 april 2027 van 19:00 tot 21:00 al een bijeenkomst "
        "met de groep Mindfulness, Helmond, 6 april 2027."
    ]
    assert not group.sessions.exists()


def test_back_to_back_sessions_at_one_location_do_not_clash(group, other_course, location):
    other = TrainingGroupFactory(course=other_course, location=location)
    plan_sessions(other, first_start=at(2027, 4, 6, 17, 0), count=3, duration=HOURS_2)
    assert len(plan_sessions(group, first_start=at(2027, 4, 6, 19, 0), count=3, duration=HOURS_2)) == 3


def test_a_cancelled_group_no_longer_blocks_the_location(group, other_course, location):
    other = TrainingGroupFactory(course=other_course, location=location)
    plan_sessions(other, first_start=at(2027, 4, 6), count=3)
    TrainingGroup.objects.filter(pk=other.pk).update(status=TrainingGroup.Status.CANCELLED)
    assert len(plan_sessions(group, first_start=at(2027, 4, 6), count=3)) == 3


def test_online_groups_may_meet_at_the_same_time(course, other_course):
    online = LocationFactory(name="Online", kind=Location.Kind.ONLINE, address="", postcode="", town="")
    first = TrainingGroupFactory(course=course, location=online)
    second = TrainingGroupFactory(course=other_course, location=online)
    plan_sessions(first, first_start=at(2027, 4, 6), count=2)
    assert len(plan_sessions(second, first_start=at(2027, 4, 6), count=2)) == 2


def test_a_group_is_planned_once_then_session_by_session(group):
    plan_sessions(group, first_start=at(2027, 4, 6), count=2)
    with pytest.raises(ValidationError) as caught:
        plan_sessions(group, first_start=at(2027, 5, 4), count=2)
    assert caught.value.messages[0].startswith("Deze groep heeft al bijeenkomsten.")


def test_sessions_added_one_by_one_are_numbered_in_date_order(group):
    add_session(group, at(2027, 4, 20), at(2027, 4, 20, 21))
    add_session(group, at(2027, 4, 6), at(2027, 4, 6, 21))
    add_session(group, at(2027, 4, 13), at(2027, 4, 13, 21))

    numbered = Session.objects.filter(group=group).order_by("sequence")
    assert [s.start for s in numbered] == [at(2027, 4, 6), at(2027, 4, 13), at(2027, 4, 20)]


def test_add_session_refuses_a_time_when_this_group_already_meets(group):
    add_session(group, at(2027, 4, 6), at(2027, 4, 6, 21))
    with pytest.raises(ValidationError) as caught:
        add_session(group, at(2027, 4, 6, 20), at(2027, 4, 6, 22))
    assert caught.value.messages == ["Deze groep heeft op dinsdag 6 april 2027 van 19:00 tot 21:00 al een bijeenkomst."]


def test_add_session_refuses_an_end_before_the_start(group):
    with pytest.raises(ValidationError) as caught:
        add_session(group, at(2027, 4, 6, 21), at(2027, 4, 6, 19))
    assert caught.value.message_dict["end"] == ["De bijeenkomst moet eindigen na het begin. Controleer de tijden."]


def test_moving_a_session_moves_its_calendar_event_and_renumbers(group):
    first, second, third = plan_sessions(group, first_start=at(2027, 4, 6), count=3)

    moved = move_session(first, at(2027, 4, 28, 10), at(2027, 4, 28, 12))

    assert (moved.event.start, moved.event.end) == (at(2027, 4, 28, 10), at(2027, 4, 28, 12))
    assert moved.sequence == 3
    assert Session.objects.get(pk=second.pk).sequence == 1


def test_a_refused_move_leaves_the_session_where_it_was(group, other_course, location):
    other = TrainingGroupFactory(course=other_course, location=location)
    plan_sessions(other, first_start=at(2027, 4, 7), count=1)
    (session,) = plan_sessions(group, first_start=at(2027, 4, 6), count=1)

    with pytest.raises(ValidationError):
        move_session(session, at(2027, 4, 7, 20), at(2027, 4, 7, 22))

    session.refresh_from_db()
    assert session.start == session.event.start == at(2027, 4, 6)


def test_a_cancelled_session_shows_as_cancelled_and_frees_its_time(group, other_course, location):
    first, second, third = plan_sessions(group, first_start=at(2027, 4, 6), count=3)

    cancel_session(second)
    cancel_session(second)  # a second time changes nothing

    second.refresh_from_db()
    assert second.status == Session.Status.CANCELLED
    (occurrence,) = second.event.get_occurrences(at(2027, 4, 13, 0), at(2027, 4, 14, 0))
    assert occurrence.cancelled
    assert Session.objects.get(pk=third.pk).sequence == 2
    other = TrainingGroupFactory(course=other_course, location=location)
    assert plan_sessions(other, first_start=at(2027, 4, 13), count=1)
    with pytest.raises(ValidationError):
        move_session(second, at(2027, 4, 15), at(2027, 4, 15, 21))


def test_each_location_has_one_calendar_for_all_its_groups(group, other_course, location):
    other = TrainingGroupFactory(course=other_course, location=location)
    (mine,) = plan_sessions(group, first_start=at(2027, 4, 6), count=1)
    (theirs,) = plan_sessions(other, first_start=at(2027, 4, 7), count=1)
    assert mine.event.calendar == theirs.event.calendar == Calendar.objects.get(slug=f"locatie-{location.pk}")


def test_a_trainer_who_is_elsewhere_at_a_session_time_cannot_join_the_group(group, other_course, trainer):
    elsewhere = LocationFactory(town="Helmond", postcode="5701 AA")
    other = TrainingGroupFactory(course=other_course, location=elsewhere, trainers=[trainer])
    plan_sessions(other, first_start=at(2027, 4, 13, 20), count=1)
    plan_sessions(group, first_start=at(2027, 4, 6), count=3)
    free = TrainerFactory()

    with pytest.raises(ValidationError) as caught:
        set_trainers(group, [free, trainer])

    assert "Trainer Anouk Bakker heeft op dinsdag 13 april 2027 van 20:00 tot 22:00" in caught.value.messages[0]
    assert not group.trainers.exists()
    set_trainers(group, [free])
    assert list(group.trainers.all()) == [free]
