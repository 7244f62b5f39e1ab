"""Coordinators plan groups in the admin: the list, the form, sessions, and the group's status."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from booking.clock import local_time
from booking.models import Enrollment, Offer, Session, TrainingGroup
from tests.booking.factories import (
    TrainingGroupFactory,
    WaitlistEntryFactory,
    coordinator,
    days_ahead,
    place_in,
    planned_group,
    staff_user,
    trainer_account,
)
from tests.factories import CoursePageFactory, LocationFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(coordinator())
    return client


def sessions_url(group):
    return f"/admin/groepen/{group.pk}/bijeenkomsten/"


# --- the list ------------------------------------------------------------------------------------


def test_group_list_shows_course_location_first_date_places_and_status(admin_client, course, location):
    group = planned_group(course, location=location, days=30)
    place_in(group)
    place_in(group, status="held")
    html = admin_client.get("/admin/groepen/").content.decode()
    assert "Mentaal Fit" in html and "Gezondheidscentrum De Linde, Eindhoven" in html
    assert local_time(days_ahead(30)).strftime("%Y") in html
    assert "8 van 10" in html
    assert "open voor aanmelding" in html


def test_group_list_takes_the_same_number_of_queries_for_more_groups(admin_client, course):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get("/admin/groepen/")
        assert response.status_code == 200
        return len(queries)

    for days in (10, 20):
        place_in(planned_group(course, days=days, hour=10))
    few = count()
    for days in (30, 40, 50, 60, 70):
        group = planned_group(CoursePageFactory(), days=days, hour=14, trainers=[TrainerFactory()])
        place_in(group)
    TrainingGroupFactory(course=course)  # not planned yet
    assert count() == few


def test_group_list_filters_on_course_and_status(admin_client, course):
    other_course = CoursePageFactory(title="Beter slapen")
    mentaal_fit = planned_group(course, days=10)
    beter_slapen = planned_group(other_course, days=12, status=TrainingGroup.Status.PLANNED)
    html = admin_client.get(f"/admin/groepen/?course={other_course.pk}").content.decode()
    assert sessions_url(beter_slapen) in html and sessions_url(mentaal_fit) not in html
    html = admin_client.get("/admin/groepen/?status=open").content.decode()
    assert sessions_url(mentaal_fit) in html and sessions_url(beter_slapen) not in html


# --- the form ------------------------------------------------------------------------------------


def group_form(course, location, *, trainers=(), capacity=10, min_participants=5):
    return {
        "course": course.pk,
        "location": location.pk,
        "trainers": [trainer.pk for trainer in trainers],
        "capacity": capacity,
        "min_participants": min_participants,
        "contribution": "",
        "signup_deadline": "",
        "online_meeting_url": "",
    }


def test_creating_a_group_saves_its_trainers_and_leads_to_planning(admin_client, course, location):
    anouk = TrainerFactory(name="Anouk Bakker")
    response = admin_client.post("/admin/groepen/new/", group_form(course, location, trainers=[anouk], capacity=8))
    group = TrainingGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == sessions_url(group)
    assert list(group.trainers.all()) == [anouk]
    assert group.capacity == 8 and group.status == TrainingGroup.Status.PLANNED


def test_a_trainer_clash_is_refused_with_its_message_and_the_input_is_kept(admin_client, course, location):
    anouk = TrainerFactory(name="Anouk Bakker")
    planned_group(course, trainers=[anouk], days=20)
    other = planned_group(CoursePageFactory(title="Mindfulness"), location=location, days=20)

    response = admin_client.post(
        f"/admin/groepen/edit/{other.pk}/", group_form(other.course, location, trainers=[anouk], capacity=7)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Trainer Anouk Bakker heeft op" in html and "al een bijeenkomst met de groep Mentaal Fit" in html
    assert 'value="7"' in html
    other.refresh_from_db()
    assert other.capacity == 10 and not other.trainers.exists()


def test_more_places_in_an_open_group_go_to_the_waiting_list(admin_client, course, location):
    """Needs the waiting list (booking.waitlist.offer_freed_places)."""
    group = planned_group(course, location=location, days=30, capacity=1)
    place_in(group)
    WaitlistEntryFactory(course=course, participant__email="wacht@example.nl")
    response = admin_client.post(
        f"/admin/groepen/edit/{group.pk}/", group_form(course, location, capacity=2, min_participants=1), follow=True
    )
    assert "1 plaats is aangeboden aan iemand op de wachtlijst." in response.content.decode()
    assert Offer.objects.get().group == group


def test_location_cannot_change_once_sessions_are_planned(admin_client, course, location):
    group = planned_group(course, location=location, days=20)
    response = admin_client.post(f"/admin/groepen/edit/{group.pk}/", group_form(course, LocationFactory()))
    assert "al bijeenkomsten op de oude locatie" in response.content.decode()
    group.refresh_from_db()
    assert group.location == location


def test_groups_cannot_be_deleted(admin_client, course):
    group = planned_group(course, days=14)
    assert admin_client.get(f"/admin/groepen/delete/{group.pk}/").status_code == 404


# --- sessions ------------------------------------------------------------------------------------


def plan_form(first, *, count=5, frequency="weekly", duration=120):
    return {
        "plan-first_date": first.date().isoformat(),
        "plan-start_time": first.strftime("%H:%M"),
        "plan-count": count,
        "plan-frequency": frequency,
        "plan-duration": duration,
        "plan-submit": "1",
    }


def test_plan_form_plans_all_sessions(admin_client, group):
    first = days_ahead(21)
    response = admin_client.post(
        sessions_url(group), plan_form(first, count=4, frequency="biweekly", duration=90), follow=True
    )
    assert "4 bijeenkomsten zijn gepland." in response.content.decode()
    starts = [local_time(s.start) for s in group.sessions.order_by("start")]
    assert [(s - starts[0]).days for s in starts] == [0, 14, 28, 42]
    assert all(s.hour == 19 for s in starts)
    assert all((s.end - s.start).seconds == 90 * 60 for s in group.sessions.all())


def test_plan_form_refuses_a_location_clash_names_it_and_keeps_the_input(admin_client, group, location):
    planned_group(CoursePageFactory(title="Grip op piekeren"), location=location, days=28)
    first = days_ahead(14)

    response = admin_client.post(sessions_url(group), plan_form(first, count=5, duration=100))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Locatie Gezondheidscentrum De Linde, Eindhoven is op" in html
    assert "al bezet door de groep Grip op piekeren" in html
    assert f'value="{first.date().isoformat()}"' in html and 'value="100"' in html
    assert not group.sessions.exists()


def test_plan_form_explains_a_wrong_count_at_the_field(admin_client, group):
    response = admin_client.post(sessions_url(group), plan_form(days_ahead(14), count=0))
    html = response.content.decode()
    assert "Zorg ervoor dat deze waarde minstens 1 is." in html
    assert not group.sessions.exists()


def test_a_single_session_is_added_and_an_end_before_the_start_is_explained(admin_client, group):
    day = days_ahead(10).date().isoformat()
    response = admin_client.post(
        sessions_url(group), {"add-date": day, "add-start_time": "19:00", "add-end_time": "18:00", "add-submit": "1"}
    )
    assert "De eindtijd moet na de begintijd liggen." in response.content.decode()
    assert not group.sessions.exists()

    response = admin_client.post(
        sessions_url(group),
        {"add-date": day, "add-start_time": "19:00", "add-end_time": "21:00", "add-submit": "1"},
        follow=True,
    )
    assert "is toegevoegd" in response.content.decode()
    assert local_time(group.sessions.get().start).hour == 19


def test_moving_a_session_onto_another_groups_time_at_the_location_is_refused(admin_client, course, location):
    group = planned_group(course, location=location, days=14, count=2)
    busy = planned_group(CoursePageFactory(title="Mindfulness"), location=location, days=15, count=1)
    session = group.sessions.order_by("start").first()
    busy_start = local_time(busy.sessions.get().start)
    url = f"/admin/groepen/{group.pk}/bijeenkomsten/{session.pk}/verplaatsen/"
    form = {"date": busy_start.date().isoformat(), "start_time": "19:30", "end_time": "21:00"}

    response = admin_client.post(url, form)

    html = response.content.decode()
    assert "al bezet door de groep Mindfulness" in html and 'value="19:30"' in html
    session.refresh_from_db()
    assert local_time(session.start).date() == local_time(days_ahead(14)).date()

    form["date"] = days_ahead(16).date().isoformat()
    response = admin_client.post(url, form, follow=True)
    assert "is verplaatst naar" in response.content.decode()
    session.refresh_from_db()
    assert local_time(session.start).hour == 19 and local_time(session.start).minute == 30


def test_a_session_is_cancelled_after_confirmation(admin_client, course):
    group = planned_group(course, days=14)
    session = group.sessions.order_by("start").last()
    url = f"/admin/groepen/{group.pk}/bijeenkomsten/{session.pk}/annuleren/"
    assert "Weet u zeker" in admin_client.get(url).content.decode()
    response = admin_client.post(url, follow=True)
    assert "is geannuleerd" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_a_session_of_another_group_is_not_found(admin_client, course):
    group = planned_group(course, days=14)
    other = planned_group(CoursePageFactory(), days=40)
    session = other.sessions.first()
    assert admin_client.get(f"/admin/groepen/{group.pk}/bijeenkomsten/{session.pk}/verplaatsen/").status_code == 404


# --- status --------------------------------------------------------------------------------------


def test_a_group_without_sessions_cannot_open(admin_client, course, location):
    group = TrainingGroupFactory(course=course, location=location, status=TrainingGroup.Status.PLANNED)
    response = admin_client.post(f"/admin/groepen/{group.pk}/openen/", follow=True)
    assert "Plan eerst de bijeenkomsten." in response.content.decode()
    group.refresh_from_db()
    assert group.status == TrainingGroup.Status.PLANNED


def test_opening_a_group_offers_its_places_to_the_waiting_list(admin_client, course, location):
    """Needs the waiting list (booking.waitlist.offer_freed_places)."""
    group = planned_group(course, location=location, days=30, status=TrainingGroup.Status.PLANNED)
    waiting = WaitlistEntryFactory(course=course, participant__email="wacht@example.nl")

    response = admin_client.post(f"/admin/groepen/{group.pk}/openen/", follow=True)

    html = response.content.decode()
    assert "De groep is open voor aanmelding." in html
    assert "1 plaats is aangeboden aan iemand op de wachtlijst." in html
    group.refresh_from_db()
    assert group.status == TrainingGroup.Status.OPEN
    assert Offer.objects.get().entry == waiting


def test_closing_sign_up(admin_client, course):
    group = planned_group(course, days=30)
    response = admin_client.post(f"/admin/groepen/{group.pk}/sluiten/", follow=True)
    assert "De aanmelding voor deze groep is gesloten." in response.content.decode()
    group.refresh_from_db()
    assert group.status == TrainingGroup.Status.CLOSED


def test_status_changes_need_a_post(admin_client, course):
    group = planned_group(course, days=30)
    assert admin_client.get(f"/admin/groepen/{group.pk}/sluiten/").status_code == 405


def test_cancelling_a_group_asks_for_a_reason_then_tells_the_participants(
    admin_client, course, django_capture_on_commit_callbacks
):
    """Needs the organisation's cancellation (booking.selfservice.cancel_group)."""
    group = planned_group(course, days=30)
    enrollment = place_in(group, email="sanne@example.nl")
    url = f"/admin/groepen/{group.pk}/afzeggen/"
    page = admin_client.get(url).content.decode()
    assert "1 deelnemer heeft nu een plaats" in page

    response = admin_client.post(url, {"reason": ""})
    assert "Schrijf de reden op." in response.content.decode()
    assert "Kies waarom de groep niet doorgaat." in response.content.decode()
    group.refresh_from_db()
    assert group.status != TrainingGroup.Status.CANCELLED

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"reason": "Er hebben zich te weinig mensen aangemeld.", "cause": "too_few"}, follow=True
        )

    assert "De groep is afgezegd. 1 deelnemer krijgt een e-mail" in response.content.decode()
    group.refresh_from_db()
    enrollment.refresh_from_db()
    assert group.status == TrainingGroup.Status.CANCELLED
    assert group.get_cancel_cause_display() == "te weinig aanmeldingen" and group.cancelled_at is not None
    assert enrollment.status == Enrollment.Status.CANCELLED
    sent = [m for m in mail.outbox if m.to == ["sanne@example.nl"]]
    assert len(sent) == 1 and "te weinig mensen" in sent[0].body


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/admin/groepen/", "/admin/aanmeldingen/", "/admin/wachtlijst/", "/admin/aanmeldstops/", "/admin/inzage/"],
)
def test_trainers_and_patients_cannot_open_the_planning(client, url):
    _trainer, trainer_user = trainer_account()
    client.force_login(trainer_user)
    # A trainer has no access to the admin at all: to the login, as someone with another account would.
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/account/login/?next={url}")
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_coordinators_have_the_planning_permissions(db):
    user = staff_user(roles.COORDINATORS)
    for perm in [
        "booking.view_traininggroup",
        "booking.change_traininggroup",
        "booking.add_session",
        "booking.view_enrollment",
        "booking.change_waitlistentry",
        "booking.add_registrationstop",
        "booking.view_accesslogentry",
    ]:
        assert user.has_perm(perm), perm
    assert not user.has_perm("booking.change_accesslogentry")
    assert not user.has_perm("booking.delete_traininggroup")
