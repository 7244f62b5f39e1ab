"""The admin listings at a region's size: filters that list what can be chosen, newest enrollments first."""

import datetime
import html as html_lib

import pytest
from django.utils import timezone

from booking.models import Enrollment, TrainingGroup
from tests.booking.factories import TrainingGroupFactory, coordinator, place_in, planned_group
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(coordinator(email="ilse@example.nl"))
    return client


def page(client, url):
    return html_lib.unescape(client.get(url).content.decode())


def test_the_group_filter_offers_the_chosen_trainings_coming_groups_not_every_group(admin_client, course):
    coming = planned_group(course, LocationFactory(name="De Peel", town="Deurne"), days=30)
    ended = TrainingGroupFactory(
        course=course, location=LocationFactory(name="Het Spoor", town="Tilburg"), status=TrainingGroup.Status.COMPLETED
    )
    place_in(ended, first_name="Sanne", last_name="Bakker")
    ended_label = f"{course.title}, Tilburg, nog geen datum"

    everything = page(admin_client, "/admin/aanmeldingen/")
    assert str(coming) not in everything and "De Peel, Deurne" not in everything
    of_the_course = page(admin_client, f"/admin/aanmeldingen/?course={course.pk}")
    assert str(coming) in of_the_course and "De Peel, Deurne" in of_the_course
    assert ended_label not in of_the_course and "Het Spoor, Tilburg" not in of_the_course

    chosen = page(admin_client, f"/admin/aanmeldingen/?group={ended.pk}")
    assert ended_label in chosen
    assert "Sanne Bakker" in chosen


def test_the_enrollment_list_shows_the_newest_sign_up_first(admin_client, course, location):
    group = planned_group(course, location, days=30)
    older = place_in(group, first_name="Older", last_name="Aanmelding")
    newer = place_in(group, first_name="Newer", last_name="Aanmelding")
    Enrollment.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    Enrollment.objects.filter(pk=newer.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))

    listing = page(admin_client, "/admin/aanmeldingen/")
    assert listing.index("Newer Aanmelding") < listing.index("Older Aanmelding")
