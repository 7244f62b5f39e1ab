"""The planning calendar: a month or a week per location and per trainer, read from django-scheduler."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts import roles
from booking.models import Location, Session
from booking.services import agenda
from booking.services.planning import add_session, cancel_session, move_session
from tests.booking.factories import coordinator, days_ahead, planned_group, staff_user
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def admin_client(client):
    client.force_login(coordinator())
    return client


@pytest.fixture
def ankerpunt(db):
    return LocationFactory(name="Gezondheidscentrum Het Ankerpunt", town="Helmond")


@pytest.fixture
def marieke(db):
    return TrainerFactory(name="Marieke van den Heuvel")


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def month_of(session):
    return timezone.localtime(session.start).date()


def agenda_path(kind, subject, view, day):
    return f"/admin/agenda/{kind}/{subject.pk}/?weergave={view}&datum={day.isoformat()}"


# --- what it shows -------------------------------------------------------------------------------


def test_the_month_of_a_location_shows_every_session_with_a_link_to_its_group(admin_client, course, ankerpunt, marieke):
    group = planned_group(course, ankerpunt, trainers=[marieke], days=20, count=3)
    first = group.sessions.order_by("start").first()

    response = admin_client.get(agenda_path("locatie", ankerpunt, "maand", month_of(first)))

    assert response.status_code == 200
    text = page_text(response)
    assert "Agenda van Gezondheidscentrum Het Ankerpunt" in text
    shown = [s for s in group.sessions.all() if month_of(s).month == month_of(first).month]
    assert text.count("19:00–21:00 Mentaal Fit") == len(shown)
    assert response.content.decode().count(f'href="/admin/groepen/{group.pk}/bijeenkomsten/"') == len(shown)
    assert "Marieke van den Heuvel" in text


def test_the_week_of_a_trainer_shows_their_groups_at_every_location(admin_client, course, ankerpunt, marieke):
    planned_group(course, ankerpunt, trainers=[marieke], days=14, count=1, hour=10)
    elsewhere = LocationFactory(name="Wijkgebouw De Wissel", town="Deurne")
    planned_group(CoursePageFactory(title="Mindfulness"), location=elsewhere, trainers=[marieke], days=15, count=1)
    planned_group(CoursePageFactory(title="Beter slapen"), elsewhere, days=15, count=1, hour=10)

    day = days_ahead(14).date()
    pages = [agenda_path("trainer", marieke, "week", day), agenda_path("trainer", marieke, "week", day + DAY)]
    text = " ".join(page_text(admin_client.get(path)) for path in pages)

    assert "Mentaal Fit" in text and "Mindfulness" in text and "Deurne" in text
    assert "Beter slapen" not in text  # not her group


def test_a_moved_session_is_shown_at_its_new_time_with_the_time_it_was_planned(course, ankerpunt):
    group = planned_group(course, ankerpunt, days=20, count=2)
    session = group.sessions.order_by("start").first()
    planned = session.start
    move_session(session, planned + 2 * DAY, planned + 2 * DAY + datetime.timedelta(hours=2))

    page = agenda.agenda_page(agenda.location_events(ankerpunt), agenda.WEEK, month_of(session), now=timezone.now())

    (entry,) = [e for e in page.entries if e.session.pk == session.pk]
    assert entry.moved and not entry.cancelled
    assert entry.start == planned + 2 * DAY and entry.planned_start == planned
    assert entry in [e for day in page.days for e in day.entries if day.date == month_of(session)]
    assert page.moved_count == 1


def test_a_session_moved_into_another_month_leaves_its_planned_month(course, ankerpunt):
    group = planned_group(course, ankerpunt, days=20, count=1)
    session = group.sessions.get()
    planned_day = month_of(session)
    move_session(session, session.start + 35 * DAY, session.end + 35 * DAY)
    events = agenda.location_events(ankerpunt)

    old_month = agenda.agenda_page(events, agenda.MONTH, planned_day, now=timezone.now())
    new_month = agenda.agenda_page(events, agenda.MONTH, planned_day + 35 * DAY, now=timezone.now())

    assert old_month.entries == []
    assert [entry.session.pk for entry in new_month.entries] == [session.pk]


def test_a_cancelled_session_is_shown_struck_through_and_counted_apart(admin_client, course, ankerpunt):
    group = planned_group(course, ankerpunt, days=20, count=2)
    first, second = group.sessions.order_by("start")
    cancel_session(second)

    response = admin_client.get(agenda_path("locatie", ankerpunt, "week", month_of(second)))

    text = page_text(response)
    assert "gaat niet door" in text
    assert "agenda-entry--cancelled" in response.content.decode()


def test_a_clash_is_marked_on_both_sessions_with_what_they_share(admin_client, ankerpunt, marieke):
    # Two groups meet online at the same time; then the "online" location turns out to be a real room.
    room = LocationFactory(name="Online", kind=Location.Kind.ONLINE, address="", postcode="", town="")
    fit = planned_group(CoursePageFactory(title="Mentaal Fit"), room, days=20, count=1)
    mind = planned_group(CoursePageFactory(title="Mindfulness"), room, days=20, count=1)
    Location.objects.filter(pk=room.pk).update(kind=Location.Kind.COMMUNITY, name="Wijkgebouw De Wissel")
    # And a trainer added to both groups outside the planning (an import, say).
    fit.trainers.add(marieke)
    mind.trainers.add(marieke)

    day = month_of(fit.sessions.get())
    page = agenda.agenda_page(agenda.location_events(room), agenda.WEEK, day, now=timezone.now())
    assert page.clash_count == 2
    reasons = {entry.group.course.title: [c.reason for c in entry.clashes] for entry in page.entries}
    assert reasons == {
        "Mentaal Fit": ["zelfde locatie", "zelfde trainer: Marieke van den Heuvel"],
        "Mindfulness": ["zelfde locatie", "zelfde trainer: Marieke van den Heuvel"],
    }

    text = page_text(admin_client.get(agenda_path("trainer", marieke, "maand", day)))
    assert "2 bijeenkomsten botsen" in text
    assert "botst met Mindfulness in Wijkgebouw De Wissel" in text


def test_no_clash_between_groups_that_only_share_an_online_location(course):
    online = LocationFactory(name="Online", kind=Location.Kind.ONLINE, address="", postcode="", town="")
    planned_group(course, online, days=20, count=1)
    planned_group(CoursePageFactory(title="Beter slapen"), online, days=20, count=1)

    page = agenda.agenda_page(agenda.location_events(online), agenda.WEEK, days_ahead(20).date(), now=timezone.now())
    assert len(page.entries) == 2 and page.clash_count == 0


# --- moving around -------------------------------------------------------------------------------


def test_the_week_starts_on_monday_and_the_buttons_go_a_week_back_and_forth(ankerpunt):
    wednesday = datetime.date(2027, 4, 7)
    page = agenda.agenda_page(agenda.location_events(ankerpunt), agenda.WEEK, wednesday, now=timezone.now())
    assert (page.first_day, page.last_day) == (datetime.date(2027, 4, 5), datetime.date(2027, 4, 11))
    assert (page.previous, page.next) == (datetime.date(2027, 3, 29), datetime.date(2027, 4, 12))


def test_the_month_has_whole_weeks_and_the_days_outside_it_stay_empty(course, ankerpunt):
    # March 2027 starts on a Monday... and April on a Thursday.
    page = agenda.agenda_page(
        agenda.location_events(ankerpunt), agenda.MONTH, datetime.date(2027, 4, 15), now=timezone.now()
    )
    assert page.days[0].date == datetime.date(2027, 3, 29) and not page.days[0].in_period
    assert all(len(week) == 7 for week in page.weeks)
    assert (page.previous, page.next) == (datetime.date(2027, 3, 1), datetime.date(2027, 5, 1))


def test_a_date_that_is_not_a_date_shows_today_with_a_message(admin_client, ankerpunt):
    response = admin_client.get(f"/admin/agenda/locatie/{ankerpunt.pk}/?weergave=week&datum=31-02-2027")
    assert response.status_code == 200
    assert "Die datum kennen we niet. U ziet nu de agenda van vandaag." in page_text(response)


def test_the_chooser_leads_to_the_chosen_calendar(admin_client, marieke):
    response = admin_client.get(f"/admin/agenda/?agenda=trainer-{marieke.pk}&weergave=week&datum=2027-04-07")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/agenda/trainer/{marieke.pk}/?weergave=week&datum=2027-04-07"


def test_the_index_lists_locations_and_trainers(admin_client, ankerpunt, marieke):
    text = page_text(admin_client.get("/admin/agenda/"))
    assert "Gezondheidscentrum Het Ankerpunt" in text and "Marieke van den Heuvel" in text


def test_only_planning_staff_see_the_calendar(client, ankerpunt):
    client.force_login(staff_user(roles.EDITORS))
    for path in ("/admin/agenda/", f"/admin/agenda/locatie/{ankerpunt.pk}/"):
        response = client.get(path)  # the admin sends them back to its start page, with a message
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert 'href="/admin/agenda/"' not in client.get("/admin/").content.decode()


def test_the_number_of_queries_does_not_grow_with_the_sessions(
    admin_client, course, ankerpunt, marieke, django_assert_max_num_queries
):
    planned_group(course, ankerpunt, trainers=[marieke], days=3, count=3)
    path = agenda_path("locatie", ankerpunt, "maand", days_ahead(3).date())
    admin_client.get(path)  # warm up: the admin's own lookups
    with django_assert_max_num_queries(40) as few:
        admin_client.get(path)
    for number in range(4):
        planned_group(
            CoursePageFactory(title=f"Training {number}"),
            location=ankerpunt,
            days=3,
            count=3,
            hour=8 + 2 * number,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(path)
    assert Session.objects.count() == 15


def test_the_calendar_and_the_sessions_always_tell_the_same_times(course, ankerpunt):
    """One truth: after every kind of change, each occurrence on the scheduler is what its session's columns say."""
    group = planned_group(course, ankerpunt, days=10, count=4)
    first, second, third, fourth = group.sessions.order_by("start")
    move_session(second, second.start + DAY, second.end + DAY)
    move_session(second, second.start + DAY, second.end + DAY)
    cancel_session(third)
    move_session(first, first.start - DAY, first.end)
    add_session(group, days_ahead(60), days_ahead(60) + datetime.timedelta(hours=2))

    seen = {}
    for week in range(10):
        day = days_ahead(7 * week).date()
        page = agenda.agenda_page(agenda.location_events(ankerpunt), agenda.WEEK, day, now=timezone.now())
        for entry in page.entries:
            seen[entry.session.pk] = (entry.start, entry.end, entry.cancelled)
    sessions = {s.pk: (s.start, s.end, s.status == Session.Status.CANCELLED) for s in group.sessions.all()}
    assert seen == sessions
