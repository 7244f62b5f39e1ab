"""Telephone screening before the start: the "to call" list, the outcomes, a kind end when the group does not fit."""

import pytest
from django.urls import reverse

from booking.models import AccessLogEntry, Enrollment, Offer
from carepath.models import Screening
from tests.booking.factories import (
    WaitlistEntryFactory,
    coordinator,
    place_in,
    planned_group,
    signup_course,
    trainer_account,
)
from tests.carepath.factories import ReferralFactory, professional
from tests.factories import CoursePageFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_and_user():
    return trainer_account("Anouk Bakker")


@pytest.fixture
def group(course_index, trainer_and_user):
    course = signup_course(course_index, title="Mentaal Fit")
    return planned_group(course, capacity=2, count=5, trainers=[trainer_and_user[0]])


@pytest.fixture
def people(group):
    first = place_in(group, first_name="Fatma", last_name="Yilmaz", phone="06-12345678")
    second = place_in(group, first_name="Kees", last_name="de Boer", phone="040-1234567")
    return first, second


def to_call_url(group):
    return reverse("carepath:to_call", kwargs={"group_id": group.pk})


def screen_url(group, enrollment):
    return reverse("carepath:screen", kwargs={"group_id": group.pk, "enrollment_id": enrollment.pk})


def test_trainer_sees_who_to_call_with_phone_and_referrer_note(client, group, people, trainer_and_user):
    fatma, kees = people
    poh = professional("Marloes", "Smits")
    ReferralFactory(referrer=poh, course=group.course, enrollment=fatma, note="Liever 's avonds bellen.")
    client.force_login(trainer_and_user[1])
    page = text(client.get(to_call_url(group)))
    assert "Nog 2 deelnemers te bellen." in page
    assert "06-12345678" in page and "040-1234567" in page
    assert "Marloes Smits" in page
    assert "Liever &#x27;s avonds bellen." in page
    assert AccessLogEntry.objects.filter(user=trainer_and_user[1], participant=fatma.participant).exists()


def test_suitable_and_doubt_are_recorded_and_shown(client, group, people, trainer_and_user):
    fatma, kees = people
    client.force_login(trainer_and_user[1])
    client.post(screen_url(group, fatma), {"outcome": "suitable", "note": "Heeft er zin in."})
    response = client.post(screen_url(group, kees), {"outcome": "doubt"}, follow=True)
    page = text(response)
    assert "Het gesprek met Kees de Boer is opgeslagen." in page
    assert "Past in de groep" in page
    assert "Twijfel: overleggen met de verwijzer" in page
    assert "Nog 0 deelnemers te bellen." in page
    assert Screening.objects.get(enrollment=fatma).called_by == trainer_and_user[1]


def test_not_suitable_ends_the_place_kindly_and_offers_it_to_the_waiting_list(
    client, group, people, trainer_and_user, mailoutbox, django_capture_on_commit_callbacks
):
    fatma, _kees = people
    waiting = WaitlistEntryFactory(course=group.course)
    other = CoursePageFactory(parent=group.course.get_parent(), title="Mindfulness")
    client.force_login(trainer_and_user[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            screen_url(group, fatma),
            {"outcome": "not_suitable", "alternatives": ["gp", "ehealth"], "alternative_courses": [other.pk]},
        )
    assert response["Location"] == to_call_url(group)
    fatma.refresh_from_db()
    assert fatma.status == Enrollment.Status.CANCELLED
    assert Offer.objects.filter(entry=waiting, group=group).exists()
    kind = next(m for m in mailoutbox if "andere mogelijkheden" in m.subject)
    assert kind.to == [fatma.participant.email]
    assert "Een gesprek met de eigen huisarts of POH-GGZ over wat beter past" in kind.body
    assert "De training Mindfulness" in kind.body


def test_bad_screening_input_gets_dutch_messages(client, group, people, trainer_and_user):
    fatma, _ = people
    client.force_login(trainer_and_user[1])
    empty = client.post(screen_url(group, fatma), {"note": "n" * 301})
    assert empty.status_code == 400
    assert "Kies de uitkomst van het gesprek." in text(empty)
    assert "Schrijf hooguit 300 tekens" in text(empty)
    without = client.post(screen_url(group, fatma), {"outcome": "not_suitable"})
    assert "Kies minstens één andere mogelijkheid." in text(without)
    fatma.refresh_from_db()
    assert fatma.status == Enrollment.Status.CONFIRMED
    assert not Screening.objects.exists()


def test_another_trainer_or_a_professional_reaches_none_of_it(client, group, people):
    fatma, _ = people
    _other, other_user = trainer_account("Ruud Peters", email="ruud@example.nl")
    client.force_login(other_user)
    assert client.get(to_call_url(group)).status_code == 404
    assert client.get(screen_url(group, fatma)).status_code == 404
    assert client.post(screen_url(group, fatma), {"outcome": "not_suitable", "alternatives": ["gp"]}).status_code == 404
    client.force_login(professional("Ineke", "de Graaf"))
    assert client.get(to_call_url(group)).status_code == 403
    assert not Screening.objects.exists()


def test_the_office_can_call_too(client, group, people):
    client.force_login(coordinator())
    assert "Yilmaz" in text(client.get(to_call_url(group)))


def test_the_admin_home_lists_the_calls_to_make_before_groups_start(client, course_index, trainer_and_user):
    course = signup_course(course_index, title="Mindfulness")
    soon = planned_group(course, days=10, capacity=4, trainers=[trainer_and_user[0]])
    later = planned_group(course, days=60, capacity=4)
    first = place_in(soon, first_name="Fatma", last_name="Yilmaz", phone="06-12345678")
    place_in(soon, first_name="Kees", last_name="de Boer", phone="040-1234567")
    place_in(later, first_name="Joëlle", last_name="van der Meer", phone="06-87654321")
    office = coordinator()
    client.force_login(office)

    home = text(client.get("/admin/"))
    assert "Te bellen voor de start" in home
    assert "deelnemers van groepen die binnenkort beginnen zijn nog niet gebeld" in home
    assert to_call_url(soon) in home and "2 te bellen" in home
    assert to_call_url(later) not in home  # weeks away: not today's work yet
    assert "Yilmaz" not in home and "06-12345678" not in home  # no participant's data on the home page

    client.post(screen_url(soon, first), {"outcome": "suitable", "note": ""})
    assert Screening.objects.filter(enrollment=first).exists()
    assert "1 te bellen" in text(client.get("/admin/"))
