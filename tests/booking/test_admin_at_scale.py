"""The admin listings at a region's size: filters that list what can be chosen, newest enrollments first."""

import csv
import datetime
import html as html_lib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import AccessLogEntry, Enrollment, TrainingGroup
from booking.staff import enrollments
from booking.staff.enrollments import EnrollmentAdmin, ExportRows
from tests.booking.factories import TrainingGroupFactory, coordinator, place_in, planned_group
from tests.factories import CoursePageFactory, LocationFactory

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


# --- counting up to a limit ------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two rows, counted up to four: what 50 a page and 10,000 do at a region's size."""
    monkeypatch.setattr(enrollments, "COUNT_LIMIT", 4)
    monkeypatch.setattr(EnrollmentAdmin, "list_per_page", 2)


def test_past_the_limit_the_listing_says_more_than_and_offers_the_next_page_not_the_last(
    admin_client, course, location, small_pages
):
    group = planned_group(course, location, days=30)
    for number in range(7):
        place_in(group, first_name=f"Deelnemer{number}", last_name="Test")

    first = page(admin_client, "/admin/aanmeldingen/")
    assert "Meer dan 4 aanmeldingen" in first and "Pagina 1 van meer dan 2" in first
    assert '<span class="result-count">meer dan 4</span>' in first
    assert "?p=2" in first and "?p=4" not in first  # the next page, not a last page that is not known
    assert "Deelnemer6 Test" in first and "Deelnemer5 Test" in first and "Deelnemer4 Test" not in first

    # Asked for a later page, it counts up to that page: here every row, so the last page is known.
    fourth = page(admin_client, "/admin/aanmeldingen/?p=4")
    assert "7 aanmeldingen" in fourth and "Pagina 4 van 4" in fourth
    assert '<span class="result-count">7 van de 7</span>' in fourth
    # Filtered to fewer rows than the limit: that number is exact, the whole listing's is not.
    filtered = page(admin_client, "/admin/aanmeldingen/?q=Deelnemer1")
    assert '<span class="result-count">1 van de meer dan 4</span>' in filtered
    assert "Deelnemer0 Test" in fourth and "Deelnemer1 Test" not in fourth


def test_within_the_limit_the_listing_gives_the_exact_number(admin_client, course, location):
    group = planned_group(course, location, days=30)
    for number in range(3):
        place_in(group, first_name=f"Deelnemer{number}")
    listing = page(admin_client, f"/admin/aanmeldingen/?group={group.pk}")
    assert "3 aanmeldingen" in listing and "Pagina 1 van 1" in listing and "meer dan" not in listing


def test_an_export_counts_every_row_past_the_listings_limit(admin_client, course, location, small_pages):
    group = planned_group(course, location, days=30)
    for number in range(7):
        place_in(group, first_name=f"Deelnemer{number}")
    response = admin_client.get("/admin/aanmeldingen/?export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 7
    assert AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT).where.endswith(", 7 rijen")


def test_the_enrollment_list_takes_the_same_number_of_queries_for_more_rows(admin_client, course, location):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(queries)

    group = planned_group(course, location, days=30)
    place_in(group, last_name="Bakker")
    urls = ["/admin/aanmeldingen/", f"/admin/aanmeldingen/?course={course.pk}", "/admin/aanmeldingen/?q=bakker"]
    few = [count(url) for url in urls]
    for number in range(4):
        other = planned_group(CoursePageFactory(), LocationFactory(), days=40 + number, hour=10)
        place_in(other, last_name="Bakker")
        place_in(planned_group(course, LocationFactory(), days=50 + number, hour=14), last_name="Bakker")
    assert [count(url) for url in urls] == few


# --- the export, chunk by chunk ---------------------------------------------------------------------


def exported(client, url):
    response = client.get(url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row["Kenmerk"] for row in csv.DictReader(io.StringIO(text))]


def test_the_export_in_chunks_has_every_row_once_in_the_listings_order(admin_client, course, location, monkeypatch):
    monkeypatch.setattr(ExportRows, "CHUNK", 2)
    group = planned_group(course, location, days=30)
    places = [place_in(group, first_name=f"Deelnemer{number}") for number in range(7)]
    # Three signed up at the same moment (a couple and a friend): the chunks' boundary must not lose or repeat one.
    same_moment = timezone.now() - datetime.timedelta(hours=1)
    Enrollment.objects.filter(pk__in=[place.pk for place in places[1:4]]).update(created_at=same_moment)
    newest_first = list(Enrollment.objects.order_by("-created_at", "-id").values_list("reference", flat=True))

    assert exported(admin_client, "/admin/aanmeldingen/?export=csv") == newest_first
    # With a filter, and sorted on another column (one query through a cursor): still every row once.
    assert exported(admin_client, f"/admin/aanmeldingen/?course={course.pk}&export=csv") == newest_first
    by_name = exported(admin_client, "/admin/aanmeldingen/?o=1&export=csv")
    assert sorted(by_name) == sorted(newest_first)


# --- the groups listing's place filter --------------------------------------------------------------


def test_the_group_list_filters_on_a_typed_place_and_lists_no_locations(admin_client, course):
    helmond = planned_group(course, LocationFactory(name="Wijkhuis De Braak", town="Helmond"), days=10)
    linde = planned_group(course, LocationFactory(name="Gezondheidscentrum De Linde", town="Eindhoven"), days=12)
    LocationFactory(name="Huisartsenpraktijk Zonder Groepen", town="Venlo")

    everything = page(admin_client, "/admin/groepen/")
    assert "Plaats of locatie" in everything
    assert "Huisartsenpraktijk Zonder Groepen" not in everything  # no list of every location

    by_town = page(admin_client, "/admin/groepen/?place=helmond")
    assert f"/admin/groepen/{helmond.pk}/bijeenkomsten/" in by_town
    assert f"/admin/groepen/{linde.pk}/bijeenkomsten/" not in by_town
    by_name = page(admin_client, "/admin/groepen/?place=de+linde")
    assert f"/admin/groepen/{linde.pk}/bijeenkomsten/" in by_name
    assert f"/admin/groepen/{helmond.pk}/bijeenkomsten/" not in by_name
    nothing = page(admin_client, "/admin/groepen/?place=Maastricht")
    assert f"/admin/groepen/{helmond.pk}/bijeenkomsten/" not in nothing and "Maastricht" in nothing


def test_the_group_list_takes_the_same_queries_and_size_for_more_locations(admin_client, course):
    planned_group(course, LocationFactory(), days=10)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get("/admin/groepen/")
        return len(queries), len(response.content)

    queries, size = measure()
    for _number in range(30):
        LocationFactory()
    more_queries, more_size = measure()
    assert more_queries == queries and more_size < size + 500
