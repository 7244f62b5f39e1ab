"""The care path in the admin: practices with members, referrals, screenings (logged), questionnaires, responses."""

import pytest
from django.utils import timezone

from booking.models import AccessLogEntry
from carepath.demo import ensure_demo_questionnaire
from carepath.models import Practice, Screening
from tests.booking.factories import coordinator, place_in, planned_group, trainer_account
from tests.carepath.factories import PracticeFactory, ReferralFactory, professional
from tests.factories import CoursePageFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    ilse = coordinator()
    client.force_login(ilse)
    return ilse


def test_the_office_adds_a_practice_with_its_members_and_bad_input_gets_dutch_messages(client, office):
    poh = professional("Marloes", "Smits")
    bad = client.post(
        "/admin/praktijken/new/",
        {
            "name": "De Linde",
            "agb_code": "123",
            "address": "Molenstraat 1",
            "postcode": "5664 AB",
            "town": "Geldrop",
            "letter_email": "geen-adres",
        },
    )
    assert "Een AGB-code heeft 8 cijfers" in text(bad)
    assert "De Linde" in text(bad)
    client.post(
        "/admin/praktijken/new/",
        {
            "name": "De Linde",
            "agb_code": "01012345",
            "address": "Molenstraat 1",
            "postcode": "5664 AB",
            "town": "Geldrop",
            "letter_email": "brieven@delinde.example",
            "members": [poh.pk],
        },
    )
    assert list(Practice.objects.get(agb_code="01012345").members.all()) == [poh]
    export = client.get("/admin/praktijken/?export=csv")
    assert "01012345" in b"".join(export.streaming_content).decode()


def test_referrals_screenings_and_responses_are_listed_and_screenings_logged(client, office, course_index):
    course = CoursePageFactory(parent=course_index, title="Mentaal Fit")
    trainer, user = trainer_account()
    fatma = place_in(planned_group(course, trainers=[trainer]), first_name="Fatma", last_name="Yilmaz")
    referral = ReferralFactory(course=course, practice=PracticeFactory(name="De Linde"))
    Screening.objects.create(enrollment=fatma, called_at=fatma.created_at, called_by=user, outcome="doubt")
    ensure_demo_questionnaire()
    assert referral.display_code in text(client.get("/admin/verwijzingen/"))
    screenings = text(client.get("/admin/screenings/?outcome=doubt"))
    assert "Fatma Yilmaz" in screenings and "Twijfel" in screenings
    assert AccessLogEntry.objects.filter(user=office, participant=fatma.participant).exists()
    assert "Hoe gaat het met u? (demo)" in text(client.get("/admin/vragenlijsten/"))
    assert client.get("/admin/ingevulde-vragenlijsten/").status_code == 200


def test_the_referral_figures_count_every_referral_also_without_sign_up(client, office, course_index):
    course = CoursePageFactory(parent=course_index, title="Mentaal Fit")
    ReferralFactory(course=course)
    ReferralFactory(course=course, opened_at=timezone.now())
    signed = place_in(planned_group(course))
    ReferralFactory(course=course, enrollment=signed)
    page = text(client.get("/admin/verwijzingen/"))
    assert "Verwezen: <strong>3</strong>" in page
    assert "aangemeld of op de wachtlijst: <strong>1</strong>" in page
