"""The public overview "Aanbod en wachttijden": places, stops and the expected wait per training and location."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import RegistrationStop
from booking.waitlist.estimate import expected_wait
from tests.booking.factories import WaitlistEntryFactory, days_ahead, place_in, planned_group, signup_course
from tests.factories import LocationFactory
from tests.helpers import text

URL = "/aanbod-en-wachttijden/"


@pytest.fixture
def course(course_index):
    return signup_course(course_index, title="Mindfulness", questions=False)


@pytest.fixture
def eindhoven():
    return LocationFactory(name="Gezondheidscentrum Woensel", town="Eindhoven", postcode="5621 AB")


@pytest.fixture
def geldrop():
    return LocationFactory(name="Huisartsenpraktijk De Bron", town="Geldrop", postcode="5664 AA")


def at(course, *locations):
    course.locations.add(*locations)
    course.save()


def row_of(page_html, location_name):
    """The text of the overview's row for a location (from its name up to the end of the row)."""
    page_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html))
    match = re.search(re.escape(location_name) + r"(.*?)(?:weken|week|Nog niet bekend)", page_text, re.S)
    assert match, f"no row for {location_name}"
    return match.group(0)


def test_the_overview_shows_each_location_with_its_next_start_places_and_wait(client, course, eindhoven, geldrop):
    at(course, eindhoven, geldrop)
    planned_group(course, eindhoven, first_start=days_ahead(22), capacity=8, taken=3)

    page = text(client.get(URL))

    assert "Aanbod en wachttijden" in page
    row = row_of(page, "Gezondheidscentrum Woensel")
    assert "5" in row.split("Eindhoven")[1]  # places left
    assert "ongeveer 3 weken" in row
    assert "Nog geen groep gepland" in row_of(page, "Huisartsenpraktijk De Bron")
    assert "Zo rekenen we de wachttijd uit" in page


def test_places_left_are_right_on_the_next_request_after_a_sign_up(client, course, eindhoven):
    at(course, eindhoven)
    group = planned_group(course, eindhoven, first_start=days_ahead(15), capacity=2, taken=1)
    assert "Kan nu" in row_of(text(client.get(URL)), "Gezondheidscentrum Woensel")

    place_in(group)

    row = row_of(text(client.get(URL)), "Gezondheidscentrum Woensel")
    assert "Nu geen plaats: wachtlijst" in row


def test_the_wait_is_the_estimate_someone_joining_the_list_now_gets(client, course, eindhoven, geldrop):
    at(course, eindhoven, geldrop)
    planned_group(course, eindhoven, first_start=days_ahead(20), capacity=3, taken=3)  # full
    planned_group(course, geldrop, first_start=days_ahead(40), capacity=10, status="planned")
    planned_group(course, eindhoven, first_start=days_ahead(70), capacity=10, status="planned")
    WaitlistEntryFactory.create_batch(4, course=course)

    shown = row_of(text(client.get(URL)), "Gezondheidscentrum Woensel")
    newcomer = WaitlistEntryFactory(course=course, preferred_locations=[eindhoven])
    weeks = expected_wait(newcomer, now=timezone.now()).weeks

    assert weeks == 10  # the planned group in ten weeks is the first here with places for the five
    assert f"ongeveer {weeks} weken" in shown
    assert "Er staan nu 5 mensen op de wachtlijst" in text(client.get(URL))  # the newcomer too


def test_a_registration_stop_is_shown_at_its_location(client, course, eindhoven):
    at(course, eindhoven)
    planned_group(course, eindhoven, first_start=days_ahead(20), capacity=8)
    RegistrationStop.objects.create(location=eindhoven, message="De trainers zijn met verlof.")

    row = row_of(text(client.get(URL)), "Gezondheidscentrum Woensel")

    assert "Aanmeldstop" in row
    assert "Nog niet bekend" in row  # places behind a stop are not counted on


def test_the_overview_takes_a_handful_of_queries_whatever_the_number_of_locations(client, course):
    def add_locations(first, count):
        for number in range(first, first + count):
            location = LocationFactory(name=f"Locatie {number}", town="Eindhoven")
            at(course, location)
            planned_group(course, location, first_start=days_ahead(20 + number), capacity=8, taken=2)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    add_locations(0, 12)
    client.get(URL)  # what a running site keeps: Wagtail's site root paths, the organisation's settings
    with_twelve = queries()
    add_locations(12, 12)
    assert queries() == with_twelve <= 15
